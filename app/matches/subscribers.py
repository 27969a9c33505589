"""How matches answer the people registry's signals (app/signals.py).

The registry knows nothing of matches: it asks whether a person may be
archived, tells of merges, and collects sections for a person's page.
"""
import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup

from app.extensions import db
from app.matches import services
from app.matches.models import ERASED, OPEN_STATUSES, Match
from app.matches.queries import has_open_match, matches_of
from app.people.merging import MergeError
from app.signals import (
    DataSection, person_archivable, person_data_sections, person_erased, person_merged, person_page_sections,
)


def refuse_while_in_open_match(person):
    """The match decides the status of the people in it until it ends."""
    if has_open_match(person):
        return _l("This person is in an open match. End the match first.")
    return None


def move_matches(keep, other):
    """Give the kept record the duplicate's matches; a refugee keeps at most one open match."""
    side = Match.refugee_id if keep.kind == "refugee" else Match.volunteer_id
    open_matches = db.session.scalar(
        sa.select(sa.func.count()).select_from(Match)
        .where(side.in_([keep.id, other.id]), Match.status.in_(OPEN_STATUSES))
    )
    if keep.kind == "refugee" and open_matches > 1:
        raise MergeError(_("Both records have an open match. End one of them first."))
    db.session.execute(sa.update(Match).where(side == other.id).values({side.key: keep.id}))


def end_matches_of_erased(person, user=None):
    """End the erased person's open matches (the partner is told; a refugee partner waits again) and clear their texts.

    The matches themselves stay, with their dates, so friendships are still counted.
    """
    side = getattr(Match, f"{person.kind}_id")
    for match in db.session.scalars(sa.select(Match).where(side == person.id, Match.status.in_(OPEN_STATUSES))):
        services.end(match, user, ERASED, back_to_waiting=person.kind == "volunteer")
    db.session.execute(
        sa.update(Match).where(side == person.id).values(override_reason=None, decline_reason=None, end_note=None)
    )


def matches_section(person):
    """The person's matches, newest first, for their page."""
    return Markup(render_template("matches/_person_matches.html", person=person, matches=matches_of(person)))


def matches_data(person):
    """The person's matches for their copy of their data: the partner by first name only, as in e-mails."""
    def partner(match):
        return match.volunteer if person.kind == "refugee" else match.refugee

    return DataSection("matches", _("Matches"), [
        ("friend", _("Your friend")), ("status", _("Status")), ("proposed_at", _("Proposed")),
        ("activated_at", _("Started")), ("ended_at", _("Ended")), ("end_reason", _("Why it ended")),
    ], [{"friend": partner(m).first_name, "status": m.status_title, "proposed_at": m.proposed_at,
         "activated_at": m.activated_at, "ended_at": m.ended_at, "end_reason": m.end_reason_title if m.end_reason else None}
        for m in matches_of(person)])


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_archivable.connect(refuse_while_in_open_match)
    person_merged.connect(move_matches)
    person_page_sections.connect(matches_section)
    person_data_sections.connect(matches_data)
    person_erased.connect(end_matches_of_erased)
