"""Score one refugee–volunteer pair: hard rules first, then five explained parts.

This is the reference implementation, written for clarity one pair at a time.
``app.matching.prepared`` computes the same numbers for many volunteers at
once; the tests hold the two to equal results. Curves shared by both live
here so they cannot drift apart.
"""
from dataclasses import astuple, dataclass, fields

from app.matching.candidate import SLOTS
from app.matching.geo import haversine_km
from app.timeutil import today_local

#: Points for the best shared language by the lower of the two levels (index = level).
LEVEL_POINTS = (0, 0, 40, 60, 80, 100)
#: Added to the language part when the refugee wants to practise Danish with a fluent volunteer.
DANISH_PRACTICE_BONUS = 20
DANISH_PRACTICE_MIN_LEVEL = 4
#: Both must speak a language at least this well to share it.
MIN_SHARED_LEVEL = 2
#: This many shared interests (or all of the shorter list) give full points.
FULL_INTERESTS = 3
#: The location part halves with every this many km.
HALF_DISTANCE_KM = 5.0
#: Preference checks: wish met, cannot tell, not met.
MET, UNKNOWN, NOT_MET = 100, 50, 0


@dataclass(frozen=True)
class Weights:
    """Relative weight of each part in the total; language weighs most because friends must talk."""

    language: float = 0.35
    interests: float = 0.20
    location: float = 0.20
    availability: float = 0.15
    preferences: float = 0.10

    def __post_init__(self):
        if any(weight < 0 for weight in astuple(self)) or sum(astuple(self)) <= 0:
            raise ValueError("weights must be non-negative and not all zero")


#: Part names in the order of ``Weights`` fields.
PARTS = tuple(f.name for f in fields(Weights))
DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """A message id with parameters, rendered in the reader's language by the web layer."""

    code: str
    params: dict


@dataclass(frozen=True)
class Score:
    """A pair's total (0..100; 0 when excluded), its parts (each 0..100) and the reasons behind them."""

    total: float
    parts: dict
    excluded: bool
    reasons: list


def weighted_total(parts, weights):
    """Return the weighted average of ``parts`` (name -> points), summed in ``PARTS`` order."""
    total = 0.0
    for name in PARTS:
        total = total + getattr(weights, name) * parts[name]
    return total / sum(astuple(weights))


def location_points(km):
    """Return 100 at 0 km, halving every ``HALF_DISTANCE_KM``; works on floats and arrays."""
    return 100 * 0.5 ** (km / HALF_DISTANCE_KM)


def age(birth_year, year):
    """Return the age reached in ``year``, or None when the birth year is unknown."""
    return None if birth_year is None else year - birth_year


def distance_km(a, b):
    """Return the great-circle distance in km between two candidates' locations."""
    return haversine_km(*a.location, *b.location)


def best_shared_language(refugee, volunteer):
    """Return (code, refugee level, volunteer level) of the best language both speak at level 2+, or None."""
    shared = [
        (min(level, volunteer.languages[code]), volunteer.languages[code], level, code)
        for code, level in refugee.languages.items()
        if level >= MIN_SHARED_LEVEL and volunteer.languages.get(code, 0) >= MIN_SHARED_LEVEL
    ]
    if not shared:
        return None
    _, volunteer_level, refugee_level, code = max(shared)
    return code, refugee_level, volunteer_level


def exclusions(refugee, volunteer, km, exclude=()):
    """Return the reasons this pair must never be suggested; empty when it may be."""
    reasons = []
    if (refugee.id, volunteer.id) in exclude:
        reasons.append(Reason("declined_before", {}))
    if best_shared_language(refugee, volunteer) is None:
        basic = sorted(code for code in refugee.languages if code in volunteer.languages)
        if basic:
            reasons.append(Reason("language_too_basic", {"languages": basic}))
        else:
            reasons.append(Reason("no_shared_language", {}))
    for side, wisher, other in (("refugee", refugee, volunteer), ("volunteer", volunteer, refugee)):
        if wisher.wants_gender is not None and other.gender != wisher.wants_gender:
            reasons.append(Reason("gender_wish_not_met", {"side": side}))
    if refugee.household_children > 0 and not volunteer.has_child_certificate:
        reasons.append(Reason("needs_child_certificate", {}))
    if volunteer.capacity < 1:
        reasons.append(Reason("no_capacity", {}))
    if volunteer.max_distance_km is None:
        if refugee.municipality != volunteer.municipality:
            reasons.append(Reason("different_municipality", {}))
    elif km > volunteer.max_distance_km:
        reasons.append(Reason("too_far", {"km": round(km, 1), "max_km": volunteer.max_distance_km}))
    return reasons


