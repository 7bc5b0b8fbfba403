"""The staff results desk: rule, computing, extra judges, 公示, appeals and finalising."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer_competitions.judging.models import Assignment, JudgingSetup
from bangyaer_competitions.results.models import Appeal
from bangyaer_competitions.results.testing import (
    add_entries,
    add_judges,
    compute,
    judging_activity,
    publish,
    score,
    set_rule,
    shift_window,
)
from sqlalchemy import select


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    codes = await add_entries(platform, district, seeded, 1, ["张三丰", "李华"])
    await score(platform, seeded, codes[0], [90, 90, 90])
    await score(platform, seeded, codes[1], [95, 50, 60])
    seeded.codes = codes  # type: ignore[attr-defined]
    return seeded


def _post(staff, seeded, action, **form):
    return staff.post(f"/competitions/manage/{seeded.activity_id}/results/{action}",
                      data={"csrf_token": staff.headers["X-CSRF-Token"], **form})


def _desk(staff, seeded):
    return staff.get(f"/competitions/manage/{seeded.activity_id}/results")


async def test_the_settings_form_stores_a_checked_rule(staff, platform, seeded):
    response = await _post(staff, seeded, "settings", aggregation="trimmed_mean",
                           trim_min_scores="3", disagreement_threshold="30",
                           tie_break="criterion:skill, median", mode="quota",
                           quota_by="percent", level_0="20", level_1="30", rounding="half_up",
                           cut_ties="exclude")

    assert response.status_code == 303
    async with platform.db.session() as session:
        setup = await session.get(JudgingSetup, seeded.activity_id)
    assert setup is not None
    assert (setup.aggregation, setup.trim_min_scores, setup.disagreement_threshold) == (
        "trimmed_mean", 3, 30)
    assert setup.tie_break == ["criterion:skill", "median"]
    assert setup.award_rule["levels"][1] == {"name": "二等奖", "percent": 30, "count": None,
                                             "min_score": None}
    page = await _desk(staff, seeded)
    assert "四舍五入" in page.text and "并列者都降一等" in page.text


async def test_a_bad_form_says_why_and_keeps_nothing(staff, platform, seeded):
    response = await _post(staff, seeded, "settings", aggregation="mean", mode="quota",
                           quota_by="percent", level_0="abc")

    assert response.status_code == 422
    assert "level_0 应为整数" in response.text
    async with platform.db.session() as session:
        setup = await session.get(JudgingSetup, seeded.activity_id)
    assert setup is None or setup.award_rule == {}


async def test_computing_from_the_desk_shows_the_draft_with_flags(staff, seeded):
    await set_rule(staff, seeded)

    response = await _post(staff, seeded, "compute")
    page = await _desk(staff, seeded)

    assert response.status_code == 303
    assert "结果（第 1 版）" in page.text
    assert "张三丰" in page.text and "一等奖" in page.text
    assert f'name="code" value="{seeded.codes[1]}"' in page.text


async def test_a_refused_computation_is_explained_on_the_desk(staff, platform, district,
                                                             seeded):
    await set_rule(staff, seeded)
    [late] = await add_entries(platform, district, seeded, 1, ["王五"])
    await score(platform, seeded, late, [80, None, None])

    response = await _post(staff, seeded, "compute")

    assert response.status_code == 409
    assert "还有 1 个作品未评完（小学低段 1 个）" in response.text
    assert "结果（第" not in response.text


async def test_a_flagged_entry_gets_an_extra_judge_then_recomputes(staff, platform, district,
                                                                   seeded):
    await set_rule(staff, seeded)
    await compute(staff, seeded)
    fresh = await add_judges(platform, district, seeded, 1)

    response = await _post(staff, seeded, "extra", code=seeded.codes[1])
    refused = await _post(staff, seeded, "compute")

    assert response.status_code == 303
    async with platform.db.session() as session:
        extra = list(await session.scalars(select(Assignment).where(
            Assignment.round == "extra")))
    assert [(a.entry_id, a.judge_account_id) for a in extra] == [
        (seeded.entries[seeded.codes[1]], fresh[0])]
    assert refused.status_code == 409 and "还有 1 个作品未评完" in refused.text


async def test_extra_judges_over_the_api_only_for_flagged_entries(staff, platform, district,
                                                                  seeded):
    await set_rule(staff, seeded)
    await compute(staff, seeded)
    await add_judges(platform, district, seeded, 1)
    url = f"/api/v1/competitions/activities/{seeded.activity_id}/results/extra-judges"

    refused = await staff.post(url, json={"codes": [seeded.codes[0]]})
    given = await staff.post(url, json={"codes": [seeded.codes[1]]})

    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == f"{seeded.codes[0]} 不在需要复核的作品中"
    assert (given.status_code, given.json()) == (201, {"assigned": 1})


async def test_publishing_and_deciding_and_finalising_from_the_desk(staff, parent, platform,
                                                                    seeded):
    await set_rule(staff, seeded)
    await compute(staff, seeded)

    published = await _post(staff, seeded, "publish", appeal_days="2", appeal_hours="0")
    appeal = await parent.post(f"/api/v1/competitions/entries/{seeded.codes[1]}/appeal",
                               json={"reason": "请复核"})
    page = await _desk(staff, seeded)
    decided = await staff.post(
        f"/competitions/manage/{seeded.activity_id}/appeals/{appeal.json()['id']}",
        data={"csrf_token": staff.headers["X-CSRF-Token"], "decision": "reject",
              "reason": "复核无误"})
    early = await _post(staff, seeded, "finalise")
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))
    final = await _post(staff, seeded, "finalise")

    assert published.status_code == 303 and decided.status_code == 303
    assert "请复核" in page.text and "受理并重新盲评" in page.text
    assert early.status_code == 409 and "公示期尚未结束" in early.text
    assert final.status_code == 303
    async with platform.db.session() as session:
        row = await session.get(Appeal, appeal.json()["id"])
    assert row is not None and row.status == "rejected"
    assert "确定最终结果" not in (await _desk(staff, seeded)).text


async def test_the_desk_is_for_organisers(client_for, seeded):
    for username in ("parent", "judge"):
        client = await client_for(username)
        page = await client.get(f"/competitions/manage/{seeded.activity_id}/results")
        assert page.status_code == 403


async def test_the_desk_speaks_english_when_asked(staff, seeded):
    await publish(staff, seeded)  # nothing computed: refused, the desk still renders

    page = await staff.get(f"/competitions/manage/{seeded.activity_id}/results?lang=en")

    assert "Award rule" in page.text and "Compute the results" in page.text
