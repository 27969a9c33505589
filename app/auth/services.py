"""Account operations that views, CLI commands and tests call."""
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from app.auth.models import Role, User
from app.auth.tokens import INVITATION, PASSWORD_RESET, make_token
from app.extensions import db
from app.outbox.services import queue_mail
from app.timeutil import now_utc

#: Wrong passwords in a row before an account is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

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


class AccountLocked(Exception):
    """Too many wrong passwords; the account opens again after LOCKOUT."""


def authenticate(login, password):
    """Return the enabled user with these credentials, or None.

    Counts wrong passwords and raises AccountLocked while an account is
    locked, so a password cannot be guessed by trying many.
    """
    user = find_user_by_login(login)
    if user is None or not user.is_enabled:
        return None
    now = now_utc()
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked()
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.previous_login_at, user.last_login_at = user.last_login_at, now
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
