"""Suggest volunteers for one refugee, best first."""
from collections import Counter
from typing import NamedTuple

import numpy as np

from app.matching.prepared import exclusion_masks, prepare, score_volunteers
from app.matching.scoring import Score, score_pair


def rank(refugee, volunteers, limit=10, exclude=(), weights=None, today=None):
    """Return up to ``limit`` (volunteer id, Score) pairs, best first, leaving excluded pairs out.

    ``volunteers`` is a sequence of candidates, ``VolunteerColumns`` or the result of ``prepare``;
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
                reasons=score_pair(refugee, pv.candidate(i), weights, today=today).reasons,
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

    Tells a manager whom to recruit ("nobody speaks Tigrinya here"). The
    reasons are counted from whole-array masks (``exclusion_masks``), so a
    batch can summarise every refugee left without a friend.
    """
    pv = prepare(volunteers)
    declined = {volunteer_id for refugee_id, volunteer_id in exclude if refugee_id == refugee.id}
    excluded = np.zeros(len(pv), dtype=bool)
    counts = Counter()
    for code, mask in exclusion_masks(refugee, pv, declined):
        excluded |= mask
        if found := int(mask.sum()):
            counts[code] += found
    return ExclusionSummary(int(excluded.sum()), counts)
