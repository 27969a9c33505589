"""Benchmark the matching core on synthetic people: ``python -m bench.bench_matching``.

Measures what the matching pages do: ranking volunteers for one refugee
(vectorised ``rank`` against a plain loop of ``score_pair``) and a batch
``assign`` of thousands of refugees, with greedy assignment for comparison.
Candidates live in a few municipalities, at postcodes from the committed
CSVs, with language mixes like those met in Danish municipalities. Seeds
are fixed so runs compare.
"""
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta

import numpy as np
from scipy.optimize import linear_sum_assignment

from app.interests import interests
from app.matching import Candidate, assign, assignment_total, greedy_assign, prepare, rank, score_pair
from app.matching.assignment import _tie_break_bonus, score_matrix
from app.matching.candidate import SLOTS
from app.matching.geo import DATA_DIR

#: København, Frederiksberg, Aarhus, Odense, Aalborg: most newcomers are settled around cities.
MUNICIPALITIES = (101, 147, 751, 461, 851)
#: First language of refugees, roughly by how often it is met.
REFUGEE_LANGUAGES = {"uk": 25, "ar": 20, "ti": 12, "fa": 8, "prs": 8, "so": 8, "ps": 6, "ku": 5, "ru": 4, "am": 4}
#: Languages volunteers with a refugee background speak natively.
HERITAGE_LANGUAGES = ("ar", "fa", "ti", "so", "uk", "ku", "tr")
#: Free text as people type it, mapped through the interest taxonomy.
FREE_TEXT = ("fodbold", "madlavning", "cykling", "strikning", "كرة القدم", "طبخ", "læsning", "svømning")

RANK_VOLUNTEERS, RANK_RUNS, LOOP_RUNS = 5_000, 20, 5
ASSIGN_REFUGEES, ASSIGN_VOLUNTEERS = 2_000, 3_000
#: The scale of 2015, when Denmark granted residence to 10,849 refugees.
LARGE_REFUGEES, LARGE_VOLUNTEERS, LARGE_RUNS = 10_000, 15_000, 3
LARGE_SECONDS, LARGE_MB = 10, 1024
TODAY = date(2025, 1, 1)


