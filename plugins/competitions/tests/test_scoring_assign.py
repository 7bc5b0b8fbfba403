"""The draw of judges: conflicts, k distinct judges, load spread, replay, reassignment."""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Mapping, Sequence

import pytest
from bangyaer_competitions.scoring.assign import (
    EntrySlot,
    JudgeProfile,
    Plan,
    check_pair,
    conflicts,
    draw,
    new_seed,
    reassign,
)
from hypothesis import given, settings
from hypothesis import strategies as st

District = tuple[list[EntrySlot], dict[int, list[JudgeProfile]]]


def judge(account_id: int, schools: Collection[int] = (), classes: Collection[int] = (),
          children: Collection[int] = ()) -> JudgeProfile:
    return JudgeProfile(account_id, frozenset(schools), frozenset(classes), frozenset(children))


def entry(entry_id: int, group_id: int = 1, school_id: int | None = 1,
          class_id: int | None = 10, student_id: int | None = None) -> EntrySlot:
    return EntrySlot(entry_id, group_id, school_id, class_id,
                     student_id if student_id is not None else 1000 + entry_id)


@st.composite
def districts(draw_: st.DrawFn, *, with_conflicts: bool = True) -> District:
    """A few schools with classes, groups with entrants, judges who teach and have children."""
    schools = draw_(st.integers(1, 8))
    groups = draw_(st.integers(1, 3))
    entries = []
    for entry_id in range(1, draw_(st.integers(0, 60)) + 1):
        school = draw_(st.integers(1, schools))
        entries.append(EntrySlot(entry_id, draw_(st.integers(1, groups)), school,
                                 school * 10 + draw_(st.integers(0, 2)), 5000 + entry_id))
    students = [e.student_id for e in entries] or [1]
    judges: dict[int, list[JudgeProfile]] = {}
    account = 0
    for group in range(1, groups + 1):
        panel = []
        for _ in range(draw_(st.integers(1, 10))):
            account += 1
            if with_conflicts:
                school_ids = draw_(st.sets(st.integers(1, schools), max_size=2))
                class_ids = draw_(st.sets(st.integers(10, schools * 10 + 2), max_size=2))
                child_ids = draw_(st.sets(st.sampled_from(students), max_size=2))
            else:
                # Working at a school and teaching a class no entrant comes from.
                school_ids, class_ids, child_ids = {900}, {9000}, {1}
            panel.append(judge(account, school_ids, class_ids, child_ids))
        judges[group] = panel
    return entries, judges


def judges_by_entry(plan: Plan) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for pair in plan.pairs:
        out[pair.entry_id].append(pair.judge_account_id)
    return out


def eligible(e: EntrySlot, judges: Mapping[int, Sequence[JudgeProfile]],
             seen: Collection[int] = ()) -> list[int]:
    return [j.account_id for j in judges.get(e.group_id, ())
            if check_pair(e, j, seen=seen) is None]


def assert_rules(entries: Sequence[EntrySlot], judges: Mapping[int, Sequence[JudgeProfile]],
                 plan: Plan, k: int, seen: Mapping[int, Collection[int]]) -> None:
    profiles = {j.account_id: (group, j) for group, panel in judges.items() for j in panel}
    given_ = judges_by_entry(plan)
    for e in entries:
        got = given_.get(e.entry_id, [])
        assert len(got) == len(set(got)), "an entry got the same judge twice"
        for account in got:
            group, profile = profiles[account]
            assert group == e.group_id
            assert check_pair(e, profile, seen=seen.get(e.entry_id, ())) is None
        can = len(eligible(e, judges, seen.get(e.entry_id, ())))
        assert len(got) == min(k, can)
        assert plan.unfilled.get(e.entry_id, 0) == k - len(got)
    assert set(given_) <= {e.entry_id for e in entries}


def assert_balanced(entries: Sequence[EntrySlot], judges: Mapping[int, Sequence[JudgeProfile]],
                    plan: Plan, seen: Mapping[int, Collection[int]],
                    loads: Mapping[int, int]) -> None:
    """No new pair can move, along any chain, from a judge to one two or more below them."""
    by_id = {e.entry_id: e for e in entries}
    total = Counter(loads)
    total.update(p.judge_account_id for p in plan.pairs)
    given_ = judges_by_entry(plan)
    for panel in judges.values():
        ids = [j.account_id for j in panel]
        profile = {j.account_id: j for j in panel}
        edges: dict[int, set[int]] = {a: set() for a in ids}
        for entry_id, got in given_.items():
            e = by_id[entry_id]
            takers = {b for b in ids if b not in got and check_pair(
                e, profile[b], seen=seen.get(entry_id, ())) is None}
            for a in got:
                if a in edges:
                    edges[a] |= takers
        for start in ids:
            reach, queue = {start}, deque([start])
            while queue:
                for nxt in edges[queue.popleft()] - reach:
                    reach.add(nxt)
                    queue.append(nxt)
            assert all(total[start] - total[b] < 2 for b in reach), (start, total)


