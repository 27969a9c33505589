"""The language switcher shown on every page."""
from flask import Blueprint, abort, redirect, request
from flask_login import current_user

from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, supported
from app.urls import safe_next_url

bp = Blueprint("i18n", __name__)


@bp.post("/language")
def switch():
    """Switch language; logged-in users keep the choice on their account."""
    code = supported(request.form.get("lang", ""))
    if code is None:
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next_url(request.form.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="Lax"
    )
    return response
