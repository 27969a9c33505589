"""Reading activities for pages and calendars: texts in the viewer's language, filters, seat counts."""
from datetime import datetime, time, timedelta
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from app.events.models import FALLBACK_LOCALES, Activity, ActivityHost, ActivityText, SignUp, SignUpStatus, Venue
from app.events.services import LIVE_STATUSES, local_instant, waitlist_position
from app.extensions import db
from app.municipalities.models import Municipality
from app.timeutil import now_utc

DATE_RANGES = ("today", "week", "month")


def window_end(name, today):
    """Return the local date after the last day of "today", "week" (to Sunday) or "month"."""
    if name == "today":
        return today + timedelta(days=1)
    if name == "week":
        return today + timedelta(days=7 - today.weekday())
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _upcoming(municipality=None, venue=None, category=None, audience=None, window=None, today=None):
    """The conditions for dates that have not ended, narrowed by the public filters (Activity joined to Venue)."""
    conditions = [Activity.ends_at > now_utc()]
    if municipality:
        conditions.append(Venue.municipality_code == municipality)
    if venue:
        conditions.append(Activity.venue_id == venue)
    if category:
        conditions.append(Activity.category == category)
    if audience:
        conditions.append(Activity.audience == audience)
    if window in DATE_RANGES:
        conditions.append(Activity.starts_at < local_instant(window_end(window, today), time(0)))
    return conditions


def upcoming_query(municipality=None, venue=None, category=None, audience=None, window=None, today=None):
    """Select dates that have not ended, soonest first, narrowed by the public filters."""
    return (
        sa.select(Activity).join(Activity.venue)
        .where(*_upcoming(municipality, venue, category, audience, window, today))
        .options(selectinload(Activity.texts), joinedload(Activity.venue))
        .order_by(Activity.starts_at, Activity.id)
    )


class ListedText(NamedTuple):
    locale: str
    title: str


class ListedDate(NamedTuple):
    """A date as the public list shows it, in plain values: equal rows show the same (see `activity_rows`).

    A named tuple: made, hashed and compared in C, 25 times a page.
    """

    id: int
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None
    category: str
    audience: str
    capacity: int | None
    language_codes: str
    venue_name: str
    municipality_name: str
    #: Confirmed seats.
    taken: int
    #: The one text shown in the viewer's language, as `text_for` picks it.
    texts: tuple[ListedText]

    languages = Activity.languages
    category_title = Activity.category_title
    audience_title = Activity.audience_title


@cache
def _listed():
    """The public list's columns, joins and order, built once; the filters, page and ``locale`` come per request.

    The dates' confirmed seats, the text `text_for` shows in ``locale``
    (its locale and title) and the number of dates in all. Building the
    statement anew took a quarter of the query's time.
    """
    seats = (
        sa.select(sa.func.coalesce(sa.func.sum(SignUp.seats), 0))
        .where(SignUp.activity_id == Activity.id, SignUp.status == SignUpStatus.CONFIRMED)
        .scalar_subquery()
    )
    preference = sa.case(*[(ActivityText.locale == code, rank) for rank, code
                           in enumerate((sa.bindparam("locale", type_=sa.String), *FALLBACK_LOCALES))],
                         else_=len(FALLBACK_LOCALES) + 1)
    shown = [
        sa.select(column).where(ActivityText.activity_id == Activity.id)
        .order_by(preference, ActivityText.locale).limit(1).scalar_subquery()
        for column in (ActivityText.locale, ActivityText.title)
    ]
    return (
        sa.select(Activity.id, Activity.starts_at, Activity.ends_at, Activity.cancelled_at, Activity.category,
                  Activity.audience, Activity.capacity, Activity.language_codes, Venue.name,
                  Municipality.name, seats, *shown, sa.func.count().over())
        .join(Activity.venue).join(Venue.municipality)
        .order_by(Activity.starts_at, Activity.id)
    )


class ListedDatesPage(Pagination):
    """A page of the public list in one plain query: the dates with seats taken, the title to show and the total.

    No ORM objects and no separate count, seat or title queries: the list is
    the public page opened most, and loading it through the ORM was half its time.
    """

    def _query_items(self):
        rows = db.session.execute(
            _listed().where(*self._query_args["conditions"]).limit(self.per_page).offset(self._query_offset),
            {"locale": self._query_args["locale"]},
        ).all()
        self._total = rows[0][-1] if rows else None
        return [ListedDate(*row[:-3], (ListedText(row[-3], row[-2]),)) for row in rows]

    def _query_count(self):
        if self._total is not None or self.page == 1:
            return self._total or 0
        return db.session.scalar(  # a page past the end: count the others
            sa.select(sa.func.count()).select_from(Activity).join(Activity.venue).where(*self._query_args["conditions"])
        )


@cache
def _filter_choices():
    """Municipalities (kind 0) and places (kind 1) as (kind, key, name), by name; built once."""
    return (
        sa.union_all(sa.select(sa.literal_column("0").label("kind"), Municipality.code.label("key"), Municipality.name),
                     sa.select(sa.literal_column("1"), Venue.id, Venue.name))
        .order_by("kind", "name")
    )


def filter_choices():
    """Return the municipalities and the places the list's filters offer, (code or id, name) by name, in one query."""
    rows = db.session.execute(_filter_choices())
    municipalities, venues = [], []
    for kind, key, name in rows:
        (venues if kind else municipalities).append((key, name))
    return tuple(municipalities), tuple(venues)


def listed_dates(page, per_page, locale, **filters):
    """One page of the public list of coming dates (`ListedDate`s, each with the text shown in `locale`), soonest first.

    `filters` as `upcoming_query`.
    """
    return ListedDatesPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                           locale=locale, conditions=_upcoming(**filters))


@cache
def _activity_page():
    """A date with its place, municipality and texts, confirmed seats and sign-ups waiting, by ``activity_id``.

    Built once: making the statement and its loader options anew was a
    third of the query's time.
    """
    of_date = SignUp.activity_id == Activity.id
    taken = (sa.select(sa.func.coalesce(sa.func.sum(SignUp.seats), 0))
             .where(of_date, SignUp.status == SignUpStatus.CONFIRMED).scalar_subquery())
    waiting = (sa.select(sa.func.count()).select_from(SignUp)
               .where(of_date, SignUp.status == SignUpStatus.WAITLISTED).scalar_subquery())
    return (
        sa.select(Activity, taken, waiting).where(Activity.id == sa.bindparam("activity_id"))
        .options(joinedload(Activity.venue).joinedload(Venue.municipality), joinedload(Activity.texts))
    )


def activity_for_page(activity_id):
    """Return (date, confirmed seats, sign-ups waiting) for a date's page in one query, or None.

    The date comes with its place, municipality and texts: the page shows
    them all, and each lazy load was a query of its own.
    """
    return db.session.execute(_activity_page(), {"activity_id": activity_id}).unique().one_or_none()


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
