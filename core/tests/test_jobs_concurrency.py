"""Several workers share one queue: every job runs exactly once, on both databases."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import anyio
import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.jobs import Job, JobContext, enqueue
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

pytestmark = pytest.mark.anyio

JOBS = 200
WORKERS = 4

# The handler's own table: a second run of any job breaks its primary key.
runs_metadata = MetaData()
runs = Table("conctest_run", runs_metadata,
             Column("job_id", Integer, primary_key=True),
             Column("worker", String(100), nullable=False))


class Plugin:
    def __init__(self) -> None:
        self.ran: list[int] = []

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="conctest", title_zh="测试", title_en="Test", requires_core=">=0.1")

    @hookimpl
    def job_handlers(self) -> dict[str, Any]:
        return {"conctest.run": self.run}

    async def run(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        self.ran.append(ctx.job_id)
        async with ctx.platform.db.transaction() as session:
            await session.execute(insert(runs).values(job_id=ctx.job_id,
                                                      worker=f"{id(ctx.platform):x}"))
        await asyncio.sleep(0)  # let the other workers in between jobs


async def fill_queue(platform, count: int) -> list[int]:
    async with platform.db.transaction() as session:
        return [await enqueue(session, "conctest.run", {"n": n}) for n in range(count)]


async def test_concurrent_workers_on_separate_platforms_run_every_job_once(make_platform):
    plugin = Plugin()
    platforms = [await make_platform([plugin]) for _ in range(WORKERS)]
    async with platforms[0].db.engine.begin() as conn:
        await conn.run_sync(runs_metadata.create_all)
    ids = await fill_queue(platforms[0], JOBS)

    totals = await asyncio.gather(*(p.worker(batch=5).drain() for p in platforms))

    assert sum(totals) == JOBS
    assert [i for i, n in Counter(plugin.ran).items() if n > 1] == []
    assert sorted(plugin.ran) == sorted(ids)
    async with platforms[0].db.session() as session:
        assert await session.scalar(select(func.count()).select_from(runs)) == JOBS
        statuses = dict((await session.execute(
            select(Job.status, func.count()).group_by(Job.status))).all())
        assert statuses == {"done": JOBS}
        # Every worker took part (a queue that serialised on one would not prove much).
        workers = await session.scalar(select(func.count(runs.c.worker.distinct())))
    assert workers > 1


async def test_concurrent_workers_on_one_platform_run_every_job_once(make_platform):
    plugin = Plugin()
    platform = await make_platform([plugin])
    async with platform.db.engine.begin() as conn:
        await conn.run_sync(runs_metadata.create_all)
    ids = await fill_queue(platform, JOBS)

    totals = await asyncio.gather(*(platform.worker(batch=3).drain() for _ in range(WORKERS)))

    assert sum(totals) == JOBS
    assert sorted(plugin.ran) == sorted(ids)
    assert len(set(plugin.ran)) == JOBS


async def test_claim_skips_jobs_locked_by_another_transaction(make_platform):
    platform = await make_platform([Plugin()])
    if platform.db.is_sqlite:
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    first, second = await fill_queue(platform, 2)

    async with platform.db.transaction() as other:
        # Another worker, mid-claim, holds the oldest job's row lock.
        await other.execute(select(Job.id).where(Job.id == first).with_for_update())
        with anyio.fail_after(10):  # a claim that waited for the lock would hang
            claimed = await platform.worker().claim()

    assert [job.id for job in claimed] == [second]
