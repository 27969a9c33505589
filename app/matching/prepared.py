"""Volunteers turned into column arrays, so one refugee is scored against all at once.

``score_pair`` is clear but costs tens of microseconds a pair. Ranking
thousands of volunteers, or filling the batch score matrix, instead works on
per-volunteer arrays (coordinates, a language-level matrix over the languages
present, an interest matrix over the taxonomy, slot bitmasks …) built once by
``prepare``. The arithmetic mirrors ``app.matching.scoring`` step by step, in
the same order, so totals agree to rounding.

Batch assignment scores only allowed pairs: ``nearby`` finds the volunteers
whose travel rule lets them meet people at one place (shared by the
refugees living there) and ``score_allowed`` computes the parts for the
pairs no hard rule excludes, with the same functions on those rows only.

Prepared volunteers are cached by the identity of the candidate objects:
candidates are immutable, so the same objects always give the same arrays.
Callers that rebuild candidates per request should keep the result of
``prepare`` instead, or hand it ``VolunteerColumns`` (``app.matching.columns``)
read straight from the database, which skips building a candidate per
volunteer.
"""
import threading
from collections import OrderedDict

import numpy as np

from app.interests import interests, map_interests
from app.matching.candidate import GENDERS, SLOTS, check_genders, check_levels, language_code
from app.matching.columns import VolunteerColumns, columns_of
from app.matching.geo import haversine_km_many, locate
from app.matching.scoring import (
    DANISH_PRACTICE_BONUS,
    DANISH_PRACTICE_MIN_LEVEL,
    DEFAULT_WEIGHTS,
    FULL_INTERESTS,
    LEVEL_POINTS,
    MET,
    MIN_SHARED_LEVEL,
    NOT_MET,
    PARTS,
    UNKNOWN,
    location_points,
    this_year,
)

_LEVEL_POINTS = np.array(LEVEL_POINTS, dtype=float)
#: Gender as a small integer; 0 is unknown and never meets a wish.
_GENDER_CODE = {None: 0} | {gender: number for number, gender in enumerate(GENDERS, start=1)}
_SLOT_BIT = {slot: 1 << bit for bit, slot in enumerate(SLOTS)}
_POPCOUNT = np.array([bin(mask).count("1") for mask in range(1 << len(SLOTS))])
_CACHE_SIZE = 4


def _slot_mask(candidate):
    """Return the candidate's slots as bits in ``SLOTS`` order."""
    return sum(_SLOT_BIT[slot] for slot in candidate.availability)


def _optional(values):
    """Return a float array with NaN where a value is None."""
    return np.array(values, dtype=float)


def _gender_codes(name, values):
    """Return genders as ``_GENDER_CODE`` numbers, refusing unknown ones as ``Candidate`` does."""
    for value in set(values):
        check_genders(**{name: value})
    return np.array([_GENDER_CODE[value] for value in values], dtype=np.int64)


def _language_levels(n, rows, codes, levels):
    """Return ({code: column}, n × languages matrix of levels) from long columns, codes normalised."""
    levels = np.asarray(levels, dtype=np.int64)
    check_levels(np.unique(levels).tolist())
    code_of = {raw: language_code(raw) for raw in set(codes)}
    column = {code: column for column, code in enumerate(sorted(set(code_of.values())))}
    matrix = np.zeros((n, len(column)), dtype=np.int64)
    matrix[np.asarray(rows, dtype=np.int64), [column[code_of[raw]] for raw in codes]] = levels
    return column, matrix


def _interest_matrix(n, column, rows, keys):
    """Return the n × taxonomy 0/1 matrix from long columns; keys (or free text) mapped as ``Candidate`` maps them."""
    column_of = {raw: column[key[0]] if (key := map_interests((raw,))) else -1 for raw in set(keys)}
    mapped = np.array([column_of[raw] for raw in keys], dtype=np.int64)
    known = mapped >= 0
    matrix = np.zeros((n, len(column)), dtype=np.float32)
    matrix[np.asarray(rows, dtype=np.int64)[known], mapped[known]] = 1
    return matrix