def language_part(refugee, volunteer):
    """Score the best shared language, plus the Danish practice bonus."""
    shared = best_shared_language(refugee, volunteer)
    if shared is None:
        return 0, []
    code, refugee_level, volunteer_level = shared
    points = LEVEL_POINTS[min(refugee_level, volunteer_level)]
    params = {"language": code, "refugee_level": refugee_level, "volunteer_level": volunteer_level}
    reasons = [Reason("shared_language", params)]
    danish = volunteer.languages.get("da", 0)
    if refugee.wants_danish_practice and danish >= DANISH_PRACTICE_MIN_LEVEL:
        points = min(100, points + DANISH_PRACTICE_BONUS)
        reasons.append(Reason("danish_practice", {"volunteer_level": danish}))
    return points, reasons


def interests_part(refugee, volunteer):
    """Score shared taxonomy interests: full points at three shared, or all of the shorter list."""
    shared = [key for key in refugee.interests if key in volunteer.interests]
    enough = min(FULL_INTERESTS, len(refugee.interests), len(volunteer.interests))
    if not shared:
        return 0, [Reason("no_shared_interests", {})]
    return 100 * len(shared) / enough, [Reason("shared_interests", {"count": len(shared), "interests": shared})]


def location_part(km):
    """Score closeness: 100 at the same spot, 50 at 5 km, near 0 far away."""
    return location_points(km), [Reason("distance", {"km": round(km, 1)})]


def availability_part(refugee, volunteer):
    """Score shared weekly slots against the shorter of the two lists."""
    shared = [slot for slot in SLOTS if slot in refugee.availability and slot in volunteer.availability]
    if not shared:
        return 0, [Reason("no_shared_availability", {})]
    enough = min(len(refugee.availability), len(volunteer.availability))
    return 100 * len(shared) / enough, [Reason("shared_availability", {"slots": shared})]


def _age_check(side, wisher, other, year):
    """Check ``other``'s age against ``wisher``'s wished range, if there is one."""
    if wisher.age_min is None and wisher.age_max is None:
        return None
    other_age = age(other.birth_year, year)
    if other_age is None:
        return UNKNOWN, Reason("age_unknown", {"side": side})
    low = wisher.age_min if wisher.age_min is not None else other_age
    high = wisher.age_max if wisher.age_max is not None else other_age
    params = {"side": side, "age": other_age, "age_min": wisher.age_min, "age_max": wisher.age_max}
    if low <= other_age <= high:
        return MET, Reason("age_in_range", params)
    return NOT_MET, Reason("age_outside_range", params)


def preferences_part(refugee, volunteer, year):
    """Score wishes beyond the hard rules: family to family, and age ranges both ways.

    Each stated wish counts MET, UNKNOWN or NOT_MET and the part is their
    mean; with no wishes stated nothing is unmet, so the part is full.
    """
    checks = []
    if refugee.family:
        if volunteer.family:
            checks.append((MET, Reason("family_to_family", {})))
        else:
            checks.append((NOT_MET, Reason("family_wish_not_met", {})))
    checks.append(_age_check("refugee", refugee, volunteer, year))
    checks.append(_age_check("volunteer", volunteer, refugee, year))
    checks = [check for check in checks if check is not None]
    if not checks:
        return MET, [Reason("no_preferences", {})]
    return sum(points for points, _ in checks) / len(checks), [reason for _, reason in checks]


def this_year(today):
    """Return the year ages are counted in: ``today``'s, or Denmark's current one when None.

    The web layer always passes ``today`` (one date per request); the
    default serves scripts and benchmarks.
    """
    return (today or today_local()).year


def score_pair(refugee, volunteer, weights=None, exclude=(), today=None):
    """Score how well ``volunteer`` suits ``refugee``.

    ``exclude`` holds (refugee id, volunteer id) pairs declined before;
    ``today`` is the date ages are counted on.
    """
    weights = weights or DEFAULT_WEIGHTS
    km = distance_km(refugee, volunteer)
    scored = {
        "language": language_part(refugee, volunteer),
        "interests": interests_part(refugee, volunteer),
        "location": location_part(km),
        "availability": availability_part(refugee, volunteer),
        "preferences": preferences_part(refugee, volunteer, this_year(today)),
    }
    parts = {name: float(points) for name, (points, _) in scored.items()}
    excluded = exclusions(refugee, volunteer, km, exclude)
    if excluded:
        return Score(total=0.0, parts=parts, excluded=True, reasons=excluded)
    reasons = [reason for _, part_reasons in scored.values() for reason in part_reasons]
    return Score(total=weighted_total(parts, weights), parts=parts, excluded=False, reasons=reasons)
