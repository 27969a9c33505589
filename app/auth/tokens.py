"""Signed, expiring, single-use links for invitations and password resets.

A token carries the user id and a fingerprint of the user's current
password hash. Setting a password changes the hash, so the link (and any
other outstanding link of the same kind) stops working: single use without
a table of issued tokens.
"""
import hashlib

from flask import current_app

from app.auth.models import User
from app.extensions import db
from app.signing import LinkError, sign, unsign

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"

MAX_AGE_SETTING = {
    INVITATION: "INVITATION_MAX_AGE",
    PASSWORD_RESET: "PASSWORD_RESET_MAX_AGE",
}


def _fingerprint(user):
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_token(user, purpose):
    """Return a signed token for `user` and `purpose`."""
    return sign({"uid": user.id, "fp": _fingerprint(user)}, f"auth-{purpose}")


def user_for_token(token, purpose):
    """Return the user a token was issued for, or raise LinkError."""
    data = unsign(token, f"auth-{purpose}", current_app.config[MAX_AGE_SETTING[purpose]])
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_enabled or data.get("fp") != _fingerprint(user):
        raise LinkError()
    return user
