"""How check-ins answer the people registry's signals (app/signals.py): a person's data, an erasure."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.followup.models import MEETINGS, CheckIn
from app.matches.models import Match
from app.signals import DataSection, person_data_sections, person_erased


def check_ins_data(person):
    """Every check-in the person was asked, with their answers, for their copy of their data."""
    column = Match.refugee_id if person.kind == "refugee" else Match.volunteer_id
    check_ins = db.session.scalars(
        sa.select(CheckIn).join(CheckIn.match)
        .where(column == person.id, CheckIn.side == person.kind).order_by(CheckIn.due_on)
    ).all()
    return DataSection("check_ins", _("Check-ins"), [
        ("due_on", _("Date")), ("answered_at", _("Answered")), ("meetings", _("How often have you met?")),
        ("rating", _("How is the friendship going?")), ("wants_call", _("I would like a call from the volunteer manager")),
        ("comment", _("Anything else you want to tell us?")),
    ], [{"due_on": c.due_on, "answered_at": c.answered_at, "meetings": MEETINGS.get(c.meetings),
         "rating": c.rating, "wants_call": c.wants_call, "comment": c.comment} for c in check_ins])



def clear_comments(person, user=None):
    """Forget what an erased person wrote in their check-ins; the ratings stay, anonymous."""
    theirs = sa.select(Match.id).where(getattr(Match, f"{person.kind}_id") == person.id)
    db.session.execute(
        sa.update(CheckIn).where(CheckIn.side == person.kind, CheckIn.match_id.in_(theirs)).values(comment=None)
    )


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_data_sections.connect(check_ins_data)
    person_erased.connect(clear_comments)
