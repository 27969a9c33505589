"""Reading activities for pages and calendars: texts in the viewer's language, filters, seat counts."""
from datetime import time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.events.models import Activity, ActivityHost, SignUp, SignUpStatus, Venue
from app.events.services import LIVE_STATUSES, local_instant, waitlist_position
from app.extensions import db
from app.timeutil import now_utc

DATE_RANGES = ("today", "week", "month")


def window_end(name, today):
    """Return the local date after the last day of "today", "week" (to Sunday) or "month"."""
    if name == "today":
        return today + timedelta(days=1)
    if name == "week":
        return today + timedelta(days=7 - today.weekday())
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def upcoming_query(municipality=None, venue=None, category=None, audience=None, window=None, today=None):
    """Select dates that have not ended, soonest first, narrowed by the public filters."""
    query = (
        sa.select(Activity).join(Activity.venue)
        .where(Activity.ends_at > now_utc())
        .options(selectinload(Activity.texts), joinedload(Activity.venue))
        .order_by(Activity.starts_at, Activity.id)
    )
    if municipality:
        query = query.where(Venue.municipality_code == municipality)
    if venue:
        query = query.where(Activity.venue_id == venue)
    if category:
        query = query.where(Activity.category == category)
    if audience:
        query = query.where(Activity.audience == audience)
    if window in DATE_RANGES:
        query = query.where(Activity.starts_at < local_instant(window_end(window, today), time(0)))
    return query


def seats_taken_by_activity(activity_ids):
    """Map activity id → confirmed seats, in one query for a page of dates."""
    rows = db.session.execute(
        sa.select(SignUp.activity_id, sa.func.sum(SignUp.seats))
        .where(SignUp.activity_id.in_(activity_ids), SignUp.status == SignUpStatus.CONFIRMED)
        .group_by(SignUp.activity_id)
    ).all()
    return dict(rows)


def upcoming_sign_ups(user):
    """(sign-up, waitlist position or None) of an account, for dates that have not ended, soonest first.

    Sign-ups a manager made for the account's registry record count too.
    """
    whose = SignUp.user_id == user.id
    if user.person_id is not None:
        whose = sa.or_(whose, SignUp.person_id == user.person_id)
    sign_ups = db.session.scalars(
        sa.select(SignUp).join(SignUp.activity)
        .where(whose, SignUp.status.in_(LIVE_STATUSES), Activity.ends_at > now_utc())
        .options(joinedload(SignUp.activity).selectinload(Activity.texts),
                 joinedload(SignUp.activity).joinedload(Activity.venue))
        .order_by(Activity.starts_at)
    ).all()
    return [(s, waitlist_position(s)) for s in sign_ups]


def upcoming_hosting(user):
    """The coming dates a volunteer hosts, soonest first, for their own page."""
    return db.session.scalars(
        sa.select(Activity).join(ActivityHost, ActivityHost.activity_id == Activity.id)
        .where(ActivityHost.user_id == user.id, Activity.ends_at > now_utc())
        .options(selectinload(Activity.texts), joinedload(Activity.venue))
        .order_by(Activity.starts_at)
    ).all()
