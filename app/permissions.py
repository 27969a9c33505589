"""The one permission layer: who may do what, and in which municipalities.

Every view guards itself with `role_required`, and every query for personal
data goes through `scope_to_user`, so a new feature cannot forget either.
Head office works nationally but never sees people's personal data.
A match may join two municipalities: each of its managers opens it and sees
their own person fully, and of the partner only the first name and
municipality (`sees_person`).
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


def sees_person(person, user=None):
    """May `user` see this person fully, rather than as a match partner's first name and municipality?"""
    return can_see_personal_data(user or current_user, person.municipality_code)


def can_open_match(match, user=None):
    """A match is open to the managers of either of its people."""
    return sees_person(match.refugee, user) or sees_person(match.volunteer, user)


def seen_sides(match, user=None):
    """The people of `match` whom `user` sees fully: those whose data a page showing the match shows."""
    return [person for person in (match.refugee, match.volunteer) if sees_person(person, user)]


def shown_name(person, user=None):
    """A person's name as `user` may see it: in full, or a match partner's first name and municipality."""
    if sees_person(person, user):
        return person.full_name
    return f"{person.first_name} · {person.municipality.name}"


def require_match(match):
    """Abort with 403 unless the current user may open `match`."""
    if not can_open_match(match):
        abort(403)


def scope_to_user(query, *municipality_columns, user=None):
    """Restrict a query for personal data to the rows `user` may see.

    With several columns (a match's two people), a row in any of them is enough.
    """
    user = user or current_user
    if user.role_enum not in PERSONAL_DATA_ROLES:
        return query.where(sa.false())
    codes = municipality_codes(user)
    if codes is None:
        return query
    return query.where(sa.or_(*(column.in_(codes) for column in municipality_columns)))


def init_app(app):
    """Let templates ask the same questions as views."""
    app.add_template_global(sees_person)
    app.add_template_global(shown_name)