def spread(plan: Plan, panel: Sequence[JudgeProfile], loads: Mapping[int, int] = {}) -> int:
    total = Counter(loads)
    total.update(p.judge_account_id for p in plan.pairs)
    values = [total[j.account_id] for j in panel]
    return max(values) - min(values)


@settings(max_examples=300, deadline=None)
@given(districts(), st.integers(1, 4), st.text(min_size=1, max_size=12))
def test_every_pair_keeps_the_rules_and_the_plan_is_as_even_as_conflicts_allow(
        district: District, k: int, seed: str) -> None:
    entries, judges = district
    plan = draw(entries, judges, k=k, seed=seed)

    assert_rules(entries, judges, plan, k, {})
    assert_balanced(entries, judges, plan, {}, {})
    assert plan.seed == seed


@settings(max_examples=300, deadline=None)
@given(districts(with_conflicts=False), st.integers(1, 4), st.text(min_size=1, max_size=12))
def test_without_conflicts_loads_within_a_panel_differ_by_at_most_one(
        district: District, k: int, seed: str) -> None:
    entries, judges = district
    plan = draw(entries, judges, k=k, seed=seed)

    assert not plan.unfilled or all(len(judges[e.group_id]) < k for e in entries
                                    if e.entry_id in plan.unfilled)
    for panel in judges.values():
        assert spread(plan, panel) <= 1


@settings(max_examples=200, deadline=None)
@given(districts(), st.integers(1, 3), st.text(max_size=8), st.randoms(use_true_random=False))
def test_the_same_seed_replays_the_same_plan_whatever_the_input_order(
        district: District, k: int, seed: str, rnd: random.Random) -> None:
    entries, judges = district
    shuffled_entries = list(entries)
    rnd.shuffle(shuffled_entries)
    shuffled_judges = {g: rnd.sample(panel, len(panel)) for g, panel in reversed(judges.items())}

    assert draw(entries, judges, k=k, seed=seed) == draw(shuffled_entries, shuffled_judges,
                                                         k=k, seed=seed)


def test_different_seeds_give_different_plans() -> None:
    entries = [entry(i, school_id=i % 5, class_id=i % 15) for i in range(1, 41)]
    judges = {1: [judge(a, schools=[a % 5]) for a in range(1, 9)]}

    plans = [tuple(draw(entries, judges, k=3, seed=s).pairs) for s in ("a", "b", "c", "d")]

    assert len(set(plans)) == 4


def test_a_realistic_district_is_perfectly_balanced_without_a_conflict() -> None:
    # 120 schools, 2,000 entries in two groups, 25 judges a group working at one school
    # each, a few of them guardians of an entrant: spread ≤ 1 is possible, so it must hold.
    rnd = random.Random(7)
    entries = [EntrySlot(i, 1 + i % 2, rnd.randrange(120), None, i) for i in range(2000)]
    judges = {g: [judge(g * 100 + a, schools=[rnd.randrange(120)],
                        children=[rnd.randrange(2000)] if a % 5 == 0 else [])
                  for a in range(25)] for g in (1, 2)}

    plan = draw(entries, judges, k=3, seed=new_seed())

    assert_rules(entries, judges, plan, 3, {})
    assert not plan.unfilled
    assert all(spread(plan, panel) <= 1 for panel in judges.values())


def test_current_loads_are_balanced_against() -> None:
    judges = {1: [judge(a, schools=[99]) for a in (1, 2, 3)]}
    entries = [entry(i) for i in range(1, 5)]

    plan = draw(entries, judges, k=1, seed="s", loads={1: 3, 2: 1, 3: 0})

    new = Counter(p.judge_account_id for p in plan.pairs)
    assert new[1] == 0
    assert spread(plan, judges[1], loads={1: 3, 2: 1, 3: 0}) == 1


def test_an_entry_short_of_eligible_judges_is_reported_not_left_silently_short() -> None:
    judges = {1: [judge(1, schools=[1]), judge(2), judge(3, children=[1002])],
              2: [judge(4)]}
    entries = [entry(1, school_id=1), entry(2, school_id=1), entry(3, group_id=3)]

    plan = draw(entries, judges, k=3, seed="x")

    assert plan.unfilled == {1: 1, 2: 2, 3: 3}
    assert sorted(judges_by_entry(plan)[1]) == [2, 3]
    assert judges_by_entry(plan)[2] == [2]
    assert 3 not in judges_by_entry(plan)


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        draw([entry(1)], {1: [judge(1)]}, k=0, seed="s")


