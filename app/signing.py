"""Signed, expiring tokens for the links the platform e-mails (invitations, resets, check-ins)."""
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkError(Exception):
    """An e-mailed link that cannot be used; `expired` tells the user why."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired

    @property
    def message(self):
        if self.expired:
            return _("This link has expired. Ask for a new one.")
        return _("This link is not valid or has already been used.")


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(data, salt):
    """Return a URL-safe token carrying `data`; `salt` keeps one kind of link from passing as another."""
    return _serializer(salt).dumps(data)


def unsign(token, salt, max_age):
    """Return the data of a token no older than `max_age` seconds, or raise LinkError."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError(expired=True) from None
    except BadSignature:
        raise LinkError() from None
