"""Aggregation of judges' totals: mean, trimmed mean, per-judge z-score, disagreement."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from bangyaer_competitions.scoring.aggregate import JudgeScore, aggregate, median


def marks(*totals: int, first_judge: int = 1) -> list[JudgeScore]:
    return [JudgeScore(first_judge + i, t, {"idea": t // 2, "skill": t - t // 2})
            for i, t in enumerate(totals)]


def test_mean_is_the_exact_fraction_of_the_totals() -> None:
    agg = aggregate({7: marks(80, 85, 91)}, method="mean")[7]

    assert agg.score == Fraction(256, 3)
    assert agg.details == {"method": "mean", "totals": {"1": 80, "2": 85, "3": 91},
                           "dropped": [], "median": "85", "spread": 11, "score": "256/3"}
    json.dumps(agg.details)


def test_trimmed_mean_below_the_minimum_number_of_scores_is_the_plain_mean() -> None:
    agg = aggregate({1: marks(70, 80, 90, 100)}, method="trimmed_mean", trim_min_scores=5)[1]

    assert agg.score == 85
    assert agg.details["dropped"] == []


def test_trimmed_mean_at_the_minimum_drops_the_highest_and_the_lowest() -> None:
    agg = aggregate({1: marks(100, 60, 85, 80, 90)}, method="trimmed_mean",
                    trim_min_scores=5)[1]

    assert agg.score == 85  # (80 + 85 + 90) / 3
    assert agg.details["dropped"] == [100, 60]


def test_trimmed_mean_drops_only_one_of_equal_extremes() -> None:
    agg = aggregate({1: marks(80, 80, 80, 90, 90)}, method="trimmed_mean",
                    trim_min_scores=5)[1]

    assert agg.score == Fraction(250, 3)  # 80 + 80 + 90 are kept


def test_trimmed_mean_with_three_scores_and_a_minimum_of_three_keeps_the_middle() -> None:
    agg = aggregate({1: marks(95, 70, 80)}, method="trimmed_mean", trim_min_scores=3)[1]

    assert agg.score == 80


def test_a_minimum_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="trim_min_scores must be at least 3, got 2"):
        aggregate({}, method="trimmed_mean", trim_min_scores=2)


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of mean, trimmed_mean, zscore"):
        aggregate({}, method="sum")


def lenient_and_harsh() -> dict[int, list[JudgeScore]]:
    # Judge 1 is lenient (90, 100), judge 2 harsh (60, 70): the same judgement, shifted.
    return {1: [JudgeScore(1, 90, {})], 2: [JudgeScore(1, 100, {})],
            3: [JudgeScore(2, 60, {})], 4: [JudgeScore(2, 70, {})]}


def test_zscore_puts_a_lenient_and_a_harsh_judge_on_one_scale() -> None:
    aggs = aggregate(lenient_and_harsh(), method="zscore")

    # Each judge: mean ± 5, so z = ±1. All totals: mean 80, population sd √250.
    top, bottom = 80 + math.sqrt(250), 80 - math.sqrt(250)
    assert aggs[2].score == aggs[4].score == pytest.approx(top, abs=1e-9)
    assert aggs[1].score == aggs[3].score == pytest.approx(bottom, abs=1e-9)
    assert aggs[3].details["z"] == [-1.0]
    assert "score" not in aggs[3].details


def test_plain_mean_of_the_same_scores_rewards_the_lenient_judge() -> None:
    aggs = aggregate(lenient_and_harsh(), method="mean")

    assert aggs[1].score == 90
    assert aggs[4].score == 70


def test_zscore_averages_the_judges_of_an_entry() -> None:
    scores = {1: [JudgeScore(1, 90, {}), JudgeScore(2, 70, {})],
              2: [JudgeScore(1, 100, {}), JudgeScore(2, 60, {})]}

    aggs = aggregate(scores, method="zscore")

    # Judge 1: z = -1 and +1; judge 2: +1 and -1; both entries average 0 → the overall mean.
    assert aggs[1].score == aggs[2].score == 80


def test_zscore_counts_a_judge_with_one_score_or_equal_totals_as_average() -> None:
    scores = {1: [JudgeScore(1, 50, {})], 2: [JudgeScore(2, 75, {})],
              3: [JudgeScore(2, 75, {})], 4: [JudgeScore(3, 60, {})],
              5: [JudgeScore(3, 100, {})]}

    aggs = aggregate(scores, method="zscore")

    mean = (50 + 75 + 75 + 60 + 100) / 5
    assert aggs[1].details["z"] == [0.0]
    assert aggs[2].details["z"] == [0.0]
    assert aggs[1].score == aggs[2].score == aggs[3].score == pytest.approx(mean)
    assert aggs[5].score > aggs[2].score > aggs[4].score


@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "zscore"])
def test_an_entry_without_scores_has_no_score(method: str) -> None:
    agg = aggregate({1: [], 2: marks(80)}, method=method)[1]

    assert agg.score is None
    assert agg.flagged is False


@pytest.mark.parametrize(("totals", "flagged"), [
    pytest.param((60, 85, 70), True, id="spread-25"),
    pytest.param((60, 80, 70), False, id="spread-20-is-not-beyond"),
    pytest.param((88,), False, id="one-score"),
])
@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "zscore"])
def test_judges_disagreeing_beyond_the_threshold_are_flagged(
        totals: tuple[int, ...], flagged: bool, method: str) -> None:
    agg = aggregate({1: marks(*totals), 2: marks(50, 55, 60)}, method=method,
                    disagreement_threshold=20)[1]

    assert agg.flagged is flagged


def test_median_of_an_even_count_is_exact() -> None:
    assert median([84, 85, 90, 70]) == Fraction(169, 2)
    assert aggregate({1: marks(84, 85)}, method="mean")[1].details["median"] == "169/2"
