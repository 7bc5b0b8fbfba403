from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update

from ..db import utcnow
from ._models import Job, JobStatus

if TYPE_CHECKING:
    from ..platform import Platform

log = logging.getLogger("bangyaer.jobs")


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad payload, refused for good)."""


@dataclass
class JobContext:
    platform: Platform
    job_id: int
    kind: str
    attempt: int
    idempotency_key: str | None


JobHandler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


def backoff(attempt: int) -> dt.timedelta:
    """Exponential with full jitter, 2 s after the first failure up to an hour."""
    ceiling = min(3600.0, 2.0 ** attempt)
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))


class Worker:
    """Claims ready jobs and runs their handlers; many may share one database.

    A claim is a lease: a worker that dies mid-job leaves the job ``running``
    with ``locked_until`` in the past, and the next claim takes it again.
    """

    def __init__(
        self,
        platform: Platform,
        handlers: Mapping[str, JobHandler],
        *,
        name: str | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        batch: int = 10,
    ) -> None:
        self.platform = platform
        self.handlers = dict(handlers)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease = lease
        self.batch = batch

    async def claim(self) -> list[Job]:
        now = utcnow()
        ready = (
            select(Job.id)
            .where(
                or_(
                    (Job.status == JobStatus.queued) & (Job.run_at <= now),
                    (Job.status == JobStatus.running) & (Job.locked_until < now),
                )
            )
            .order_by(Job.run_at, Job.id)
            .limit(self.batch)
            # On PostgreSQL concurrent workers skip each other's rows instead of
            # waiting; SQLite ignores this and serialises writers instead.
            .with_for_update(skip_locked=True)
        )
        async with self.platform.db.transaction() as session:
            ids = list(await session.scalars(ready))
            if not ids:
                return []
            await session.execute(
                update(Job)
                .where(Job.id.in_(ids))
                .values(
                    status=JobStatus.running, locked_by=self.name,
                    locked_until=now + self.lease, attempts=Job.attempts + 1,
                )
            )
            jobs = list(await session.scalars(select(Job).where(Job.id.in_(ids))))
        return sorted(jobs, key=lambda j: (j.run_at, j.id))

    async def run_job(self, job: Job) -> str:
        handler = self.handlers.get(job.kind)
        ctx = JobContext(self.platform, job.id, job.kind, job.attempts, job.idempotency_key)
        error: str | None = None
        permanent = False
        if handler is None:
            error, permanent = f"no handler for job kind {job.kind!r}", False
        else:
            try:
                await handler(ctx, dict(job.payload))
            except PermanentJobError as exc:
                error, permanent = f"{type(exc).__name__}: {exc}", True
            except Exception as exc:  # a handler's failure must never stop the worker
                log.exception("job %s (%s) attempt %s failed", job.id, job.kind, job.attempts)
                error = f"{type(exc).__name__}: {exc}"
        return await self._finish(job, error, permanent)

    async def _finish(self, job: Job, error: str | None, permanent: bool) -> str:
        now = utcnow()
        if error is None:
            values: dict[str, Any] = {"status": JobStatus.done, "finished_at": now}
        elif permanent or job.attempts >= job.max_attempts:
            values = {"status": JobStatus.dead, "finished_at": now, "last_error": error}
            log.warning("job %s (%s) is dead after %s attempts: %s",
                        job.id, job.kind, job.attempts, error)
        else:
            values = {"status": JobStatus.queued, "run_at": now + backoff(job.attempts),
                      "last_error": error}
        values.update(locked_by=None, locked_until=None)
        async with self.platform.db.transaction() as session:
            # Only the lease holder may finish a job: if our lease ran out and
            # another worker took the job, its outcome wins.
            await session.execute(
                update(Job).where(Job.id == job.id, Job.locked_by == self.name).values(**values)
            )
        return str(values["status"])

    async def run_once(self) -> int:
        """Claim and run one batch; the number of jobs run."""
        jobs = await self.claim()
        for job in jobs:
            await self.run_job(job)
        return len(jobs)

    async def drain(self, limit: int = 10_000) -> int:
        """Run until nothing is ready (jobs enqueued by jobs included); for tests and demo."""
        total = 0
        while total < limit:
            ran = await self.run_once()
            if not ran:
                break
            total += ran
        return total

    async def run_forever(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        log.info("worker %s started with %d job kinds", self.name, len(self.handlers))
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception:  # the database may be briefly unreachable; keep polling
                log.exception("worker %s could not claim jobs", self.name)
                ran = 0
            if not ran:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=poll)
                except TimeoutError:
                    pass
        log.info("worker %s stopped", self.name)
