"""The bare-driver side of jobs_throughput.py: the queue's SQL written by hand.

Same table, same statements and the same transactions per job as
``enqueue`` and ``Worker`` issue, without SQLAlchemy, the plugin host or
lease keeping: the floor that Bangyaer's own overhead is measured against.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

BATCH = 10
LEASE = dt.timedelta(minutes=5)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite

SQLITE_INSERT = (
    "INSERT INTO core_job (kind, payload, status, attempts, max_attempts, run_at, created_at) "
    "VALUES ('bench.noop', ?, 'queued', 0, 8, ?, ?)"
)
SQLITE_CLAIM = (
    "UPDATE core_job SET status = 'running', locked_by = ?, locked_until = ?, "
    "attempts = attempts + 1 WHERE id IN (SELECT id FROM core_job WHERE "
    "(status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?) "
    f"ORDER BY run_at, id LIMIT {BATCH}) RETURNING id, attempts, payload"
)
SQLITE_FINISH = (
    "UPDATE core_job SET status = 'done', finished_at = ?, last_error = NULL, "
    "locked_by = NULL, locked_until = NULL "
    "WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?"
)
PG_INSERT = (
    "INSERT INTO core_job (kind, payload, status, attempts, max_attempts, run_at, created_at) "
    "VALUES ('bench.noop', $1, 'queued', 0, 8, $2, $2)"
)
PG_CLAIM = (
    "UPDATE core_job SET status = 'running', locked_by = $1, locked_until = $2, "
    "attempts = attempts + 1 WHERE id IN (SELECT id FROM core_job WHERE "
    "(status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) "
    f"ORDER BY run_at, id LIMIT {BATCH} FOR UPDATE SKIP LOCKED) "
    "RETURNING id, attempts, payload"
)
PG_FINISH = (
    "UPDATE core_job SET status = 'done', finished_at = $1, last_error = NULL, "
    "locked_by = NULL, locked_until = NULL "
    "WHERE id = $2 AND status = 'running' AND locked_by = $3 AND attempts = $4"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sqlite_now(offset: dt.timedelta = dt.timedelta(0)) -> str:
    return (_now() + offset).strftime(SQLITE_TIME)


async def sqlite_baseline(url: str, jobs: int, workers: int) -> tuple[float, float]:
    import aiosqlite

    path = url.split(":///", 1)[1]

    async def connect() -> aiosqlite.Connection:
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "busy_timeout=5000"):
            await conn.execute(f"PRAGMA {pragma}")
        return conn

    async def work(name: str) -> int:
        conn = await connect()
        ran = 0
        try:
            while True:
                await conn.execute("BEGIN IMMEDIATE")
                now = _sqlite_now()
                cursor = await conn.execute(SQLITE_CLAIM, (name, _sqlite_now(LEASE), now, now))
                rows = list(await cursor.fetchall())
                await conn.execute("COMMIT")
                if not rows:
                    return ran
                for job_id, attempts, payload in rows:
                    json.loads(payload)  # what a handler is given
                    await conn.execute("BEGIN IMMEDIATE")
                    await conn.execute(SQLITE_FINISH, (_sqlite_now(), job_id, name, attempts))
                    await conn.execute("COMMIT")
                    ran += 1
        finally:
            await conn.close()

    conn = await connect()
    try:
        start = time.perf_counter()
        for n in range(jobs):
            await conn.execute("BEGIN IMMEDIATE")
            now = _sqlite_now()
            await conn.execute(SQLITE_INSERT, (json.dumps({"n": n}), now, now))
            await conn.execute("COMMIT")
        enqueued = time.perf_counter()
    finally:
        await conn.close()
    ran = await asyncio.gather(*(work(f"bare-{i}") for i in range(workers)))
    finished = time.perf_counter()
    if sum(ran) != jobs:
        raise RuntimeError(f"bare driver ran {sum(ran)} of {jobs} jobs")
    return enqueued - start, finished - enqueued


async def asyncpg_baseline(url: str, jobs: int, workers: int) -> tuple[float, float]:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def work(name: str) -> int:
        conn = await asyncpg.connect(dsn)
        ran = 0
        try:
            while True:
                now = _now()
                async with conn.transaction():
                    rows = await conn.fetch(PG_CLAIM, name, now + LEASE, now)
                if not rows:
                    return ran
                for row in rows:
                    json.loads(row["payload"])
                    async with conn.transaction():
                        await conn.execute(PG_FINISH, _now(), row["id"], name, row["attempts"])
                    ran += 1
        finally:
            await conn.close()

    conn = await asyncpg.connect(dsn)
    try:
        start = time.perf_counter()
        for n in range(jobs):
            async with conn.transaction():
                await conn.execute(PG_INSERT, json.dumps({"n": n}), _now())
        enqueued = time.perf_counter()
    finally:
        await conn.close()
    ran = await asyncio.gather(*(work(f"bare-{i}") for i in range(workers)))
    finished = time.perf_counter()
    if sum(ran) != jobs:
        raise RuntimeError(f"bare driver ran {sum(ran)} of {jobs} jobs")
    return enqueued - start, finished - enqueued
