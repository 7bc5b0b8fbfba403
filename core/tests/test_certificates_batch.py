"""A whole activity's certificates as one background job, with progress and safe re-runs."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.certificates import (
    ISSUE_JOB,
    Certificate,
    CertificateBatch,
    CertificateError,
    CertificateItem,
    CertificateTemplate,
    issue_for_many,
    run_batch,
)
from bangyaer.jobs import Job, JobContext
from bangyaer.testing import drain
from sqlalchemy import func, select

KIDS = ("child_1", "child_2", "child_b")


async def queue(platform, district, source_key="activity:3"):
    items = [CertificateItem(district.ids[k], f"award:{i}", "优胜奖") for i, k in enumerate(KIDS)]
    async with platform.db.transaction() as session:
        batch = await issue_for_many(
            session, source=("competitions", source_key), activity_title="区科技节",
            template=CertificateTemplate(), items=items, issued_on=dt.date(2026, 5, 4))
        return batch.id


async def count(platform, model):
    async with platform.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_batch_job_issues_every_certificate_and_records_progress(platform, district):
    batch_id = await queue(platform, district)

    await drain(platform)

    async with platform.db.session() as session:
        batch = await session.get(CertificateBatch, batch_id)
        holders = set(await session.scalars(select(Certificate.holder_id)
                                            .where(Certificate.batch_id == batch_id)))
    assert (batch.done, batch.total, batch.status) == (3, 3, "done")
    assert holders == {district.ids[k] for k in KIDS}


async def test_queueing_the_same_batch_twice_queues_one_job(platform, district):
    first = await queue(platform, district)
    second = await queue(platform, district)

    assert first == second
    async with platform.db.session() as session:
        jobs = await session.scalar(select(func.count(Job.id)).where(Job.kind == ISSUE_JOB))
    assert jobs == 1


async def test_running_the_batch_again_makes_no_second_certificate(platform, district):
    batch_id = await queue(platform, district)
    await drain(platform)
    async with platform.db.transaction() as session:
        batch = await session.get(CertificateBatch, batch_id)
        batch.done, batch.status = 1, "running"  # as if a worker died after one chunk

    await run_batch(JobContext(platform, 0, ISSUE_JOB, 2, None), {"batch_id": batch_id})

    assert await count(platform, Certificate) == 3
    async with platform.db.session() as session:
        assert (await session.get(CertificateBatch, batch_id)).status == "done"


async def test_batch_naming_a_missing_holder_is_refused_before_anything_is_queued(
        platform, district):
    items = [CertificateItem(district.ids["child_1"], "a", "一等奖"),
             CertificateItem(424242, "b", "二等奖")]
    async with platform.db.transaction() as session:
        with pytest.raises(CertificateError, match=r"^holders \[424242\]: no such person$"):
            await issue_for_many(session, source=("competitions", "x"), activity_title="区科技节",
                                 template=CertificateTemplate(), items=items,
                                 issued_on=dt.date(2026, 5, 4))
    assert await count(platform, CertificateBatch) == 0


async def test_batch_with_a_source_key_twice_is_refused(platform, district):
    items = [CertificateItem(district.ids["child_1"], "a", "一等奖")] * 2
    async with platform.db.transaction() as session:
        with pytest.raises(CertificateError, match=r"^source key 'a' appears twice"):
            await issue_for_many(session, source=("competitions", "x"), activity_title="区科技节",
                                 template=CertificateTemplate(), items=items,
                                 issued_on=dt.date(2026, 5, 4))