def test_an_entry_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="an entry may appear only once in a draw"):
        draw([entry(1), entry(1, group_id=2)], {1: [judge(1)]}, k=1, seed="s")


def test_seen_judges_are_never_drawn() -> None:
    judges = {1: [judge(a, schools=[99]) for a in range(1, 5)]}
    plan = draw([entry(1)], judges, k=2, seed="s", seen={1: {1, 2}})

    assert sorted(judges_by_entry(plan)[1]) == [3, 4]


@settings(max_examples=200, deadline=None)
@given(districts(), st.integers(1, 3), st.text(max_size=8), st.data())
def test_reassignment_after_a_drop_out_keeps_every_rule(
        district: District, k: int, seed: str, data: st.DataObject) -> None:
    entries, judges = district
    plan = draw(entries, judges, k=k, seed=seed)
    if not plan.pairs:
        return
    dropped = data.draw(st.sampled_from(sorted({p.judge_account_id for p in plan.pairs})))
    held = [p.entry_id for p in plan.pairs if p.judge_account_id == dropped]
    scored = set(data.draw(st.lists(st.sampled_from(held), unique=True)))
    open_entries = [e for e in entries if e.entry_id in set(held) - scored]
    seen = {e: set(js) for e, js in judges_by_entry(plan).items()}
    loads = Counter(p.judge_account_id for p in plan.pairs)
    del loads[dropped]

    again = reassign(dropped, open_entries, judges, seed=seed + "r", seen=seen, loads=loads)

    assert all(p.judge_account_id != dropped for p in again.pairs)
    assert_rules(open_entries, judges, again, 1, seen)
    assert_balanced(open_entries, {g: [j for j in p if j.account_id != dropped]
                                   for g, p in judges.items()}, again, seen, loads)
    assert {p.entry_id for p in again.pairs} | set(again.unfilled) == {
        e.entry_id for e in open_entries}


def test_reassignment_keeps_the_dropped_judge_out_even_when_seen_forgets_them() -> None:
    judges = {1: [judge(1), judge(2), judge(3)]}
    plan = reassign(1, [entry(1, school_id=None, class_id=None)], judges, seed="s",
                    seen={}, loads={2: 5, 3: 0})

    assert [(p.entry_id, p.judge_account_id) for p in plan.pairs] == [(1, 3)]


@pytest.mark.parametrize(("profile", "reason"), [
    pytest.param(judge(9, schools=[1]), "own_school", id="works-at-the-school"),
    pytest.param(judge(9, classes=[10]), "own_class", id="teaches-the-class"),
    pytest.param(judge(9, children=[1001]), "own_child", id="guardian-of-the-child"),
    pytest.param(judge(9, schools=[1], classes=[10], children=[1001]), "own_child",
                 id="child-named-first"),
    pytest.param(judge(9, schools=[1], classes=[10]), "own_class", id="class-before-school"),
    pytest.param(judge(8), "already_seen", id="had-the-entry-before"),
    pytest.param(judge(9, schools=[2], classes=[20], children=[1002]), None, id="no-conflict"),
])
def test_check_pair_names_the_reason(profile: JudgeProfile, reason: str | None) -> None:
    assert check_pair(entry(1), profile, seen={8}) == reason


def test_an_entry_without_school_or_class_conflicts_only_with_a_guardian() -> None:
    bare = entry(1, school_id=None, class_id=None)

    assert conflicts(judge(1, schools=[1], classes=[10]), bare) is None
    assert conflicts(judge(1, children=[1001]), bare) == "own_child"


def test_new_seeds_are_fresh_and_printable() -> None:
    seeds = {new_seed() for _ in range(20)}

    assert len(seeds) == 20
    assert all(len(s) == 32 and int(s, 16) >= 0 for s in seeds)


def test_a_judge_of_two_groups_carries_one_load_across_them() -> None:
    shared = judge(1)
    judges = {1: [shared, judge(2)], 2: [shared, judge(3)]}
    entries = [entry(i, group_id=1 + i % 2, school_id=None, class_id=None) for i in range(8)]

    plan = draw(entries, judges, k=1, seed="s")

    # Group 1 first: 2 each; in group 2 judge 1 already has 2, so judge 3 takes 3 of 4.
    assert Counter(p.judge_account_id for p in plan.pairs) == {1: 3, 2: 2, 3: 3}