class PreparedVolunteers:
    """Per-volunteer arrays for vectorised scoring; build with ``prepare``.

    Built from ``VolunteerColumns``, normalised as ``Candidate`` normalises
    (language codes, levels, interests mapped onto the taxonomy), so the
    arrays are the same whether the columns came from candidates or
    straight from a database read. ``candidate(row)`` gives a volunteer back
    as a ``Candidate``: the one prepared, or one made from its columns.
    """

    def __init__(self, columns, candidates=None):
        self.columns = columns
        self._candidates = candidates
        self.ids = list(columns.id)
        self.index = {volunteer_id: i for i, volunteer_id in enumerate(self.ids)}
        if len(self.index) != len(self.ids):
            raise ValueError("volunteer ids must be unique")
        n = len(self.ids)
        self.language_column, self.levels = _language_levels(n, *columns.languages)
        danish = self.language_column.get("da")
        self.danish = self.levels[:, danish].copy() if danish is not None else np.zeros(n, dtype=np.int64)
        self.interest_column = {key: column for column, key in enumerate(interests())}
        self.interests = _interest_matrix(n, self.interest_column, *columns.interests)
        self.interest_count = self.interests.sum(axis=1, dtype=np.int64)
        self.slots = np.zeros(n, dtype=np.int64)
        for slot in SLOTS:
            self.slots |= np.where(np.asarray(columns.availability[slot], dtype=bool), _SLOT_BIT[slot], 0)
        self.slot_count = _POPCOUNT[self.slots]
        self.municipality = np.array(columns.municipality, dtype=np.int64)
        location = np.array([locate(m, p) for m, p in zip(self.municipality.tolist(), columns.postcode, strict=True)],
                            dtype=float).reshape(n, 2)
        self.lat, self.lon = location[:, 0].copy(), location[:, 1].copy()
        max_distance = _optional(columns.max_distance_km)
        self.has_max_distance = ~np.isnan(max_distance)
        self.max_distance = np.where(self.has_max_distance, max_distance, np.inf)
        self.capacity = np.array(columns.capacity, dtype=np.int64)
        self.certificate = np.array(columns.has_child_certificate, dtype=bool)
        self.gender = _gender_codes("gender", columns.gender)
        self.wants_gender = _gender_codes("wants_gender", columns.wants_gender)
        self.family = np.array(columns.family, dtype=bool)
        self.birth_year = _optional(columns.birth_year)
        self.age_min = _optional(columns.age_min)
        self.age_max = _optional(columns.age_max)
        self.has_age_range = ~(np.isnan(self.age_min) & np.isnan(self.age_max))

    def __len__(self):
        return len(self.ids)

    def candidate(self, row):
        """Return volunteer ``row`` as a ``Candidate``."""
        return self._candidates[row] if self._candidates is not None else self.columns.candidate(row)

    @property
    def candidates(self):
        """Return every volunteer as a ``Candidate``, in row order."""
        if self._candidates is None:
            self._candidates = tuple(self.columns.candidates())
        return self._candidates


_cache = OrderedDict()
_cache_lock = threading.Lock()


def prepare(volunteers):
    """Return volunteers (candidates or ``VolunteerColumns``) as arrays.

    The last few preparations of the same candidate objects are reused;
    columns are prepared anew (a database read makes new ones each time).
    """
    if isinstance(volunteers, PreparedVolunteers):
        return volunteers
    if isinstance(volunteers, VolunteerColumns):
        return PreparedVolunteers(volunteers)
    volunteers = tuple(volunteers)
    key = tuple(map(id, volunteers))  # stable: the cached entry keeps these objects alive
    with _cache_lock:
        if (prepared := _cache.get(key)) is not None:
            _cache.move_to_end(key)
            return prepared
    prepared = PreparedVolunteers(columns_of(volunteers), volunteers)
    with _cache_lock:
        _cache[key] = prepared
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return prepared


def _language(refugee, pv):
    """Return (points, speaks): the language part and where a language is shared at level 2+."""
    best = np.zeros(len(pv), dtype=np.int64)
    for code, level in refugee.languages.items():
        column = pv.language_column.get(code)
        if level < MIN_SHARED_LEVEL or column is None:
            continue
        theirs = pv.levels[:, column]
        np.maximum(best, np.where(theirs >= MIN_SHARED_LEVEL, np.minimum(theirs, level), 0), out=best)
    points, speaks = _LEVEL_POINTS[best], best >= MIN_SHARED_LEVEL
    if refugee.wants_danish_practice:
        bonus = speaks & (pv.danish >= DANISH_PRACTICE_MIN_LEVEL)
        points = np.where(bonus, np.minimum(100, points + DANISH_PRACTICE_BONUS), points)
    return points, speaks


