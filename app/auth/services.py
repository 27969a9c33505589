"""Account operations that views, CLI commands and tests call."""
import re

import sqlalchemy as sa
from flask import request, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import Role, User
from app.auth.tokens import INVITATION, PASSWORD_RESET, make_token
from app.extensions import db
from app.limits import Backoff, allow, seconds_blocked
from app.outbox.services import queue_mail
from app.timeutil import now_utc

#: Wrong passwords for one login name, and from one address, before each try must wait (1 s, 2 s, 4 s … 5 min).
ACCOUNT_BACKOFF = Backoff("login-name", free=3, longest=300)
ADDRESS_BACKOFF = Backoff("login-address", free=10, longest=300)
#: Wrong passwords one address may send in all, against one password tried on many accounts.
SPRAYING_LIMIT = "100 per day"
#: Checked for a login name nobody has, so that it takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not anybody's password")

#: Danish numbers have 8 digits; others must be given with their country code.
DANISH_COUNTRY_CODE = "+45"


def normalise_phone(text):
    """Return a phone number as +<digits>, or None when it is not one.

    "22 33 44 55" and "0045 22334455" both become "+4522334455".
    """
    compact = re.sub(r"[\s\-().]", "", text or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"\d{8}", compact):
        compact = DANISH_COUNTRY_CODE + compact
    return compact if re.fullmatch(r"\+\d{8,15}", compact) else None


def find_user_by_login(login):
    """Return the user whose e-mail or phone number is `login`, or None."""
    login = (login or "").strip()
    if "@" in login:
        return db.session.scalars(sa.select(User).where(User.email == login.lower())).first()
    phone = normalise_phone(login)
    if phone is None:
        return None
    return db.session.scalars(sa.select(User).where(User.phone == phone)).first()


class TryLater(Exception):
    """Too many wrong passwords lately; `seconds` until the next try is taken."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.seconds = seconds


def authenticate(login, password):
    """Return the enabled user with these credentials, or None; raise TryLater while throttled.

    Wrong passwords make the next try wait, longer each time, per login name
    and per address, and an address may send only so many in a day. A login
    name nobody has is treated exactly like a known one, down to the time a
    password check takes, so the answer never tells whether an account exists.
    Nobody is locked out: the wait ends, and a reset link always works.
    """
    name = (login or "").strip().lower()
    address = request.remote_addr or "-"
    wait = max(ACCOUNT_BACKOFF.wait(name), ADDRESS_BACKOFF.wait(address), seconds_blocked(SPRAYING_LIMIT, "login"))
    if wait:
        raise TryLater(wait)
    user = find_user_by_login(login)
    if user is None or not user.is_enabled:
        check_password_hash(_DUMMY_HASH, password)
        user = None
    elif not user.check_password(password):
        user = None
    if user is None:
        ACCOUNT_BACKOFF.fail(name)
        ADDRESS_BACKOFF.fail(address)
        allow(SPRAYING_LIMIT, "login")  # counted; the next try checks it
        return None
    ACCOUNT_BACKOFF.forget(name)
    user.previous_login_at, user.last_login_at = user.last_login_at, now_utc()
    return user


def _link(user, endpoint, purpose):
    return url_for(endpoint, token=make_token(user, purpose), _external=True)


def _send_link_mail(user, template, endpoint, purpose):
    """Mail `user` a link, written in the user's own language."""
    link = _link(user, endpoint, purpose)
    queue_mail(user.email, template, user.locale or "da", user=user, link=link)


def invitation_link(user):
    """Return the link with which `user` chooses a first password."""
    return _link(user, "auth.accept_invitation", INVITATION)


def create_administrator(email, full_name, password=None):
    """Create an administrator; without a password, the invitation link lets them choose one."""
    user = User(email=email, full_name=full_name, role=Role.ADMIN)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def send_invitation(user):
    """Invite a new user to set a password and start using the platform."""
    _send_link_mail(user, "email/invitation.txt", "auth.accept_invitation", INVITATION)


def send_password_reset(user):
    """Mail a password-reset link; callers never reveal whether the user exists."""
    _send_link_mail(user, "email/password_reset.txt", "auth.reset_password", PASSWORD_RESET)
