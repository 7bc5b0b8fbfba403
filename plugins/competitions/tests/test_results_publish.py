"""The 公示: the award list with masked names, its window, and the optional notice."""

from __future__ import annotations

import datetime as dt

import bangyaer_competitions.plugin
import bangyaer_notices.plugin
import pytest
from bangyaer.db import utcnow
from bangyaer_competitions.models import Activity
from bangyaer_competitions.results.models import Publication
from bangyaer_competitions.results.testing import (
    add_entries,
    add_judges,
    compute,
    judging_activity,
    publish,
    score,
    set_rule,
)
from sqlalchemy import select

NAMES = ["张三丰", "欧阳小明", "李华"]


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    codes = await add_entries(platform, district, seeded, 1, NAMES)
    for code, total in zip(codes, [90, 80, 70], strict=True):
        await score(platform, seeded, code, [total] * 3)
    rule = {"mode": "quota", "levels": [{"name": "一等奖", "count": 1},
                                        {"name": "二等奖", "count": 1}]}
    await set_rule(staff, seeded, award_rule=rule)
    assert (await compute(staff, seeded)).status_code == 201
    seeded.codes = codes  # type: ignore[attr-defined]
    return seeded


async def test_publishing_opens_a_five_day_window_and_moves_to_results(staff, platform, seeded):
    response = await publish(staff, seeded)

    assert response.status_code == 201, response.text
    until = dt.datetime.fromisoformat(response.json()["appeal_until"])
    assert abs(until - (utcnow() + dt.timedelta(days=5))) < dt.timedelta(minutes=1)
    async with platform.db.session() as session:
        activity = await session.get(Activity, seeded.activity_id)
        assert activity is not None and activity.status == "results"


async def test_the_window_can_be_given_in_days_and_hours(staff, seeded):
    response = await publish(staff, seeded, appeal_days=1, appeal_hours=12)

    until = dt.datetime.fromisoformat(response.json()["appeal_until"])
    assert abs(until - (utcnow() + dt.timedelta(hours=36))) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(("days", "hours"), [
    pytest.param(0, 0, id="nothing"), pytest.param(-1, 30, id="negative-days"),
    pytest.param(31, 0, id="over-30-days"),
])
async def test_a_window_out_of_range_is_refused(staff, seeded, days, hours):
    response = await publish(staff, seeded, appeal_days=days, appeal_hours=hours)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "申诉期应在 1 小时到 30 天之间"


async def test_publishing_again_returns_the_same_publication(staff, platform, seeded):
    first = await publish(staff, seeded)

    again = await publish(staff, seeded)

    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    async with platform.db.session() as session:
        rows = list(await session.scalars(select(Publication)))
    assert len(rows) == 1


async def test_publishing_needs_computed_results(staff, platform, district):
    fresh = await judging_activity(staff, platform, code_prefix="K2027")

    response = await publish(staff, fresh)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "results_not_computed"


async def test_the_award_list_masks_names_and_lists_only_awards(staff, client_for, seeded):
    await publish(staff, seeded)
    other_parent = await client_for("parent_b")

    response = await other_parent.get(
        f"/api/v1/competitions/activities/{seeded.activity_id}/awards")

    assert response.status_code == 200
    groups = {g["group"]: g["awards"] for g in response.json()["groups"]}
    assert groups["小学低段"] == [
        {"code": seeded.codes[0], "name": "张*丰", "school": "甲小学", "award": "一等奖"},
        {"code": seeded.codes[1], "name": "欧**明", "school": "甲小学", "award": "二等奖"},
    ]
    assert list(groups) == ["小学低段"]
    assert seeded.codes[2] not in response.text
    for name in NAMES:
        assert name not in response.text
    assert response.json()["rule_text"].startswith("按名额评奖")


async def test_the_award_list_waits_for_the_publicity(staff, client_for, seeded):
    response = await (await client_for("parent_b")).get(
        f"/api/v1/competitions/activities/{seeded.activity_id}/awards")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "该活动的结果尚未公示"


async def test_the_award_list_needs_sign_in(staff, client_for, seeded):
    await publish(staff, seeded)

    response = await (await client_for(None)).get(
        f"/api/v1/competitions/activities/{seeded.activity_id}/awards")

    assert response.status_code == 401


async def test_the_activity_page_shows_the_masked_award_list(staff, client_for, seeded):
    await publish(staff, seeded)

    page = await (await client_for("parent_b")).get(
        f"/competitions/activities/{seeded.activity_id}")

    assert "获奖名单公示" in page.text and "欧**明" in page.text
    assert "欧阳小明" not in page.text and "张三丰" not in page.text


async def test_without_the_notices_plugin_no_notice_is_posted(staff, platform, seeded):
    response = await publish(staff, seeded)

    assert response.json()["notice_id"] is None


async def test_the_rule_is_fixed_once_publicised(staff, seeded):
    await publish(staff, seeded)

    response = await staff.patch(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/settings",
        json={"aggregation": "zscore"})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "结果已公示，评奖规则不能再改"


class TestWithNotices:
    @pytest.fixture
    async def platform(self, make_platform):
        return await make_platform(plugins=[bangyaer_competitions.plugin,
                                            bangyaer_notices.plugin])

    async def test_a_publicity_notice_carries_the_masked_list(self, staff, platform, seeded):
        from bangyaer_notices.models import Item

        response = await publish(staff, seeded)

        notice_id = response.json()["notice_id"]
        async with platform.db.session() as session:
            item = await session.get(Item, notice_id)
        assert item is not None
        assert item.column == "publicity" and item.status == "published"
        assert item.title == "“区少儿书画比赛”获奖名单公示"
        assert f"| {seeded.codes[1]} | 欧**明 | 甲小学 | 二等奖 |" in item.body
        assert all(name not in item.body for name in NAMES)
        until = dt.datetime.fromisoformat(response.json()["appeal_until"])
        shanghai = until.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert f"公示期至 {shanghai:%Y-%m-%d %H:%M}，" in item.body
        assert item.period_end == dt.datetime.fromisoformat(response.json()["appeal_until"])
        assert item.objection_url == f"/competitions/activities/{seeded.activity_id}"

    async def test_publishing_again_posts_no_second_notice(self, staff, platform, seeded):
        from bangyaer_notices.models import Item

        await publish(staff, seeded)
        await publish(staff, seeded)

        async with platform.db.session() as session:
            items = list(await session.scalars(select(Item)))
        assert len(items) == 1
