"""Accounts: logging in and out, passwords, invitations and resets."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.extensions import db, login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")


def load_user(session_id):
    """Return the user of a session or remember-me cookie ("id:nonce"), None once the nonce has changed."""
    from app.auth.models import User

    user_id, _, nonce = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdecimal() else None
    return user if user is not None and nonce == user.session_nonce else None


def init_app(app):
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)


from app.auth import routes  # noqa: E402,F401  (routes attach to bp)
