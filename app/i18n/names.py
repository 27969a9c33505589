"""Names of spoken languages and interests in the viewer's language."""
from flask_babel import get_locale

from app.interests import interests
from app.people.languages import language_name


def viewer_locale():
    return str(get_locale())


def spoken_language_name(code):
    """The name of a spoken language (ISO 639 code) in the viewer's language."""
    return language_name(code, viewer_locale())


def interest_name(key):
    """The name of a taxonomy interest in the viewer's language; unknown keys as they are."""
    interest = interests().get(key)
    return interest.name(viewer_locale()) if interest else key
