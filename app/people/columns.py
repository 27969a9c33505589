"""The spreadsheet columns of people, shared by import, export and the template.

One list says, for each column, its Danish and English headers, which kind
of person has it, and how a cell is read and written. Export writes what
import reads, so an exported file can be corrected and imported again.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.auth.services import normalise_phone
from app.i18n.lists import format_list, split_list
from app.interests import interests, map_interests
from app.people.languages import SPOKEN_LANGUAGES
from app.people.models import ConsentPurpose
from app.spreadsheets import clean_text, unquote_cell
from app.timeutil import today_local

YES = {"ja", "yes", "j", "y", "1", "x", "true", "sand"}
NO = {"nej", "no", "n", "0", "", "false", "falsk"}

#: The Danish word written for each stored value; import also takes the
#: stored value itself and the English word.
GENDER_WORDS = {"female": "kvinde", "male": "mand", "other": "andet"}
SLOT_WORDS = {"weekday_day": "hverdag dag", "weekday_evening": "hverdag aften", "weekend": "weekend"}
METHOD_WORDS = {
    "paper": "papir", "oral_interpreter": "mundtligt med tolk", "oral": "mundtligt", "online": "online",
}


def _readable(words, **english):
    return {**{v: k for k, v in words.items()}, **{k: k for k in words}, **english}


GENDERS = _readable(GENDER_WORDS, woman="female", man="male")
SLOTS = _readable(SLOT_WORDS, **{"weekday daytime": "weekday_day", "weekday evening": "weekday_evening"})
METHODS = _readable(METHOD_WORDS, **{"oral with interpreter": "oral_interpreter"})


class CellError(ValueError):
    """A cell that cannot be read; the message is shown with line and column."""


def _text(value):
    """A cell as clean text, without a quote the export put before a formula-like start."""
    return "" if value is None else unquote_cell(clean_text(str(value), multiline=True).strip())


def read_text(longest):
    """A reader of text of at most `longest` characters, as the database column holds."""

    def read(value):
        text = _text(value)
        if len(text) > longest:
            raise CellError(_l("longer than %(num)d characters", num=longest))
        return text or None

    return read


def read_phone(value):
    text = _text(value)
    if not text:
        return None
    if isinstance(value, float) and value.is_integer():  # spreadsheets turn numbers into floats
        text = str(int(value))
    phone = normalise_phone(text)
    if phone is None:
        raise CellError(_l("not a phone number"))
    return phone


def read_email(value):
    text = _text(value).lower()
    if text and ("@" not in text or " " in text or "." not in text.rsplit("@", 1)[-1]):
        raise CellError(_l("not an e-mail address"))
    return text or None


def read_int(low, high=None):
    """A reader of whole numbers from `low` to `high` (None: this year, read per cell, not at import)."""

    def read(value):
        text = _text(value)
        if not text:
            return None
        try:
            number = int(float(text.replace(",", ".")))
        except (ValueError, OverflowError):  # "abc", or "inf" and "1e400"
            raise CellError(_l("not a whole number")) from None
        top = today_local().year if high is None else high
        if not low <= number <= top:
            raise CellError(_l("must be between %(low)d and %(high)d", low=low, high=top))
        return number

    return read


def read_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_l("not a date; write it as 2025-03-31 or 31-03-2025"))


def read_yes_no(value):
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_l("write ja or nej (yes or no)"))


def _read_choice(mapping, message):
    def read(value):
        text = _text(value).lower()
        if not text:
            return None
        if text not in mapping:
            raise CellError(message)
        return mapping[text]

    return read


def read_languages(value):
    """Read "ar:5, da:2" (code and level 1-5); any list separator is taken."""
    levels = {}
    for part in split_list(_text(value)):
        code, _, level = part.partition(":")
        code, level = code.strip().lower(), level.strip() or "3"
        if code not in SPOKEN_LANGUAGES or not level.isdecimal() or not 1 <= int(level) <= 5:
            raise CellError(_l("write languages as code:level, e.g. ar:5, da:2"))
        levels[code] = int(level)
    return levels


def read_list(value):
    return split_list(_text(value))


def read_interests(value):
    terms = read_list(value)
    unknown = [t for t in terms if not map_interests([t])]
    if unknown:
        raise CellError(_l("unknown interests: %(terms)s", terms=format_list(unknown)))
    return list(map_interests(terms))


def read_slots(value):
    slots = []
    for term in read_list(value):
        if term.lower() not in SLOTS:
            raise CellError(_l("use hverdag dag, hverdag aften or weekend"))
        slots.append(SLOTS[term.lower()])
    return slots


def read_years(value):
    """Birth years of children under 18, as the form takes them."""
    read_year = read_int(today_local().year - 18)
    years = []
    for term in read_list(str(value) if isinstance(value, (int, float)) else value):
        try:
            years.append(read_year(term))
        except CellError:
            raise CellError(_l("write birth years of children under 18 separated by commas")) from None
    return years


def write_plain(value):
    return "" if value is None else value


def write_yes_no(value):
    return "ja" if value else "nej"


@dataclass(frozen=True)
class Column:
    key: str
    da: str
    en: str
    read: object
    #: Which kinds of person have the column: "refugee", "volunteer" or both.
    kinds: tuple = ("refugee", "volunteer")
    required: bool = False


COLUMNS = (
    Column("full_name", "navn", "name", read_text(200), required=True),
    Column("latin_name", "navn_latinsk", "latin_name", read_text(200)),
    Column("phone", "telefon", "phone", read_phone),
    Column("email", "e-mail", "email", read_email),
    Column("message_locale", "beskedsprog", "message_language",
           _read_choice({c: c for c in ("da", "en", "ar", "fa", "ti")}, _l("use da, en, ar, fa or ti"))),
    Column("birth_year", "fødselsår", "birth_year", read_int(1900)),
    Column("gender", "køn", "gender", _read_choice(GENDERS, _l("use kvinde, mand or andet"))),
    Column("postcode", "postnummer", "postcode", read_text(10)),
    Column("municipality", "kommune", "municipality", read_text(100)),
    Column("languages", "sprog", "languages", read_languages),
    Column("interests", "interesser", "interests", read_interests),
    Column("availability", "tid", "availability", read_slots),
    Column("hopes", "ønsker", "hopes", read_text(4000)),
    Column("arrived_on", "ankomstdato", "arrived_on", read_date, kinds=("refugee",)),
    Column("household_adults", "voksne", "adults", read_int(1, 20), kinds=("refugee",)),
    Column("children_birth_years", "børns_fødselsår", "children_birth_years", read_years,
           kinds=("refugee",)),
    Column("capacity", "antal_venner", "capacity", read_int(1, 3), kinds=("volunteer",)),
    Column("max_distance_km", "max_km", "max_km", read_int(0, 300), kinds=("volunteer",)),
    Column("child_certificate_on", "børneattest_dato", "child_certificate_date", read_date,
           kinds=("volunteer",)),
    Column("recruited_by", "rekrutteret_via", "recruited_by", read_text(120), kinds=("volunteer",)),
    Column("consent_matching", "samtykke_matchning", "consent_matching", read_yes_no),
    Column("consent_contact", "samtykke_kontakt", "consent_contact", read_yes_no),
    Column("consent_statistics", "samtykke_statistik", "consent_statistics", read_yes_no),
    Column("consent_method", "samtykke_måde", "consent_method",
           _read_choice(METHODS, _l("use papir, mundtligt med tolk, mundtligt or online"))),
    Column("notes", "noter", "notes", read_text(4000)),
)


def columns_for(kind):
    return list(_COLUMNS_BY_KIND[kind])


_COLUMNS_BY_KIND = {kind: tuple(c for c in COLUMNS if kind in c.kinds) for kind in ("refugee", "volunteer")}
_CONSENT_PURPOSES = tuple(ConsentPurpose)


def headers_for(kind, locale):
    """Column headers in Danish for Danish users, English for everyone else."""
    return [c.da if locale == "da" else c.en for c in columns_for(kind)]


def export_row(person):
    """Return one person's cells in column order, as import reads them."""
    latest_consent = next(iter(person.consents), None)
    cells = {
        "languages": ", ".join(f"{l.code}:{l.level}" for l in person.languages),
        "interests": ", ".join(interests()[k].name("da") for k in person.interest_keys if k in interests()),
        "availability": ", ".join(SLOT_WORDS[slot] for slot in person.availability),
        "gender": GENDER_WORDS.get(person.gender, ""),
        "municipality": person.municipality.name,
        "consent_method": METHOD_WORDS[latest_consent.method] if latest_consent else "",
    }
    if person.kind == "refugee":
        cells["children_birth_years"] = ", ".join(str(c.birth_year) for c in person.household_children)
    for purpose in _CONSENT_PURPOSES:
        cells[f"consent_{purpose}"] = write_yes_no(person.has_consent(purpose))
    return [
        cells[c.key] if c.key in cells else write_plain(getattr(person, c.key))
        for c in _COLUMNS_BY_KIND[person.kind]
    ]
