"""Draft results through the API: each aggregation method, tie-breaks, quota lines, thresholds."""

from __future__ import annotations

import pytest
from bangyaer_competitions.results.testing import (
    QUOTA,
    add_entries,
    add_judges,
    by_code,
    compute,
    judging_activity,
    score,
    set_rule,
)


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    return seeded


async def _scored(platform, district, seeded, marks: dict[str, list[int]]) -> dict[str, str]:
    """Entries named by letter in group 1, scored with ``marks``; letter → entry code."""
    codes = await add_entries(platform, district, seeded, 1, [f"学生{k}" for k in marks])
    named = dict(zip(marks, codes, strict=True))
    for letter, given in marks.items():
        await score(platform, seeded, named[letter], given)
    return named


def _summary(body, named):
    rows = by_code(body)
    return {letter: (rows[code]["rank"], rows[code]["award"]) for letter, code in named.items()}


async def test_the_mean_ranks_and_awards_by_quota(staff, platform, district, seeded):
    named = await _scored(platform, district, seeded,
                          {"A": [90, 80, 70], "B": [85, 85, 85], "C": [60, 70, 65]})
    await set_rule(staff, seeded, aggregation="mean")

    response = await compute(staff, seeded)

    assert response.status_code == 201, response.text
    assert _summary(response.json(), named) == {
        "A": (2, "二等奖"), "B": (1, "一等奖"), "C": (3, "三等奖")}
    assert by_code(response.json())[named["A"]]["score"] == 80.0
    assert response.json()["rule_text"].startswith("按名额评奖")


async def test_the_trimmed_mean_drops_the_extremes_and_flags_disagreement(
        staff, platform, district, seeded):
    named = await _scored(platform, district, seeded, {"A": [100, 50, 52], "B": [60, 60, 60]})
    await set_rule(staff, seeded, aggregation="trimmed_mean", trim_min_scores=3)

    body = (await compute(staff, seeded)).json()

    assert _summary(body, named) == {"A": (2, "二等奖"), "B": (1, "一等奖")}
    assert by_code(body)[named["A"]]["score"] == 52.0
    assert body["flagged"] == [named["A"]]


async def test_the_mean_of_the_same_scores_ranks_the_other_way(staff, platform, district,
                                                               seeded):
    named = await _scored(platform, district, seeded, {"A": [100, 50, 52], "B": [60, 60, 60]})
    await set_rule(staff, seeded, aggregation="mean")

    body = (await compute(staff, seeded)).json()

    assert _summary(body, named) == {"A": (1, "一等奖"), "B": (2, "二等奖")}


async def test_zscore_evens_out_a_harsh_and_a_lenient_judge(staff, platform, district, seeded):
    harsh, lenient = seeded.judges[0], seeded.judges[1]
    codes = await add_entries(platform, district, seeded, 1, ["甲", "乙", "丙", "丁"])
    for code, judge, total in zip(codes, [harsh, harsh, lenient, lenient], [60, 40, 95, 85],
                                  strict=True):
        await score(platform, seeded, code, [total], judges=[judge])
    await set_rule(staff, seeded, aggregation="zscore")

    rows = by_code((await compute(staff, seeded)).json())

    # Each judge's best entry is +1 sd, their weaker one −1 sd: harsh 60 equals lenient 95.
    assert [rows[c]["rank"] for c in codes] == [1, 3, 1, 3]
    assert [rows[c]["award"] for c in codes] == ["一等奖", "三等奖", "一等奖", "三等奖"]


@pytest.mark.parametrize(("cut_ties", "expected"), [
    pytest.param("include", {"A": (1, "一等奖"), "B": (2, "二等奖"), "C": (2, "二等奖"),
                             "D": (4, None)}, id="include"),
    pytest.param("exclude", {"A": (1, "一等奖"), "B": (2, "三等奖"), "C": (2, "三等奖"),
                             "D": (4, None)}, id="exclude"),
])
async def test_a_tie_across_a_quota_line_follows_the_cut_rule(staff, platform, district, seeded,
                                                              cut_ties, expected):
    named = await _scored(platform, district, seeded, {
        "A": [90, 90, 90], "B": [80, 80, 80], "C": [80, 80, 80], "D": [70, 70, 70]})
    await set_rule(staff, seeded, award_rule={**QUOTA, "cut_ties": cut_ties})

    body = (await compute(staff, seeded)).json()

    assert _summary(body, named) == expected


async def test_a_key_criterion_breaks_a_tie(staff, platform, district, seeded):
    named = await _scored(platform, district, seeded, {
        "B": [[20, 40, 20]] * 3, "C": [[30, 30, 20]] * 3})
    await set_rule(staff, seeded, tie_break=["criterion:skill", "median"])

    body = (await compute(staff, seeded)).json()

    assert _summary(body, named) == {"B": (1, "一等奖"), "C": (2, "二等奖")}


