"""The one permission layer: who may do what, and in which municipalities.

Every view guards itself with `role_required`, and every query for personal
data goes through `scope_to_user`, so a new feature cannot forget either.
Head office works nationally but never sees people's personal data.
"""
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.auth.models import Role
from app.extensions import login_manager

#: Roles that may see personal data of refugees and volunteers.
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
#: Roles that see every municipality (admins also personal data, head office not).
NATIONAL_ROLES = frozenset({Role.ADMIN, Role.HEAD_OFFICE})


def role_required(*roles):
    """Let a view through only for logged-in users holding one of `roles`."""
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role_enum not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def municipality_codes(user):
    """Return the municipality codes a user works in, or None for all of them."""
    if user.role_enum in NATIONAL_ROLES:
        return None
    if user.role_enum is Role.MANAGER:
        return {m.code for m in user.municipalities}
    return set()


def can_view_municipality(user, code):
    """May `user` open the (non-personal) pages of municipality `code`?"""
    codes = municipality_codes(user)
    return codes is None or code in codes


def can_see_personal_data(user, code):
    """May `user` see refugees' and volunteers' personal data in `code`?"""
    return user.role_enum in PERSONAL_DATA_ROLES and can_view_municipality(user, code)


def require_municipality(code, personal_data=False):
    """Abort with 403 unless the current user may work in municipality `code`."""
    check = can_see_personal_data if personal_data else can_view_municipality
    if not check(current_user, code):
        abort(403)


def scope_to_user(query, municipality_column, user=None):
    """Restrict a query for personal data to the rows `user` may see."""
    user = user or current_user
    if user.role_enum not in PERSONAL_DATA_ROLES:
        return query.where(sa.false())
    codes = municipality_codes(user)
    return query if codes is None else query.where(municipality_column.in_(codes))
