from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ._models import Job, JobStatus

# "<plugin id>.<what>", as the platform requires of every handler it registers.
JOB_KIND = re.compile(r"[a-z][a-z0-9_]{1,30}\.[a-z0-9_.]{1,68}")
MAX_KEY_LENGTH = 200


def _check(kind: str, key: str | None, run_at: dt.datetime | None, max_attempts: int) -> None:
    if not isinstance(kind, str) or not JOB_KIND.fullmatch(kind):
        raise ValueError(f"job kind {kind!r}: expected '<plugin id>.<name>', e.g. 'notices.send'")
    if key is not None and not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValueError(
            f"idempotency key must be 1 to {MAX_KEY_LENGTH} characters, got {len(key)}"
        )
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError(f"run_at {run_at!r} is naive: pass a UTC datetime with a zone")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be 1 or more, got {max_attempts}")


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    key: str | None = None,
    run_at: dt.datetime | None = None,
    max_attempts: int = 8,
) -> int | None:
    """Add a job in the caller's transaction; with ``key``, at most once ever.

    The job exists exactly when the caller's transaction commits. Returns the
    new job's id, or None when a job with that key already exists (whatever
    its status: a key is never reused, so a retried request cannot redo a
    job that already ran).
    """
    _check(kind, key, run_at, max_attempts)
    now = utcnow()
    values = {
        "kind": kind, "payload": payload, "idempotency_key": key,
        "status": JobStatus.queued, "attempts": 0, "max_attempts": max_attempts,
        "run_at": run_at or now, "created_at": now,
    }
    if key is None:
        result = await session.execute(insert(Job).values(**values).returning(Job.id))
        return result.scalar_one()
    stmt = _insert_for(session).values(**values)
    # On PostgreSQL a concurrent insert of the same key waits for the other
    # transaction and then does nothing, so two racing requests make one job.
    stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(Job.id)
    job_id: int | None = (await session.execute(stmt)).scalar_one_or_none()
    return job_id


@dataclass(frozen=True)
class NewJob:
    """One job for ``enqueue_many``: the arguments ``enqueue`` takes."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    run_at: dt.datetime | None = None
    max_attempts: int = 8


async def enqueue_many(session: AsyncSession, jobs: Sequence[NewJob]) -> list[int | None]:
    """``enqueue`` for many jobs in a statement or two; the ids in the order given.

    Every job is checked before any is added. A key used before, or earlier
    in ``jobs``, gives None and no job, exactly as calling ``enqueue`` once
    for each job in turn would.
    """
    for job in jobs:
        _check(job.kind, job.key, job.run_at, job.max_attempts)
    now = utcnow()
    keyed: dict[str, tuple[int, dict[str, Any]]] = {}
    keyless: list[tuple[int, dict[str, Any]]] = []
    for n, job in enumerate(jobs):
        values = {
            "kind": job.kind, "payload": job.payload, "idempotency_key": job.key,
            "status": JobStatus.queued, "attempts": 0, "max_attempts": job.max_attempts,
            "run_at": job.run_at or now, "created_at": now,
        }
        if job.key is None:
            keyless.append((n, values))
        else:
            keyed.setdefault(job.key, (n, values))  # the first of a key wins, as in turn
    ids: list[int | None] = [None] * len(jobs)
    if keyless:
        made = await session.scalars(
            insert(Job).returning(Job.id, sort_by_parameter_order=True),
            [values for _, values in keyless])
        for (n, _), job_id in zip(keyless, made, strict=True):
            ids[n] = job_id
    if keyed:
        # Only the rows actually inserted come back, so they are matched by key.
        stmt = _insert_for(session).on_conflict_do_nothing(index_elements=["idempotency_key"])
        rows = await session.execute(stmt.returning(Job.id, Job.idempotency_key),
                                     [values for _, values in keyed.values()])
        by_key = {key: job_id for job_id, key in rows}
        for key, (n, _) in keyed.items():
            ids[n] = by_key.get(key)
    return ids


def _insert_for(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Job)
    if dialect == "sqlite":
        return sqlite.insert(Job)
    raise RuntimeError(f"unsupported database dialect {dialect!r}")  # pragma: no cover
