"""Queries about municipalities that respect who is asking."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.extensions import db
from app.municipalities.models import Municipality
from app.permissions import municipality_codes


def municipalities_for(user):
    """Return the municipalities `user` works in, by name (all for national roles)."""
    query = sa.select(Municipality).options(selectinload(Municipality.region)).order_by(
        Municipality.name
    )
    codes = municipality_codes(user)
    if codes is not None:
        query = query.where(Municipality.code.in_(codes))
    return db.session.scalars(query).all()


def regions_with_municipalities(municipalities):
    """Group municipalities by region, regions in name order."""
    grouped = {}
    for municipality in municipalities:
        grouped.setdefault(municipality.region, []).append(municipality)
    return sorted(grouped.items(), key=lambda item: item[0].name)


def managers_of(municipality):
    """Return the enabled managers assigned to a municipality."""
    return db.session.scalars(
        sa.select(User)
        .where(User.role == Role.MANAGER, User.is_enabled, User.municipalities.contains(municipality))
        .options(selectinload(User.organisation))
        .order_by(User.full_name)
    ).all()

