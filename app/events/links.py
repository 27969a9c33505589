"""Personal links to one sign-up: how people without an account see or cancel it.

Signed and single-purpose like the check-in links; the same link in an
e-mail lets anyone with a seat say "I can't come" with one tap.
"""
from app.events.models import SignUp
from app.extensions import db
from app.signing import LinkError, sign, unsign

#: How long a personal sign-up link works.
SIGN_UP_LINK_MAX_AGE = 366 * 24 * 3600
SIGN_UP_LINK_SALT = "activity-sign-up"


def make_token(sign_up):
    """Return the token of `sign_up`'s personal link."""
    return sign({"id": sign_up.id}, SIGN_UP_LINK_SALT)


def sign_up_for_token(token):
    """Return the sign-up a personal link is for, or raise LinkError."""
    data = unsign(token, SIGN_UP_LINK_SALT, SIGN_UP_LINK_MAX_AGE)
    record = db.session.get(SignUp, data.get("id"))
    if record is None:
        raise LinkError()
    return record
