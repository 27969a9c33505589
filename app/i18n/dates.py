"""Dates and distances that cannot be misread in any of the interface's languages.

CLDR's short date in Tigrinya (and English) is "3/4/26" and Arabic's short
and medium are "4/3/2026": day and month can be read either way. `day` and
`when` use the shortest of Babel's formats that names the month or puts the
year first, so every language gets a date no reader can turn around.
"""
from babel.dates import get_date_format, get_datetime_format, get_time_format
from babel.units import format_unit
from flask_babel import format_date, format_datetime, get_locale

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
