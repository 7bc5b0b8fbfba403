"""Leases: a dead worker's job is taken again; a stale worker cannot undo a newer run."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.jobs import Job, JobContext, Worker, enqueue
from sqlalchemy import update

pytestmark = pytest.mark.anyio


class Plugin:
    """Runs ``self.body(ctx, payload)`` for kind ``leasetest.run``, recording each call."""

    def __init__(self) -> None:
        self.calls: list[JobContext] = []
        self.body: Any = None

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="leasetest", title_zh="测试", title_en="Test",
                          requires_core=">=0.1")

    @hookimpl
    def job_handlers(self) -> dict[str, Any]:
        return {"leasetest.run": self.run}

    async def run(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        self.calls.append(ctx)
        if self.body is not None:
            await self.body(ctx, payload)


@pytest.fixture
async def plugin() -> Plugin:
    return Plugin()


@pytest.fixture
async def lease_platform(make_platform, plugin):
    return await make_platform([plugin])


async def add_job(platform, **kwargs) -> int:
    async with platform.db.transaction() as session:
        return await enqueue(session, "leasetest.run", {}, **kwargs)


async def job_row(platform, job_id: int) -> Job:
    async with platform.db.session() as session:
        return await session.get(Job, job_id)


async def expire_lease(platform, job_id: int) -> None:
    """What a worker that died mid-job leaves behind: running, lease in the past."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    async with platform.db.transaction() as session:
        await session.execute(update(Job).where(Job.id == job_id).values(locked_until=past))


def worker(platform, name: str, **kwargs: Any) -> Worker:
    return platform.worker(name=name, **kwargs)


async def test_a_leased_job_is_not_claimed_by_another_worker(lease_platform):
    await add_job(lease_platform)
    assert len(await worker(lease_platform, "a").claim()) == 1

    assert await worker(lease_platform, "b").claim() == []


async def test_job_whose_worker_died_is_picked_up_again(lease_platform, plugin):
    job_id = await add_job(lease_platform)
    await worker(lease_platform, "dead-worker").claim()  # and never runs it
    await expire_lease(lease_platform, job_id)

    assert await worker(lease_platform, "b").drain() == 1

    job = await job_row(lease_platform, job_id)
    assert (job.status, job.attempts) == ("done", 2)
    assert [ctx.attempt for ctx in plugin.calls] == [2]


async def test_job_abandoned_on_its_last_attempt_is_dead(lease_platform, plugin):
    job_id = await add_job(lease_platform, max_attempts=1)
    await worker(lease_platform, "dead-worker").claim()
    await expire_lease(lease_platform, job_id)

    assert await worker(lease_platform, "b").drain() == 0

    job = await job_row(lease_platform, job_id)
    assert (job.status, job.attempts, job.locked_by) == ("dead", 1, None)
    assert job.last_error == ("abandoned: the worker running attempt 1 of 1 stopped "
                              "before finishing (lease expired)")
    assert plugin.calls == []


async def test_stale_worker_cannot_overwrite_the_new_holders_outcome(lease_platform, plugin):
    job_id = await add_job(lease_platform)
    stale, fresh = worker(lease_platform, "stale"), worker(lease_platform, "fresh")

    async def body(ctx: JobContext, payload: dict[str, Any]) -> None:
        if ctx.attempt == 1:
            # The stale worker stalls past its lease; the fresh one takes over
            # and succeeds before the stale one fails.
            await expire_lease(lease_platform, job_id)
            assert await fresh.run_once() == 1
            raise RuntimeError("stale failure")

    plugin.body = body
    [job] = await stale.claim()

    assert await stale.run_job(job) == "lost"

    row = await job_row(lease_platform, job_id)
    assert (row.status, row.attempts, row.last_error) == ("done", 2, None)
    assert [ctx.attempt for ctx in plugin.calls] == [1, 2]


async def test_worker_that_lost_a_lease_before_starting_skips_the_job(lease_platform, plugin):
    job_id = await add_job(lease_platform)
    slow = worker(lease_platform, "slow")
    [job] = await slow.claim()
    await expire_lease(lease_platform, job_id)
    assert await worker(lease_platform, "fast").run_once() == 1

    # The slow worker reaches the job only now, after its lease ran out.
    job.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert await slow.run_job(job) == "lost"

    assert len(plugin.calls) == 1
    assert (await job_row(lease_platform, job_id)).status == "done"


async def test_lease_is_renewed_before_a_job_that_waited_in_its_batch(lease_platform, plugin):
    job_id = await add_job(lease_platform)
    w = worker(lease_platform, "w", lease=dt.timedelta(minutes=5))
    [job] = await w.claim()
    # As if the earlier jobs of the batch had used most of the lease.
    nearly_over = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    async with lease_platform.db.transaction() as session:
        await session.execute(update(Job).where(Job.id == job_id)
                              .values(locked_until=nearly_over))
    job.locked_until = nearly_over
    seen: list[dt.datetime] = []

    async def body(ctx: JobContext, payload: dict[str, Any]) -> None:
        seen.append((await job_row(lease_platform, job_id)).locked_until)

    plugin.body = body
    assert await w.run_job(job) == "done"

    assert seen[0] > nearly_over + dt.timedelta(minutes=4)


async def test_lease_is_renewed_while_a_long_handler_runs(lease_platform, plugin):
    job_id = await add_job(lease_platform)
    w = worker(lease_platform, "w", lease=dt.timedelta(seconds=0.3))

    async def body(ctx: JobContext, payload: dict[str, Any]) -> None:
        first = (await job_row(lease_platform, job_id)).locked_until
        # Wait (bounded) until the worker has pushed the lease further out.
        for _ in range(400):
            if (await job_row(lease_platform, job_id)).locked_until > first:
                return
            await asyncio.sleep(0.05)
        pytest.fail("the lease was never renewed")

    plugin.body = body

    assert await w.drain() == 1
    assert (await job_row(lease_platform, job_id)).status == "done"
