"""enqueue_many: enqueue's keys and checks, for many jobs in a statement or two."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.jobs import Job, NewJob, enqueue, enqueue_many
from sqlalchemy import func, select

pytestmark = pytest.mark.anyio  # see test_blobs.py: keeps parametrize arguments


async def jobs_of(platform) -> list[Job]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Job).order_by(Job.id)))


async def test_jobs_are_added_and_their_ids_come_back_in_order(platform):
    later = utcnow() + dt.timedelta(hours=1)
    async with platform.db.transaction() as session:
        ids = await enqueue_many(session, [
            NewJob("jobtest.record", {"n": 1}),
            NewJob("jobtest.record", {"n": 2}, key="k2", run_at=later, max_attempts=3),
            NewJob("jobtest.record", {"n": 3}),
        ])

    by_id = {job.id: job for job in await jobs_of(platform)}
    assert None not in ids and len(set(ids)) == 3
    assert [by_id[i].payload for i in ids] == [{"n": 1}, {"n": 2}, {"n": 3}]
    second = by_id[ids[1]]
    assert (second.idempotency_key, second.run_at, second.max_attempts, second.status) == (
        "k2", later, 3, "queued")


async def test_a_key_used_before_or_earlier_in_the_batch_makes_no_job(platform):
    async with platform.db.transaction() as session:
        before = await enqueue(session, "jobtest.record", {"n": 0}, key="old")
    async with platform.db.transaction() as session:
        ids = await enqueue_many(session, [
            NewJob("jobtest.record", {"n": 1}, key="old"),
            NewJob("jobtest.record", {"n": 2}, key="new"),
            NewJob("jobtest.record", {"n": 3}, key="new"),
        ])

    jobs = await jobs_of(platform)
    assert ids[0] is None and ids[1] is not None and ids[2] is None
    assert [(j.id, j.idempotency_key, j.payload) for j in jobs] == [
        (before, "old", {"n": 0}), (ids[1], "new", {"n": 2})]


async def test_a_batch_gives_what_enqueue_one_at_a_time_gives(platform):
    jobs = [NewJob("jobtest.record", {"n": n}, key=f"k{n % 2}") for n in range(4)]
    async with platform.db.session() as session:  # closed uncommitted: rolled back
        single = [await enqueue(session, j.kind, j.payload, key=j.key) is not None
                  for j in jobs]
    async with platform.db.transaction() as session:
        bulk = [i is not None for i in await enqueue_many(session, jobs)]

    assert bulk == single == [True, True, False, False]


@pytest.mark.parametrize(("job", "message"), [
    pytest.param(NewJob("nodot"), "job kind", id="kind"),
    pytest.param(NewJob("jobtest.record", key=""), "idempotency key", id="empty-key"),
    pytest.param(NewJob("jobtest.record", run_at=dt.datetime(2027, 1, 1)), "naive",
                 id="naive"),
    pytest.param(NewJob("jobtest.record", max_attempts=0), "max_attempts", id="attempts"),
])
async def test_one_bad_job_refuses_the_batch(platform, job, message):
    async with platform.db.transaction() as session:
        with pytest.raises(ValueError, match=message):
            await enqueue_many(session, [NewJob("jobtest.record", key="fine"), job])
        assert await session.scalar(select(func.count(Job.id))) == 0


async def test_no_jobs_add_nothing(platform):
    async with platform.db.transaction() as session:
        assert await enqueue_many(session, []) == []
    assert await jobs_of(platform) == []
