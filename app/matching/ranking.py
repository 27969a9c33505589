"""Suggest volunteers for one refugee, best first."""
from collections import Counter
from typing import NamedTuple

import numpy as np

from app.matching.prepared import prepare, score_volunteers
from app.matching.scoring import Score, distance_km, exclusions, score_pair


def rank(refugee, volunteers, limit=10, exclude=(), weights=None, today=None):
    """Return up to ``limit`` (volunteer id, Score) pairs, best first, leaving excluded pairs out.

    ``volunteers`` is a sequence of candidates or the result of ``prepare``;
    ``limit=None`` returns every allowed volunteer. Scores come from the
    vectorised arrays; reasons are worked out only for the pairs returned.
    Equal totals keep the volunteers' order.
    """
    pv = prepare(volunteers)
    declined = {volunteer_id for refugee_id, volunteer_id in exclude if refugee_id == refugee.id}
    totals, parts, allowed = score_volunteers(refugee, pv, weights, declined, today)
    candidates = np.flatnonzero(allowed)
    best = candidates[np.argsort(-totals[candidates], kind="stable")][:limit]
    return [
        (
            pv.ids[i],
            Score(
                total=float(totals[i]),
                parts={name: float(points[i]) for name, points in parts.items()},
                excluded=False,
                reasons=score_pair(refugee, pv.candidates[i], weights, today=today).reasons,
            ),
        )
        for i in best
    ]


class ExclusionSummary(NamedTuple):
    #: How many volunteers the refugee cannot be matched with.
    excluded: int
    #: Exclusion code -> volunteers excluded for it (one volunteer may count under several).
    counts: Counter


def exclusion_counts(refugee, volunteers, exclude=()):
    """Say how many volunteers a refugee cannot be matched with, and why.

    Tells a manager whom to recruit ("nobody speaks Tigrinya here").
    """
    pv = prepare(volunteers)
    declined = {volunteer_id for refugee_id, volunteer_id in exclude if refugee_id == refugee.id}
    _, _, allowed = score_volunteers(refugee, pv, declined=declined)
    counts = Counter()
    for i in np.flatnonzero(~allowed):
        volunteer = pv.candidates[i]
        km = distance_km(refugee, volunteer)
        counts.update(reason.code for reason in exclusions(refugee, volunteer, km, exclude))
    return ExclusionSummary(int((~allowed).sum()), counts)
