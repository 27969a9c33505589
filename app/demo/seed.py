"""Demo accounts and organisations; seeding twice leaves the same state."""
import sqlalchemy as sa

from app.auth.models import Organisation, Role, User
from app.extensions import db
from app.municipalities.models import Municipality

#: Known on purpose: printed by `make run` and the README. Never use in production.
DEMO_PASSWORD = "venner-demo-2026"

ORGANISATIONS = ("Dansk Røde Kors", "Dansk Flygtningehjælp")

#: (email, full name, role, locale, organisation, municipality names)
DEMO_USERS = (
    ("admin@demo.example.org", "Anne Admin", Role.ADMIN, "da", None, ()),
    ("headoffice@demo.example.org", "Henrik Hovedkontor", Role.HEAD_OFFICE, "da", None, ()),
    ("manager.kbh@demo.example.org", "Mette Madsen", Role.MANAGER, "da", "Dansk Røde Kors",
     ("København", "Frederiksberg")),
    ("manager.aarhus@demo.example.org", "Amal Haddad", Role.MANAGER, "en", "Dansk Flygtningehjælp",
     ("Aarhus",)),
    ("volunteer@demo.example.org", "Lars Frivillig", Role.VOLUNTEER, "da", None, ()),
    ("refugee@demo.example.org", "ሰላም ተስፋይ", Role.REFUGEE, "ti", None, ()),
)


def _get_or_add(model, **lookup):
    row = db.session.scalars(sa.select(model).filter_by(**lookup)).one_or_none()
    if row is None:
        row = model(**lookup)
        db.session.add(row)
    return row


def seed_demo():
    """Create or refresh the demo organisations and one user per role."""
    organisations = {name: _get_or_add(Organisation, name=name) for name in ORGANISATIONS}
    db.session.flush()
    users = []
    for email, name, role, locale, organisation, municipality_names in DEMO_USERS:
        user = _get_or_add(User, email=email)
        user.full_name = name
        user.role = role
        user.locale = locale
        user.is_enabled = True
        user.organisation = organisations.get(organisation)
        user.municipalities = db.session.scalars(
            sa.select(Municipality).where(Municipality.name.in_(municipality_names))
        ).all()
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        users.append(user)
    db.session.flush()
    return users
