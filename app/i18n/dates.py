"""Dates and distances that cannot be misread in any of the interface's languages.

CLDR's short date in Tigrinya (and English) is "3/4/26" and Arabic's short
and medium are "4/3/2026": day and month can be read either way. `day` and
`when` use the shortest of Babel's formats that names the month or puts the
year first, so every language gets a date no reader can turn around.
"""
from functools import lru_cache

from babel.dates import (
    format_date as babel_format_date,
    format_skeleton,
    format_time as babel_format_time,
    get_date_format,
    get_datetime_format,
    get_time_format,
)
from babel.units import format_unit
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone

WIDTHS = ("short", "medium", "long")


def _unambiguous(pattern):
    return "MMM" in pattern or pattern.lstrip("\u200e\u200f").startswith("y")


def date_pattern(locale):
    """The locale's shortest date pattern that names the month or starts with the year."""
    patterns = [get_date_format(width, locale=locale).pattern for width in WIDTHS]
    return next((p for p in patterns if _unambiguous(p)), patterns[-1])


def day(value):
    """A date (or the day of a datetime) in the viewer's language, never numeric-only and ambiguous."""
    return format_date(value, date_pattern(get_locale())) if value else ""


def month(value):
    """A date's month and year in the viewer's language ("marts 2026"), for a date kept only to the month."""
    return format_skeleton("yMMMM", value, locale=get_locale()) if value else ""


def when(value):
    """A date and time in the viewer's language: an unambiguous date, the time to the minute."""
    if not value:
        return ""
    locale = get_locale()
    glue = get_datetime_format("medium", locale=locale)
    pattern = glue.replace("{1}", date_pattern(locale)).replace("{0}", get_time_format("short", locale=locale).pattern)
    return format_datetime(value, pattern)


def distance(km, decimals=1):
    """A distance in kilometres with the locale's own unit word ("6,5 km", "6.5 كم", "6.5 ኪሜ")."""
    return format_unit(km, "length-kilometer", length="short", locale=get_locale(),
                       format="#,##0." + "0" * decimals if decimals else "#,##0")


@lru_cache(maxsize=4096)
def _formatted(format_, value, width, locale):
    return format_(value, width, locale=locale)


def local_date(value, width="medium"):
    """Flask-Babel's ``dateformat`` of an instant, with Babel's formatting done once per day, width and language.

    Lists of activities format two or three dates and times per row;
    Babel's pattern work was much of the public list's time.
    """
    return _formatted(babel_format_date, to_user_timezone(value).date(), width, str(get_locale()))


def local_time(value, width="medium"):
    """Flask-Babel's ``timeformat`` of an instant, formatted once per minute of day, width and language."""
    return _formatted(babel_format_time, to_user_timezone(value).replace(tzinfo=None).time(), width,
                      str(get_locale()))
