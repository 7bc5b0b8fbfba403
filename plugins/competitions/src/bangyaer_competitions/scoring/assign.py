"""Who judges what: a replayable draw of k judges per entry, conflicts kept out.

Guarantees, for the same entries, judges, k, seed, ``seen`` and ``loads``
(in any order: inputs are sorted by id before anything random happens):

- the same plan; another seed draws afresh, so once there is more than one
  way to draw the plans differ (all but certainly: the draw is random);
- every pair is free of conflicts (``own_school``, ``own_class``,
  ``own_child``) and never gives an entry to a judge in ``seen`` for it;
- each entry gets k distinct judges of its own group, or all the eligible
  ones there are, the shortfall reported in ``Plan.unfilled`` (never
  silently short);
- loads are balanced: the invited judges of a group form its panel (one
  panel per group, numbered 1), and within it every judge's load, counted
  from ``loads`` plus the new pairs, differs from every other's by at most
  one. When conflicts or ``seen`` make that impossible the plan is the most
  balanced one they allow: no new pair can be moved, directly or along a
  chain of other judges, from a judge to one whose load is two or more
  below theirs. Loads in ``loads`` are never moved, so after a re-draw the
  bound holds only as far as the new pairs can even it out.

A judge invited to several groups has one load across them (groups are
drawn in id order). The random parts come from ``random.Random`` seeded
with the recorded seed and the group id, which Python derives the same way
on every machine and version 3.2 onwards.
"""

from __future__ import annotations

import bisect
import random
import secrets
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["EntrySlot", "JudgeProfile", "Pair", "Plan", "check_pair", "conflicts", "draw",
           "new_seed", "reassign"]

# A conflict found first is the one reported: a child of the judge outranks
# a class they teach, which outranks the school they work at.
OWN_CHILD, OWN_CLASS, OWN_SCHOOL, ALREADY_SEEN = "own_child", "own_class", "own_school", \
    "already_seen"


@dataclass(frozen=True)
class EntrySlot:
    """What assignment needs to know of an entry."""

    entry_id: int
    group_id: int
    school_id: int | None
    class_id: int | None
    student_id: int


@dataclass(frozen=True)
class JudgeProfile:
    """A judge and what they must not judge."""

    account_id: int
    school_ids: frozenset[int]
    class_ids: frozenset[int]
    student_ids: frozenset[int]


@dataclass(frozen=True)
class Pair:
    entry_id: int
    judge_account_id: int
    panel: int


@dataclass(frozen=True)
class Plan:
    pairs: list[Pair]
    unfilled: dict[int, int]
    seed: str


def conflicts(judge: JudgeProfile, entry: EntrySlot) -> str | None:
    """The reason ``judge`` must not judge ``entry``, or None."""
    if entry.student_id in judge.student_ids:
        return OWN_CHILD
    if entry.class_id is not None and entry.class_id in judge.class_ids:
        return OWN_CLASS
    if entry.school_id is not None and entry.school_id in judge.school_ids:
        return OWN_SCHOOL
    return None


def check_pair(entry: EntrySlot, judge: JudgeProfile, *, seen: Collection[int]) -> str | None:
    """A manual change checked against the draw's rules: a reason code or None.

    ``seen`` holds the judges who have had the entry in any round, so the
    change cannot hand it back to one of them.
    """
    reason = conflicts(judge, entry)
    if reason is not None:
        return reason
    if judge.account_id in seen:
        return ALREADY_SEEN
    return None


def new_seed() -> str:
    """A fresh seed for a draw; the caller records it so the draw can be replayed."""
    return secrets.token_hex(16)


