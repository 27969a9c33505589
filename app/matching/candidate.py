"""One side of a possible friendship, as plain data the matching core can score.

The web layer builds a ``Candidate`` from a refugee or volunteer record; the
matching core never sees the database. Inputs are normalised once here
(languages to a read-only mapping, free-text interests to taxonomy keys,
slots to a frozenset) so scoring never has to guess, and so a candidate
cannot change after volunteers have been prepared for ranking.
"""
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from app.interests import map_interests
from app.matching.geo import locate

#: Weekly time slots people can offer, in the order they are shown.
SLOTS = ("weekday_day", "weekday_evening", "weekend")
GENDERS = ("female", "male", "other")
_SLOT_SET = frozenset(SLOTS)
#: Language levels: 1 basic … 5 native. Level 2 is enough to be friends in.
MIN_LEVEL, MAX_LEVEL = 1, 5
DANISH_PRACTICE = "danish_practice"


def language_code(code):
    """Return an ISO 639 code as candidates keep it: trimmed, lower case."""
    return str(code).strip().lower()


def check_levels(levels):
    """Refuse language levels outside ``MIN_LEVEL``..``MAX_LEVEL``."""
    if wrong := sorted({level for level in levels if not MIN_LEVEL <= level <= MAX_LEVEL}):
        raise ValueError(f"language levels must be {MIN_LEVEL}..{MAX_LEVEL}, not {wrong}")


def check_genders(**values):
    """Refuse a gender or gender wish that is not one of ``GENDERS`` or None."""
    for name, value in values.items():
        if value not in (None, *GENDERS):
            raise ValueError(f"{name} must be one of {GENDERS} or None")


@dataclass(frozen=True)
class Candidate:
    """A refugee or a volunteer; fields that apply to one side only are ignored on the other."""

    id: Hashable
    #: 3-digit municipality code (101 København, 751 Aarhus).
    municipality: int
    #: Danish postcode such as "8000"; unknown or missing means the municipality centroid.
    postcode: str | None = None
    #: ISO 639 code -> level 1..5.
    languages: Mapping[str, int] = field(default_factory=dict)
    #: Taxonomy keys; free text is mapped onto them on creation.
    interests: tuple[str, ...] = ()
    #: A subset of SLOTS.
    availability: frozenset[str] = frozenset()
    gender: str | None = None
    #: The friend's gender this person requires, or None.
    wants_gender: str | None = None
    birth_year: int | None = None
    #: Refugees: children under 18 in the household.
    household_children: int = 0
    #: Refugees: wishes a family as friend. Volunteers: is a family.
    family: bool = False
    #: Volunteers: how far they will travel; None means within their municipality.
    max_distance_km: float | None = None
    #: Volunteers: free friend slots now.
    capacity: int = 1
    #: Volunteers: holds a valid child certificate (børneattest).
    has_child_certificate: bool = False
    #: Refugees: waiting for a friend since this day; breaks ties in batch assignment.
    waiting_since: date | None = None
    #: Refugees: wants to practise Danish; also set when the interests include it.
    wants_danish_practice: bool = False
    #: Preferred age range of the friend; either bound may be open.
    age_min: int | None = None
    age_max: int | None = None

    def __post_init__(self):
        languages = {language_code(code): int(level) for code, level in dict(self.languages).items()}
        check_levels(languages.values())
        if isinstance(self.interests, str) or isinstance(self.availability, str):
            raise TypeError("interests and availability are collections, not a single string")
        interests = map_interests(self.interests)
        availability = frozenset(self.availability)
        if not availability <= _SLOT_SET:
            raise ValueError(f"unknown availability slots: {sorted(availability - _SLOT_SET)}")
        check_genders(gender=self.gender, wants_gender=self.wants_gender)
        municipality = int(self.municipality)
        locate(municipality, self.postcode)  # fail early on an unknown municipality
        normalised = {
            "municipality": municipality,
            "languages": MappingProxyType(languages),
            "interests": interests,
            "availability": availability,
            "household_children": int(self.household_children or 0),
            "capacity": int(self.capacity),
            "wants_danish_practice": bool(self.wants_danish_practice) or DANISH_PRACTICE in interests,
        }
        for name, value in normalised.items():
            object.__setattr__(self, name, value)

    @property
    def location(self):
        """Return (lat, lon) in degrees: the postcode centroid, else the municipality's."""
        return locate(self.municipality, self.postcode)
