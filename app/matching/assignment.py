"""Batch matching: give many waiting refugees a volunteer each, as well as possible overall.

``assign`` maximises the sum of pair totals over all refugees at once, so a
volunteer who suits two refugees goes where the pair is worth most, and a
volunteer with capacity k may get up to k refugees. Among equal totals,
those who have waited longest are preferred.

Most pairs are excluded by a hard rule (language, distance, gender, child
certificate), so only allowed pairs are scored and stored: refugees are
taken place by place, the volunteers near a place are found once
(``nearby``), the hard rules narrow them down per refugee and the parts are
computed for the E allowed pairs only (``score_allowed``). Scoring costs
O(P·m) for P distinct places and m volunteers, plus O(R) vectorised work per
refugee for its R nearby volunteers; no n × m matrix is ever held.

The problem is then a maximum-weight bipartite b-matching, solved exactly
as a minimum-weight full matching on a sparse, capacity-expanded graph with
SciPy's ``min_weight_full_bipartite_matching`` (LAPJVsp, Jonker–Volgenant's
shortest augmenting paths for sparse graphs):

- a volunteer with capacity c and d allowed refugees becomes min(c, d)
  identical slot columns, and each allowed pair an edge to each of its
  slots, so a matching of refugees to slots is exactly an assignment that
  honours capacities;
- each refugee also gets a column of its own meaning "stays unassigned",
  so a full matching (every refugee row matched) always exists;
- an edge weighs ``OFFSET - profit`` (profit = pair total plus the
  refugee's tie-break bonus) and the refugee's own column ``OFFSET``. Every
  full matching weighs n·OFFSET minus its total profit, so the lightest one
  is exactly the assignment of largest total profit, with "unassigned"
  worth 0 as before. ``OFFSET`` exceeds any profit, so every weight is
  positive, as the solver requires (it has no zero-weight edges).

Weights stay floats: nothing is rounded or scaled, so the optimum is the
one the dense Hungarian method found; subtracting from ``OFFSET`` costs at
most one rounding (about 1e-14) per pair, far below the smallest step of the
tie-break bonus (1e-8 / the longest wait in days).

Memory is O(E·s + n) for E allowed pairs and s slots per volunteer on
average (12 bytes per edge: a float weight and an int32 column); time is
at most n shortest-path searches over that graph, O(n·(E·s + N log N)) in
the worst case with N = n + total slots, and far less in practice because
most searches stop at the first free slot. 10,000 × 15,000 with
capacities (13.5 million of 150 million pairs allowed, 20 million edges
once expanded) takes 5–9 s on a shared 2-core machine, and 670 MB peak
resident memory for the whole process (the solver copies the graph once);
see ``make bench``.

``greedy_assign`` takes the best remaining pair first. It is simpler but
can block a better overall result; the batch preview shows both.
"""
import heapq
from typing import NamedTuple

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from app.matching.prepared import nearby, place, prepare, score_allowed, score_volunteers
from app.matching.scoring import score_pair

#: Largest tie-break bonus one refugee can get for waiting longest. Together
#: all bonuses stay below 0.005, so they only decide between totals that
#: differ by less than that, never against a 0.01 difference.
TIE_BREAK = 1e-8
TIE_BREAK_BUDGET = 0.005
#: Above every profit (a total is at most 100, plus a bonus below 1e-8), so edge weights are positive.
OFFSET = 101.0
#: Refugees scored and expanded to slots together: bounds the temporary arrays.
_BLOCK = 512


