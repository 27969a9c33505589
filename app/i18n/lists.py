"""Lists people type and lists we show, in any of the interface's scripts.

People write lists with their own script's comma: Arabic and Persian "،" and
"؛", Ethiopic "፣" and "፤" in Tigrinya. `split_list` reads them all like ","
and ";", and `format_list` joins a list the way the viewer's language does
(CLDR's patterns through Babel: "A, B og C", "A وB وC", "A፣ Bን Cን").
"""
import re

from babel import lists
from flask_babel import get_locale
from markupsafe import Markup, escape

#: Comma and semicolon in Latin, Arabic (also Persian) and Ethiopic script.
LIST_SEPARATORS = re.compile("[,;\u060c\u061b\u1363\u1364]")


def split_list(text):
    """Return the stripped, non-empty items of a typed list."""
    return [item.strip() for item in LIST_SEPARATORS.split(text or "") if item.strip()]


def format_list(items, locale=None):
    """Join items as a list in `locale`, by default the viewer's language."""
    return lists.format_list([str(item) for item in items], locale=locale or get_locale() or "en")


def format_list_html(items):
    """Join items for a template: text is escaped, markup (e.g. a macro's <bdi>) kept.

    CLDR's list patterns hold only words and punctuation, so the joined
    result is safe HTML.
    """
    return Markup(format_list(escape(item) for item in items))
