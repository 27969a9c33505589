"""Counts as people read them: suppressed, in the viewer's number format, never mirrored.

"<5" and ranges such as "5–19" are wrapped in Unicode's left-to-right
isolate, so an Arabic or Farsi page shows them as the tables, the CSV and
the JSON write them, not turned into "5>". The isolate characters work in
text, in SVG <title> and in attributes alike, where markup could not go.
"""
from flask_babel import format_decimal

from app.stats.figures import suppress

LTR_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"


def ltr(text):
    return f"{LTR_ISOLATE}{text}{POP_ISOLATE}"


def shown_count(value):
    """A count as shown anywhere: "<5" for 1 to 4, else in the viewer's number format."""
    shown = suppress(value)
    return ltr(shown) if isinstance(shown, str) else format_decimal(shown)
