"""The matching core: score refugee–volunteer pairs, rank volunteers, assign in batches.

Plain Python, NumPy and SciPy over ``Candidate`` dataclasses: no Flask, no
database, so it can be tested, benchmarked and reasoned about alone. The web
layer builds candidates from people records (or, for thousands of
volunteers, ``VolunteerColumns`` from plain rows) and renders the reasons.

A pair is excluded (never suggested, never assigned) when they share no
language both speak at level 2+, a gender wish is not met, the refugee's
household has children and the volunteer has no child certificate, the
volunteer has no free capacity, or they live too far apart (beyond the
volunteer's ``max_distance_km``, or in different municipalities when none is
given). Otherwise the total (0..100) is the weighted average of five parts,
each 0..100: language, interests, location, availability, preferences.

Reasons are ``Reason(code, params)`` message ids, rendered with Babel later.

Exclusion codes (an excluded ``Score`` carries only these):

- ``declined_before`` {} – the pair is in ``exclude``
- ``no_shared_language`` {} – no language in common at any level
- ``language_too_basic`` {languages} – languages both speak, but one side
  below level 2 (the refugee's basic Danish, say); the true reason to tell
- ``gender_wish_not_met`` {side: "refugee" | "volunteer"} – whose wish
- ``needs_child_certificate`` {}
- ``no_capacity`` {}
- ``too_far`` {km, max_km}
- ``different_municipality`` {}

Explanation codes, in part order:

- ``shared_language`` {language, refugee_level, volunteer_level}
- ``danish_practice`` {volunteer_level} – the Danish practice bonus applied
- ``shared_interests`` {count, interests} / ``no_shared_interests`` {}
- ``distance`` {km}
- ``shared_availability`` {slots} / ``no_shared_availability`` {}
- ``family_to_family`` {} / ``family_wish_not_met`` {}
- ``age_in_range`` / ``age_outside_range`` {side, age, age_min, age_max} – side is
  whose wished range was checked; ``age_unknown`` {side}
- ``no_preferences`` {} – no wish stated, the preferences part is full
"""
from app.matching.assignment import Comparison, assign, assign_and_compare, assignment_total, greedy_assign
from app.matching.candidate import SLOTS, Candidate
from app.matching.columns import VolunteerColumns
from app.matching.prepared import PreparedVolunteers, prepare
from app.matching.ranking import exclusion_counts, rank
from app.matching.scoring import DEFAULT_WEIGHTS, PARTS, Reason, Score, Weights, score_pair

__all__ = [
    "Comparison",
    "DEFAULT_WEIGHTS",
    "PARTS",
    "SLOTS",
    "Candidate",
    "PreparedVolunteers",
    "Reason",
    "Score",
    "VolunteerColumns",
    "Weights",
    "assign",
    "assign_and_compare",
    "assignment_total",
    "exclusion_counts",
    "greedy_assign",
    "prepare",
    "rank",
    "score_pair",
]
