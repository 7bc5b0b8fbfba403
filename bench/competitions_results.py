"""Results for a district competition: 12,530 entries × 3 judges' scores to ranks and awards.

    python bench/competitions_results.py [--entries 12530] [--rounds 5]

Builds the scores in memory from a fixed seed: 12,530 entries in four groups,
150 judges (each with their own leniency, some lenient, some harsh), three
judges an entry, each scoring a four-criterion rubric out of 100. Then, in
the same run and alternating round by round, it times:

- the baseline: each entry's plain sum of totals, each group sorted by it,
  awards cut at floor(percent × entrants) by position in the sorted list
  (which is what the platform must not do with ties, but the least work);
- for each aggregation method (mean, trimmed mean, z-score): ``aggregate``
  over the whole activity, ``rank_group`` per group with the tie-break chain
  ``criterion:skill``, ``median``, and ``give_awards`` by quota (一等奖 10%,
  二等奖 20%, 三等奖 30%, 优胜奖 20%, rounded down, ties at a line included);
- a measured activity of the same size: ``rank_measured`` on decimal times
  and ``give_awards`` by the same quota.

Each figure is the median of the rounds in wall-clock and process-CPU
milliseconds. The table also counts the shared ranks left after the chain,
the entries flagged for disagreement and the awards given. No database, no
network, no files.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bangyaer_competitions.scoring.aggregate import METHODS, JudgeScore, aggregate
from bangyaer_competitions.scoring.awards import AwardRule, give_awards
from bangyaer_competitions.scoring.rank import Ranked, rank_group, rank_measured

GROUPS = {1: (0.17, 20), 2: (0.33, 50), 3: (0.32, 50), 4: (0.18, 30)}
RUBRIC = {"idea": 30, "skill": 30, "expression": 25, "completeness": 15}
RULE = AwardRule.from_json({"mode": "quota", "rounding": "floor", "cut_ties": "include",
                            "levels": [{"name": "一等奖", "percent": 10},
                                       {"name": "二等奖", "percent": 20},
                                       {"name": "三等奖", "percent": 30},
                                       {"name": "优胜奖", "percent": 20}]})
PERCENTS = [10, 20, 30, 20]
K = 3
MAX_ENTRIES = 100_000
MAX_ROUNDS = 20

Scores = dict[int, list[JudgeScore]]


def activity(entries: int, rnd: random.Random) -> tuple[dict[int, int], Scores]:
    """Each entry's group, and three judges' rubric scores for it."""
    panels, account = {}, 0
    for group, (_, count) in GROUPS.items():
        panels[group] = [(account + i, rnd.gauss(0, 5)) for i in range(1, count + 1)]
        account += count
    shares = [share for share, _ in GROUPS.values()]
    group_of, scores = {}, {}
    for entry_id in range(1, entries + 1):
        group = rnd.choices(list(GROUPS), shares)[0]
        quality = rnd.gauss(72, 10)
        marks = []
        for judge, leniency in rnd.sample(panels[group], K):
            fraction = min(1.0, max(0.0, (quality + leniency + rnd.gauss(0, 6)) / 100))
            criteria = {key: min(top, max(0, round(top * fraction + rnd.gauss(0, 1))))
                        for key, top in RUBRIC.items()}
            marks.append(JudgeScore(judge, sum(criteria.values()), criteria))
        group_of[entry_id] = group
        scores[entry_id] = marks
    return group_of, scores


def by_group(group_of: dict[int, int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry_id, group in group_of.items():
        out.setdefault(group, []).append(entry_id)
    return out


def baseline(groups: dict[int, list[int]], scores: Scores) -> dict[str, int]:
    awarded = 0
    for members in groups.values():
        ordered = sorted(members, key=lambda e: sum(s.total for s in scores[e]), reverse=True)
        line = 0
        for percent in PERCENTS:
            line += len(ordered) * percent // 100
        awarded += min(line, len(ordered))
    return {"shared": 0, "flagged": 0, "awarded": awarded}


def platform(groups: dict[int, list[int]], scores: Scores, method: str) -> dict[str, int]:
    aggs = aggregate(scores, method=method, trim_min_scores=5, disagreement_threshold=20)
    shared = awarded = 0
    for members in groups.values():
        ranked = rank_group([aggs[e] for e in members], scores,
                            tie_break=["criterion:skill", "median"])
        awards = give_awards(ranked, RULE)
        shared += _shared(ranked)
        awarded += sum(1 for a in awards.values() if a is not None)
    return {"shared": shared, "flagged": sum(a.flagged for a in aggs.values()),
            "awarded": awarded}


def measured(groups: dict[int, list[int]], times: dict[int, Decimal]) -> dict[str, int]:
    shared = awarded = 0
    for members in groups.values():
        ranked = rank_measured({e: times[e] for e in members}, lower_is_better=True)
        awards = give_awards(ranked, RULE)
        shared += _shared(ranked)
        awarded += sum(1 for a in awards.values() if a is not None)
    return {"shared": shared, "flagged": 0, "awarded": awarded}


def _shared(ranked: list[Ranked]) -> int:
    """Entries that share their rank with another after the whole chain."""
    counts: dict[int, int] = {}
    for r in ranked:
        counts[r.rank] = counts.get(r.rank, 0) + 1
    return sum(n for n in counts.values() if n > 1)


def timed(run: Callable[[], dict[str, int]]) -> tuple[dict[str, int], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=12_530)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.entries <= MAX_ENTRIES or not 1 <= args.rounds <= MAX_ROUNDS:
        sys.exit(f"--entries must be 1..{MAX_ENTRIES} and --rounds 1..{MAX_ROUNDS}")
    rnd = random.Random(20260304)
    group_of, scores = activity(args.entries, rnd)
    groups = by_group(group_of)
    # Times to the hundredth of a second: many equal values, as a stopwatch gives.
    times = {e: Decimal(f"{rnd.gauss(14.5, 1.2):.2f}") for e in group_of}
    runs: dict[str, Callable[[], dict[str, int]]] = {
        "plain sum and sort (baseline)": lambda: baseline(groups, scores)}
    for method in METHODS:
        runs[method] = lambda method=method: platform(groups, scores, method)  # type: ignore[misc]
    runs["measured (times)"] = lambda: measured(groups, times)
    figures: dict[str, list[tuple[float, float]]] = {what: [] for what in runs}
    counts: dict[str, dict[str, Any]] = {}
    for _ in range(args.rounds):
        for what, run in runs.items():
            counts[what], wall, cpu = timed(run)
            figures[what].append((wall, cpu))
    print("| what | entries | scores | wall ms | CPU ms | sharing a rank | flagged | awarded |")
    print("|---|---|---|---|---|---|---|---|")
    n_scores = sum(len(v) for v in scores.values())
    for what, timings in figures.items():
        wall = statistics.median(t[0] for t in timings)
        cpu = statistics.median(t[1] for t in timings)
        c = counts[what]
        marks = "—" if what.startswith("measured") else f"{n_scores:,}"
        print(f"| {what} | {len(scores):,} | {marks} | {wall:,.0f} | {cpu:,.0f} | "
              f"{c['shared']:,} | {c['flagged']:,} | {c['awarded']:,} |")
    print("\ngroups: " + ", ".join(f"{len(groups[g]):,} entries / {GROUPS[g][1]} judges"
                                   for g in sorted(groups)))
    print(f"medians of {args.rounds} rounds; load average at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"Python {host.python_version()}, {host.system()} {host.release()}")


if __name__ == "__main__":
    main()
