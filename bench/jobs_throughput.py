"""Jobs per second through ``enqueue`` and ``Worker``, beside the bare driver.

Usage: python bench/jobs_throughput.py [--jobs N] [--rounds R] [--postgres URL]

Each round runs the same work twice on a fresh database, alternating:
once through Bangyaer (``enqueue`` in its own transaction per job, then one
or four ``Worker`` draining the queue) and once as the equivalent SQL on the
bare driver (aiosqlite, asyncpg). The median of each is reported side by
side, so the ratio holds even when a shared machine speeds up or slows down
during the run. The figures go into docs/benchmarks.md under "Jobs".

Bounded: at most 5,000 jobs a round, 5 rounds, and a deadline for the whole
run; it talks only to a PostgreSQL server on the loopback interface.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform as py_platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bangyaer import PluginInfo, hookimpl
from bangyaer.jobs import JobContext, enqueue
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from jobs_baseline import asyncpg_baseline, sqlite_baseline

MAX_JOBS = 5000
MAX_ROUNDS = 5
DEADLINE_SECONDS = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:54329/postgres"


class BenchPlugin:
    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="bench", title_zh="基准", title_en="Benchmark",
                          requires_core=">=0.1")

    @hookimpl
    def job_handlers(self) -> dict[str, Any]:
        return {"bench.noop": self.noop}

    async def noop(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        return None


Timings = tuple[float, float]  # seconds to enqueue, seconds to run


async def bangyaer_round(url: str, jobs: int, workers: int) -> Timings:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(tmp, environ={}, secret_key="bench-secret-0123456789",
                                 database_url=url, embedded_worker=False)
        platform = Platform(settings, plugins=[BenchPlugin()], discover=False)
        try:
            await platform.create_schema()
            start = time.perf_counter()
            for n in range(jobs):
                async with platform.db.transaction() as session:
                    await enqueue(session, "bench.noop", {"n": n})
            enqueued = time.perf_counter()
            ran = await asyncio.gather(*(platform.worker().drain() for _ in range(workers)))
            finished = time.perf_counter()
        finally:
            await platform.close()
    if sum(ran) != jobs:
        raise RuntimeError(f"ran {sum(ran)} of {jobs} jobs")
    return enqueued - start, finished - enqueued


async def with_database(url: str, body: Callable[[str], Awaitable[Timings]]) -> Timings:
    """Run ``body`` on a fresh database: a new SQLite file, or a new PostgreSQL database."""
    if url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            return await body(f"sqlite+aiosqlite:///{tmp}/bench.db")
    import asyncpg

    name = f"bangyaer_bench_{uuid.uuid4().hex[:10]}"
    admin = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            return await body(f"{url.rpartition('/')[0]}/{name}")
        finally:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def measure(url: str, jobs: int, rounds: int, workers: int,
                  deadline: float) -> dict[str, list[Timings]]:
    baseline = asyncpg_baseline if url.startswith("postgresql") else sqlite_baseline

    async def ours(db_url: str) -> Timings:
        return await bangyaer_round(db_url, jobs, workers)

    async def bare(db_url: str) -> Timings:
        # The bare driver needs the same table; the platform creates it.
        settings = load_settings(tempfile.gettempdir(), environ={},
                                 secret_key="bench-secret-0123456789", database_url=db_url)
        platform = Platform(settings, discover=False)
        await platform.create_schema()
        await platform.close()
        return await baseline(db_url, jobs, workers)

    results: dict[str, list[Timings]] = {"bangyaer": [], "driver": []}
    for _ in range(rounds):
        if time.monotonic() > deadline:
            break
        results["driver"].append(await with_database(url, bare))
        results["bangyaer"].append(await with_database(url, ours))
    return results


def rates(jobs: int, timings: list[Timings]) -> tuple[float, float, float]:
    """Median jobs/s for enqueueing, running, and both together."""
    enq = statistics.median(jobs / t[0] for t in timings)
    run = statistics.median(jobs / t[1] for t in timings)
    both = statistics.median(jobs / (t[0] + t[1]) for t in timings)
    return enq, run, both


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (f"{os.cpu_count()} CPUs ({model}), Python {py_platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {py_platform.system()} "
            f"{py_platform.release()}")


async def server_version(url: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def table(jobs: int, rows: list[tuple[str, int, dict[str, list[Timings]]]]) -> list[str]:
    out = ["| database | workers | what | enqueue jobs/s | run jobs/s | "
           "enqueue+run jobs/s | Bangyaer / driver |",
           "|---|---|---|---|---|---|---|"]
    for database, workers, results in rows:
        ours, bare = rates(jobs, results["bangyaer"]), rates(jobs, results["driver"])
        for label, figures in (("bare driver", bare), ("Bangyaer", ours)):
            ratio = f"{ours[2] / bare[2]:.2f}" if label == "Bangyaer" else ""
            out.append(f"| {database} | {workers} | {label} | {figures[0]:,.0f} | "
                       f"{figures[1]:,.0f} | {figures[2]:,.0f} | {ratio} |")
    return out


def write_section(lines: list[str]) -> None:
    """Replace the "## Jobs" section of docs/benchmarks.md; other sections stay."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else (
        "# Benchmarks\n\nEach benchmark lives in `bench/` and writes its own section.\n")
    section = "\n".join(["## Jobs", "", *lines]).rstrip() + "\n"
    head, marker, rest = text.partition("\n## Jobs\n")
    if marker:
        after = rest.find("\n## ")
        tail = rest[after:] if after >= 0 else ""
        text = head.rstrip() + "\n\n" + section + tail
    else:
        text = text.rstrip() + "\n\n" + section
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


