"""Counts as people read them: suppressed, in the viewer's number format, never mirrored.

"<5" and ranges such as "5–19" are isolated left to right, so an Arabic or
Farsi page shows them as the tables, the CSV and the JSON write them, not
turned into "5>": in page text with a <bdi dir="ltr"> (`count_html`), in SVG
<title> and attributes, where markup cannot go, with Unicode's isolate
characters (`shown_count`).
"""
from functools import lru_cache

from babel.numbers import format_decimal as babel_format_decimal
from flask_babel import get_locale
from markupsafe import Markup

from app.stats.figures import suppress

LTR_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"


def ltr(text):
    return f"{LTR_ISOLATE}{text}{POP_ISOLATE}"


@lru_cache(maxsize=4096)
def _formatted(value, locale):
    return babel_format_decimal(value, locale=locale)


def format_count(value):
    """A whole number in the viewer's format, remembered per locale: the dashboard shows about 800
    of them, mostly the same few values, and Babel's formatting was a third of its rendering time."""
    return _formatted(value, str(get_locale()))


def shown_count(value):
    """A count as shown anywhere: "<5" for 1 to 4, else in the viewer's number format."""
    shown = suppress(value)
    return ltr(shown) if isinstance(shown, str) else format_count(shown)


def count_html(value):
    """`shown_count` for page text: "<5" in a left-to-right <bdi>."""
    shown = suppress(value)
    return Markup('<bdi dir="ltr">&lt;5</bdi>') if isinstance(shown, str) else format_count(shown)
