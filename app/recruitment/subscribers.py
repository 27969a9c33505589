"""How recruitment answers the people registry's signals (app/signals.py).

Recruitment gives an approved volunteer an account linked to their record;
when the person is erased, that login goes with them.
"""
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.outbox.services import forget_recipient
from app.signals import person_erased


def close_linked_account(person, user=None):
    """Deactivate the person's own login, ending its sessions, and strip it of their name, address and password.

    The row stays (users are kept for the record of who did what), under an
    address that can receive nothing, still linked to the now anonymous
    record: other features' receivers of the same signal find what the
    account held (sign-ups, host slots) in whatever order they run.
    """
    account = db.session.scalars(sa.select(User).where(User.person_id == person.id)).first()
    if account is None:
        return
    forget_recipient(account.email)
    account.is_enabled = False
    account.end_sessions()
    account.password_hash = None
    account.full_name = f"#{person.id}"
    account.email = f"erased-{account.id}@invalid"
    account.phone = None
    db.session.flush()


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_erased.connect(close_linked_account)
