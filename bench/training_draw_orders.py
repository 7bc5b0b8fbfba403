"""What opening a ledger order per admitted seat costs the lottery draw.

Usage: python bench/training_draw_orders.py [--classes 200] [--rounds 3] [--db URL]

Each round builds a fresh PostgreSQL database with one closed term, ``--classes``
lottery classes of 10 seats with a fee, and 20 applications per class (a
child, a guardian and the guardian's account each), freezes the list, and
times ``apply_draw`` — the job that gives the seats — in its one transaction.
Rounds alternate between the draw as it runs (an order in the payments ledger
for every admitted seat, opened in one batch with ``create_orders``) and a
baseline: the same draw with the order step taken out, which is what the draw
did before seats had orders. Medians are
reported side by side, so the ratio holds on a shared machine. The figures go
into docs/benchmarks.md under "Training".

Bounded: at most 1,000 classes and 5 rounds; it talks only to a PostgreSQL
server on the loopback interface.
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
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import bangyaer_training.plugin as training
from bangyaer.db import utcnow
from bangyaer.identity import Account, Guardianship, Person
from bangyaer.payments import Order
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer_training import _lottery
from bangyaer_training.models import Campus, Course, Enrollment, Move, Term, TrainingClass
from sqlalchemy import func, insert, select

DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:54329/postgres"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SEATS, APPLICATIONS = 10, 20
MAX_CLASSES, MAX_ROUNDS = 1000, 5
SECRET = "bench-secret-key-0123456789"


async def _no_orders(*args: Any, **kwargs: Any) -> list[Any]:
    return []


async def _fill(platform: Platform, classes: int) -> Term:
    now = utcnow()
    hour = dt.timedelta(hours=1)
    seed, commitment = _lottery.new_seed()
    async with platform.db.transaction() as s:
        term = Term(code="BENCH", name="基准学期", starts_on=dt.date(2027, 3, 1), seed=seed,
                    seed_sha256=commitment, continuing_opens_at=now - 6 * hour,
                    continuing_closes_at=now - 5 * hour, opens_at=now - 5 * hour,
                    closes_at=now - hour)
        course, campus = Course(code="C", name="美术", category="美术"), Campus(code="P",
                                                                             name="本部")
        s.add_all([term, course, campus])
        await s.flush()
        # Every class on its own weekday slot cycle, so no child clashes with itself.
        class_ids = list(await s.scalars(insert(TrainingClass).returning(TrainingClass.id), [
            {"term_id": term.id, "course_id": course.id, "campus_id": campus.id,
             "code": f"K{n}", "name": f"美术{n}班", "mode": "lottery", "fee_fen": 120_000,
             "lessons": 16, "weekday": 1 + n % 7, "start_time": dt.time(9),
             "end_time": dt.time(10), "capacity": SEATS, "taken": 0,
             "created_at": now, "updated_at": now} for n in range(classes)]))
        total = classes * APPLICATIONS
        people = [{"kind": kind, "name": f"{kind}{n}", "external_no": f"{kind[0]}{n}",
                   "org_path": "/", "created_at": now, "updated_at": now}
                  for n in range(total) for kind in ("student", "guardian")]
        ids = list(await s.scalars(insert(Person).returning(Person.id), people))
        children, guardians = ids[0::2], ids[1::2]
        await s.execute(insert(Guardianship), [
            {"guardian_id": g, "student_id": c, "relation": "M"}
            for c, g in zip(children, guardians, strict=True)])
        accounts = list(await s.scalars(insert(Account).returning(Account.id), [
            {"person_id": g, "active": True, "created_at": now, "updated_at": now}
            for g in guardians]))
        enrollment_ids = list(await s.scalars(insert(Enrollment).returning(Enrollment.id), [
            {"class_id": class_ids[n // APPLICATIONS], "term_id": term.id,
             "child_id": children[n], "guardian_id": guardians[n], "state": "applied",
             "tier": "general", "refunded_fen": 0, "created_at": now, "updated_at": now}
            for n in range(total)]))
        await s.execute(insert(Move), [
            {"enrollment_id": e, "from_state": None, "to_state": "applied",
             "reason": "applied", "account_id": a, "at": now}
            for e, a in zip(enrollment_ids, accounts, strict=True)])
        await _lottery.freeze(s, term, secret=SECRET, admission_limit=2, sibling_priority=True)
    return term


async def _round(url: str, classes: int, with_orders: bool) -> tuple[float, int, int]:
    """Seconds for the draw, seats given, orders opened."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(tmp, environ={}, secret_key=SECRET, database_url=url,
                                 embedded_worker=False)
        platform = Platform(settings, plugins=[training], discover=False)
        original = getattr(_lottery, "open_orders")  # noqa: B009 - patched below
        try:
            await platform.create_schema()
            term = await _fill(platform, classes)
            if not with_orders:
                setattr(_lottery, "open_orders", _no_orders)  # noqa: B010
            start = time.perf_counter()
            async with platform.db.transaction() as s:
                locked = await s.get(Term, term.id)
                assert locked is not None
                await _lottery.apply_draw(s, locked, payment_hours=48)
            elapsed = time.perf_counter() - start
            async with platform.db.session() as s:
                given = await s.scalar(select(func.count(Enrollment.id)).where(
                    Enrollment.state == "awaiting_payment"))
                orders = await s.scalar(select(func.count(Order.id)))
        finally:
            setattr(_lottery, "open_orders", original)  # noqa: B010
            await platform.close()
    return elapsed, int(given or 0), int(orders or 0)


async def _database(base: str) -> tuple[str, str]:
    name = f"bench_draw_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, base.rsplit("/", 1)[0] + f"/{name}"


async def _drop(base: str, name: str) -> None:
    conn = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default=DEFAULT_DB)
    args = parser.parse_args()
    if urlsplit(args.db).hostname not in LOOPBACK:
        sys.exit("refusing a database that is not on the loopback interface")
    classes = max(1, min(args.classes, MAX_CLASSES))
    rounds = max(1, min(args.rounds, MAX_ROUNDS))
    results: dict[bool, list[tuple[float, int, int]]] = {False: [], True: []}
    for _ in range(rounds):
        for with_orders in (False, True):
            name, url = await _database(args.db)
            try:
                results[with_orders].append(await _round(url, classes, with_orders))
            finally:
                await _drop(args.db, name)
    print(f"{py_platform.python_version()} on {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {classes} classes × {SEATS} seats, "
          f"{classes * APPLICATIONS} applications, {rounds} rounds")
    print("| draw | seats given | orders | seconds (median) | ms per seat |")
    print("|---|---|---|---|---|")
    medians = {}
    for with_orders, label in ((False, "baseline, no orders"), (True, "with an order a seat")):
        runs = results[with_orders]
        medians[with_orders] = statistics.median(r[0] for r in runs)
        given, orders = runs[0][1], runs[0][2]
        print(f"| {label} | {given:,} | {orders:,} | {medians[with_orders]:.2f} | "
              f"{1000 * medians[with_orders] / max(given, 1):.2f} |")
    print(f"with orders / baseline time: {medians[True] / medians[False]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