def check_loopback(url: str) -> None:
    host = urlsplit(url.replace("postgresql+asyncpg", "postgresql")).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"--postgres {url!r}: the benchmark talks only to loopback, "
                         f"not {host!r}")


async def run(args: argparse.Namespace) -> list[str]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    rows: list[tuple[str, int, dict[str, list[Timings]]]] = []
    databases = [("SQLite", "sqlite")]
    pg_version = ""
    if args.postgres:
        check_loopback(args.postgres)
        pg_version = await server_version(args.postgres)
        databases.append((f"PostgreSQL {pg_version}", args.postgres))
    for label, url in databases:
        for workers in (1, 4):
            results = await measure(url, args.jobs, args.rounds, workers, deadline)
            if not results["bangyaer"]:
                raise SystemExit("deadline reached before every case ran; lower --jobs")
            rows.append((label, workers, results))
            print(f"{label}, {workers} worker(s): done", file=sys.stderr)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return [
        "`bench/jobs_throughput.py`: no-op jobs, each enqueued in its own transaction "
        "(as a request would), then drained by one or four `Worker`s (batch 10) "
        "sharing the queue. The bare driver does the same SQL by hand: one INSERT "
        "transaction per job, claims of 10 with `UPDATE … WHERE id IN (SELECT … "
        "LIMIT 10 [FOR UPDATE SKIP LOCKED]) RETURNING`, one UPDATE transaction per "
        "finished job. Medians of "
        f"{args.rounds} alternating rounds of {args.jobs:,} jobs, fresh database each.",
        "",
        *table(args.jobs, rows),
        "",
        f"Measured {today} on {machine()}"
        + (f"; PostgreSQL {pg_version} on loopback" if pg_version else "") + ".",
        "SQLite runs in WAL mode with synchronous=NORMAL, as the platform configures it; "
        "the test PostgreSQL server runs with fsync=off, so its figures flatter "
        "commits compared with a production server.",
        "",
        "The queue's SQL is the same on both sides, so the gap is per-transaction work in "
        "the SQLAlchemy session and connection pool; on SQLite the pool's rollback when a "
        "connection is returned alone took a third to a half of the worker's time in a "
        "profile, and the engine's settings are where to look first.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("BANGYAER_BENCH_DATABASE_URL",
                                                             DEFAULT_POSTGRES),
                        help="PostgreSQL admin URL on loopback; '' to skip PostgreSQL")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit docs")
    args = parser.parse_args()
    if not 1 <= args.jobs <= MAX_JOBS or not 1 <= args.rounds <= MAX_ROUNDS:
        raise SystemExit(f"--jobs must be 1..{MAX_JOBS} and --rounds 1..{MAX_ROUNDS}")
    lines = asyncio.run(run(args))
    print("\n".join(lines))
    if not args.no_write:
        write_section(lines)


if __name__ == "__main__":
    main()
