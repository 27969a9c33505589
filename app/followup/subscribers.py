"""How follow-up answers the people registry's signals (app/signals.py)."""
import sqlalchemy as sa

from app.extensions import db
from app.followup.models import CheckIn
from app.matches.models import Match
from app.signals import person_erased


def clear_comments(person, user=None):
    """Forget what an erased person wrote in their check-ins; the ratings stay, anonymous."""
    theirs = sa.select(Match.id).where(getattr(Match, f"{person.kind}_id") == person.id)
    db.session.execute(
        sa.update(CheckIn).where(CheckIn.side == person.kind, CheckIn.match_id.in_(theirs)).values(comment=None)
    )


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_erased.connect(clear_comments)
