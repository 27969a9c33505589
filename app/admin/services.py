"""Operations on users and organisations; they flush, the caller commits."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import Organisation, Role, User
from app.extensions import db
from app.municipalities.models import Municipality


def apply_user_fields(user, data):
    """Copy validated form data onto `user`; only managers keep municipalities."""
    user.full_name = data["full_name"].strip()
    user.email = data["email"]
    user.phone = data["phone"] or None
    user.role = data["role"]
    user.locale = data["locale"]
    user.organisation_id = data["organisation_id"] or None
    codes = data["municipality_codes"] if data["role"] == Role.MANAGER else []
    user.municipalities = db.session.scalars(
        sa.select(Municipality).where(Municipality.code.in_(codes))
    ).all()
    return user


def create_user(data):
    """Create an account without a password; the invitation lets its owner choose one."""
    user = apply_user_fields(User(), data)
    db.session.add(user)
    db.session.flush()
    return user


def set_enabled(user, enabled):
    """Enable or deactivate an account; deactivating ends its sessions at once."""
    user.is_enabled = enabled
    if not enabled:
        user.end_sessions()
    db.session.flush()


def search_users(text=None, role=None):
    """Return a query for users matching a name, e-mail or phone fragment and a role."""
    query = sa.select(User).options(selectinload(User.organisation)).order_by(User.full_name)
    if text:
        text = text.strip().lower()
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).contains(text, autoescape=True),
                User.email.contains(text, autoescape=True),
                User.phone.contains(text, autoescape=True),
            )
        )
    if role:
        query = query.where(User.role == role)
    return query


def organisations_with_member_counts():
    """Return (organisation, number of users) pairs by name."""
    return db.session.execute(
        sa.select(Organisation, sa.func.count(User.id))
        .outerjoin(User)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()


def referenced(row):
    """Whether a row of any table refers to `row` by a foreign key (SQLite would not stop its deletion)."""
    return any(
        db.session.scalar(sa.select(sa.exists().where(key.parent == getattr(row, key.column.key))))
        for table in db.metadata.sorted_tables for key in table.foreign_keys
        if key.column.table is row.__table__
    )


def delete_organisation(organisation):
    """Delete an organisation nothing refers to; return False when it has members, agreements or the like."""
    if referenced(organisation):
        return False
    db.session.delete(organisation)
    db.session.flush()
    return True