def _interests(refugee, pv):
    """Return the interests part: shared keys counted by one matrix-vector product."""
    mine = np.zeros(len(pv.interest_column), dtype=np.float32)
    mine[[pv.interest_column[key] for key in refugee.interests]] = 1
    shared = (pv.interests @ mine).astype(np.int64)
    enough = np.minimum(pv.interest_count, min(FULL_INTERESTS, len(refugee.interests)))
    return np.where(shared > 0, 100 * shared / np.maximum(enough, 1), 0.0)


def _availability(refugee, pv):
    """Return the availability part from slot bitmasks."""
    shared = _POPCOUNT[pv.slots & _slot_mask(refugee)]
    enough = np.minimum(pv.slot_count, len(refugee.availability))
    return np.where(shared > 0, 100 * shared / np.maximum(enough, 1), 0.0)


def _age_check(ages, low, high):
    """Return MET / NOT_MET / UNKNOWN per element; NaN bounds are open, NaN ages unknown."""
    inside = ~(ages < low) & ~(ages > high)
    return np.where(np.isnan(ages), UNKNOWN, np.where(inside, MET, NOT_MET))


def _preferences(refugee, pv, year):
    """Return the preferences part: the mean of the checks that apply to each pair, full when none do."""
    total = np.zeros(len(pv))
    count = np.zeros(len(pv), dtype=np.int64)
    if refugee.family:
        total = total + np.where(pv.family, MET, NOT_MET)
        count = count + 1
    if refugee.age_min is not None or refugee.age_max is not None:
        low = -np.inf if refugee.age_min is None else refugee.age_min
        high = np.inf if refugee.age_max is None else refugee.age_max
        total = total + _age_check(year - pv.birth_year, low, high)
        count = count + 1
    refugee_age = np.full(len(pv), np.nan if refugee.birth_year is None else year - refugee.birth_year)
    total = total + np.where(pv.has_age_range, _age_check(refugee_age, pv.age_min, pv.age_max), 0)
    count = count + pv.has_age_range
    return np.where(count > 0, total / np.maximum(count, 1), MET)


def _near(pv, km, municipality):
    """Return a boolean array: True where the volunteer's travel rule lets the pair meet."""
    return np.where(pv.has_max_distance, km <= pv.max_distance, pv.municipality == municipality)


def _rules_met(refugee, pv, speaks):
    """Return a boolean array: True where language, capacity, gender and child rules all allow the pair."""
    allowed = speaks & (pv.capacity >= 1)
    if refugee.wants_gender is not None:
        allowed &= pv.gender == _GENDER_CODE[refugee.wants_gender]
    allowed &= (pv.wants_gender == 0) | (pv.wants_gender == _GENDER_CODE[refugee.gender])
    if refugee.household_children > 0:
        allowed &= pv.certificate
    return allowed


def _allowed(refugee, pv, km, speaks, declined):
    """Return a boolean array: True where no hard rule excludes the pair."""
    allowed = _rules_met(refugee, pv, speaks) & _near(pv, km, refugee.municipality)
    if declined:
        allowed[[pv.index[v] for v in declined if v in pv.index]] = False
    return allowed


def exclusion_masks(refugee, pv, declined=()):
    """Return [(exclusion code, boolean array)]: which volunteers each hard rule leaves out for ``refugee``.

    The same rules, and the same codes, as ``scoring.exclusions`` pair by
    pair, as whole-array comparisons: a summary of thousands of excluded
    volunteers costs a few array operations instead of a call per pair. A
    gender wish is checked for each side, so its code may come twice, as
    it does for a pair; a volunteer is excluded exactly where some mask is True.
    """
    none = np.zeros(len(pv), dtype=bool)
    km = haversine_km_many(*refugee.location, pv.lat, pv.lon)
    _, speaks = _language(refugee, pv)
    shares_any = none.copy()
    for code in refugee.languages:
        if (column := pv.language_column.get(code)) is not None:
            shares_any |= pv.levels[:, column] > 0
    declined_mask = none.copy()
    declined_mask[[pv.index[v] for v in declined if v in pv.index]] = True
    return [
        ("declined_before", declined_mask),
        ("language_too_basic", ~speaks & shares_any),
        ("no_shared_language", ~speaks & ~shares_any),
        ("gender_wish_not_met",
         pv.gender != _GENDER_CODE[refugee.wants_gender] if refugee.wants_gender is not None else none),
        ("gender_wish_not_met", (pv.wants_gender != 0) & (pv.wants_gender != _GENDER_CODE[refugee.gender])),
        ("needs_child_certificate", ~pv.certificate if refugee.household_children > 0 else none),
        ("no_capacity", pv.capacity < 1),
        ("different_municipality", ~pv.has_max_distance & (pv.municipality != refugee.municipality)),
        ("too_far", pv.has_max_distance & (km > pv.max_distance)),
    ]


