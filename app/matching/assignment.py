"""Batch matching: give many waiting refugees a volunteer each, as well as possible overall.

``assign`` maximises the sum of pair totals over all refugees at once, so a
volunteer who suits two refugees goes where the pair is worth most, and a
volunteer with capacity k may get up to k refugees. It scores every pair
with the vectorised rows of ``prepare`` — O(n·m) for n refugees and m
volunteers — then solves an assignment problem with SciPy's
``linear_sum_assignment`` (a shortest-augmenting-path Hungarian method) on a
score matrix whose volunteer columns are repeated once per free slot: O(N³)
in the worst case with N = max(n, total capacity), and O(n·N) memory. A
volunteer's columns are capped at the number of refugees allowed with them.

``greedy_assign`` takes the best remaining pair first. It is simpler but
can block a better overall result; the batch preview shows both.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment

from app.matching.prepared import prepare, score_volunteers
from app.matching.scoring import score_pair

#: Largest tie-break bonus one refugee can get for waiting longest. Together
#: all bonuses stay below 0.005, so they only decide between totals that
#: differ by less than that, never against a 0.01 difference.
TIE_BREAK = 1e-8
TIE_BREAK_BUDGET = 0.005


def score_matrix(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return (totals, allowed): n × m arrays of pair totals and of pairs no rule excludes."""
    pv = prepare(volunteers)
    declined = {}
    for refugee_id, volunteer_id in exclude:
        declined.setdefault(refugee_id, set()).add(volunteer_id)
    totals = np.zeros((len(refugees), len(pv)))
    allowed = np.zeros((len(refugees), len(pv)), dtype=bool)
    for row, refugee in enumerate(refugees):
        totals[row], _, allowed[row] = score_volunteers(refugee, pv, weights, declined.get(refugee.id, ()), today)
    return totals, allowed


def waiting_days(refugees):
    """Return days each refugee has waited longer than the newest arrival; unknown counts as newest."""
    known = [r.waiting_since for r in refugees if r.waiting_since is not None]
    newest = max(known, default=None)
    return np.array([0 if r.waiting_since is None else (newest - r.waiting_since).days for r in refugees], dtype=float)


def _tie_break_bonus(refugees):
    """Return a per-refugee bonus proportional to waiting days, too small to change a real difference."""
    days = waiting_days(refugees)
    if not days.size or days.max() == 0:
        return days
    return days / days.max() * min(TIE_BREAK, TIE_BREAK_BUDGET / len(refugees))


def _solve(profit, allowed, capacity):
    """Return (rows, columns) of allowed pairs maximising ``profit``, each column used at most ``capacity`` times."""
    slots = np.minimum(capacity, allowed.sum(axis=0))
    column_of_slot = np.repeat(np.arange(len(slots)), slots)
    rows, slot_columns = linear_sum_assignment(profit[:, column_of_slot], maximize=True)
    columns = column_of_slot[slot_columns]
    keep = allowed[rows, columns]
    return rows[keep], columns[keep]


def assign(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return (refugee id, volunteer id) pairs with the largest total score, in refugee order.

    Capacities and exclusions are honoured; a refugee with no allowed
    volunteer left stays unassigned. Among equal totals, those who have
    waited longest are preferred.
    """
    refugees = list(refugees)
    pv = prepare(volunteers)
    totals, allowed = score_matrix(refugees, pv, exclude, weights, today)
    # Excluded pairs are worth exactly as much as no pair (0) and are dropped
    # afterwards, so the solver never gains from one; a large negative cost
    # would instead force as many pairs as possible at the expense of the total.
    profit = np.where(allowed, totals + _tie_break_bonus(refugees)[:, None], 0.0)
    rows, columns = _solve(profit, allowed, np.maximum(pv.capacity, 0))
    return [(refugees[r].id, pv.ids[v]) for r, v in sorted(zip(rows.tolist(), columns.tolist(), strict=True))]


def greedy_assign(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return pairs chosen best-first (longest waiting first among equal totals), honouring capacities."""
    refugees = list(refugees)
    pv = prepare(volunteers)
    totals, allowed = score_matrix(refugees, pv, exclude, weights, today)
    rows, columns = np.nonzero(allowed)
    order = np.lexsort((-waiting_days(refugees)[rows], -totals[rows, columns]))
    capacity = pv.capacity.tolist()
    unassigned = len(refugees)
    taken = [False] * len(refugees)
    pairs = []
    for r, v in zip(rows[order].tolist(), columns[order].tolist(), strict=True):
        if taken[r] or capacity[v] < 1:
            continue
        taken[r], capacity[v] = True, capacity[v] - 1
        pairs.append((r, v))
        unassigned -= 1
        if not unassigned:
            break
    return [(refugees[r].id, pv.ids[v]) for r, v in sorted(pairs)]


def assignment_total(pairs, refugees, volunteers, weights=None, today=None):
    """Return the sum of ``score_pair`` totals over ``pairs`` of (refugee id, volunteer id)."""
    refugee_by_id = {r.id: r for r in refugees}
    volunteer_by_id = {v.id: v for v in prepare(volunteers).candidates}
    return sum(score_pair(refugee_by_id[r], volunteer_by_id[v], weights, today=today).total for r, v in pairs)
