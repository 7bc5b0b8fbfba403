from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ._models import Job, JobStatus


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

    Returns the new job's id, or None when a job with that key already exists.
    """
    now = utcnow()
    values = {
        "kind": kind, "payload": payload, "idempotency_key": key,
        "status": JobStatus.queued, "attempts": 0, "max_attempts": max_attempts,
        "run_at": run_at or now, "created_at": now,
    }
    if key is None:
        result = await session.execute(insert(Job).values(**values).returning(Job.id))
        return result.scalar_one()
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(Job).values(**values)
    elif dialect == "sqlite":
        stmt = sqlite.insert(Job).values(**values)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(Job.id)
    result = await session.execute(stmt)
    return result.scalar_one_or_none()