def draw(entries: Sequence[EntrySlot], judges: Mapping[int, Sequence[JudgeProfile]], *,
         k: int, seed: str, seen: Mapping[int, Collection[int]] | None = None,
         loads: Mapping[int, int] | None = None) -> Plan:
    """Give each entry k judges of its group; see the module docstring for what holds."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    seen = seen or {}
    load = dict(loads or {})
    by_group: dict[int, list[EntrySlot]] = {}
    for entry in entries:
        by_group.setdefault(entry.group_id, []).append(entry)
    if sum(map(len, by_group.values())) != len({e.entry_id for e in entries}):
        raise ValueError("an entry may appear only once in a draw")

    pairs: list[Pair] = []
    unfilled: dict[int, int] = {}
    for group_id in sorted(by_group):
        panel = sorted({j.account_id: j for j in judges.get(group_id, ())}.values(),
                       key=lambda j: j.account_id)
        group_entries = sorted(by_group[group_id], key=lambda e: e.entry_id)
        rng = random.Random(f"{seed}:{group_id}")
        chosen = _Panel(panel, load, rng).fill(group_entries, k, seen, unfilled)
        # Not yet: splitting a large group into several panels; one panel a group
        # keeps every judge within one entry of every other, which is the promise.
        for entry_id in sorted(chosen):
            pairs.extend(Pair(entry_id, judge, 1) for judge in sorted(chosen[entry_id]))
    return Plan(pairs=pairs, unfilled=unfilled, seed=seed)


def reassign(dropped: int, open_entries: Sequence[EntrySlot],
             judges: Mapping[int, Sequence[JudgeProfile]], *, seed: str,
             seen: Mapping[int, Collection[int]], loads: Mapping[int, int]) -> Plan:
    """The dropped judge's unscored entries, each to one other eligible judge.

    ``seen`` must list every judge who has had each entry (the other judges
    of the entry included); the dropped judge is kept out whether listed or
    not. Loads are balanced against ``loads`` as in :func:`draw` with k = 1.
    """
    others = {group: [j for j in panel if j.account_id != dropped]
              for group, panel in judges.items()}
    seen_too = {e.entry_id: {*seen.get(e.entry_id, ()), dropped} for e in open_entries}
    rest = {judge: n for judge, n in loads.items() if judge != dropped}
    return draw(open_entries, others, k=1, seed=seed, seen=seen_too, loads=rest)


class _Panel:
    """One group's judges while a draw fills them; loads are shared across groups."""

    def __init__(self, judges: list[JudgeProfile], load: dict[int, int],
                 rng: random.Random) -> None:
        self.ids = [j.account_id for j in judges]
        self.load = load
        self.rng = rng
        for judge in self.ids:
            load.setdefault(judge, 0)
        self.by_school = _index(judges, lambda j: j.school_ids)
        self.by_class = _index(judges, lambda j: j.class_ids)
        self.by_child = _index(judges, lambda j: j.student_ids)
        self.blocked: dict[int, set[int]] = {}
        self.chosen: dict[int, set[int]] = {}

    def fill(self, entries: list[EntrySlot], k: int, seen: Mapping[int, Collection[int]],
             unfilled: dict[int, int]) -> dict[int, set[int]]:
        for entry in entries:
            self.blocked[entry.entry_id] = self._blocked(entry, seen)
        # The most constrained entries go first, while every judge is still
        # free to take them; among equals the seed decides.
        order = [(-len(self.blocked[e.entry_id]), self.rng.random(), e.entry_id)
                 for e in entries]
        order.sort()
        queue = self._queue()
        for _, _, entry_id in order:
            got = self._take(queue, entry_id, k)
            self.chosen[entry_id] = got
            if len(got) < k:
                unfilled[entry_id] = k - len(got)
        self._even_out()
        return self.chosen

    def _blocked(self, entry: EntrySlot, seen: Mapping[int, Collection[int]]) -> set[int]:
        blocked = set(self.by_child.get(entry.student_id, ()))
        if entry.class_id is not None:
            blocked.update(self.by_class.get(entry.class_id, ()))
        if entry.school_id is not None:
            blocked.update(self.by_school.get(entry.school_id, ()))
        blocked.update(seen.get(entry.entry_id, ()))
        return blocked

    def _queue(self) -> list[int]:
        """The panel's judges, least loaded first, equals in a seeded order."""
        shuffled = list(self.ids)
        self.rng.shuffle(shuffled)
        return sorted(shuffled, key=self.load.__getitem__)

    def _take(self, queue: list[int], entry_id: int, k: int) -> set[int]:
        blocked = self.blocked[entry_id]
        got: list[int] = []
        for judge in queue:
            if judge not in blocked:
                got.append(judge)
                if len(got) == k:
                    break
        for judge in got:
            queue.remove(judge)
            self.load[judge] += 1
        for judge in got:
            # Back among the judges of its new load at a random place, so the
            # same judges do not keep meeting on entry after entry.
            keys = [self.load[j] for j in queue]
            low = bisect.bisect_left(keys, self.load[judge])
            high = bisect.bisect_right(keys, self.load[judge])
            queue.insert(self.rng.randint(low, high), judge)
        return set(got)

    def _even_out(self) -> None:
        """Move new pairs along chains from heavy to light judges until none can move."""
        if len(self.ids) < 2:
            return
        held: dict[int, set[int]] = {judge: set() for judge in self.ids}
        for entry_id, got in self.chosen.items():
            for judge in got:
                held[judge].add(entry_id)
        while True:
            lightest = min(self.load[j] for j in self.ids)
            moved = False
            for heavy in sorted(self.ids, key=lambda j: (-self.load[j], j)):
                if self.load[heavy] - lightest < 2:
                    break
                if self._shift_from(heavy, held):
                    moved = True
                    break
            if not moved:
                return

    def _shift_from(self, heavy: int, held: dict[int, set[int]]) -> bool:
        """Breadth-first search for a chain heavy → … → light and move along it."""
        target = self.load[heavy] - 2
        came_from: dict[int, tuple[int, int]] = {}
        frontier = deque([heavy])
        reached = {heavy}
        while frontier:
            judge = frontier.popleft()
            for entry_id in sorted(held[judge]):
                taken, blocked = self.chosen[entry_id], self.blocked[entry_id]
                for other in self.ids:
                    if other in reached or other in taken or other in blocked:
                        continue
                    reached.add(other)
                    came_from[other] = (judge, entry_id)
                    if self.load[other] <= target:
                        self._move_along(other, came_from, held)
                        return True
                    frontier.append(other)
        return False

    def _move_along(self, end: int, came_from: dict[int, tuple[int, int]],
                    held: dict[int, set[int]]) -> None:
        judge = end
        self.load[end] += 1
        while judge in came_from:
            giver, entry_id = came_from[judge]
            self.chosen[entry_id].discard(giver)
            self.chosen[entry_id].add(judge)
            held[giver].discard(entry_id)
            held[judge].add(entry_id)
            judge = giver
        self.load[judge] -= 1


def _index(judges: list[JudgeProfile],
           ids: Callable[[JudgeProfile], frozenset[int]]) -> dict[int, list[int]]:
    """Judges by each school, class or child id they must not judge."""
    index: dict[int, list[int]] = {}
    for judge in judges:
        for key in ids(judge):
            index.setdefault(key, []).append(judge.account_id)
    return index
