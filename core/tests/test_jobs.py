"""The durable job queue: enqueue, idempotency keys, retries, dead jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.jobs import Job, JobContext, PermanentJobError, Worker, backoff, enqueue
from sqlalchemy import func, select

pytestmark = pytest.mark.anyio  # see test_blobs.py: keeps parametrize arguments


def no_delay(attempt: int) -> dt.timedelta:
    return dt.timedelta(0)


class Recorder:
    """A plugin whose handler records its calls and fails the first ``fail_times``."""

    def __init__(self, fail_times: int = 0,
                 error: Callable[[], Exception] = lambda: RuntimeError("boom")) -> None:
        self.calls: list[tuple[JobContext, dict[str, Any]]] = []
        self.fail_times = fail_times
        self.error = error

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="jobtest", title_zh="测试", title_en="Test", requires_core=">=0.1")

    @hookimpl
    def job_handlers(self) -> dict[str, Any]:
        return {"jobtest.record": self.record}

    async def record(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        self.calls.append((ctx, payload))
        if len(self.calls) <= self.fail_times:
            raise self.error()


async def add_job(platform, kind="jobtest.record", payload=None, **kwargs) -> int:
    async with platform.db.transaction() as session:
        job_id = await enqueue(session, kind, payload or {}, **kwargs)
    assert job_id is not None
    return job_id


async def job_row(platform, job_id: int) -> Job:
    async with platform.db.session() as session:
        return await session.get(Job, job_id)


async def count_jobs(platform) -> int:
    async with platform.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Job))


# -- enqueue --------------------------------------------------------------


async def test_enqueue_adds_a_queued_job(platform):
    job_id = await add_job(platform, payload={"n": 1}, max_attempts=3)

    job = await job_row(platform, job_id)
    assert (job.kind, job.payload, job.status, job.attempts, job.max_attempts) == (
        "jobtest.record", {"n": 1}, "queued", 0, 3)
    assert job.run_at <= dt.datetime.now(dt.UTC)


async def test_enqueue_in_a_rolled_back_transaction_leaves_no_job(platform):
    with pytest.raises(RuntimeError, match="request failed"):
        async with platform.db.transaction() as session:
            await enqueue(session, "jobtest.record", {})
            raise RuntimeError("request failed")

    assert await count_jobs(platform) == 0


async def test_enqueue_with_a_used_key_makes_no_second_job(platform):
    first = await add_job(platform, key="notice:7")
    async with platform.db.transaction() as session:
        second = await enqueue(session, "jobtest.record", {}, key="notice:7")

    assert isinstance(first, int)
    assert second is None
    assert await count_jobs(platform) == 1


async def test_enqueue_twice_with_a_key_in_one_transaction_makes_one_job(platform):
    async with platform.db.transaction() as session:
        ids = [await enqueue(session, "jobtest.record", {}, key="k") for _ in range(2)]

    assert ids[1] is None
    assert await count_jobs(platform) == 1


async def test_concurrent_enqueues_with_one_key_make_one_job(platform):
    import asyncio

    async def request() -> int | None:
        async with platform.db.transaction() as session:
            return await enqueue(session, "jobtest.record", {}, key="pay:42")

    results = await asyncio.gather(*(request() for _ in range(4)))

    assert sum(r is not None for r in results) == 1
    assert await count_jobs(platform) == 1


async def test_a_key_is_not_reused_after_its_job_ran(make_platform):
    recorder = Recorder()
    platform = await make_platform([recorder])
    await add_job(platform, key="once")
    await platform.worker().drain()

    async with platform.db.transaction() as session:
        again = await enqueue(session, "jobtest.record", {}, key="once")

    assert again is None
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"kind": "send"}, r"^job kind 'send': expected '<plugin id>\.<name>'",
                     id="kind-without-plugin"),
        pytest.param({"kind": "Notices.Send"}, r"^job kind 'Notices\.Send': expected",
                     id="kind-upper-case"),
        pytest.param({"key": ""}, r"^idempotency key must be 1 to 200 characters, got 0$",
                     id="empty-key"),
        pytest.param({"key": "k" * 201},
                     r"^idempotency key must be 1 to 200 characters, got 201$", id="long-key"),
        pytest.param({"run_at": dt.datetime(2030, 1, 1)},
                     r"^run_at datetime\.datetime\(2030, 1, 1, 0, 0\) is naive: pass a UTC",
                     id="naive-run-at"),
        pytest.param({"max_attempts": 0}, r"^max_attempts must be 1 or more, got 0$",
                     id="no-attempts"),
    ],
)
async def test_enqueue_refuses_bad_arguments(platform, kwargs, message):
    kind = kwargs.pop("kind", "jobtest.record")

    with pytest.raises(ValueError, match=message):
        async with platform.db.transaction() as session:
            await enqueue(session, kind, {}, **kwargs)

    assert await count_jobs(platform) == 0


# -- backoff --------------------------------------------------------------


def test_backoff_doubles_from_two_seconds():
    delays = [backoff(n, uniform=lambda low, high: high).total_seconds() for n in range(1, 6)]

    assert delays == [2, 4, 8, 16, 32]


def test_backoff_jitter_keeps_at_least_half_the_delay():
    delays = [backoff(n, uniform=lambda low, high: low).total_seconds() for n in range(1, 4)]

    assert delays == [1, 2, 4]


def test_backoff_is_capped_at_an_hour_without_overflowing():
    top = [backoff(n, uniform=lambda low, high: high).total_seconds() for n in (12, 13, 5000)]

    assert top == [3600, 3600, 3600]


def test_backoff_jitter_spreads_jobs_that_failed_together():
    delays = {backoff(6) for _ in range(50)}

    assert len(delays) > 1
    assert all(dt.timedelta(seconds=32) <= d <= dt.timedelta(seconds=64) for d in delays)


def test_backoff_refuses_attempt_zero():
    with pytest.raises(ValueError, match=r"^attempt must be 1 or more, got 0$"):
        backoff(0)


# -- running, retrying, dying ---------------------------------------------


async def test_hook_job_handlers_kinds_are_run_by_the_worker(make_platform):
    recorder = Recorder()
    platform = await make_platform([recorder])
    job_id = await add_job(platform, payload={"notice": 7}, key="notice:7")

    assert await platform.worker().drain() == 1

    ctx, payload = recorder.calls[0]
    assert payload == {"notice": 7}
    assert (ctx.job_id, ctx.kind, ctx.attempt, ctx.idempotency_key) == (
        job_id, "jobtest.record", 1, "notice:7")
    assert ctx.platform is platform
    job = await job_row(platform, job_id)
    assert (job.status, job.locked_by, job.locked_until) == ("done", None, None)
    assert job.finished_at is not None


async def test_hook_job_handlers_kind_outside_the_plugin_id_takes_the_plugin_out(
    make_platform,
):
    class Squatter:
        @hookimpl
        def plugin_info(self) -> PluginInfo:
            return PluginInfo(id="squatter", title_zh="测试", title_en="Test",
                              requires_core=">=0.1")

        @hookimpl
        def job_handlers(self) -> dict[str, Any]:
            return {"core.send_notification": self.steal}

        async def steal(self, ctx: JobContext, payload: dict[str, Any]) -> None:
            raise AssertionError("never registered")

    platform = await make_platform([Squatter()])

    record = platform.host.records["squatter"]
    assert record.status == "broken"
    assert "'core.send_notification' must start with 'squatter.'" in record.reason
    assert platform.job_handlers["core.send_notification"] is not Squatter.steal


async def test_failed_job_is_queued_again_after_a_backoff(make_platform):
    platform = await make_platform([Recorder(fail_times=1)])
    job_id = await add_job(platform)
    before = dt.datetime.now(dt.UTC)

    assert await platform.worker().run_once() == 1

    job = await job_row(platform, job_id)
    assert (job.status, job.attempts, job.last_error) == ("queued", 1, "RuntimeError: boom")
    # backoff(1) is between one and two seconds.
    assert before + dt.timedelta(seconds=1) <= job.run_at
    assert job.run_at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    assert await platform.worker().run_once() == 0  # not ready yet


async def test_retried_job_that_succeeds_is_done_without_an_error(make_platform):
    recorder = Recorder(fail_times=2)
    platform = await make_platform([recorder])
    job_id = await add_job(platform)

    await platform.worker(retry_delay=no_delay).drain()

    job = await job_row(platform, job_id)
    assert (job.status, job.attempts, job.last_error) == ("done", 3, None)
    assert [ctx.attempt for ctx, _ in recorder.calls] == [1, 2, 3]


async def test_permanent_error_makes_the_job_dead_at_once(make_platform):
    recorder = Recorder(fail_times=99, error=lambda: PermanentJobError("no such notice 7"))
    platform = await make_platform([recorder])
    job_id = await add_job(platform)

    await platform.worker(retry_delay=no_delay).drain()

    job = await job_row(platform, job_id)
    assert (job.status, job.attempts) == ("dead", 1)
    assert job.last_error == "PermanentJobError: no such notice 7"
    assert job.finished_at is not None
    assert len(recorder.calls) == 1


async def test_job_is_dead_after_max_attempts(make_platform):
    recorder = Recorder(fail_times=99)
    platform = await make_platform([recorder])
    job_id = await add_job(platform, max_attempts=3)

    await platform.worker(retry_delay=no_delay).drain()

    job = await job_row(platform, job_id)
    assert (job.status, job.attempts, job.last_error) == ("dead", 3, "RuntimeError: boom")
    assert len(recorder.calls) == 3


async def test_long_error_messages_are_cut_to_fit(make_platform):
    platform = await make_platform([Recorder(fail_times=1, error=lambda: ValueError("x" * 5000))])
    job_id = await add_job(platform)

    await platform.worker().run_once()

    job = await job_row(platform, job_id)
    assert len(job.last_error) == 2000
    assert job.last_error.startswith("ValueError: xxx")


async def test_unknown_job_kind_is_retried_then_dead_with_a_clear_error(platform):
    job_id = await add_job(platform, kind="gone.away", max_attempts=2)
    worker = platform.worker(retry_delay=no_delay)

    await worker.run_once()
    assert (await job_row(platform, job_id)).status == "queued"
    await worker.drain()

    job = await job_row(platform, job_id)
    assert (job.status, job.attempts) == ("dead", 2)
    assert job.last_error == ("no handler for job kind 'gone.away'; is the plugin that "
                              "defines it installed and enabled?")


async def test_a_job_scheduled_for_later_waits(make_platform):
    recorder = Recorder()
    platform = await make_platform([recorder])
    await add_job(platform, run_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))

    assert await platform.worker().drain() == 0
    assert recorder.calls == []


async def test_jobs_run_oldest_first(make_platform):
    recorder = Recorder()
    platform = await make_platform([recorder])
    now = dt.datetime.now(dt.UTC)
    for n, minutes_ago in enumerate([1, 3, 2]):
        await add_job(platform, payload={"n": n}, run_at=now - dt.timedelta(minutes=minutes_ago))

    await platform.worker(batch=1).drain()

    assert [payload["n"] for _, payload in recorder.calls] == [1, 2, 0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"batch": 0}, r"^batch must be 1 or more, got 0$", id="batch"),
        pytest.param({"lease": dt.timedelta(0)}, r"^lease must be positive, got 0:00:00$",
                     id="lease"),
    ],
)
def test_worker_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Worker(platform=None, handlers={}, **kwargs)  # type: ignore[arg-type]
