"""The audit log of an activity: what it holds, its filters and pages, and who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import AuditEntry
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


@pytest.fixture
async def seeded(staff, parent, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    codes = await add_entries(platform, district, seeded, 1, ["张三丰", "李华"])
    for code, total in zip(codes, [90, 80], strict=True):
        await score(platform, seeded, code, [total] * 3)
    await set_rule(staff, seeded)
    await compute(staff, seeded)
    await publish(staff, seeded)
    appeal = await parent.post(f"/api/v1/competitions/entries/{codes[1]}/appeal",
                               json={"reason": "请复核"})
    await staff.post(f"/api/v1/competitions/appeals/{appeal.json()['id']}/decision",
                     json={"accept": False, "reason": "复核无误"})
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))
    await staff.post(f"/api/v1/competitions/activities/{seeded.activity_id}/results/finalise",
                     json={})
    seeded.codes = codes  # type: ignore[attr-defined]
    return seeded


@pytest.fixture
async def admin(client_for):
    return await client_for("admin")


def _log(client, seeded, **query):
    return client.get(f"/api/v1/competitions/activities/{seeded.activity_id}/audit",
                      params=query)


async def test_the_log_holds_every_step_newest_first(admin, seeded):
    body = (await _log(admin, seeded)).json()

    actions = [e["action"] for e in body["entries"]]
    assert actions == [
        "competitions.results_final", "competitions.activity_status",
        "competitions.appeal_decided", "competitions.appeal_submitted",
        "competitions.results_publicised", "competitions.activity_status",
        "competitions.results_computed", "competitions.results_settings",
        "competitions.activity_status", "competitions.activity_created"]
    assert body["total"] == len(actions)
    decided = body["entries"][2]
    assert (decided["username"], decided["detail"]["reason"]) == ("staff", "复核无误")


async def test_the_log_filters_by_action(admin, seeded):
    body = (await _log(admin, seeded, action="appeal_decided")).json()

    assert [e["action"] for e in body["entries"]] == ["competitions.appeal_decided"]


async def test_the_log_filters_by_entry_code(admin, seeded):
    body = (await _log(admin, seeded, entry=seeded.codes[1])).json()

    assert [e["action"] for e in body["entries"]] == [
        "competitions.appeal_decided", "competitions.appeal_submitted"]
    assert (await _log(admin, seeded, entry="K9-01-00001")).json()["total"] == 0


async def test_the_log_filters_by_judge(admin, platform, seeded):
    judge = seeded.judges[0]
    async with platform.db.transaction() as session:
        session.add(AuditEntry(at=utcnow(), account_id=judge, action="competitions.score",
                               target_type="competitions_activity",
                               target_id=str(seeded.activity_id), detail={"entry_id": 1}))
        session.add(AuditEntry(at=utcnow(), account_id=None, action="competitions.judge_dropped",
                               target_type="competitions_activity",
                               target_id=str(seeded.activity_id), detail={"judge": judge}))

    body = (await _log(admin, seeded, judge=str(judge))).json()

    assert [e["action"] for e in body["entries"]] == [
        "competitions.judge_dropped", "competitions.score"]


async def test_the_log_is_paged(admin, platform, seeded):
    async with platform.db.transaction() as session:
        for i in range(55):
            session.add(AuditEntry(at=utcnow(), action="competitions.measurement",
                                   target_type="competitions_activity",
                                   target_id=str(seeded.activity_id), detail={"n": i}))

    first = (await _log(admin, seeded, action="measurement")).json()
    second = (await _log(admin, seeded, action="measurement", page=2)).json()

    assert (first["total"], len(first["entries"]), len(second["entries"])) == (55, 50, 5)
    assert second["entries"][-1]["detail"] == {"n": 0}


async def test_a_bad_page_is_refused(admin, seeded):
    response = await _log(admin, seeded, page="0")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "页码应为正整数"


@pytest.mark.parametrize("username", ["staff", "head_a", "parent", "judge", "teacher_a"])
async def test_only_district_admins_read_the_log(client_for, seeded, username):
    client = await client_for(username)

    api = await _log(client, seeded)
    page = await client.get(f"/competitions/manage/{seeded.activity_id}/audit")

    assert (api.status_code, page.status_code) == (403, 403)


async def test_the_log_page_lists_the_entries(admin, seeded):
    page = await admin.get(f"/competitions/manage/{seeded.activity_id}/audit",
                           params={"action": "appeal_decided"})

    assert page.status_code == 200
    assert "competitions.appeal_decided" in page.text and "复核无误" in page.text
    assert "competitions.results_final" not in page.text
    assert f'<option value="{seeded.judges[0]}">评委0（{seeded.judges[0]}）</option>' in page.text
