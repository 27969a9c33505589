"""Error pages in the visitor's language."""
from flask import g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from app.extensions import db, login_manager
from app.limits import is_public_form

ERRORS = {
    400: (
        _l("Something in the request was wrong"),
        _l("Please go back, reload the page and try again."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l("If you think you should, ask your administrator."),
    ),
    404: (
        _l("Page not found"),
        _l("The page may have moved, or the address may be mistyped."),
    ),
    405: (
        _l("This page cannot be used that way"),
        _l("Please go back, reload the page and try again."),
    ),
    413: (
        _l("The file is too large"),
        _l("Files up to 10 MB can be uploaded. Split the file into smaller ones."),
    ),
    "public-413": (
        _l("What you sent is too long"),
        _l("Please go back, shorten what you wrote and send it again."),
    ),
    503: (
        _l("The platform is unavailable for a moment"),
        _l("Nothing you sent was saved. Please try again in a few minutes."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("We have been told. Please try again in a moment."),
    ),
}


def render_error(code):
    title, explanation = ERRORS[code]
    return render_template("error.html", code=code, title=title, explanation=explanation), code


def handle_too_large(error):
    """A public form says its text was too long; elsewhere only files are that large."""
    if is_public_form():
        title, explanation = ERRORS["public-413"]
        return render_template("error.html", code=413, title=title, explanation=explanation), 413
    return render_error(413)


def handle_csrf_error(error):
    title = _l("The form had expired")
    explanation = _l("For your safety, forms expire. Go back, reload the page and send it again.")
    return render_template("error.html", code=400, title=title, explanation=explanation), 400


def handle_server_error(error):
    db.session.rollback()
    return render_error(500)


def handle_database_unavailable(error):
    """The database cannot be reached: a 503 that says nothing was saved, as the transaction is rolled back.

    The page is rendered for an anonymous visitor, since loading the logged-in
    user would ask the database again.
    """
    db.session.rollback()
    g._login_user = login_manager.anonymous_user()
    response = render_error(503)
    return response[0], 503, {"Retry-After": "60"}


def init_app(app):
    for code in (400, 403, 404, 405):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(413, handle_too_large)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(500, handle_server_error)
