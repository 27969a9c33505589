"""UTC instants in the database, local time only on screen.

The programme runs in Denmark, so "today" and "now" mean Europe/Copenhagen
whatever zone the server is set to: a check-in due on the 1st is due from
midnight in Copenhagen, not from midnight UTC. Nothing else in the app reads
the clock.
"""
import calendar
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def add_years(day, years):
    """Return `day` moved by whole years (negative: back); 29 February becomes 28."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    """Return `day` moved by whole months (negative: back); a day the month lacks becomes its last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


#: The programme's time zone: dates people see and deadlines are counted in it.
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def now_utc():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def now_local():
    """Return the current time in Denmark, as an aware datetime."""
    return now_utc().astimezone(LOCAL_ZONE)


def start_of_day(day):
    """The instant at which `day` begins in Denmark (midnight in Copenhagen, not UTC)."""
    return datetime.combine(day, time(), LOCAL_ZONE)


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