def _weighted(parts, weights):
    """Return the weighted average of part arrays, summed in ``PARTS`` order as ``score_pair`` does."""
    total = 0.0
    for name in PARTS:
        total = total + getattr(weights, name) * parts[name]
    # The same sum as score_pair's sum(astuple(weights)), in the same order, without astuple's deep copy.
    return total / sum(getattr(weights, name) for name in PARTS)


def score_volunteers(refugee, pv, weights=None, declined=(), today=None):
    """Return (totals, parts, allowed) of ``refugee`` against every prepared volunteer.

    ``parts`` maps part name -> array; ``totals`` is 0 where ``allowed`` is
    False, as ``score_pair`` gives excluded pairs. ``declined`` holds
    volunteer ids this refugee must not be offered again.
    """
    weights = weights or DEFAULT_WEIGHTS
    year = this_year(today)
    km = haversine_km_many(*refugee.location, pv.lat, pv.lon)
    language, speaks = _language(refugee, pv)
    parts = {
        "language": language,
        "interests": _interests(refugee, pv),
        "location": location_points(km),
        "availability": _availability(refugee, pv),
        "preferences": _preferences(refugee, pv, year),
    }
    allowed = _allowed(refugee, pv, km, speaks, declined)
    return np.where(allowed, _weighted(parts, weights), 0.0), parts, allowed


class _Rows:
    """Some rows of prepared volunteers: each array is indexed on first use, other attributes pass through.

    The part functions above only read ``len(pv)`` and attributes, so they
    work unchanged on a ``_Rows`` and compute the same numbers element by
    element, for the rows that matter only.
    """

    def __init__(self, pv, rows):
        self._pv, self._rows = pv, rows

    def __len__(self):
        return len(self._rows)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._pv, name)
        if isinstance(value, np.ndarray):
            value = value[self._rows]
        setattr(self, name, value)
        return value


class Nearby(_Rows):
    """The volunteers whose travel rule lets them meet people at one place, and how far away they are.

    Build with ``nearby``; refugees at the same place (postcode centroid and
    municipality) share one, so distances and the arrays they read are
    worked out once per place rather than once per refugee.
    """

    def __init__(self, pv, location, municipality):
        km = haversine_km_many(*location, pv.lat, pv.lon)
        rows = np.flatnonzero(_near(pv, km, municipality))
        super().__init__(pv, rows)
        self.rows, self.km = rows, km[rows]


def place(candidate):
    """Return what decides who lives near enough: the candidate's location and municipality."""
    return candidate.location, candidate.municipality


def nearby(pv, refugee):
    """Return the ``Nearby`` volunteers of ``refugee``'s place."""
    return Nearby(pv, *place(refugee))


def score_allowed(refugee, pv, weights=None, declined=(), today=None, near=None):
    """Return (rows, totals): the volunteers no rule excludes for ``refugee``, ascending, and their totals.

    The totals equal ``score_volunteers``' at those rows, element by element,
    but parts are only computed where the pair is allowed: volunteers near
    the refugee's place come first (pass ``near`` from ``nearby`` to share
    it between refugees of one place), then language and the other hard
    rules narrow them down.
    """
    weights = weights or DEFAULT_WEIGHTS
    near = near if near is not None else nearby(pv, refugee)
    language, speaks = _language(refugee, near)
    keep = _rules_met(refugee, near, speaks)
    if declined:
        keep &= ~np.isin(near.rows, [pv.index[v] for v in declined if v in pv.index])
    keep = np.flatnonzero(keep)
    allowed = _Rows(near, keep)
    parts = {
        "language": language[keep],
        "interests": _interests(refugee, allowed),
        "location": location_points(near.km[keep]),
        "availability": _availability(refugee, allowed),
        "preferences": _preferences(refugee, allowed, this_year(today)),
    }
    return near.rows[keep], _weighted(parts, weights)