def postcodes_by_municipality():
    """Return municipality code -> the postcodes in it, from the committed CSV."""
    found = {}
    with open(DATA_DIR / "postcodes.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            found.setdefault(int(row["municipality_code"]), []).append(row["postcode"].partition("-")[0])
    return found


class People:
    """Draws synthetic refugees and volunteers from one seeded random generator."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.postcodes = postcodes_by_municipality()
        self.interest_keys = list(interests())
        self.next_id = 0

    def _common(self):
        """Draw the fields refugees and volunteers share."""
        rnd = self.random
        municipality = rnd.choice(MUNICIPALITIES)
        interests_ = rnd.sample(self.interest_keys, rnd.randint(1, 6))
        if rnd.random() < 0.1:
            interests_.append(rnd.choice(FREE_TEXT))
        self.next_id += 1
        return {
            "id": self.next_id,
            "municipality": municipality,
            "postcode": rnd.choice(self.postcodes[municipality]) if rnd.random() < 0.9 else None,
            "interests": interests_,
            "availability": {slot for slot in SLOTS if rnd.random() < 0.5},
            "gender": rnd.choice(("female", "female", "male", "male", "other", None)),
            "birth_year": rnd.randint(1950, 2004) if rnd.random() < 0.9 else None,
        }

    def refugee(self):
        """Draw a refugee: a native language, often some English and a little Danish."""
        rnd = self.random
        languages = {rnd.choices(list(REFUGEE_LANGUAGES), weights=REFUGEE_LANGUAGES.values())[0]: 5}
        if rnd.random() < 0.5:
            languages["en"] = rnd.randint(1, 4)
        if rnd.random() < 0.6:
            languages["da"] = rnd.randint(1, 3)
        age_wish = rnd.random() < 0.2
        return Candidate(
            **self._common(),
            languages=languages,
            wants_gender="female" if rnd.random() < 0.1 else None,
            household_children=rnd.choice((0, 0, 1, 2, 3)),
            family=rnd.random() < 0.3,
            waiting_since=TODAY - timedelta(days=rnd.randint(0, 730)),
            wants_danish_practice=rnd.random() < 0.4,
            age_min=rnd.choice((20, 30)) if age_wish else None,
            age_max=rnd.choice((50, 70)) if age_wish else None,
        )

    def volunteer(self):
        """Draw a volunteer: mostly native Danish and good English, some with a refugee background."""
        rnd = self.random
        languages = {"da": 5 if rnd.random() < 0.9 else rnd.randint(2, 4)}
        if rnd.random() < 0.85:
            languages["en"] = rnd.randint(2, 5)
        if rnd.random() < 0.2:
            languages[rnd.choice(HERITAGE_LANGUAGES)] = rnd.randint(4, 5)
        if rnd.random() < 0.1:
            languages[rnd.choice(("de", "fr", "es", "ru"))] = rnd.randint(2, 4)
        return Candidate(
            **self._common(),
            languages=languages,
            wants_gender="female" if rnd.random() < 0.05 else None,
            family=rnd.random() < 0.2,
            max_distance_km=rnd.choice((None, None, 5, 10, 15, 25)),
            capacity=rnd.choices((1, 2, 3), weights=(6, 3, 1))[0],
            has_child_certificate=rnd.random() < 0.6,
        )


def median_ms(function, runs):
    """Return the median wall time of ``runs`` calls of ``function``, in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def loop_rank(refugee, volunteers, limit=10):
    """Rank the plain way: score every pair with ``score_pair``, then sort."""
    scored = [(v.id, score_pair(refugee, v)) for v in volunteers]
    allowed = [(volunteer_id, score) for volunteer_id, score in scored if not score.excluded]
    return sorted(allowed, key=lambda pair: -pair[1].total)[:limit]


def bench_rank(people):
    """Time ``rank`` against the per-pair loop and check that both give the same top 10."""
    print(f"rank: 1 refugee against {RANK_VOLUNTEERS:,} volunteers")
    volunteers = [people.volunteer() for _ in range(RANK_VOLUNTEERS)]
    refugee = next(r for r in iter(people.refugee, None) if r.municipality == 101 and "en" in r.languages)
    start = time.perf_counter()
    prepare(volunteers)
    print(f"  prepare (once, cached):            {(time.perf_counter() - start) * 1000:8.1f} ms")
    rank(refugee, volunteers)  # warm-up
    vectorised = median_ms(lambda: rank(refugee, volunteers), RANK_RUNS)
    looped = median_ms(lambda: loop_rank(refugee, volunteers), LOOP_RUNS)
    same = [v for v, _ in rank(refugee, volunteers)] == [v for v, _ in loop_rank(refugee, volunteers)]
    allowed = len(rank(refugee, volunteers, limit=None))
    print(f"  allowed volunteers:                 {allowed:8d}")
    speed_up = looped / vectorised
    fast = _ok(vectorised < 20)
    print(f"  rank, vectorised (median of {RANK_RUNS}):   {vectorised:8.2f} ms   target < 20 ms: {fast}")
    print(f"  per-pair score_pair loop (median of {LOOP_RUNS}): {looped:8.1f} ms")
    print(f"  speed-up (loop / rank):             {speed_up:8.0f}x   target >= 50x: {_ok(speed_up >= 50)}")
    print(f"  same top 10 as the loop:            {_ok(same)}")


def bench_assign(people):
    """Time the optimal batch assignment, measure its memory and compare it with greedy."""
    refugees = [people.refugee() for _ in range(ASSIGN_REFUGEES)]
    volunteers = [people.volunteer() for _ in range(ASSIGN_VOLUNTEERS)]
    slots = sum(v.capacity for v in volunteers)
    print(f"assign: {ASSIGN_REFUGEES:,} refugees x {ASSIGN_VOLUNTEERS:,} volunteers ({slots:,} free slots)")
    prepare(volunteers)
    start = time.perf_counter()
    optimal = assign(refugees, volunteers)
    seconds = time.perf_counter() - start
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)
    tracemalloc.start()
    assign(refugees, volunteers)
    traced_mb = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()
    start = time.perf_counter()
    greedy = greedy_assign(refugees, volunteers)
    greedy_seconds = time.perf_counter() - start
    optimal_total = assignment_total(optimal, refugees, volunteers)
    greedy_total = assignment_total(greedy, refugees, volunteers)
    print(f"  assign (optimal):                   {seconds:8.2f} s    target < 5 s: {_ok(seconds < 5)}")
    print(f"  peak memory, tracemalloc:           {traced_mb:8.0f} MB   target < 1 GB: {_ok(traced_mb < 1024)}")
    print(f"  peak RSS of the whole process:      {peak_rss_mb:8.0f} MB")
    print(f"  greedy_assign:                      {greedy_seconds:8.2f} s")
    print(f"  pairs, optimal / greedy:            {len(optimal):8d} / {len(greedy)}")
    print(f"  total score, optimal:               {optimal_total:12.2f}")
    print(f"  total score, greedy:                {greedy_total:12.2f}")
    print(f"  optimal / greedy:                   {optimal_total / greedy_total:12.4f}")
    print(f"  optimal >= greedy:                  {_ok(optimal_total >= greedy_total - 1e-6)}")


