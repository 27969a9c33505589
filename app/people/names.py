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
#: A search finds a person when its words match their name's words this well on average (0-100).
SEARCH_SCORE = 80
#: A search word this long also matches the start of a longer name ("Moh" finds Mohammed).
PREFIX_LENGTH = 3

#: Danish letters are spelled out, not stripped: "Søren" ~ "Soeren".
_LATIN_EXPANSIONS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})
#: Arabic letters written differently for the same name.
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_ARABIC_ARTICLE = re.compile(r"(?<!\S)ال(?=\S{2,})")
_PREFIXES = {"al", "el", "ul", "al-", "el-"}
#: An article written together with the name ("Alhasan", key "alhsn"): also tried without it.
_JOINED_ARTICLE = re.compile(r"^(al|el|ul)(?=\w{3,})")
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


def _word_score(word, name_word):
    if name_word in (word, _JOINED_ARTICLE.sub("", word)):
        return 100
    if len(word) >= PREFIX_LENGTH and name_word.startswith(word):
        return 95
    return fuzz.ratio(word, name_word)


def first_letters(query_key):
    """The letters a name word must start with to be worth scoring against a search.

    A person is found only when some word of the search matches one of their
    name's words closely, and spelling-variant keys keep each word's first
    letter ("Kalil" kl, "Khalil" khl), so the database can leave out every
    name with no word starting with one of these before any scoring.
    """
    words = query_key.split()
    return {w[0] for w in words} | {_JOINED_ARTICLE.sub("", w)[:1] for w in words} - {""}


def search_scores(query_key, person_keys, threshold):
    """Score name keys against a search (as a key): {index: score} of those at or above `threshold`.

    Each word of the search is matched to the closest word of the name (all
    of its spellings) and the mean taken, so "Mohamad Alhasan" finds
    "Mohammed Al-Hassan" while "zz" or "aaaa" match no real name. The
    whole-name similarity is added as a fraction below one point, so word
    order only breaks ties ("Mohammed Hassan" before "Hassan Mohammed").
    Names share few distinct words, so each pair of words is compared once.
    This runs for every candidate of a search, so it is written as plain loops.
    """
    words = query_key.split()
    if not words:
        return {}
    #: Per search word, the score of each name word met so far (names share few words).
    known = [(word, {}) for word in words]
    needed = threshold * len(words)
    found = {}
    for index, person_key in enumerate(person_keys):
        name_words = person_key.split()
        total = 0
        for word, scores in known:
            best = 0
            for name_word in name_words:
                score = scores.get(name_word)
                if score is None:
                    score = scores[name_word] = _word_score(word, name_word)
                best = max(best, score)
            total += best
        if name_words and total >= needed:
            found[index] = total / len(words) + fuzz.ratio(query_key, person_key) / 1000
    return found
