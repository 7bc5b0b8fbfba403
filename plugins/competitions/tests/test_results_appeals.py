"""Appeals (申诉): the window, once per publication, reject, accept → fresh judges → the change."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.identity import AuditEntry
from bangyaer.notifications import Message
from bangyaer_competitions.judging.models import Assignment
from bangyaer_competitions.results.models import Appeal
from bangyaer_competitions.results.testing import (
    add_entries,
    add_judges,
    by_code,
    compute,
    judging_activity,
    publish,
    score,
    score_round,
    set_rule,
    shift_window,
)
from sqlalchemy import select


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    codes = await add_entries(platform, district, seeded, 1, ["张三丰", "欧阳小明", "李华"])
    for code, total in zip(codes, [90, 80, 70], strict=True):
        await score(platform, seeded, code, [total] * 3)
    await set_rule(staff, seeded)
    await compute(staff, seeded)
    seeded.codes = codes  # type: ignore[attr-defined]
    return seeded


def _appeal(client, code, reason="评分与作品水平不符，请复核"):
    return client.post(f"/api/v1/competitions/entries/{code}/appeal", json={"reason": reason})


def _decide(staff, appeal_id, accept, reason="已核实"):
    return staff.post(f"/api/v1/competitions/appeals/{appeal_id}/decision",
                      json={"accept": accept, "reason": reason})


async def _messages(platform, district, topic="appeal"):
    async with platform.db.session() as session:
        return list(await session.scalars(select(Message).where(
            Message.person_id == district.ids["parent"], Message.topic == topic)
            .order_by(Message.id)))


async def test_a_guardian_appeals_during_the_window(staff, parent, platform, seeded):
    await publish(staff, seeded)

    response = await _appeal(parent, seeded.codes[1])

    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["code"]) == ("submitted", seeded.codes[1])
    async with platform.db.session() as session:
        logged = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competitions.appeal_submitted")))
    assert [e.detail["entry_code"] for e in logged] == [seeded.codes[1]]


async def test_appealing_again_returns_the_first_appeal(staff, parent, platform, seeded):
    await publish(staff, seeded)
    first = await _appeal(parent, seeded.codes[1])

    again = await _appeal(parent, seeded.codes[1], "换个理由再申诉一次")

    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert again.json()["reason"] == "评分与作品水平不符，请复核"
    async with platform.db.session() as session:
        assert len(list(await session.scalars(select(Appeal)))) == 1


async def test_an_appeal_needs_a_reason(staff, parent, seeded):
    await publish(staff, seeded)

    response = await _appeal(parent, seeded.codes[1], "   ")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请填写申诉理由"


async def test_a_reason_over_a_thousand_characters_is_refused(staff, parent, seeded):
    await publish(staff, seeded)

    response = await _appeal(parent, seeded.codes[1], "理" * 1001)

    assert response.status_code == 422
    assert response.json()["error"]["detail"]["field"] == "reason"


async def test_no_appeal_before_the_publicity(parent, seeded):
    response = await _appeal(parent, seeded.codes[1])

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "结果尚未公示；公示期内才能申诉"


async def test_an_appeal_just_before_the_window_closes_is_taken(staff, parent, platform, seeded):
    await publish(staff, seeded)
    await shift_window(platform, seeded, dt.timedelta(seconds=30))

    response = await _appeal(parent, seeded.codes[1])

    assert response.status_code == 201


async def test_no_appeal_after_the_window(staff, parent, platform, seeded):
    await publish(staff, seeded)
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    response = await _appeal(parent, seeded.codes[1])

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "公示期已结束，不能再申诉"


async def test_only_the_entrys_guardian_appeals(staff, client_for, seeded):
    await publish(staff, seeded)

    response = await _appeal(await client_for("parent_b"), seeded.codes[1])

    assert response.status_code == 404


async def test_a_rejected_appeal_is_recorded_and_the_guardian_told(staff, parent, platform,
                                                                   district, seeded):
    await publish(staff, seeded)
    appeal_id = (await _appeal(parent, seeded.codes[1])).json()["id"]

    response = await _decide(staff, appeal_id, False, "评分复核无误")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision"]) == ("rejected", "评分复核无误")
    told = await _messages(platform, district)
    assert [m.body for m in told] == [f"{seeded.codes[1]} 的申诉未予受理。处理意见：评分复核无误"]


async def test_a_decided_appeal_cannot_be_decided_again(staff, parent, seeded):
    await publish(staff, seeded)
    appeal_id = (await _appeal(parent, seeded.codes[1])).json()["id"]
    await _decide(staff, appeal_id, False)

    response = await _decide(staff, appeal_id, True)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "该申诉已处理（未予受理）"


async def test_a_decision_needs_a_reason(staff, parent, seeded):
    await publish(staff, seeded)
    appeal_id = (await _appeal(parent, seeded.codes[1])).json()["id"]

    response = await _decide(staff, appeal_id, False, "")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请填写处理意见"


async def test_accepting_needs_judges_who_have_not_seen_the_entry(staff, parent, platform,
                                                                  seeded):
    await publish(staff, seeded)
    appeal_id = (await _appeal(parent, seeded.codes[1])).json()["id"]

    response = await _decide(staff, appeal_id, True)

    assert response.status_code == 409
    async with platform.db.session() as session:
        appeal = await session.get(Appeal, appeal_id)
    assert appeal is not None and appeal.status == "submitted"


async def test_an_accepted_appeal_is_rejudged_by_new_judges_and_the_change_kept(
        staff, parent, platform, district, seeded):
    await publish(staff, seeded)
    fresh = set(await add_judges(platform, district, seeded, 3))
    code = seeded.codes[1]
    appeal_id = (await _appeal(parent, code)).json()["id"]

    accepted = await _decide(staff, appeal_id, True, "受理，重新盲评")
    blocked = await compute(staff, seeded)
    judges = await score_round(platform, seeded, code, "appeal", [95, 96, 97])
    recomputed = await compute(staff, seeded)

    assert accepted.json()["status"] == "accepted"
    assert set(judges) == fresh
    assert blocked.json()["error"]["code"] == "entries_unscored"
    assert recomputed.status_code == 201
    rows = by_code(recomputed.json())
    assert (rows[code]["rank"], rows[code]["award"], rows[code]["score"]) == (1, "一等奖", 96.0)
    assert recomputed.json()["version"] == 2
    async with platform.db.session() as session:
        appeal = await session.get(Appeal, appeal_id)
        logged = [e.action for e in await session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("competitions.appeal%")).order_by(AuditEntry.id))]
    assert appeal is not None and appeal.status == "resolved"
    assert appeal.before == {"score": 80.0, "rank": 2, "award": "二等奖"}
    assert appeal.after == {"score": 96.0, "rank": 1, "award": "一等奖"}
    assert logged == ["competitions.appeal_submitted", "competitions.appeal_decided",
                      "competitions.appeal_resolved"]
    told = [m.body for m in await _messages(platform, district)]
    assert told[-1] == f"{code} 已由新的评委重新盲评，奖项由“二等奖”改为“一等奖”。"
    assert len(told) == 2


async def test_the_appeal_round_replaces_the_first_judges_scores(staff, parent, platform,
                                                                 district, seeded):
    await publish(staff, seeded)
    await add_judges(platform, district, seeded, 3)
    code = seeded.codes[2]
    appeal_id = (await _appeal(parent, code)).json()["id"]
    await _decide(staff, appeal_id, True)
    await score_round(platform, seeded, code, "appeal", [70, 71, 72])

    rows = by_code((await compute(staff, seeded)).json())

    assert rows[code]["score"] == 71.0
    async with platform.db.session() as session:
        first = list(await session.scalars(select(Assignment).where(
            Assignment.entry_id == seeded.entries[code], Assignment.round == "initial")))
    assert [a.status for a in first] == ["scored"] * 3


async def test_the_entry_page_shows_the_result_and_the_appeal_form(staff, parent, seeded):
    await publish(staff, seeded)

    page = await parent.get(f"/competitions/entries/{seeded.codes[1]}")

    assert "公示中的评审结果" in page.text and "二等奖" in page.text
    assert 'action="/competitions/entries/' in page.text and "提交申诉" in page.text


async def test_the_appeal_form_posts_once(staff, parent, platform, seeded):
    await publish(staff, seeded)
    token = parent.headers["X-CSRF-Token"]

    response = await parent.post(f"/competitions/entries/{seeded.codes[1]}/appeal",
                                 data={"reason": "请复核", "csrf_token": token})
    page = await parent.get(f"/competitions/entries/{seeded.codes[1]}")

    assert response.status_code == 303
    assert "申诉：待处理" in page.text and "提交申诉" not in page.text
