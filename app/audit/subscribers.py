"""How the audit log answers the people registry's signals: a person's copy of their data includes who touched it."""
from flask_babel import gettext as _

from app.audit.services import entries_of
from app.signals import DataSection, person_data_sections


def audit_data(person):
    """Who saw, exported or changed the person's data, and when (field names, never values)."""
    return DataSection("audit_log", _("Who saw or changed these data"), [
        ("at", _("When")), ("user", _("Who")), ("action", _("What")), ("fields", _("Fields")),
        ("reason", _("Reason")),
    ], [{"at": e.at, "user": e.user.full_name if e.user else None, "action": e.action_title,
         "fields": ", ".join(e.field_names), "reason": e.reason} for e in entries_of(person.id)])


def init_app(app):
    """Subscribe to the people registry's signals (connecting twice is harmless)."""
    person_data_sections.connect(audit_data)
