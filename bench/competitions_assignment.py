"""Judge assignment for a district competition: 12,530 entries × 3 judges with conflicts.

    python bench/competitions_assignment.py [--entries 12530] [--k 3] [--rounds 5]

Builds a district in memory from a fixed seed: 120 schools with classes,
12,530 entries in four groups (幼儿组, 小学低段, 小学高段, 初中组) spread unevenly
over the schools, and 150 judges (20, 50, 50 and 30 a group). Most judges
work at one of the schools and teach one to three classes there; some are
the guardian of an entrant. Then, in the same run and alternating round by
round, it times:

- the baseline: a naive draw that shuffles each group's entries and deals
  judges round-robin, k at a time, ignoring every conflict;
- ``scoring.assign.draw``: conflicts kept out, loads balanced, replayable;
- ``scoring.assign.reassign``: the busiest judge of the largest group drops
  out with half of their entries scored, the rest go to others.

Each figure is the median of the rounds in wall-clock and process-CPU
milliseconds (CPU time stays meaningful when the machine is shared), and
each plan is checked: conflicting pairs, entries left short, the widest load
spread within a panel, and that the same seed replays the same plan. No
database, no network, no files.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

from bangyaer_competitions.scoring.assign import (
    EntrySlot,
    JudgeProfile,
    Pair,
    Plan,
    conflicts,
    draw,
    reassign,
)

SCHOOLS = 120
GROUPS = {1: ("幼儿组", 0.17, 20), 2: ("小学低段", 0.33, 50), 3: ("小学高段", 0.32, 50),
          4: ("初中组", 0.18, 30)}
MAX_ENTRIES = 100_000
MAX_ROUNDS = 20

Judges = dict[int, list[JudgeProfile]]


def district(entries: int, rnd: random.Random) -> tuple[list[EntrySlot], Judges]:
    # Big schools send many more entries than small ones.
    weights = [rnd.uniform(0.2, 3.0) for _ in range(SCHOOLS)]
    group_ids = list(GROUPS)
    shares = [GROUPS[g][1] for g in group_ids]
    slots = []
    for entry_id in range(1, entries + 1):
        group = rnd.choices(group_ids, shares)[0]
        school = rnd.choices(range(1, SCHOOLS + 1), weights)[0]
        klass = school * 100 + group * 10 + rnd.randrange(6)
        slots.append(EntrySlot(entry_id, group, school, klass, 100_000 + entry_id))
    judges: Judges = {}
    account = 0
    for group, (_, _, count) in GROUPS.items():
        panel = []
        for _ in range(count):
            account += 1
            schools: set[int] = set()
            classes: set[int] = set()
            children: set[int] = set()
            if rnd.random() < 0.8:  # a teacher; the rest are outside experts
                school = rnd.randrange(1, SCHOOLS + 1)
                schools.add(school)
                classes.update(school * 100 + rnd.randrange(1, 5) * 10 + rnd.randrange(6)
                               for _ in range(rnd.randint(1, 3)))
            if rnd.random() < 0.3:
                children.add(rnd.choice(slots).student_id)
            panel.append(JudgeProfile(account, frozenset(schools), frozenset(classes),
                                      frozenset(children)))
        judges[group] = panel
    return slots, judges


def naive(entries: Sequence[EntrySlot], judges: Judges, *, k: int, seed: str) -> Plan:
    """Shuffle and deal round-robin: balanced, but blind to every conflict."""
    rnd = random.Random(seed)
    pairs = []
    for group, panel in judges.items():
        mine = [e for e in entries if e.group_id == group]
        rnd.shuffle(mine)
        ids = [j.account_id for j in panel]
        rnd.shuffle(ids)
        turn = 0
        for e in mine:
            for _ in range(k):
                pairs.append(Pair(e.entry_id, ids[turn % len(ids)], 1))
                turn += 1
    return Plan(pairs=pairs, unfilled={}, seed=seed)


def check(plan: Plan, entries: Sequence[EntrySlot], judges: Judges,
          loads: dict[int, int] | None = None) -> tuple[int, int, int]:
    """Conflicting pairs, entries left short, widest load spread within a panel."""
    by_entry = {e.entry_id: e for e in entries}
    profile = {j.account_id: j for panel in judges.values() for j in panel}
    bad = sum(1 for p in plan.pairs
              if conflicts(profile[p.judge_account_id], by_entry[p.entry_id]) is not None)
    load = Counter(loads or {})
    load.update(p.judge_account_id for p in plan.pairs)
    widest = max(max(load[j.account_id] for j in panel) - min(load[j.account_id] for j in panel)
                 for panel in judges.values() if panel)
    return bad, len(plan.unfilled), widest


def timed(run: Callable[[], Plan]) -> tuple[Plan, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    plan = run()
    return plan, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def drop_out(plan: Plan, entries: Sequence[EntrySlot], judges: Judges, seed: str
             ) -> tuple[Callable[[], Plan], dict[int, int], Judges]:
    """The busiest judge of the largest group leaves with half their entries scored.

    Returns the reassignment to time, the loads it balances against (the
    dropped judge's scored entries stay theirs and are not counted) and the
    panels without the dropped judge.
    """
    largest = max(judges, key=lambda g: sum(1 for e in entries if e.group_id == g))
    load = Counter(p.judge_account_id for p in plan.pairs)
    dropped = max((j.account_id for j in judges[largest]), key=lambda a: (load[a], -a))
    held = sorted(p.entry_id for p in plan.pairs if p.judge_account_id == dropped)
    open_ids = set(held[len(held) // 2:])
    open_entries = [e for e in entries if e.entry_id in open_ids]
    seen: dict[int, set[int]] = {}
    for p in plan.pairs:
        seen.setdefault(p.entry_id, set()).add(p.judge_account_id)
    del load[dropped]
    rest = {g: [j for j in panel if j.account_id != dropped] for g, panel in judges.items()}
    return (lambda: reassign(dropped, open_entries, judges, seed=seed, seen=seen,
                             loads=dict(load))), dict(load), rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=12_530)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.entries <= MAX_ENTRIES or not 1 <= args.rounds <= MAX_ROUNDS:
        sys.exit(f"--entries must be 1..{MAX_ENTRIES} and --rounds 1..{MAX_ROUNDS}")
    entries, judges = district(args.entries, random.Random(20260304))
    figures: dict[str, list[tuple[float, float]]] = {"naive": [], "draw": [], "reassign": []}
    checks: dict[str, tuple[int, int, int, int]] = {}
    for round_ in range(args.rounds):
        seed = f"bench-{round_}"
        plan, wall, cpu = timed(partial(naive, entries, judges, k=args.k, seed=seed))
        figures["naive"].append((wall, cpu))
        checks["naive"] = (len(plan.pairs), *check(plan, entries, judges))
        plan, wall, cpu = timed(partial(draw, entries, judges, k=args.k, seed=seed))
        figures["draw"].append((wall, cpu))
        checks["draw"] = (len(plan.pairs), *check(plan, entries, judges))
        if draw(entries, judges, k=args.k, seed=seed) != plan:
            sys.exit("the same seed gave a different plan")
        run, loads, rest = drop_out(plan, entries, judges, seed + "-r")
        again, wall, cpu = timed(run)
        figures["reassign"].append((wall, cpu))
        checks["reassign"] = (len(again.pairs), *check(again, entries, rest, loads))
    print("| what | pairs | wall ms | CPU ms | conflicting pairs | entries short | "
          "widest load spread in a panel |")
    print("|---|---|---|---|---|---|---|")
    for what, runs in figures.items():
        pairs, bad, short, widest = checks[what]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| {what} | {pairs:,} | {wall:,.0f} | {cpu:,.0f} | {bad:,} | {short} | {widest} |")
    sizes = Counter(e.group_id for e in entries)
    print("\ngroups: " + ", ".join(f"{GROUPS[g][0]} {sizes[g]:,} entries / {len(judges[g])} "
                                   "judges" for g in GROUPS))
    print(f"medians of {args.rounds} rounds; load average at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"Python {host.python_version()}, {host.system()} {host.release()}")


if __name__ == "__main__":
    main()
