"""Measured-result activities: staff enter times or distances; ranks and awards follow."""

from __future__ import annotations

import pytest
from bangyaer_competitions.results.models import Measurement
from bangyaer_competitions.results.testing import (
    add_entries,
    by_code,
    compute,
    judging_activity,
    set_rule,
)
from sqlalchemy import select


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform, type="measured_result", title="区少儿田径赛")
    seeded.codes = await add_entries(  # type: ignore[attr-defined]
        platform, district, seeded, 1, ["甲", "乙", "丙", "丁"])
    return seeded


def _enter(staff, seeded, values):
    return staff.put(f"/api/v1/competitions/activities/{seeded.activity_id}/measurements",
                     json={"values": values})


async def test_times_rank_lowest_first(staff, seeded):
    a, b, c, d = seeded.codes
    await set_rule(staff, seeded, lower_is_better=True)
    entered = await _enter(staff, seeded, {a: "12.34", b: "11.90", c: "13", d: "11.9"})

    rows = by_code((await compute(staff, seeded)).json())

    assert entered.json() == {"recorded": 4}
    assert [(rows[x]["rank"], rows[x]["award"]) for x in (a, b, c, d)] == [
        (3, "三等奖"), (1, "一等奖"), (4, None), (1, "一等奖")]
    assert rows[a]["score"] == 12.34


async def test_distances_rank_highest_first_with_thresholds(staff, seeded):
    a, b, c, d = seeded.codes
    rule = {"mode": "threshold", "levels": [{"name": "一等奖", "min_score": "5.5"},
                                            {"name": "二等奖", "min_score": 4}]}
    await set_rule(staff, seeded, lower_is_better=False, award_rule=rule)
    await _enter(staff, seeded, {a: "5.50", b: "4.2", c: "3.99", d: "6.01"})

    rows = by_code((await compute(staff, seeded)).json())

    assert [(rows[x]["rank"], rows[x]["award"]) for x in (a, b, c, d)] == [
        (2, "一等奖"), (3, "二等奖"), (4, None), (1, "一等奖")]


@pytest.mark.parametrize("raw", [
    pytest.param("12,3", id="comma"), pytest.param("abc", id="words"),
    pytest.param("-1", id="negative"), pytest.param("1e3", id="exponent"),
    pytest.param("NaN", id="nan"), pytest.param(12.3, id="json-number"),
    pytest.param("", id="empty"),
])
async def test_a_measurement_must_be_a_decimal_string(staff, platform, seeded, raw):
    a, b = seeded.codes[:2]

    response = await _enter(staff, seeded, {a: "12.00", b: raw})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_measurement"
    assert response.json()["error"]["detail"] == {"code": b}
    async with platform.db.session() as session:
        assert list(await session.scalars(select(Measurement))) == []


async def test_an_unknown_entry_code_is_refused_and_nothing_kept(staff, platform, seeded):
    response = await _enter(staff, seeded, {seeded.codes[0]: "12.00", "K9999-01-00001": "1"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "本活动没有参赛编号 K9999-01-00001"
    async with platform.db.session() as session:
        assert list(await session.scalars(select(Measurement))) == []


async def test_a_corrected_measurement_replaces_the_first(staff, seeded):
    a, b, c, d = seeded.codes
    await set_rule(staff, seeded)
    await _enter(staff, seeded, {a: "12.00", b: "13.00", c: "14.00", d: "15.00"})

    await _enter(staff, seeded, {a: "16.00"})
    rows = by_code((await compute(staff, seeded)).json())

    assert rows[a]["rank"] == 4


async def test_entries_without_a_measurement_block_computing(staff, seeded):
    await set_rule(staff, seeded)
    await _enter(staff, seeded, {seeded.codes[0]: "12.00"})

    response = await compute(staff, seeded)

    assert response.status_code == 409
    assert response.json()["error"]["detail"]["groups"] == [{"group": "小学低段", "unscored": 3}]


async def test_a_measured_entry_needs_no_submitted_work(staff, platform, district, seeded):
    [walk_in] = await add_entries(platform, district, seeded, 1, ["戊"], submitted=False)
    await set_rule(staff, seeded)
    await _enter(staff, seeded, {c: f"1{i}.00" for i, c in enumerate([*seeded.codes, walk_in])})

    rows = by_code((await compute(staff, seeded)).json())

    assert rows[walk_in]["rank"] == 5
