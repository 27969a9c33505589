"""What happens to a person, told to the features that hold data about them.

The people registry imports no feature; it sends these signals (blinker,
as Flask itself uses) and matches, events, followup and recruitment
subscribe; privacy sends `person_erased`.
Receivers run in the sender's transaction: they flush, never commit.
"""
from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

#: Sent with the kept person (sender) and `other`, the duplicate about to be
#: deleted, before it is deleted: move whatever points at `other` to the kept
#: person, or raise people.merging.MergeError to refuse the merge.
person_merged = _signals.signal("person-merged")

#: Asked before a person's status is changed by hand or they are archived.
#: A receiver returns a reason (a translatable message) to refuse, or None.
person_archivable = _signals.signal("person-archivable")

#: Asked while a person's page is shown: a receiver returns a rendered
#: section (Markup) about its feature, e.g. the person's matches, or None.
person_page_sections = _signals.signal("person-page-sections")

#: Sent with the person (sender) being erased and `user`, the manager or None for the
#: retention job, after they are marked erased (so nothing is e-mailed to them) and
#: before their record is anonymised: end, cancel or clear what the feature holds.
person_erased = _signals.signal("person-erased")


def answers(signal, sender, **kwargs):
    """Send `signal` and return the non-empty answers of its receivers, in connection order."""
    return [answer for _, answer in signal.send(sender, **kwargs) if answer]

#: Asked while a person's complete data are gathered for them (subject access,
#: GDPR articles 15 and 20), under the person's own locale: a receiver
#: returns a DataSection (or a list of them) of its feature, or None.
person_data_sections = _signals.signal("person-data-sections")


@dataclass
class DataSection:
    """One part of a person's data: a heading and rows of labelled values.

    `key` and the column keys name things in the JSON file for machines;
    `title` and the labels are in the person's language for the printable
    page. Values are plain: text, numbers, booleans, dates or None.
    """

    key: str
    title: str
    #: (key, label) pairs, in the order they are shown.
    columns: list
    #: One dict per row, by column key.
    rows: list
