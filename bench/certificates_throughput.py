"""Certificates per second on one CPU: the PDF alone, and issued end to end.

Usage: python bench/certificates_throughput.py [--count N] [--rounds R] [--postgres URL]

"render" lays out certificates with ``render_pdf`` in a loop (the CPU part).
"issue" queues a batch of N certificates with ``issue_for_many`` and runs
the batch job's handler: serial, PDF, blob write (two fsyncs), blob and
certificate rows, the ``core.certificate_issued`` event and its dispatch
job, 25 to a transaction. The process is pinned to one CPU; each figure is
given per second of wall time and per second of the process's CPU time,
which stays meaningful when other work shares the CPU. Medians of R rounds,
fresh database each; the figures go into docs/benchmarks.md under
"Certificates" (target: 50/s).

Bounded: at most 5,000 certificates a round, 5 rounds, and a deadline for
the whole run; it talks only to a PostgreSQL server on the loopback interface.
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
from pathlib import Path
from urllib.parse import urlsplit

from bangyaer.certificates import (
    ISSUE_JOB,
    CertificateItem,
    CertificateTemplate,
    issue_for_many,
    run_batch,
)
from bangyaer.certificates._pdf import CertificateText, render_pdf
from bangyaer.identity import Person, PersonKind
from bangyaer.jobs import JobContext
from bangyaer.platform import Platform
from bangyaer.settings import load_settings

MAX_COUNT = 5000
MAX_ROUNDS = 5
DEADLINE_SECONDS = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TEMPLATE = CertificateTemplate(title="荣誉证书", issuer="区青少年宫")
DAY = dt.date(2026, 11, 20)


Rates = tuple[float, float]  # per wall second, per CPU second


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def rates(self, count: int) -> Rates:
        return count / self.wall, count / self.cpu


def render_round(count: int) -> Rates:
    with Clock() as clock:
        for n in range(count):
            serial = f"BY26-0000-0000-0000-{n:04d}-0"
            text = CertificateText("王小明", "第十二届区青少年科技创新大赛", "一等奖", DAY,
                                   serial, f"https://example.org/verify/{serial}")
            render_pdf(TEMPLATE, text)
    return clock.rates(count)


async def issue_round(url: str, count: int) -> Rates:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(tmp, environ={}, secret_key="bench-secret-0123456789",
                                 database_url=url, embedded_worker=False)
        platform = Platform(settings, discover=False)
        try:
            await platform.create_schema()
            async with platform.db.transaction() as session:
                people = [Person(kind=PersonKind.student, name=f"学生{n}") for n in range(count)]
                session.add_all(people)
                await session.flush()
                items = [CertificateItem(p.id, f"award:{p.id}", "一等奖") for p in people]
            with Clock() as clock:
                async with platform.db.transaction() as session:
                    batch = await issue_for_many(session, source=("bench", "activity:1"),
                                                 activity_title="区科技节", template=TEMPLATE,
                                                 items=items, issued_on=DAY)
                await run_batch(JobContext(platform, 0, ISSUE_JOB, 1, None),
                                {"batch_id": batch.id})
        finally:
            await platform.close()
    return clock.rates(count)


async def postgres_round(base: str, count: int) -> Rates:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = base.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        return await issue_round(f"{base.rpartition('/')[0]}/{name}", count)
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="", help="a loopback PostgreSQL URL, optional")
    args = parser.parse_args()
    if not 1 <= args.count <= MAX_COUNT or not 1 <= args.rounds <= MAX_ROUNDS:
        sys.exit(f"--count must be 1..{MAX_COUNT} and --rounds 1..{MAX_ROUNDS}")
    if args.postgres and urlsplit(args.postgres).hostname not in LOOPBACK:
        sys.exit("--postgres must point at a server on the loopback interface")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one CPU, as the target says
    deadline = time.monotonic() + DEADLINE_SECONDS
    results: dict[str, list[Rates]] = {"render": [], "issue, SQLite": []}
    if args.postgres:
        results["issue, PostgreSQL"] = []
    for _ in range(args.rounds):
        if time.monotonic() > deadline:
            break
        results["render"].append(render_round(args.count))
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            results["issue, SQLite"].append(asyncio.run(issue_round(url, args.count)))
        if args.postgres:
            results["issue, PostgreSQL"].append(
                asyncio.run(postgres_round(args.postgres, args.count)))
    print("| what | certificates per wall second | per CPU second | rounds |")
    print("|---|---|---|---|")
    for what, figures in results.items():
        wall = statistics.median(f[0] for f in figures)
        cpu = statistics.median(f[1] for f in figures)
        print(f"| {what} | {wall:,.0f} | {cpu:,.0f} | {len(figures)} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"\n{args.count} certificates a round on one CPU ({py_platform.processor() or '?'}), "
          f"Python {py_platform.python_version()}, {py_platform.system()} "
          f"{py_platform.release()}.")


if __name__ == "__main__":
    main()
