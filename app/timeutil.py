"""UTC instants in the database, local time only on screen.

The programme runs in Denmark, so "today" and "now" mean Europe/Copenhagen
whatever zone the server is set to: a check-in due on the 1st is due from
midnight in Copenhagen, not from midnight UTC. Nothing else in the app reads
the clock.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def add_years(day, years):
    """Return `day` moved by whole years (negative: back); 29 February becomes 28."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


#: The programme's time zone: dates people see and deadlines are counted in it.
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def now_utc():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def now_local():
    """Return the current time in Denmark, as an aware datetime."""
    return now_utc().astimezone(LOCAL_ZONE)


def today_local():
    """Return today's date in Denmark (not the server's zone)."""
    return now_local().date()


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC and always hand back aware UTC values.

    SQLite keeps no time zone, so values are normalised on the way in and
    tagged as UTC on the way out; PostgreSQL gets ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use now_utc() or an aware value")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
