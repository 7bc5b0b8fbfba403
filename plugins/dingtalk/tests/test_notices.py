"""Work notices: sent in calls of 100, checked, never twice a day, inbox when refused."""

from __future__ import annotations

import json

import pytest
from bangyaer.db import utcnow
from bangyaer.jobs import Job
from bangyaer.notifications import Message, notify
from bangyaer.testing import drain
from bangyaer_dingtalk._messages import MAX_BYTES, build_message
from bangyaer_dingtalk._notices import CHECK_JOB
from bangyaer_dingtalk._sync import sync
from bangyaer_dingtalk.models import Delivery, Member
from sqlalchemy import select, update

CORP_A, CORP_B = "dingcorpa0001", "dingcorpb0002"


@pytest.fixture
async def platform(dt_platform, sandbox):
    platform = await dt_platform("AB")
    await sync(platform)
    return platform


async def person_of(platform, corp_id: str, userid: str, role: str = "guardian") -> int:
    async with platform.db.session() as s:
        return int(await s.scalar(select(Member.person_id).where(
            Member.corp_id == corp_id, Member.userid == userid, Member.role == role)))


async def send(platform, person_ids, title="兴趣班开始报名", body="周六上午九点开放。",
               url="/training/classes/7") -> None:
    async with platform.db.transaction() as s:
        await notify(s, person_ids, source="training", title=title, body=body, url=url,
                     channels=["dingtalk"])
    await drain(platform)


async def check_results(platform) -> None:
    """Run the delivery checks now instead of 30 seconds from now."""
    async with platform.db.transaction() as s:
        await s.execute(update(Job).where(Job.kind == CHECK_JOB, Job.status == "queued")
                        .values(run_at=utcnow()))
    await drain(platform)


async def deliveries(platform) -> dict[str, tuple[str, str]]:
    async with platform.db.session() as s:
        return {d.userid: (d.status, d.reason) for d in await s.scalars(select(Delivery))}


async def test_a_notice_reaches_the_guardian_in_dingtalk_and_is_marked_delivered(
        platform, sandbox):
    await send(platform, [await person_of(platform, CORP_A, "ga1")])
    [notice] = sandbox.inbox(CORP_A, "ga1")
    card = notice["msg"]["action_card"]
    assert notice["msg"]["msgtype"] == "action_card"
    assert card["title"] == "兴趣班开始报名" and "周六上午九点开放。" in card["markdown"]
    assert card["single_url"] == ("http://127.0.0.1:8000/dingtalk/open?corpId=dingcorpa0001"
                                  "&next=%2Ftraining%2Fclasses%2F7")
    assert (await deliveries(platform)) == {"ga1": ("sent", "")}
    await check_results(platform)
    assert (await deliveries(platform)) == {"ga1": ("delivered", "")}


async def test_a_refused_recipient_keeps_the_message_in_the_inbox_alone(platform, sandbox):
    refused = await person_of(platform, CORP_A, "ga2")
    reached = await person_of(platform, CORP_A, "ga1")
    sandbox.refuse(CORP_A, "ga2")
    await send(platform, [refused, reached])
    await check_results(platform)
    assert await deliveries(platform) == {"ga1": ("delivered", ""),
                                          "ga2": ("refused", "钉钉发送失败")}
    async with platform.db.session() as s:
        inbox = list(await s.scalars(select(Message.title).where(Message.person_id == refused)))
    assert inbox == ["兴趣班开始报名"]
    assert sandbox.inbox(CORP_A, "ga2") == []


async def test_the_same_content_goes_to_a_person_once_a_day(platform, sandbox):
    guardian = await person_of(platform, CORP_A, "ga1")
    await send(platform, [guardian])
    await send(platform, [guardian])  # a second notify with the same content
    assert len(sandbox.inbox(CORP_A, "ga1")) == 1
    async with platform.db.session() as s:
        inbox = list(await s.scalars(select(Message.id).where(Message.person_id == guardian)))
    assert len(inbox) == 2  # both are in the inbox; DingTalk was asked once
    assert sandbox.state.calls["/topapi/message/corpconversation/asyncsend_v2"] == 1


async def test_different_content_the_same_day_is_sent(platform, sandbox):
    guardian = await person_of(platform, CORP_A, "ga1")
    await send(platform, [guardian], title="第一条")
    await send(platform, [guardian], title="第二条")
    assert len(sandbox.inbox(CORP_A, "ga1")) == 2