def dense_assign(refugees, volunteers):
    """Assign as ``assign`` did before it went sparse: the Hungarian method on a dense, slot-repeated matrix."""
    pv = prepare(volunteers)
    totals, allowed = score_matrix(refugees, pv)
    profit = np.where(allowed, totals + _tie_break_bonus(refugees)[:, None], 0.0)
    column_of_slot = np.repeat(np.arange(len(pv)), np.minimum(pv.capacity, allowed.sum(axis=0)))
    rows, slot_columns = linear_sum_assignment(profit[:, column_of_slot], maximize=True)
    columns = column_of_slot[slot_columns]
    keep = allowed[rows, columns]
    return [(refugees[r].id, pv.ids[v]) for r, v in zip(rows[keep], columns[keep], strict=True)]


def _peak_rss_mb():
    """Return this process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)


def measure_assign(method, refugees, volunteers, seed):
    """Run one assignment in this process and print its time, memory and total as JSON (for ``_in_child``)."""
    people = People(seed)
    refugees = [people.refugee() for _ in range(refugees)]
    volunteers = [people.volunteer() for _ in range(volunteers)]
    prepare(volunteers)
    before_mb = _peak_rss_mb()
    start = time.perf_counter()
    pairs = {"sparse": assign, "dense": dense_assign}[method](refugees, volunteers)
    seconds = time.perf_counter() - start
    total = assignment_total(pairs, refugees, volunteers)
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_rss_mb(), "before_mb": before_mb,
                      "pairs": len(pairs), "total": total}))


def _in_child(method, refugees, volunteers, seed=20250103):
    """Return ``measure_assign``'s figures from a fresh process, so its peak RSS is that run's alone."""
    command = [sys.executable, "-m", "bench.bench_matching", "measure", method, str(refugees), str(volunteers), str(seed)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_sparse_assign():
    """Time ``assign`` at national-crisis scale, and against the old dense method where that still fits."""
    print(f"assign, sparse against dense: {ASSIGN_REFUGEES:,} x {ASSIGN_VOLUNTEERS:,}, fresh process each")
    sparse = _in_child("sparse", ASSIGN_REFUGEES, ASSIGN_VOLUNTEERS)
    dense = _in_child("dense", ASSIGN_REFUGEES, ASSIGN_VOLUNTEERS)
    for name, run in (("sparse", sparse), ("dense (before)", dense)):
        print(f"  {name + ':':35s}{run['seconds']:8.2f} s    peak RSS {run['peak_mb']:6.0f} MB"
              f"   ({run['before_mb']:.0f} MB before)")
    print(f"  time, dense / sparse:               {dense['seconds'] / sparse['seconds']:8.1f}x")
    print(f"  peak RSS, dense / sparse:           {dense['peak_mb'] / sparse['peak_mb']:8.1f}x")
    same = abs(sparse["total"] - dense["total"]) < 1e-6 and sparse["pairs"] == dense["pairs"]
    print(f"  same total and pairs:               {_ok(same)}   ({sparse['total']:.4f}, {sparse['pairs']} pairs)")
    print(f"assign: {LARGE_REFUGEES:,} refugees x {LARGE_VOLUNTEERS:,} volunteers with capacities 1-3,"
          f" median of {LARGE_RUNS} fresh processes (dense: {LARGE_REFUGEES * LARGE_VOLUNTEERS * 8 / 1e9:.1f} GB"
          " for one score matrix; too big to run)")
    runs = [_in_child("sparse", LARGE_REFUGEES, LARGE_VOLUNTEERS) for _ in range(LARGE_RUNS)]
    seconds = statistics.median(run["seconds"] for run in runs)
    peak_mb = max(run["peak_mb"] for run in runs)
    each = ", ".join(f"{run['seconds']:.2f}" for run in runs)
    print(f"  assign (optimal, sparse):           {seconds:8.2f} s    target <= {LARGE_SECONDS} s:"
          f" {_ok(seconds <= LARGE_SECONDS)}   ({seconds / LARGE_SECONDS:.2f} of target;"
          f" runs {each} s)")
    print(f"  peak RSS of the process (max):      {peak_mb:8.0f} MB   target <= {LARGE_MB} MB:"
          f" {_ok(peak_mb <= LARGE_MB)}   ({peak_mb / LARGE_MB:.2f} of target;"
          f" {runs[0]['before_mb']:.0f} MB before assign)")
    print(f"  pairs, total score:                 {runs[0]['pairs']:8d}, {runs[0]['total']:.4f}")


def _ok(condition):
    """Return "yes" or "NO", so a missed target stands out."""
    return "yes" if condition else "NO"


def main():
    bench_rank(People(seed=20250101))
    print()
    bench_assign(People(seed=20250102))
    print()
    bench_sparse_assign()


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        measure_assign(sys.argv[2], *map(int, sys.argv[3:6]))
    else:
        main()
