"""Volunteers as columns: one sequence per field instead of one ``Candidate`` each.

A suggestions page scores thousands of volunteers and shows ten. Building a
``Candidate`` per volunteer (normalising its languages and interests one by
one) cost more than scoring them all, so a database read can hand the core
plain columns instead; ``prepare`` turns them into the same arrays as the
candidates would give, and ``candidate`` makes a ``Candidate`` only for the
rows that are shown. Candidates turn into columns with ``columns_of``, so
both routes meet in one array builder.
"""
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.matching.candidate import SLOTS, Candidate


@dataclass(frozen=True)
class VolunteerColumns:
    """Volunteers by field: row i of every sequence is volunteer i (its ``Candidate`` fields, unnormalised).

    ``languages`` and ``interests`` are long, one entry per row and language
    (``(rows, codes, levels)``) or interest (``(rows, keys)``), in any order;
    ``availability`` maps each of ``SLOTS`` to a sequence of booleans.
    """

    id: Sequence[Hashable]
    municipality: Sequence[int]
    postcode: Sequence[str | None]
    gender: Sequence[str | None]
    wants_gender: Sequence[str | None]
    birth_year: Sequence[int | None]
    family: Sequence[bool]
    age_min: Sequence[int | None]
    age_max: Sequence[int | None]
    max_distance_km: Sequence[float | None]
    capacity: Sequence[int]
    has_child_certificate: Sequence[bool]
    availability: Mapping[str, Sequence[bool]]
    languages: tuple[Sequence[int], Sequence[str], Sequence[int]]
    interests: tuple[Sequence[int], Sequence[str]]

    def __len__(self):
        return len(self.id)

    @cached_property
    def _entries(self):
        """Return (order, starts) per long field: row i's entries are ``order[starts[i]:starts[i + 1]]``."""
        grouped = []
        for rows in (self.languages[0], self.interests[0]):
            rows = np.asarray(rows, dtype=np.int64)
            order = np.argsort(rows, kind="stable")
            grouped.append((order, np.searchsorted(rows[order], np.arange(len(self) + 1))))
        return grouped

    def candidate(self, row):
        """Return volunteer ``row`` as a ``Candidate``, its interests in sorted order."""
        (language_order, language_starts), (interest_order, interest_starts) = self._entries
        _, codes, levels = self.languages
        _, keys = self.interests
        languages = {codes[i]: levels[i] for i in language_order[language_starts[row] : language_starts[row + 1]]}
        interests = sorted(keys[i] for i in interest_order[interest_starts[row] : interest_starts[row + 1]])
        return Candidate(
            id=self.id[row],
            municipality=self.municipality[row],
            postcode=self.postcode[row],
            languages=languages,
            interests=tuple(interests),
            availability=frozenset(slot for slot in SLOTS if self.availability[slot][row]),
            gender=self.gender[row],
            wants_gender=self.wants_gender[row],
            birth_year=self.birth_year[row],
            family=self.family[row],
            age_min=self.age_min[row],
            age_max=self.age_max[row],
            max_distance_km=self.max_distance_km[row],
            capacity=self.capacity[row],
            has_child_certificate=self.has_child_certificate[row],
        )

    def candidates(self):
        """Return every row as a ``Candidate``."""
        return [self.candidate(row) for row in range(len(self))]


def columns_of(volunteers):
    """Return candidates as ``VolunteerColumns`` (already normalised, so preparing them changes nothing)."""
    vs = tuple(volunteers)
    languages = [(row, code, level) for row, v in enumerate(vs) for code, level in v.languages.items()]
    interests = [(row, key) for row, v in enumerate(vs) for key in v.interests]
    return VolunteerColumns(
        id=[v.id for v in vs],
        municipality=[v.municipality for v in vs],
        postcode=[v.postcode for v in vs],
        gender=[v.gender for v in vs],
        wants_gender=[v.wants_gender for v in vs],
        birth_year=[v.birth_year for v in vs],
        family=[v.family for v in vs],
        age_min=[v.age_min for v in vs],
        age_max=[v.age_max for v in vs],
        max_distance_km=[v.max_distance_km for v in vs],
        capacity=[v.capacity for v in vs],
        has_child_certificate=[v.has_child_certificate for v in vs],
        availability={slot: [slot in v.availability for v in vs] for slot in SLOTS},
        languages=tuple(map(list, zip(*languages, strict=True))) if languages else ([], [], []),
        interests=tuple(map(list, zip(*interests, strict=True))) if interests else ([], []),
    )