async def test_many_recipients_are_sent_in_calls_of_at_most_one_hundred(platform, sandbox):
    async with platform.db.session() as s:
        people = list(await s.scalars(select(Member.person_id).where(
            Member.corp_id == CORP_A)))
    assert len(people) == 68  # 34 students, 33 guardians, 1 teacher
    await send(platform, people)
    students = {await person_of(platform, CORP_A, f"sx{i}", "student") for i in range(31)}
    async with platform.db.session() as s:
        rows = list(await s.scalars(select(Delivery)))
    # Students have no DingTalk account here: the inbox is their only channel.
    assert not {d.person_id for d in rows} & students
    assert len(rows) == 34  # 33 guardians and the teacher
    assert sandbox.state.calls["/topapi/message/corpconversation/asyncsend_v2"] == 1


async def test_recipients_of_two_schools_are_sent_through_each_schools_corp(
        platform, sandbox):
    await send(platform, [await person_of(platform, CORP_A, "ga1"),
                          await person_of(platform, CORP_B, "gb1")])
    assert len(sandbox.inbox(CORP_A, "ga1")) == 1 and len(sandbox.inbox(CORP_B, "gb1")) == 1
    assert sandbox.token_requests == {CORP_A: 1, CORP_B: 1}


async def test_a_whole_call_refused_by_dingtalk_leaves_the_messages_in_the_inbox(
        platform, sandbox):
    sandbox.fail_next("/topapi/message/corpconversation/asyncsend_v2", 143106)
    await send(platform, [await person_of(platform, CORP_A, "ga1")])
    assert await deliveries(platform) == {
        "ga1": ("refused", "errcode 143106 单应用给单人推送重复消息超限")}
    async with platform.db.session() as s:
        jobs = list(await s.scalars(select(Job.status).where(Job.kind.startswith("dingtalk."))))
    assert "dead" not in jobs


async def test_throttled_sending_is_retried_by_the_client(platform, sandbox):
    sandbox.fail_next("/topapi/message/corpconversation/asyncsend_v2", 90018, times=2)
    await send(platform, [await person_of(platform, CORP_A, "ga1")])
    assert len(sandbox.inbox(CORP_A, "ga1")) == 1


async def test_a_duplicate_dingtalk_detected_itself_is_recorded_as_refused(platform, sandbox):
    from bangyaer_dingtalk._notices import _reasons

    reasons = _reasons({"forbidden_user_id_list": ["u1"],
                        "forbidden_list": [{"code": "143106", "count": 1, "userid": "u1"}]})
    assert reasons == {"u1": "钉钉限流：同一内容一天只发一次 (143106)"}


@pytest.mark.parametrize("kind", ["text", "link", "oa", "action_card"])
def test_every_message_format_fits_dingtalks_2048_bytes(kind):
    from bangyaer_dingtalk._config import CorpConfig

    corp = CorpConfig(CORP_A, "A", 1, "k", "s")
    message = Message(title="通知", body="很长的正文。" * 400, url="/notices/1")
    msg = build_message(kind, message, corp, "https://bangyaer.example.cn")
    assert msg["msgtype"] == kind
    assert len(json.dumps(msg, ensure_ascii=False).encode()) <= MAX_BYTES
    assert "corpId=dingcorpa0001" in json.dumps(msg)


async def test_two_hundred_fifty_recipients_take_three_calls_of_at_most_one_hundred(
        platform, sandbox, roster):
    from bangyaer.identity import Account, ExternalIdentity, Person, PersonKind

    corp_b = roster["corps"][1]
    corp_b["users"] += [{"userid": f"p{i}", "name": f"家长{i}", "role": "guardian",
                         "class_id": 2111} for i in range(250)]
    sandbox.load(roster)
    async with platform.db.transaction() as s:
        people = [Person(kind=PersonKind.guardian, name=f"家长{i}") for i in range(250)]
        s.add_all(people)
        await s.flush()
        accounts = [Account(person_id=p.id) for p in people]
        s.add_all(accounts)
        await s.flush()
        s.add_all(ExternalIdentity(account_id=a.id, provider="dingtalk", tenant=CORP_B,
                                   subject=f"p{i}") for i, a in enumerate(accounts))
    await send(platform, [p.id for p in people])
    async with platform.db.session() as s:
        tasks = [t for (t,) in await s.execute(select(Delivery.task_id))]
    sizes = sorted(tasks.count(t) for t in set(tasks))
    assert sizes == [50, 100, 100]
    assert sandbox.state.calls["/topapi/message/corpconversation/asyncsend_v2"] == 3
    assert all(len(sandbox.inbox(CORP_B, f"p{i}")) == 1 for i in range(250))
