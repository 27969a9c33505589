"""Signed, expiring, single-use links for invitations and password resets.

A token carries the user id and a fingerprint of the user's current
password hash. Setting a password changes the hash, so the link (and any
other outstanding link of the same kind) stops working: single use without
a table of issued tokens.
"""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"

MAX_AGE_SETTING = {
    INVITATION: "INVITATION_MAX_AGE",
    PASSWORD_RESET: "PASSWORD_RESET_MAX_AGE",
}


class TokenError(Exception):
    """The link cannot be used; `expired` tells the user why."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"auth-{purpose}")


def _fingerprint(user):
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_token(user, purpose):
    """Return a signed token for `user` and `purpose`."""
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_token(token, purpose):
    """Return the user a token was issued for, or raise TokenError."""
    max_age = current_app.config[MAX_AGE_SETTING[purpose]]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError() from None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_enabled or data.get("fp") != _fingerprint(user):
        raise TokenError()
    return user
