"""Languages people speak: ISO 639 codes stored, names shown in the viewer's language.

Names come from Babel's CLDR data, so every interface language gets them
without catalog entries. Dari has no CLDR name under its ISO 639-3 code
"prs", so it is looked up under "fa_AF", which CLDR names "Dari".
"""
from functools import lru_cache

from babel import Locale
from flask_babel import lazy_gettext as _l

#: Spoken languages offered in forms and filters, roughly by how often they
#: are met among refugees and volunteers in Denmark.
SPOKEN_LANGUAGES = (
    "da", "en", "ar", "fa", "prs", "ps", "ti", "am", "so", "ku", "ckb", "uk",
    "ru", "tr", "ur", "fr", "de", "es", "om", "sw", "sq", "bs", "pl", "ro",
    "sv", "it", "pt", "hi", "bn", "ta", "my", "ne",
)

#: How well someone speaks a language, 1 to 5: shown in forms, profiles and
#: match reasons. Friends need a shared language at level 2 or more.
LEVEL_TITLES = {
    1: _l("1 – basic"),
    2: _l("2 – simple conversation"),
    3: _l("3 – good"),
    4: _l("4 – fluent"),
    5: _l("5 – native"),
}

_CLDR_KEY = {"prs": "fa_AF"}


@lru_cache(maxsize=2048)
def language_name(code, locale):
    """Return the name of language `code` in `locale`, capitalised, or the code (looked up once per pair)."""
    name = Locale.parse(str(locale)).languages.get(_CLDR_KEY.get(code, code))
    return name[:1].upper() + name[1:] if name else code


def language_choices(locale):
    """Return (code, name) pairs for a select field, sorted by name in `locale`."""
    return sorted(
        ((code, language_name(code, locale)) for code in SPOKEN_LANGUAGES),
        key=lambda pair: pair[1].casefold(),
    )
