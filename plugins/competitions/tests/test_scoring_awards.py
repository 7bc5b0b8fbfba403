"""Awards by quota and by threshold: rounding, ties at a cut line, rule checking."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from bangyaer_competitions.scoring.awards import (
    AwardRule,
    describe_rule,
    give_awards,
    quota_lines,
)
from bangyaer_competitions.scoring.rank import Ranked, rank_measured


def field(*scores: int | None) -> list[Ranked]:
    """Ranked entries 1, 2, … with these scores, ranks shared as rank_group shares them."""
    out, position = [], 0
    ordered = sorted(enumerate(scores, start=1),
                     key=lambda p: (p[1] is None, -(p[1] or 0)))
    previous: Any = object()
    for i, (entry_id, score) in enumerate(ordered, start=1):
        if score != previous:
            position, previous = i, score
        out.append(Ranked(entry_id, position, None if score is None else Fraction(score), {}))
    return out


def quota(*levels: tuple[str, dict[str, int]], rounding: str = "floor",
          cut_ties: str = "include") -> AwardRule:
    return AwardRule.from_json({"mode": "quota", "rounding": rounding, "cut_ties": cut_ties,
                                "levels": [{"name": n, **v} for n, v in levels]})


PERCENTS = (("一等奖", {"percent": 10}), ("二等奖", {"percent": 20}), ("三等奖", {"percent": 30}))


@pytest.mark.parametrize(("entrants", "rounding", "lines"), [
    # 7 entrants: 0.7, 1.4 and 2.1 places.
    pytest.param(7, "floor", [0, 1, 3], id="7-floor"),
    pytest.param(7, "ceil", [1, 3, 6], id="7-ceil"),
    pytest.param(7, "half_up", [1, 2, 4], id="7-half_up"),
    # 5 entrants: 0.5, 1 and 1.5 places: halves go up only with half_up.
    pytest.param(5, "floor", [0, 1, 2], id="5-floor"),
    pytest.param(5, "ceil", [1, 2, 4], id="5-ceil"),
    pytest.param(5, "half_up", [1, 2, 4], id="5-half_up"),
    pytest.param(1, "floor", [0, 0, 0], id="1-floor"),
    pytest.param(1, "ceil", [1, 1, 1], id="1-ceil-never-beyond-the-entrants"),
    pytest.param(0, "ceil", [0, 0, 0], id="empty-group"),
    pytest.param(20, "floor", [2, 6, 12], id="20-exact"),
])
def test_percent_places_are_rounded_by_the_stated_rule(entrants: int, rounding: str,
                                                        lines: list[int]) -> None:
    rule = quota(*PERCENTS, rounding=rounding)

    assert [line for _, line in quota_lines(rule, entrants)] == lines
    awards = give_awards(field(*range(100, 100 - entrants, -1)), rule)
    assert sum(1 for a in awards.values() if a == "一等奖") == lines[0]
    assert sum(1 for a in awards.values() if a is not None) == lines[-1]


def test_counts_are_places_and_stop_at_the_number_of_entrants() -> None:
    rule = quota(("一等奖", {"count": 1}), ("二等奖", {"count": 5}), ("优胜奖", {"percent": 50}))

    assert quota_lines(rule, 4) == [("一等奖", 1), ("二等奖", 4), ("优胜奖", 4)]
    assert list(give_awards(field(90, 80, 70, 60), rule).values()) == [
        "一等奖", "二等奖", "二等奖", "二等奖"]


# Ranks 1, 2, 2, 4, 5, 6, 6, 6, 9, 10: a tie on positions 2–3 and one on 6–8.
TIES = (99, 90, 90, 85, 80, 70, 70, 70, 60, 50)
COUNTS = (("一等奖", {"count": 2}), ("二等奖", {"count": 3}), ("三等奖", {"count": 2}))


def test_a_tie_across_a_line_all_get_the_higher_award_with_include() -> None:
    awards = give_awards(field(*TIES), quota(*COUNTS, cut_ties="include"))

    assert awards == {1: "一等奖", 2: "一等奖", 3: "一等奖", 4: "二等奖", 5: "二等奖",
                      6: "三等奖", 7: "三等奖", 8: "三等奖", 9: None, 10: None}


def test_a_tie_across_a_line_all_drop_to_the_next_level_with_exclude() -> None:
    awards = give_awards(field(*TIES), quota(*COUNTS, cut_ties="exclude"))

    # Below the last level's line, dropping means no award.
    assert awards == {1: "一等奖", 2: "二等奖", 3: "二等奖", 4: "二等奖", 5: "二等奖",
                      6: None, 7: None, 8: None, 9: None, 10: None}


@pytest.mark.parametrize("cut_ties", ["include", "exclude"])
def test_a_tie_inside_a_level_is_not_moved(cut_ties: str) -> None:
    awards = give_awards(field(99, 90, 90, 80), quota(("一等奖", {"count": 3}),
                                                      cut_ties=cut_ties))

    assert awards == {1: "一等奖", 2: "一等奖", 3: "一等奖", 4: None}


@pytest.mark.parametrize("cut_ties", ["include", "exclude"])
def test_the_order_of_the_table_never_decides_a_tie(cut_ties: str) -> None:
    ranked = field(*TIES)
    rule = quota(*COUNTS, cut_ties=cut_ties)
    shuffled = list(ranked)
    random.Random(3).shuffle(shuffled)

    assert give_awards(shuffled, rule) == give_awards(ranked, rule)


def test_entries_without_a_score_get_nothing_and_do_not_count() -> None:
    awards = give_awards(field(90, None, 80, None), quota(("一等奖", {"percent": 50})))

    assert awards == {1: "一等奖", 2: None, 3: None, 4: None}


THRESHOLDS = {"mode": "threshold", "levels": [{"name": "一等奖", "min_score": 90},
                                              {"name": "二等奖", "min_score": "80.5"},
                                              {"name": "优胜奖", "min_score": 60.25}]}


def test_thresholds_give_the_highest_level_reached() -> None:
    rule = AwardRule.from_json(THRESHOLDS)
    ranked = [Ranked(1, 1, Fraction(90), {}), Ranked(2, 2, Fraction(8999, 100), {}),
              Ranked(3, 3, 80.5, {}), Ranked(4, 4, Fraction(6024, 100), {}),
              Ranked(5, 5, None, {})]

    assert give_awards(ranked, rule) == {1: "一等奖", 2: "二等奖", 3: "二等奖", 4: None,
                                         5: None}


def test_thresholds_on_times_are_upper_limits() -> None:
    rule = AwardRule.from_json({"mode": "threshold", "levels": [
        {"name": "一等奖", "min_score": "12"}, {"name": "二等奖", "min_score": "13.5"}]})
    ranked = rank_measured({1: Decimal("11.9"), 2: Decimal("12.00"), 3: Decimal("13.5"),
                            4: Decimal("13.6")}, lower_is_better=True)

    assert rule.levels[1].min_score == Fraction(27, 2)
    assert give_awards(ranked, rule) == {1: "一等奖", 2: "一等奖", 3: "二等奖", 4: None}


def test_thresholds_in_the_wrong_direction_for_the_ranking_are_refused() -> None:
    rising = AwardRule.from_json({"mode": "threshold", "levels": [
        {"name": "一等奖", "min_score": 80}, {"name": "二等奖", "min_score": 85}]})
    falling = AwardRule.from_json(THRESHOLDS)

    with pytest.raises(ValueError) as caught:
        give_awards([Ranked(1, 1, Fraction(90), {})], rising)
    assert str(caught.value) == "分数线须从一等奖起逐级降低"
    with pytest.raises(ValueError) as caught:
        give_awards(rank_measured({1: Decimal("12")}, lower_is_better=True), falling)
    assert str(caught.value) == "计时类成绩的分数线须从一等奖起逐级放宽（数值逐级增大）"


def test_a_rule_survives_its_json() -> None:
    rule = AwardRule.from_json(THRESHOLDS)
    assert AwardRule.from_json(rule.to_json()) == rule
    assert rule.to_json()["levels"][1]["min_score"] == "80.5"
    counted = quota(*COUNTS, rounding="half_up", cut_ties="exclude")
    assert AwardRule.from_json(counted.to_json()) == counted


def test_defaults_are_floor_and_include() -> None:
    rule = AwardRule.from_json({"mode": "quota", "levels": [{"name": "一等奖", "percent": 5}]})

    assert (rule.rounding, rule.cut_ties) == ("floor", "include")


@pytest.mark.parametrize(("data", "message"), [
    pytest.param([], "评奖规则格式有误", id="not-an-object"),
    pytest.param({"mode": "quota", "levels": [], "extra": 1},
                 "评奖规则含有无法识别的设置：extra", id="unknown-key"),
    pytest.param({"mode": "lottery", "levels": []},
                 "评奖方式应为 quota（按比例或名额）或 threshold（按分数线）", id="mode"),
    pytest.param({"mode": "quota", "levels": [], "rounding": "round"},
                 "名额取整方式应为 floor（向下取整）、ceil（向上取整）或 half_up（四舍五入）",
                 id="rounding"),
    pytest.param({"mode": "quota", "levels": [], "cut_ties": "first"},
                 "名额线上并列的处理应为 include（都获较高奖项）或 exclude（都降一等）",
                 id="cut-ties"),
    pytest.param({"mode": "quota", "levels": []}, "至少需要设置一个奖项", id="no-levels"),
    pytest.param({"mode": "quota", "levels": ["一等奖"]}, "第 1 个奖项格式有误",
                 id="level-not-an-object"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 5, "x": 1}]},
                 "第 1 个奖项含有无法识别的设置：x", id="level-unknown-key"),
    pytest.param({"mode": "quota", "levels": [{"name": "特等奖", "percent": 5}]},
                 "第 1 个奖项的名称应为 一等奖、二等奖、三等奖、优胜奖 之一", id="level-name"),
    pytest.param({"mode": "quota", "levels": [{"name": "二等奖", "percent": 5},
                                              {"name": "一等奖", "percent": 5}]},
                 "奖项须按 一等奖、二等奖、三等奖、优胜奖 的顺序排列，且不能重复", id="order"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 5},
                                              {"name": "一等奖", "count": 5}]},
                 "奖项须按 一等奖、二等奖、三等奖、优胜奖 的顺序排列，且不能重复",
                 id="duplicate"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖"}]},
                 "一等奖 须设置比例或名额中的一项", id="neither"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 5, "count": 2}]},
                 "一等奖 须设置比例或名额中的一项", id="both"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 101}]},
                 "一等奖 的比例应为 0 到 100 之间的整数", id="percent-over-100"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 12.5}]},
                 "一等奖 的比例应为 0 到 100 之间的整数", id="percent-not-whole"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": True}]},
                 "一等奖 的比例应为 0 到 100 之间的整数", id="percent-bool"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "count": -1}]},
                 "一等奖 的名额应为不小于 0 的整数", id="count-negative"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "percent": 60},
                                              {"name": "二等奖", "percent": 41}]},
                 "各奖项比例之和不能超过 100%", id="percents-over-100"),
    pytest.param({"mode": "quota", "levels": [{"name": "一等奖", "count": 3, "min_score": 90}]},
                 "按名额评奖时，一等奖 不设分数线", id="quota-with-threshold"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖", "percent": 10}]},
                 "按分数线评奖时，一等奖 不设比例或名额", id="threshold-with-percent"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖"}]},
                 "一等奖 的分数线应为不小于 0 的数，如 85 或 85.5", id="threshold-missing"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖", "min_score": "九十"}]},
                 "一等奖 的分数线应为不小于 0 的数，如 85 或 85.5", id="threshold-text"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖", "min_score": -1}]},
                 "一等奖 的分数线应为不小于 0 的数，如 85 或 85.5", id="threshold-negative"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖",
                                                   "min_score": float("nan")}]},
                 "一等奖 的分数线应为不小于 0 的数，如 85 或 85.5", id="threshold-nan"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖", "min_score": 80},
                                                  {"name": "二等奖", "min_score": 80}]},
                 "分数线须逐级不同，并从一等奖起依次降低（计时类成绩依次放宽）",
                 id="thresholds-equal"),
    pytest.param({"mode": "threshold", "levels": [{"name": "一等奖", "min_score": 90},
                                                  {"name": "二等奖", "min_score": 80},
                                                  {"name": "三等奖", "min_score": 85}]},
                 "分数线须逐级不同，并从一等奖起依次降低（计时类成绩依次放宽）",
                 id="thresholds-zigzag"),
])
def test_a_bad_rule_is_refused_with_a_message_for_staff(data: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        AwardRule.from_json(data)

    assert str(caught.value) == message


def test_describe_rule_states_rounding_and_ties() -> None:
    text = describe_rule(quota(("一等奖", {"percent": 10}), ("二等奖", {"count": 5}),
                               rounding="half_up", cut_ties="exclude"))

    assert text == ("按名额评奖：一等奖 10%、二等奖 5 名；比例按各组别有成绩的人数计算，"
                    "名额四舍五入。名次并列跨越名额线时，并列者都降一等，最低奖项线上并列者不获奖。")
    assert "并列者都获较高奖项" in describe_rule(quota(*PERCENTS))
    assert "向下取整" in describe_rule(quota(*PERCENTS))
    assert describe_rule(AwardRule.from_json(THRESHOLDS)) == (
        "按分数线评奖：一等奖 90 分及以上、二等奖 80.5 分及以上、优胜奖 60.25 分及以上。")