async def test_percent_quotas_round_as_the_rule_says(staff, platform, district, seeded):
    named = await _scored(platform, district, seeded,
                          {k: [90 - 5 * i] * 3 for i, k in enumerate("ABCDE")})
    rule = {"mode": "quota", "rounding": "ceil",
            "levels": [{"name": "一等奖", "percent": 30}, {"name": "二等奖", "percent": 30}]}
    settings = await set_rule(staff, seeded, award_rule=rule)

    body = (await compute(staff, seeded)).json()

    # 30% of 5 is 1.5: rounded up, two places each.
    assert [a for _, a in _summary(body, named).values()] == [
        "一等奖", "一等奖", "二等奖", "二等奖", None]
    assert "向上取整" in settings["award_rule_text"]


async def test_threshold_awards_follow_the_score_lines(staff, platform, district, seeded):
    named = await _scored(platform, district, seeded,
                          {"A": [90] * 3, "B": [80] * 3, "C": [61] * 3, "D": [55] * 3})
    rule = {"mode": "threshold", "levels": [
        {"name": "一等奖", "min_score": 85}, {"name": "二等奖", "min_score": 75},
        {"name": "三等奖", "min_score": "60.5"}]}
    await set_rule(staff, seeded, award_rule=rule)

    body = (await compute(staff, seeded)).json()

    assert [a for _, a in _summary(body, named).values()] == ["一等奖", "二等奖", "三等奖", None]
    assert body["rule_text"].startswith("按分数线评奖")


async def test_groups_are_ranked_apart(staff, platform, district, seeded):
    first = await add_entries(platform, district, seeded, 1, ["甲"])
    second = await add_entries(platform, district, seeded, 2, ["乙"])
    await score(platform, seeded, first[0], [50, 50, 50])
    await score(platform, seeded, second[0], [90, 90, 90])
    await set_rule(staff, seeded)

    rows = by_code((await compute(staff, seeded)).json())

    assert (rows[first[0]]["rank"], rows[second[0]]["rank"]) == (1, 1)


async def test_computing_refuses_while_entries_lack_scores(staff, platform, district, seeded):
    codes = await add_entries(platform, district, seeded, 1, ["甲", "乙", "丙"])
    await score(platform, seeded, codes[0], [80, 80, 80])
    await score(platform, seeded, codes[1], [70, 70, None])
    await set_rule(staff, seeded)

    response = await compute(staff, seeded)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "entries_unscored"
    assert error["detail"]["groups"] == [{"group": "小学低段", "unscored": 2}]
    assert error["message"].startswith("还有 2 个作品未评完（小学低段 2 个）")
    listed = await staff.get(f"/api/v1/competitions/activities/{seeded.activity_id}/results")
    assert listed.json()["version"] is None


async def test_computing_anyway_gives_unscored_entries_no_award(staff, platform, district,
                                                                seeded):
    codes = await add_entries(platform, district, seeded, 1, ["甲", "乙"])
    await score(platform, seeded, codes[0], [60, 60, 60])
    await score(platform, seeded, codes[1], [99, 99, None])
    await set_rule(staff, seeded)

    response = await compute(staff, seeded, force=True)

    rows = by_code(response.json())
    assert (rows[codes[0]]["rank"], rows[codes[0]]["award"]) == (1, "一等奖")
    assert (rows[codes[1]]["rank"], rows[codes[1]]["award"]) == (None, None)
    assert rows[codes[1]]["unscored"] is True
    assert response.json()["unscored_by_group"] == {"小学低段": 1}


async def test_computing_needs_an_award_rule(staff, platform, district, seeded):
    await _scored(platform, district, seeded, {"A": [80, 80, 80]})

    response = await compute(staff, seeded)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "请先设置评奖规则"


async def test_each_computation_is_a_new_version(staff, platform, district, seeded):
    await _scored(platform, district, seeded, {"A": [80, 80, 80]})
    await set_rule(staff, seeded)

    first = (await compute(staff, seeded)).json()
    second = (await compute(staff, seeded)).json()

    assert (first["version"], second["version"]) == (1, 2)


async def test_a_bad_award_rule_is_refused_with_the_reason(staff, seeded):
    response = await staff.patch(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/settings",
        json={"award_rule": {"mode": "lottery", "levels": []}})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_award_rule"
    assert "quota" in response.json()["error"]["message"]


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"aggregation": "median"}, "aggregation", id="method"),
    pytest.param({"tie_break": ["criterion:colour"]}, "tie_break", id="criterion"),
    pytest.param({"trim_min_scores": 2}, "trim_min_scores", id="trim"),
])
async def test_bad_settings_name_the_field(staff, seeded, body, field):
    response = await staff.patch(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/settings", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["detail"]["field"] == field


async def test_only_organisers_compute(client_for, seeded):
    head = await client_for("head_a")

    response = await head.post(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/compute", json={})

    assert response.status_code == 403
