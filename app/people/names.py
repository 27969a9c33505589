"""Normalised names and spelling-variant keys, for search and duplicate checks.

Names arrive in many scripts and transliterations (Mohammed, Muhammad,
Mohamad; al-Hassan, El Hassan, Hassan). `normalise_name` removes what does
not tell people apart (case, diacritics, hyphens, al-/el- prefixes, Arabic
vowel marks); `name_key` also folds the vowels that transliterations
disagree on, so variants share one key. Pure functions: no Flask.
"""
import re
import unicodedata

from rapidfuzz import fuzz

#: Similarity (0-100) of spelling-variant keys above which two names are "the same".
SIMILAR_NAME_SCORE = 88

#: Danish letters are spelled out, not stripped: "Søren" ~ "Soeren".
_LATIN_EXPANSIONS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})
#: Arabic letters written differently for the same name.
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_ARABIC_ARTICLE = re.compile(r"(?<!\S)ال(?=\S{2,})")
_PREFIXES = {"al", "el", "ul", "al-", "el-"}
_VOWELS = set("aeiouy")


def normalise_name(text):
    """Return a name folded to what tells people apart."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_LATIN_EXPANSIONS)
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    text = unicodedata.normalize("NFC", text).translate(_ARABIC_VARIANTS)
    text = _ARABIC_ARTICLE.sub("", text)
    text = re.sub(r"[-‐‑'’`´.,]", " ", text)
    tokens = [t for t in text.split() if t not in _PREFIXES]
    return " ".join(tokens)


def _token_key(token):
    if not token.isascii():
        return token
    first, rest = token[0], token[1:]
    consonants = [ch for ch in rest if ch not in _VOWELS and ch.isalnum()]
    key = first + "".join(consonants)
    return re.sub(r"(.)\1+", r"\1", key)


def name_key(*names):
    """Return the spelling-variant key of one or more names ("Mohammed" -> "mhmd")."""
    tokens = normalise_name(" ".join(n for n in names if n)).split()
    return " ".join(_token_key(t) for t in tokens)


def name_keys(full_name, latin_name=None):
    """The spelling-variant keys of each way a person's name is written."""
    return {name_key(n) for n in (full_name, latin_name) if n}


def names_similar(keys, other_keys):
    """Whether any spelling of one name is close to any spelling of the other."""
    return any(
        fuzz.token_sort_ratio(a, b) >= SIMILAR_NAME_SCORE for a in keys for b in other_keys
    )
