"""Reading matches."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from app.extensions import db
from app.matches.models import OPEN_STATUSES, Match, MatchStatus
from app.people.models import Person
from app.permissions import scope_to_user


def matches_of(person):
    """A person's matches, newest first, as refugee or as volunteer."""
    column = Match.refugee_id if person.kind == "refugee" else Match.volunteer_id
    return db.session.scalars(
        sa.select(Match).where(column == person.id)
        .options(selectinload(Match.refugee), selectinload(Match.volunteer))
        .order_by(Match.proposed_at.desc())
    ).all()


#: A match's two people, joined under these names. Made once: a new alias per query cost more to
#: build (SQLAlchemy adapting every column) than the manager's home page spends on its queries, and
#: kept each statement out of SQLAlchemy's compiled cache.
_REFUGEE = aliased(Person, name="match_refugee")
_VOLUNTEER = aliased(Person, name="match_volunteer")


def scope_matches(query, user=None):
    """Restrict a select of matches to those `user` may open: either person in their municipalities."""
    query = query.join(_REFUGEE, Match.refugee).join(_VOLUNTEER, Match.volunteer)
    return scope_to_user(query, _REFUGEE.municipality_code, _VOLUNTEER.municipality_code, user=user)


def active_match_ids(user):
    """Ids of the active matches `user` may open."""
    query = scope_matches(sa.select(Match.id).where(Match.status == MatchStatus.ACTIVE), user)
    return db.session.scalars(query).all()


def has_open_match(person):
    """Whether a person is in a proposed or active match."""
    column = Match.refugee_id if person.kind == "refugee" else Match.volunteer_id
    return db.session.scalar(
        sa.select(Match.id).where(column == person.id, Match.status.in_(OPEN_STATUSES)).limit(1)
    ) is not None


def friendship_of(person):
    """The person's open match (active, or proposed and awaiting answers), or None: what their own page shows."""
    column = Match.refugee_id if person.kind == "refugee" else Match.volunteer_id
    return db.session.scalars(
        sa.select(Match).where(column == person.id, Match.status.in_(OPEN_STATUSES))
        .options(selectinload(Match.refugee), selectinload(Match.volunteer), selectinload(Match.proposed_by))
        .order_by(Match.proposed_at.desc())
    ).first()


def people_in_matches_since(instant):
    """A select of the ids of people in an open match, or whose match ended at or after `instant`.

    The retention job (app.privacy) keeps them: their last friendship is too recent to forget.
    """
    recent = sa.or_(Match.status.in_(OPEN_STATUSES), Match.ended_at >= instant, Match.declined_at >= instant)
    return sa.union(
        sa.select(Match.refugee_id).where(recent), sa.select(Match.volunteer_id).where(recent)
    )
