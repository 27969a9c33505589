"""The interest taxonomy: fixed keys, names in five languages, free-text matching.

People describe their interests in Danish, English, Arabic, Persian or
Tigrinya, often misspelt. Matching needs one shared vocabulary, so every
interest has a stable snake_case key and free text is mapped onto those keys.
This package is plain Python (no Flask, no database) so the matching core and
benchmarks can use it alone. The vocabulary lives in ``data/*.csv``.
"""
import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCALES = ("da", "en", "ar", "fa", "ti")
FALLBACK_LOCALE = "en"

#: Inputs shorter than this must match a name or synonym exactly: one typo
#: in a three- or four-letter word usually makes a different word.
MIN_FUZZY_LENGTH = 5

# Danish letters are kept apart from their lookalikes (å is not a) but given
# a plain spelling, the way Danes write them on foreign keyboards.
_SPELLED_OUT = {"å": "aa", "æ": "ae", "ø": "oe", "ä": "ae", "ö": "oe"}
# Letters that Arabic and Persian keyboards type differently for the same word.
_ARABIC_VARIANTS = {"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ـ": ""}
# Tigrinya writes ፀ-series and ጸ-series (and ሠ/ሰ) interchangeably.
_ETHIOPIC_VARIANTS = {chr(0x1340 + i): chr(0x1338 + i) for i in range(8)} | {
    chr(0x1220 + i): chr(0x1230 + i) for i in range(8)
}
_APOSTROPHES = {"'": "", "’": "", "ʼ": ""}
_TRANSLATION = str.maketrans(_SPELLED_OUT | _ARABIC_VARIANTS | _ETHIOPIC_VARIANTS | _APOSTROPHES)
#: ratio catches typos and words run together ("kitabkhwani"); token_set_ratio
#: finds a whole term inside a longer phrase ("playing football with friends").
#: Neither matches a fragment of a word, as partial scorers would ("sport" in
#: "transport"). On a tie the first, ratio, wins as the closer overall spelling.
_SCORERS = (fuzz.ratio, fuzz.token_set_ratio)
_ZWNJ = "\u200c"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Interest:
    """One entry of the taxonomy; immutable so it can be shared from the cache."""

    key: str
    group: str
    #: Display name per locale code.
    names: MappingProxyType
    #: Extra spellings people type, in any language; used only for matching.
    synonyms: tuple[str, ...]

    def name(self, locale):
        """Return the name in ``locale``, or English when that locale has none."""
        return self.names.get(locale) or self.names[FALLBACK_LOCALE]


def _read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def groups():
    """Return group key -> {locale: name}, in the order of ``groups.csv``."""
    return {row["key"]: {locale: row[locale] for locale in LOCALES} for row in _read_csv("groups.csv")}


def group_name(key, locale):
    """Return a group's name in ``locale``, falling back to English."""
    names = groups()[key]
    return names.get(locale) or names[FALLBACK_LOCALE]


@cache
def interests():
    """Return key -> Interest, grouped in ``groups.csv`` order, then by English name."""
    group_order = {key: index for index, key in enumerate(groups())}
    loaded = [
        Interest(
            key=row["key"],
            group=row["group"],
            names=MappingProxyType({locale: row[locale] for locale in LOCALES}),
            synonyms=tuple(s.strip() for s in row["synonyms"].split("|") if s.strip()),
        )
        for row in _read_csv("interests.csv")
    ]
    loaded.sort(key=lambda i: (group_order[i.group], i.name("en").casefold()))
    return {interest.key: interest for interest in loaded}


def normalise(text):
    """Fold ``text`` to a comparable form: case, accents, punctuation and spacing.

    Arabic-script and Ethiopic letters are kept; only their optional marks
    (vowel signs, tatweel) and keyboard variants are folded.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATION).replace(_ZWNJ, " ")
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category in ("Mn", "Cf"):  # accents, Arabic vowel signs, invisible direction marks
            continue
        kept.append(" " if category[0] in "PSZ" else char)
    return _SPACES.sub(" ", "".join(kept)).strip()


def _terms(interest):
    """Yield every string that should find ``interest``: key, names, synonyms."""
    yield interest.key
    yield from interest.names.values()
    yield from interest.synonyms


@cache
def _exact_index():
    """Return normalised term -> key, for exact lookups and short inputs."""
    return {normalise(term): interest.key for interest in interests().values() for term in _terms(interest)}


@cache
def _fuzzy_choices():
    """Return (terms, keys) in parallel, leaving out terms too short to fuzz safely."""
    pairs = [(term, key) for term, key in _exact_index().items() if len(term) >= MIN_FUZZY_LENGTH]
    return tuple(term for term, _ in pairs), tuple(key for _, key in pairs)


@lru_cache(maxsize=4096)
def match_interest(text, score_cutoff=85):
    """Return the taxonomy key for free text in any supported language, or None.

    Remembered: every Candidate maps its interests, and a suggestions page
    builds thousands from the same few dozen stored keys.
    """
    query = normalise(text)
    exact = _exact_index().get(query)
    if exact or len(query) < MIN_FUZZY_LENGTH:
        return exact
    terms, keys = _fuzzy_choices()
    found = [
        hit
        for scorer in _SCORERS
        if (hit := process.extractOne(query, terms, scorer=scorer, processor=None, score_cutoff=score_cutoff))
    ]
    return keys[max(found, key=lambda hit: hit[1])[2]] if found else None


def map_interests(values):
    """Map keys or free text to unique taxonomy keys, first seen first, dropping unknowns."""
    found = {}
    for value in values:
        if key := match_interest(value):
            found[key] = None
    return tuple(found)
