"""Erasing a person: what stays (anonymous counts), what goes (everything that identifies them).

Functions flush; the request or the CLI/scheduled job commits.
"""
import logging

from flask_babel import lazy_gettext as _l

from app.audit.models import AuditAction
from app.audit.services import record
from app.extensions import db
from app.outbox.services import forget_recipient
from app.people.names import name_key
from app.people.models import AVAILABILITY_TITLES, RefugeeStatus, VolunteerStatus
from app.people.services import set_status
from app.signals import person_erased
from app.timeutil import now_utc

log = logging.getLogger(__name__)

#: Birth years are kept only to the decade, so age bands still add up.
BIRTH_YEAR_BAND = 10
#: Profile fields that identify or describe the person beyond being counted.
CLEARED_FIELDS = (
    "latin_name", "phone", "email", "postcode", "gender", "wants_gender", "hopes", "notes", "age_min", "age_max",
    "recruited_by", "child_certificate_on", "max_distance_km", "household_adults",
)


class ErasureError(Exception):
    """The person cannot be erased (again); `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def erase_person(person, user, reason):
    """Anonymise `person` for good: contact data, names, free text, related rows; end what features hold.

    The row stays (archived, status "left", municipality and kind kept) so
    the coverage figures and friendships' dates still count them. `user` is
    None when the retention job erases. Raises ErasureError for someone
    already erased.
    """
    if person.erased_at is not None:
        raise ErasureError(_l("This person's data has already been erased."))
    address = person.email
    # Marked first: from here no feature e-mails them, while they tell the other side with the name intact.
    person.erased_at = now_utc()
    person.archived_at = person.archived_at or person.erased_at
    db.session.flush()
    person_erased.send(person, user=user)
    _anonymise(person)
    if address:
        forget_recipient(address)
    left = RefugeeStatus.LEFT if person.kind == "refugee" else VolunteerStatus.LEFT
    set_status(person, left, user)  # no note: the person's page words the erasure in the viewer's language
    db.session.flush()
    record(user, AuditAction.ERASED, person.id, reason=reason)
    log.info("person %s erased by %s: %s", person.id, f"user {user.id}" if user else "the retention job", reason)


def _anonymise(person):
    """Keep only what counting needs: kind, municipality, status, dates (arrival to the month), decade of birth.

    The coverage figures count people by status and capacity, never by when
    they are free, so the availability slots go too.
    """
    for field in CLEARED_FIELDS:
        setattr(person, field, None)
    person.child_certificate_clean = False
    person.family = False
    for slot in AVAILABILITY_TITLES:  # when they were free: no figure counts it
        setattr(person, f"available_{slot}", False)
    person.full_name = f"#{person.id}"
    person.name_key = name_key(person.full_name, None)
    if person.birth_year:
        person.birth_year -= person.birth_year % BIRTH_YEAR_BAND
    if person.arrived_on:
        person.arrived_on = person.arrived_on.replace(day=1)
    person.languages = []
    person.interests = []
    person.household_children = []
    person.family_members = []
    person.trainings = []
    for change in person.status_changes:
        change.note = None
