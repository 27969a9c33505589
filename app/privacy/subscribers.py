"""How privacy answers the people registry's signals (app/signals.py)."""
from flask_babel import lazy_gettext as _l

from app.signals import person_archivable


def refuse_once_erased(person):
    """An erased person's status is final: no restoring, no new status."""
    if person.erased_at is not None:
        return _l("This person's data has been erased.")
    return None


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_archivable.connect(refuse_once_erased)
