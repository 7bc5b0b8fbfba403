from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update

from ..db import utcnow
from ._models import Job, JobStatus
from ._retry import RetryDelay, backoff

if TYPE_CHECKING:
    from ..platform import Platform

log = logging.getLogger("bangyaer.jobs")

MAX_ERROR_LENGTH = 2000
LOST = "lost"  # run_job's answer when another worker holds the job now


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


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]


class Worker:
    """Claims ready jobs and runs their handlers; many may share one database.

    A claim is a lease: the worker renews it while a handler runs, and one
    that dies mid-job leaves the job ``running`` with ``locked_until`` in the
    past, for the next claim to take again. Only the current holder of a
    lease may record a job's outcome.
    """

    def __init__(
        self,
        platform: Platform,
        handlers: Mapping[str, JobHandler],
        *,
        name: str | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        batch: int = 10,
        retry_delay: RetryDelay = backoff,
    ) -> None:
        if lease <= dt.timedelta(0):
            raise ValueError(f"lease must be positive, got {lease}")
        if batch < 1:
            raise ValueError(f"batch must be 1 or more, got {batch}")
        self.platform = platform
        self.handlers = dict(handlers)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease = lease
        self.batch = batch
        self.retry_delay = retry_delay

    # -- claiming ---------------------------------------------------------

    async def claim(self) -> list[Job]:
        """Lease up to ``batch`` ready jobs, oldest first."""
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
            # On PostgreSQL concurrent workers skip each other's rows instead
            # of waiting; SQLite renders nothing here and serialises writers
            # with BEGIN IMMEDIATE instead.
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        take = (
            update(Job)
            .where(Job.id.in_(ready))
            .values(status=JobStatus.running, locked_by=self.name,
                    locked_until=now + self.lease, attempts=Job.attempts + 1)
            .returning(Job)
            .execution_options(synchronize_session=False)
        )
        async with self.platform.db.transaction() as session:
            jobs = list(await session.scalars(take))
            # A queued job always has attempts left; one past its last attempt
            # was taken from a worker that died running it, every time.
            exhausted = [job for job in jobs if job.attempts > job.max_attempts]
            if exhausted:
                await self._bury_abandoned(session, exhausted, now)
        return sorted((j for j in jobs if j not in exhausted), key=lambda j: (j.run_at, j.id))

    async def _bury_abandoned(self, session: Any, jobs: list[Job], now: dt.datetime) -> None:
        for job in jobs:
            error = (f"abandoned: the worker running attempt {job.max_attempts} of "
                     f"{job.max_attempts} stopped before finishing (lease expired)")
            await session.execute(
                update(Job).where(Job.id == job.id)
                .values(status=JobStatus.dead, finished_at=now, last_error=error,
                        attempts=job.max_attempts, locked_by=None, locked_until=None)
            )
            log.warning("job %s (%s) is dead: %s", job.id, job.kind, error)

    def _held(self, job: Job) -> Any:
        """The WHERE clause that is true only while this claim of ``job`` stands."""
        # attempts tells this claim from a later one by the same worker name.
        return ((Job.id == job.id) & (Job.status == JobStatus.running)
                & (Job.locked_by == self.name) & (Job.attempts == job.attempts))

    async def _renew(self, job: Job) -> bool:
        until = utcnow() + self.lease
        async with self.platform.db.transaction() as session:
            result: Any = await session.execute(
                update(Job).where(self._held(job)).values(locked_until=until)
            )
        if result.rowcount:
            job.locked_until = until
            return True
        return False

    @contextlib.asynccontextmanager
    async def _keep_lease(self, job: Job) -> AsyncIterator[None]:
        async def renew_forever() -> None:
            while True:
                await asyncio.sleep(self.lease.total_seconds() / 3)
                try:
                    if not await self._renew(job):
                        log.warning("job %s (%s): lease lost while running", job.id, job.kind)
                        return
                except Exception:  # the next renewal may succeed; the lease is long
                    log.exception("job %s (%s): could not renew the lease", job.id, job.kind)

        keeper = asyncio.create_task(renew_forever())
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    # -- running ----------------------------------------------------------

    async def run_job(self, job: Job) -> str:
        """Run one claimed job; its new status, or ``"lost"`` if another worker has it."""
        # A job that waited behind others of its batch may be close to the end
        # of its lease; renew before starting rather than risk two runs.
        fresh_until = utcnow() + self.lease / 3
        stale = job.locked_until is None or job.locked_until < fresh_until
        if stale and not await self._renew(job):
            log.warning("job %s (%s): lease lost before it started", job.id, job.kind)
            return LOST
        error, permanent = await self._call_handler(job)
        return await self._finish(job, error, permanent)

    async def _call_handler(self, job: Job) -> tuple[str | None, bool]:
        handler = self.handlers.get(job.kind)
        if handler is None:
            # Retried, not dead at once: the plugin may be mid-deployment.
            return (f"no handler for job kind {job.kind!r}; is the plugin that "
                    "defines it installed and enabled?"), False
        ctx = JobContext(self.platform, job.id, job.kind, job.attempts, job.idempotency_key)
        try:
            async with self._keep_lease(job):
                await handler(ctx, dict(job.payload))
        except PermanentJobError as exc:
            return _describe(exc), True
        except Exception as exc:  # a handler's failure must never stop the worker
            log.exception("job %s (%s) attempt %s failed", job.id, job.kind, job.attempts)
            return _describe(exc), False
        return None, False

    async def _finish(self, job: Job, error: str | None, permanent: bool) -> str:
        now = utcnow()
        if error is None:
            values: dict[str, Any] = {"status": JobStatus.done, "finished_at": now,
                                      "last_error": None}
        elif permanent or job.attempts >= job.max_attempts:
            values = {"status": JobStatus.dead, "finished_at": now, "last_error": error}
        else:
            values = {"status": JobStatus.queued, "last_error": error,
                      "run_at": now + self.retry_delay(job.attempts)}
        values.update(locked_by=None, locked_until=None)
        async with self.platform.db.transaction() as session:
            # If our lease ran out and another worker took the job, its
            # outcome wins: this update then matches no row.
            result: Any = await session.execute(
                update(Job).where(self._held(job)).values(**values)
            )
        if not result.rowcount:
            log.warning("job %s (%s): lease lost; outcome %r discarded",
                        job.id, job.kind, values["status"])
            return LOST
        if values["status"] == JobStatus.dead:
            log.warning("job %s (%s) is dead after %s attempts: %s",
                        job.id, job.kind, job.attempts, error)
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
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll)
        log.info("worker %s stopped", self.name)
