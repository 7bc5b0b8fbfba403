"""Domain events: written with the change, fanned out, delivered to each subscriber."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.events import DELIVER_JOB, DISPATCH_JOB, Event, EventRecord, emit
from bangyaer.jobs import Job, JobContext, enqueue
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.anyio

# What subscribers write, to show their writes share the delivery's transaction.
seen_metadata = MetaData()
seen = Table("evtest_seen", seen_metadata,
             Column("id", Integer, primary_key=True),
             Column("plugin", String(32), nullable=False),
             Column("event_id", Integer, nullable=False))


def no_delay(attempt: int) -> dt.timedelta:
    return dt.timedelta(0)


class Subscriber:
    """A plugin whose on_event records the event, writes a row, and may fail."""

    def __init__(self, plugin_id: str, fail_times: int = 0) -> None:
        self.id = plugin_id
        self.events: list[Event] = []
        self.in_transaction: list[bool] = []
        self.fail_times = fail_times

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id=self.id, title_zh="测试", title_en="Test", requires_core=">=0.1")

    @hookimpl
    async def on_event(self, event: Event, session: AsyncSession) -> None:
        self.events.append(event)
        self.in_transaction.append(session.in_transaction())
        await session.execute(insert(seen).values(plugin=self.id, event_id=event.id))
        if len(self.events) <= self.fail_times:
            raise RuntimeError(f"{self.id} is down")


class SyncSubscriber:
    """on_event may also be a plain function."""

    def __init__(self) -> None:
        self.types: list[str] = []

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="evsync", title_zh="测试", title_en="Test", requires_core=">=0.1")

    @hookimpl
    def on_event(self, event: Event, session: AsyncSession) -> None:
        self.types.append(event.type)


class Bystander:
    """Enabled, but not interested in events."""

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="evquiet", title_zh="测试", title_en="Test", requires_core=">=0.1")


async def events_platform(make_platform, plugins, **overrides):
    platform = await make_platform(plugins, **overrides)
    async with platform.db.engine.begin() as conn:
        await conn.run_sync(seen_metadata.create_all)
    return platform


async def emit_one(platform, type="evtest.thing_happened", **kwargs) -> int:
    async with platform.db.transaction() as session:
        record = await emit(session, type, **kwargs)
    return record.id


async def jobs_of(platform, kind: str) -> list[Job]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


async def seen_rows(platform) -> list[tuple[str, int]]:
    async with platform.db.session() as session:
        rows = await session.execute(select(seen.c.plugin, seen.c.event_id).order_by(seen.c.id))
    return [tuple(row) for row in rows]


async def test_emit_writes_the_event_and_its_dispatch_job(platform):
    async with platform.db.transaction() as session:
        record = await emit(session, "evtest.entry_registered", subject_id=5,
                            actor_account_id=9, entry=12, group="小学低段")

    async with platform.db.session() as session:
        stored = await session.get(EventRecord, record.id)
    assert (stored.type, stored.subject_id, stored.actor_account_id, stored.payload) == (
        "evtest.entry_registered", 5, 9, {"entry": 12, "group": "小学低段"})
    [job] = await jobs_of(platform, DISPATCH_JOB)
    assert (job.payload, job.idempotency_key, job.status) == (
        {"event_id": record.id}, f"event:{record.id}", "queued")


async def test_emit_in_a_rolled_back_transaction_leaves_no_event_and_no_job(platform):
    with pytest.raises(RuntimeError, match="registration failed"):
        async with platform.db.transaction() as session:
            await emit(session, "evtest.entry_registered", entry=12)
            raise RuntimeError("registration failed")

    async with platform.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(EventRecord)) == 0
        assert await session.scalar(select(func.count()).select_from(Job)) == 0


@pytest.mark.parametrize("bad_type", [
    pytest.param("entry_registered", id="no-plugin-id"),
    pytest.param("Competitions.Registered", id="upper-case"),
    pytest.param(".registered", id="empty-plugin-id"),
    pytest.param("competitions.", id="empty-name"),
])
async def test_emit_refuses_a_type_that_is_not_plugin_dot_name(platform, bad_type):
    with pytest.raises(ValueError, match=(
        rf"^event type {bad_type!r}: expected '<plugin id>\.<what happened>', "
        r"e\.g\. 'competitions\.entry_registered'$"
    )):
        async with platform.db.transaction() as session:
            await emit(session, bad_type)


@pytest.mark.parametrize(("value", "reason"), [
    pytest.param(dt.date(2026, 5, 1), "Object of type date is not JSON serializable",
                 id="date"),
    pytest.param(float("nan"), "Out of range float values are not JSON compliant", id="nan"),
])
async def test_emit_refuses_a_payload_that_is_not_json(platform, value, reason):
    with pytest.raises(ValueError, match=(
        rf"^event 'evtest\.thing_happened': payload must be JSON-able: {reason}"
    )):
        async with platform.db.transaction() as session:
            await emit(session, "evtest.thing_happened", when=value)


async def test_dispatch_queues_one_delivery_per_enabled_subscriber(make_platform):
    platform = await events_platform(
        make_platform, [Subscriber("evone"), Bystander(), Subscriber("evtwo")])
    event_id = await emit_one(platform)

    assert await platform.worker(batch=1).run_once() == 1  # the dispatch job only

    deliveries = await jobs_of(platform, DELIVER_JOB)
    assert [(j.payload, j.idempotency_key) for j in deliveries] == [
        ({"event_id": event_id, "plugin": "evone"}, f"deliver:{event_id}:evone"),
        ({"event_id": event_id, "plugin": "evtwo"}, f"deliver:{event_id}:evtwo"),
    ]


async def test_dispatch_that_runs_twice_queues_each_delivery_once(make_platform):
    platform = await events_platform(make_platform, [Subscriber("evone")])
    event_id = await emit_one(platform)
    [job] = await jobs_of(platform, DISPATCH_JOB)
    ctx = JobContext(platform, job.id, job.kind, 1, job.idempotency_key)

    for _ in range(2):  # as when a dispatch's lease expired and it ran again
        await platform.job_handlers[DISPATCH_JOB](ctx, {"event_id": event_id})

    assert len(await jobs_of(platform, DELIVER_JOB)) == 1


async def test_dispatch_of_a_missing_event_is_dead(platform):
    async with platform.db.transaction() as session:
        await enqueue(session, DISPATCH_JOB, {"event_id": 999})

    await platform.worker().drain()

    [job] = await jobs_of(platform, DISPATCH_JOB)
    assert (job.status, job.last_error) == (
        "dead", "PermanentJobError: event 999 does not exist")


async def test_hook_on_event_subscriber_gets_the_event_and_a_transaction(make_platform):
    subscriber, sync = Subscriber("evone"), SyncSubscriber()
    platform = await events_platform(make_platform, [subscriber, sync])
    event_id = await emit_one(platform, "evtest.award_given", subject_id=3, level="一等奖")

    await platform.worker().drain()

    [event] = subscriber.events
    assert (event.id, event.type, event.subject_id, event.payload) == (
        event_id, "evtest.award_given", 3, {"level": "一等奖"})
    assert sync.types == ["evtest.award_given"]
    assert subscriber.in_transaction == [True]
    # The subscriber's write was committed with its delivery.
    assert await seen_rows(platform) == [("evone", event_id)]
    assert {j.status for j in await jobs_of(platform, DELIVER_JOB)} == {"done"}


async def test_hook_on_event_failing_subscriber_is_retried_alone(make_platform):
    flaky, steady = Subscriber("evflaky", fail_times=1), Subscriber("evsteady")
    platform = await events_platform(make_platform, [flaky, steady])
    event_id = await emit_one(platform)

    await platform.worker().drain()  # the flaky delivery now waits for its backoff

    assert len(steady.events) == 1
    # The failed delivery's write was rolled back with it.
    assert await seen_rows(platform) == [("evsteady", event_id)]
    by_plugin = {j.payload["plugin"]: j for j in await jobs_of(platform, DELIVER_JOB)}
    assert (by_plugin["evflaky"].status, by_plugin["evflaky"].last_error) == (
        "queued", "RuntimeError: evflaky is down")
    assert by_plugin["evsteady"].status == "done"

    async with platform.db.transaction() as session:  # the backoff is over
        await session.execute(Job.__table__.update().values(run_at=dt.datetime.now(dt.UTC)))
    await platform.worker().drain()

    assert (len(flaky.events), len(steady.events)) == (2, 1)
    assert sorted(await seen_rows(platform)) == [("evflaky", event_id), ("evsteady", event_id)]


async def test_hook_on_event_subscriber_disabled_after_dispatch_gets_nothing(
    make_platform,
):
    subscriber = Subscriber("evone")
    before = await events_platform(make_platform, [subscriber])
    await emit_one(before)
    await before.worker(batch=1).run_once()  # dispatched while the plugin was enabled

    # The deployment restarts with the plugin disabled; the worker delivers.
    after = await make_platform([subscriber], disabled_plugins=("evone",))
    await after.worker().drain()

    assert subscriber.events == []
    [delivery] = await jobs_of(after, DELIVER_JOB)
    assert delivery.status == "done"


async def test_hook_on_event_disabled_subscriber_gets_no_delivery_job(make_platform):
    subscriber = Subscriber("evone")
    platform = await events_platform(make_platform, [subscriber, Subscriber("evtwo")],
                                     disabled_plugins=("evone",))
    await emit_one(platform)

    await platform.worker().drain()

    assert [j.payload["plugin"] for j in await jobs_of(platform, DELIVER_JOB)] == ["evtwo"]
    assert subscriber.events == []


@pytest.mark.parametrize(("payload", "error"), [
    pytest.param({"plugin": "evone"}, "expected an integer 'event_id'", id="no-event-id"),
    pytest.param({"event_id": "7", "plugin": "evone"}, "expected an integer 'event_id'",
                 id="event-id-text"),
    pytest.param({"event_id": 7}, "expected a string 'plugin'", id="no-plugin"),
])
async def test_delivery_with_a_malformed_payload_is_dead(make_platform, payload, error):
    platform = await events_platform(make_platform, [Subscriber("evone")])
    async with platform.db.transaction() as session:
        await enqueue(session, DELIVER_JOB, payload)

    await platform.worker().drain()

    [job] = await jobs_of(platform, DELIVER_JOB)
    assert job.status == "dead"
    assert job.last_error == f"PermanentJobError: payload {payload!r}: {error}"
