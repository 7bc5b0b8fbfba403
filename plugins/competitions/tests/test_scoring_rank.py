"""Ranking within a group: the tie-break chain, shared ranks, measured results."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from bangyaer_competitions.scoring.aggregate import Aggregate, JudgeScore, aggregate
from bangyaer_competitions.scoring.rank import Ranked, rank_group, rank_measured


def js(judge: int, idea: int, skill: int) -> JudgeScore:
    return JudgeScore(judge, idea + skill, {"idea": idea, "skill": skill})


# Entries 1–4 all average 85 but differ in skill and in the median of their totals.
SCORES = {
    1: [js(1, 35, 40), js(2, 45, 45), js(3, 45, 45)],   # totals 75 90 90, skill 130/3
    2: [js(1, 40, 45), js(2, 40, 45), js(3, 40, 45)],   # totals 85 85 85, skill 45
    3: [js(1, 35, 45), js(2, 35, 45), js(3, 50, 45)],   # totals 80 80 95, skill 45
    4: [js(1, 40, 45), js(2, 40, 45), js(3, 40, 45)],   # the same as entry 2
    5: [js(1, 50, 50), js(2, 50, 45), js(3, 45, 45)],   # mean 95: first on score alone
}


def ranks(ranked: list[Ranked]) -> list[tuple[int, int]]:
    return [(r.entry_id, r.rank) for r in ranked]


def aggs() -> list[Aggregate]:
    return list(aggregate(SCORES, method="mean").values())


def test_without_a_tie_break_equal_scores_share_a_rank() -> None:
    assert ranks(rank_group(aggs(), SCORES, tie_break=[])) == [
        (5, 1), (1, 2), (2, 2), (3, 2), (4, 2)]


def test_a_key_criterion_breaks_the_tie_then_the_rest_share() -> None:
    ranked = rank_group(aggs(), SCORES, tie_break=["criterion:skill"])

    assert ranks(ranked) == [(5, 1), (2, 2), (3, 2), (4, 2), (1, 5)]
    assert ranked[-1].keys == {"criterion:skill": "130/3"}


def test_the_median_comes_next_in_the_chain() -> None:
    ranked = rank_group(aggs(), SCORES, tie_break=["criterion:skill", "median"])

    # Among the skill tie 2 and 4 have median 85 and 3 has 80; 2 and 4 stay tied.
    assert ranks(ranked) == [(5, 1), (2, 2), (4, 2), (3, 4), (1, 5)]
    assert ranked[3].keys == {"criterion:skill": "45", "median": "80"}
    ranked = rank_group(aggs(), SCORES, tie_break=["median"])
    assert ranks(ranked) == [(5, 1), (1, 2), (2, 3), (4, 3), (3, 5)]
    assert ranked[1].keys == {"median": "90"}
    json.dumps([r.keys for r in ranked])


def test_the_order_of_the_input_never_decides() -> None:
    forward = rank_group(aggs(), SCORES, tie_break=["criterion:skill"])
    backward = rank_group(list(reversed(aggs())), SCORES, tie_break=["criterion:skill"])

    assert forward == backward


def test_entries_without_a_score_come_last_and_share_a_rank() -> None:
    scores = {**SCORES, 8: [], 9: []}
    ranked = rank_group(list(aggregate(scores, method="mean").values()), scores,
                        tie_break=["median"])

    assert ranks(ranked)[-2:] == [(8, 6), (9, 6)]
    assert ranked[-1].score is None
    assert ranked[-1].keys == {"median": None}


def test_a_criterion_no_judge_gave_ranks_below_one_that_was_given() -> None:
    scores = {1: [JudgeScore(1, 80, {})], 2: [JudgeScore(1, 80, {"skill": 0})]}
    ranked = rank_group(list(aggregate(scores, method="mean").values()), scores,
                        tie_break=["criterion:skill"])

    assert ranks(ranked) == [(2, 1), (1, 2)]


def test_zscore_floats_rank_like_fractions() -> None:
    scores = {1: [JudgeScore(1, 90, {})], 2: [JudgeScore(1, 100, {})],
              3: [JudgeScore(2, 60, {})], 4: [JudgeScore(2, 70, {})]}
    ranked = rank_group(list(aggregate(scores, method="zscore").values()), scores,
                        tie_break=[])

    assert ranks(ranked) == [(2, 1), (4, 1), (1, 3), (3, 3)]


@pytest.mark.parametrize("item", ["skill", "criterion:", "mean", ""])
def test_an_unknown_tie_break_is_refused(item: str) -> None:
    with pytest.raises(ValueError, match="tie-break items are 'median' or 'criterion:<key>'"):
        rank_group(aggs(), SCORES, tie_break=[item])


TIMES = {1: Decimal("12.30"), 2: Decimal("11.95"), 3: Decimal("12.3"), 4: Decimal("13.01")}


def test_times_rank_lowest_first_and_equal_values_share() -> None:
    ranked = rank_measured(TIMES, lower_is_better=True)

    assert ranks(ranked) == [(2, 1), (1, 2), (3, 2), (4, 4)]
    assert ranked[1].score == Fraction("12.3")
    assert ranked[1].keys == {"value": "12.30", "lower_is_better": True}


def test_distances_rank_highest_first() -> None:
    assert ranks(rank_measured(TIMES, lower_is_better=False)) == [
        (4, 1), (1, 2), (3, 2), (2, 4)]


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_a_measurement_that_is_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="entry 1: a measurement must be a finite number"):
        rank_measured({1: Decimal(value)}, lower_is_better=True)