def score_matrix(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return (totals, allowed): n × m arrays of pair totals and of pairs no rule excludes.

    Dense, for small batches and tests; ``allowed_pairs`` is the sparse form.
    """
    pv = prepare(volunteers)
    declined = _declined(exclude)
    totals = np.zeros((len(refugees), len(pv)))
    allowed = np.zeros((len(refugees), len(pv)), dtype=bool)
    for row, refugee in enumerate(refugees):
        totals[row], _, allowed[row] = score_volunteers(refugee, pv, weights, declined.get(refugee.id, ()), today)
    return totals, allowed


def _declined(exclude):
    """Return refugee id -> volunteer ids declined before."""
    declined = {}
    for refugee_id, volunteer_id in exclude:
        declined.setdefault(refugee_id, set()).add(volunteer_id)
    return declined


class _Block(NamedTuple):
    """Allowed pairs of some refugees, stored compactly: row i's pairs are ``columns``/``totals`` [starts[i]:starts[i+1]]."""

    #: Refugee indices, in the order scored.
    rows: np.ndarray
    #: Offsets into columns and totals, one more than rows.
    starts: np.ndarray
    #: Volunteer indices, ascending within each refugee.
    columns: np.ndarray
    totals: np.ndarray


def _scored_blocks(refugees, pv, exclude, weights, today):
    """Return the allowed pairs of every refugee as ``_Block`` s, refugees taken place by place.

    Each place's nearby volunteers are found once; blocks of a few hundred
    refugees keep the per-refugee arrays short-lived.
    """
    declined = _declined(exclude)
    order = sorted(range(len(refugees)), key=lambda row: place(refugees[row]))
    near, near_place = None, None
    blocks = []
    for start in range(0, len(order), _BLOCK):
        rows = order[start : start + _BLOCK]
        found, scores = [], []
        for row in rows:
            refugee = refugees[row]
            if place(refugee) != near_place:
                near, near_place = nearby(pv, refugee), place(refugee)
            columns, totals = score_allowed(refugee, pv, weights, declined.get(refugee.id, ()), today, near)
            found.append(columns.astype(np.int32))
            scores.append(totals)
        starts = np.concatenate([[0], np.cumsum([len(columns) for columns in found])])
        blocks.append(_Block(np.array(rows), starts, np.concatenate(found), np.concatenate(scores)))
    return blocks


def _each_refugee(blocks):
    """Yield (refugee index, volunteer indices, totals) of each refugee in ``blocks``; the arrays are views."""
    for block in blocks:
        for row, begin, end in zip(block.rows.tolist(), block.starts[:-1].tolist(), block.starts[1:].tolist()):
            yield row, block.columns[begin:end], block.totals[begin:end]


def allowed_pairs(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return (rows, columns, totals) of every allowed pair, sorted by refugee then volunteer.

    The sparse form of ``score_matrix``: the nonzero entries of ``allowed``
    and the totals there, without ever holding an n × m array.
    """
    return _pairs(_scored_blocks(list(refugees), prepare(volunteers), exclude, weights, today))


def _pairs(blocks):
    """Return (rows, columns, totals) of the pairs in ``blocks``, sorted by refugee then volunteer (copies)."""
    rows = np.concatenate([np.empty(0, np.int64)] + [np.repeat(b.rows, np.diff(b.starts)) for b in blocks])
    columns = np.concatenate([np.empty(0, np.int32)] + [b.columns for b in blocks])
    totals = np.concatenate([np.empty(0)] + [b.totals for b in blocks])
    order = np.argsort(rows, kind="stable")  # each refugee's columns already ascend
    return rows[order], columns[order], totals[order]


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


def _solve(blocks, bonus, capacity):
    """Return (rows, columns) of allowed pairs maximising total plus bonus, column j used at most ``capacity[j]`` times.

    Empties ``blocks`` as it copies them into the graph, to keep peak memory
    down.
    """
    m = len(capacity)
    degree = np.zeros(m, dtype=np.int64)
    for block in blocks:
        degree += np.bincount(block.columns, minlength=m)
    slots = np.minimum(capacity, degree)
    slot_count = int(slots.sum())
    if not slot_count:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    first_slot = np.cumsum(slots) - slots
    refugee_of_row = np.concatenate([block.rows for block in blocks])
    n = len(refugee_of_row)
    # Graph row g is refugee refugee_of_row[g]; its columns are the slots of
    # its allowed volunteers, then slot_count + g, its own "unassigned".
    row_sizes = []
    for block in blocks:
        edge_slots = np.concatenate([[0], np.cumsum(slots[block.columns])])
        row_sizes.append(edge_slots[block.starts[1:]] - edge_slots[block.starts[:-1]] + 1)
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(row_sizes))])
    indices = np.empty(indptr[-1], dtype=np.int32)
    weights = np.empty(indptr[-1], dtype=float)
    graph_row = 0
    while blocks:
        block = blocks.pop(0)
        rows = np.arange(graph_row, graph_row + len(block.rows))
        begin, end = indptr[graph_row], indptr[graph_row + len(block.rows)]
        own = indptr[rows + 1] - 1 - begin
        is_edge = np.ones(end - begin, dtype=bool)
        is_edge[own] = False
        repeat = slots[block.columns]
        within = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        indices[begin:end][is_edge] = np.repeat(first_slot[block.columns], repeat) + within
        indices[begin:end][own] = slot_count + rows
        profit = block.totals + np.repeat(bonus[block.rows], np.diff(block.starts))
        weights[begin:end][is_edge] = np.repeat(OFFSET - profit, repeat)
        weights[begin:end][own] = OFFSET
        graph_row += len(block.rows)
        del block, is_edge, repeat, within, profit
    graph = csr_matrix((weights, indices, indptr), shape=(n, slot_count + n))
    del weights, indices
    graph_rows, graph_columns = min_weight_full_bipartite_matching(graph)
    assigned = graph_columns < slot_count
    volunteer_of_slot = np.repeat(np.arange(m), slots)
    return refugee_of_row[graph_rows[assigned]], volunteer_of_slot[graph_columns[assigned]]


def assign(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return (refugee id, volunteer id) pairs with the largest total score, in refugee order.

    Capacities and exclusions are honoured; a refugee with no allowed
    volunteer left stays unassigned. Among equal totals, those who have
    waited longest are preferred.
    """
    refugees = list(refugees)
    pv = prepare(volunteers)
    return _optimal(refugees, pv, _scored_blocks(refugees, pv, exclude, weights, today))


def _optimal(refugees, pv, blocks):
    rows, chosen = _solve(blocks, _tie_break_bonus(refugees), np.maximum(pv.capacity, 0))
    return [(refugees[r].id, pv.ids[v]) for r, v in sorted(zip(rows.tolist(), chosen.tolist(), strict=True))]


def greedy_assign(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return pairs chosen best-first (longest waiting first among equal totals), honouring capacities."""
    refugees = list(refugees)
    pv = prepare(volunteers)
    return _greedy(refugees, pv, _scored_blocks(refugees, pv, exclude, weights, today))


def _greedy(refugees, pv, blocks):
    """Take the best remaining pair first, as if all allowed pairs were sorted, without sorting them.

    The order is highest total, then longest waiting, then refugee and
    volunteer index. A heap holds each refugee's best pair whose volunteer
    had a free place when it was pushed; when its volunteer has filled
    since, the refugee's next pair with a free place replaces it. The first
    pair on the heap with a free place is therefore the first live pair of
    the sorted list, so the result is the same, but only the few best pairs
    of each refugee are ever sorted (``_best_first``).
    """
    later = (-waiting_days(refugees)).tolist()
    capacity = np.maximum(pv.capacity, 0)
    heap = []
    for row, columns, totals in _each_refugee(blocks):
        ranked = _best_first(columns, totals, capacity)
        first = next(ranked, None)
        if first is not None:
            heap.append((-first[0], later[row], row, first[1], ranked))
    heapq.heapify(heap)
    pairs = []
    while heap:
        _, wait, row, column, ranked = heap[0]
        if capacity[column] > 0:
            capacity[column] -= 1
            pairs.append((row, column))
            heapq.heappop(heap)
            continue
        following = next((pair for pair in ranked if capacity[pair[1]] > 0), None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (-following[0], wait, row, following[1], ranked))
    return [(refugees[r].id, pv.ids[v]) for r, v in sorted(pairs)]


#: Pairs of one refugee sorted at first in ``_best_first``; each further round sorts four times as many.
_FIRST_ROUND = 16


def _best_first(columns, totals, capacity):
    """Yield one refugee's (total, volunteer index) pairs, highest total then lowest index first.

    Sorts a round at a time: every pair whose total is at least the round's
    threshold (so ties are never split between rounds), skipping volunteers
    already full, which stay full. Most refugees need only the first round.
    """
    below, size = np.inf, _FIRST_ROUND
    while True:
        keep = (totals < below) & (capacity[columns] > 0)
        columns, totals = columns[keep], totals[keep]
        if len(totals) > size:
            below = np.partition(totals, len(totals) - size)[len(totals) - size]
            now = totals >= below
        else:
            below, now = -np.inf, np.ones(len(totals), dtype=bool)
        if not now.any():
            return
        order = np.lexsort((columns[now], -totals[now]))
        yield from zip(totals[now][order].tolist(), columns[now][order].tolist())
        size *= 4


class Comparison(NamedTuple):
    """``assign`` and ``greedy_assign`` of one batch, and the total of each pair either chose."""

    optimal: list
    greedy: list
    #: (refugee id, volunteer id) -> the pair's total, as ``score_pair`` gives it (to rounding).
    totals: dict


def assign_and_compare(refugees, volunteers, exclude=(), weights=None, today=None):
    """Return the optimal and the greedy assignment from one scoring pass over the allowed pairs.

    The batch preview shows both; scoring is most of the work, so the
    sparse pairs are scored once and both methods read them.
    """
    refugees = list(refugees)
    pv = prepare(volunteers)
    blocks = _scored_blocks(refugees, pv, exclude, weights, today)
    # Each refugee's volunteer indices (ascending) and totals, kept as views while _optimal empties blocks.
    pairs_of = {row: (columns, totals) for row, columns, totals in _each_refugee(blocks)}
    greedy = _greedy(refugees, pv, blocks)
    optimal = _optimal(refugees, pv, blocks)  # empties blocks
    row_of = {r.id: row for row, r in enumerate(refugees)}
    totals = {}
    for refugee_id, volunteer_id in set(optimal) | set(greedy):
        columns, found = pairs_of[row_of[refugee_id]]
        totals[refugee_id, volunteer_id] = float(found[np.searchsorted(columns, pv.index[volunteer_id])])
    return Comparison(optimal, greedy, totals)


def assignment_total(pairs, refugees, volunteers, weights=None, today=None):
    """Return the sum of ``score_pair`` totals over ``pairs`` of (refugee id, volunteer id)."""
    refugee_by_id = {r.id: r for r in refugees}
    volunteer_by_id = {v.id: v for v in prepare(volunteers).candidates}
    return sum(score_pair(refugee_by_id[r], volunteer_by_id[v], weights, today=today).total for r, v in pairs)
