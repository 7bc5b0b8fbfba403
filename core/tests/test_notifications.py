"""Notifications: inbox rows per person, one job per channel, idempotent with a key."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.identity import Person, PersonKind
from bangyaer.jobs import Job, JobContext
from bangyaer.notifications import SEND_JOB, Message, mark_read, notify, unread_count
from sqlalchemy import func, select

pytestmark = pytest.mark.anyio


class SmsChannel:
    id = "sms"

    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[tuple[JobContext, list[Message]]] = []
        self.fail_times = fail_times

    async def send(self, ctx: JobContext, messages: Sequence[Message]) -> None:
        self.sent.append((ctx, list(messages)))
        if len(self.sent) <= self.fail_times:
            raise ConnectionError("gateway timeout")


class ChannelPlugin:
    def __init__(self, channel: SmsChannel) -> None:
        self.channel = channel

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="ntest", title_zh="测试", title_en="Test", requires_core=">=0.1")

    @hookimpl
    def notification_channels(self) -> list[Any]:
        return [self.channel]


async def add_people(platform) -> dict[str, int]:
    """Three guardians; no accounts, which keeps these tests quick."""
    async with platform.db.transaction() as session:
        found = {key: Person(kind=PersonKind.guardian, name=name, external_no=f"N-{key}")
                 for key, name in (("parent", "王大明"), ("parent_b", "李大华"),
                                   ("staff", "张老师"))}
        session.add_all(found.values())
        await session.flush()
        return {key: person.id for key, person in found.items()}


@pytest.fixture
async def people(platform) -> dict[str, int]:
    return await add_people(platform)


async def send(platform, person_ids, **kwargs) -> str | None:
    kwargs.setdefault("source", "notices")
    kwargs.setdefault("title", "放假通知")
    async with platform.db.transaction() as session:
        return await notify(session, person_ids, **kwargs)


async def messages(platform) -> list[Message]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Message).order_by(Message.id)))


async def send_jobs(platform) -> list[Job]:
    async with platform.db.session() as session:
        return list(await session.scalars(
            select(Job).where(Job.kind == SEND_JOB).order_by(Job.id)))


async def channel_platform(make_platform, channel: SmsChannel, **overrides):
    platform = await make_platform([ChannelPlugin(channel)], **overrides)
    return platform, await add_people(platform)


async def test_notify_puts_one_message_in_each_distinct_persons_inbox(platform, people):
    parent, other = people["parent"], people["parent_b"]

    batch = await send(platform, [parent, other, parent], title="报名成功", body="请按时参加",
                       url="/competitions/mine", topic="registered", source="competitions")

    rows = await messages(platform)
    assert sorted(m.person_id for m in rows) == sorted([parent, other])
    assert {(m.batch, m.source, m.topic, m.title, m.body, m.url, m.read_at) for m in rows} == {
        (batch, "competitions", "registered", "报名成功", "请按时参加", "/competitions/mine",
         None)}


async def test_notify_queues_one_job_per_channel_for_the_batch(platform, people):
    batch = await send(platform, [people["parent"], people["parent_b"]],
                       channels=["sms", "dingtalk", "sms"])

    jobs = await send_jobs(platform)
    assert [(j.payload, j.idempotency_key) for j in jobs] == [
        ({"batch": batch, "channel": "sms"}, f"notify:{batch}:sms"),
        ({"batch": batch, "channel": "dingtalk"}, f"notify:{batch}:dingtalk"),
    ]


async def test_notify_in_a_rolled_back_transaction_leaves_nothing(platform, people):
    with pytest.raises(RuntimeError, match="publishing failed"):
        async with platform.db.transaction() as session:
            await notify(session, [people["parent"]], source="notices", title="通知",
                         channels=["sms"])
            raise RuntimeError("publishing failed")

    assert await messages(platform) == []
    assert await send_jobs(platform) == []


async def test_notify_with_a_used_key_sends_nothing_more(platform, people):
    first = await send(platform, [people["parent"]], key="notice:7", channels=["sms"])
    again = await send(platform, [people["parent"], people["parent_b"]], key="notice:7",
                       channels=["sms"])

    assert isinstance(first, str)
    assert again is None
    assert [m.person_id for m in await messages(platform)] == [people["parent"]]
    assert len(await send_jobs(platform)) == 1


async def test_notify_with_one_key_from_concurrent_transactions_sends_once(platform, people):
    persons = [people["parent"], people["parent_b"]]

    results = await asyncio.gather(
        *(send(platform, persons, key="result:12", channels=["sms"]) for _ in range(4)))

    assert sum(r is not None for r in results) == 1
    assert sorted(m.person_id for m in await messages(platform)) == sorted(persons)
    assert len(await send_jobs(platform)) == 1


async def test_notify_without_recipients_writes_nothing(platform, people):
    batch = await send(platform, [], channels=["sms"])

    assert isinstance(batch, str)
    assert await messages(platform) == []
    assert await send_jobs(platform) == []


async def test_notify_refuses_unknown_people_and_writes_nothing(platform, people):
    with pytest.raises(ValueError, match=r"^cannot notify unknown person id\(s\) \[999999\]$"):
        await send(platform, [people["parent"], 999999], channels=["sms"])

    assert await messages(platform) == []
    assert await send_jobs(platform) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    pytest.param({"title": "  "}, r"^notification title is empty$", id="blank-title"),
    pytest.param({"title": "长" * 201}, r"^notification title is 201 characters; at most 200 fit$",
                 id="long-title"),
    pytest.param({"source": ""}, r"^notification source is empty: pass the sending plugin's id$",
                 id="no-source"),
    pytest.param({"url": "/" + "x" * 500},
                 r"^notification url is 501 characters; at most 500 fit$", id="long-url"),
    pytest.param({"topic": "t" * 65}, r"^notification topic is 65 characters; at most 64 fit$",
                 id="long-topic"),
    pytest.param({"channels": ["sms", ""]}, r"^notification channel '': expected a channel id$",
                 id="empty-channel"),
])
async def test_notify_refuses_bad_fields(platform, people, kwargs, message):
    with pytest.raises(ValueError, match=message):
        await send(platform, [people["parent"]], **kwargs)

    assert await messages(platform) == []


async def test_hook_notification_channels_channel_receives_the_whole_batch(make_platform):
    channel = SmsChannel()
    platform, ids = await channel_platform(make_platform, channel)
    persons = [ids["parent"], ids["parent_b"], ids["staff"]]
    batch = await send(platform, persons, title="比赛结果公示", channels=["sms"])

    await platform.worker().drain()

    [(ctx, received)] = channel.sent
    assert [m.person_id for m in received] == persons
    assert {(m.batch, m.title) for m in received} == {(batch, "比赛结果公示")}
    assert ctx.idempotency_key == f"notify:{batch}:sms"
    assert [j.status for j in await send_jobs(platform)] == ["done"]


async def test_hook_notification_channels_failing_channel_is_retried(make_platform):
    channel = SmsChannel(fail_times=1)
    platform, ids = await channel_platform(make_platform, channel)
    await send(platform, [ids["parent"]], channels=["sms"])

    await platform.worker(retry_delay=lambda attempt: dt.timedelta(0)).drain()

    assert len(channel.sent) == 2
    [job] = await send_jobs(platform)
    assert (job.status, job.attempts) == ("done", 2)


async def test_unknown_channel_makes_the_job_dead_with_a_clear_error(make_platform):
    platform, ids = await channel_platform(make_platform, SmsChannel())
    await send(platform, [ids["parent"]], channels=["wechat"])

    await platform.worker().drain()

    [job] = await send_jobs(platform)
    assert (job.status, job.attempts) == ("dead", 1)
    assert job.last_error == ("PermanentJobError: no enabled plugin provides notification "
                              "channel 'wechat' (enabled channels: ['sms'])")


async def test_channel_of_a_disabled_plugin_makes_the_job_dead(make_platform):
    channel = SmsChannel()
    platform, ids = await channel_platform(make_platform, channel, disabled_plugins=("ntest",))
    await send(platform, [ids["parent"]], channels=["sms"])

    await platform.worker().drain()

    [job] = await send_jobs(platform)
    assert job.status == "dead"
    assert job.last_error.endswith("channel 'sms' (enabled channels: none)")
    assert channel.sent == []


async def test_the_inbox_keeps_messages_when_a_channel_fails_for_good(make_platform):
    platform, ids = await channel_platform(make_platform, SmsChannel())
    await send(platform, [ids["parent"]], channels=["wechat"])

    await platform.worker().drain()

    async with platform.db.session() as session:
        assert await unread_count(session, ids["parent"]) == 1


async def test_unread_count_counts_only_the_persons_unread_messages(platform, people):
    parent, other = people["parent"], people["parent_b"]
    await send(platform, [parent, other])
    await send(platform, [parent])

    async with platform.db.session() as session:
        counts = (await unread_count(session, parent), await unread_count(session, other))
    assert counts == (2, 1)


async def test_mark_read_changes_only_the_persons_own_messages(platform, people):
    parent, other = people["parent"], people["parent_b"]
    await send(platform, [parent, other])
    by_person = {m.person_id: m.id for m in await messages(platform)}

    async with platform.db.transaction() as session:
        changed = await mark_read(session, parent, [by_person[parent], by_person[other]])

    assert changed == 1
    async with platform.db.session() as session:
        assert await unread_count(session, parent) == 0
        assert await unread_count(session, other) == 1
        unread_others = await session.scalar(
            select(func.count()).select_from(Message)
            .where(Message.person_id == other, Message.read_at.is_(None)))
    assert unread_others == 1


async def test_mark_read_twice_changes_nothing_the_second_time(platform, people):
    await send(platform, [people["parent"]])
    [message] = await messages(platform)

    results = []
    for _ in range(2):
        async with platform.db.transaction() as session:
            results.append(await mark_read(session, people["parent"], [message.id]))

    assert results == [1, 0]
    assert (await messages(platform))[0].read_at is not None
