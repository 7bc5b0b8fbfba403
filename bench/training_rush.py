"""Training-class rush and lottery benchmark (PostgreSQL, real HTTP on loopback).

    python bench/training_rush.py [--db postgresql+asyncpg://…/postgres] [--requests 2000]

Each scenario runs ``--rounds`` alternating rounds (baseline, platform, …)
and reports medians. Creates a throw-away database, N guardians each with one child, 1,000
classes of 10 seats and one hot class of 100, then runs two scenarios
against the platform (uvicorn, the training plugin) and against a baseline
(a bare Starlette app running the same seat SQL through asyncpg), each
server in its own process, one after the other:

* hot: every guardian at once on the one hot class;
* spread: every guardian on one random class of the 1,000.

It reports throughput, p50/p99 latency, status counts, oversold seats and
5xx answers, then times the lottery for 100,000 applications over 1,000
classes. Every loop is bounded in count and in time; the server only
listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform as host
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:54329/postgres"
SECRET = "bench-secret-key-" + "x" * 16
TIME_LIMIT = 180.0  # seconds per scenario, whatever happens
CLASSES = 1000


# -- the servers --------------------------------------------------------------


def platform_app(url: str) -> Any:
    import bangyaer_training.plugin
    from bangyaer.platform import Platform
    from bangyaer.settings import load_settings
    from bangyaer.web import create_app

    data = Path(tempfile.gettempdir()) / f"bangyaer-bench-{os.getpid()}"
    settings = load_settings(data, environ={}, secret_key=SECRET, database_url=url,
                             embedded_worker=False)
    return create_app(platform=Platform(settings, plugins=[bangyaer_training.plugin],
                                        discover=False))


def baseline_app(url: str) -> Any:
    """The same seat SQL as the plugin, straight through the driver, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    pool: dict[str, asyncpg.Pool] = {}

    async def enroll(request: Request) -> JSONResponse:
        class_id = int(request.path_params["id"])
        child_id = int(request.headers["x-child-id"])
        now = dt.datetime.now(dt.UTC)
        async with pool["p"].acquire() as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE training_class SET taken = taken + 1 "
                "WHERE id = $1 AND taken < capacity", class_id)
            if status != "UPDATE 1":
                return JSONResponse({"error": {"code": "class_full", "message": "full"}},
                                    status_code=409)
            row = await conn.fetchval(
                "INSERT INTO training_enrollment (class_id, term_id, child_id, state, tier, "
                "created_at, updated_at) SELECT $1, term_id, $2, 'awaiting_payment', "
                "'general', $3, $3 FROM training_class WHERE id = $1 RETURNING id",
                class_id, child_id, now)
        return JSONResponse({"enrollment": {"id": row}}, status_code=201)

    async def lifespan(app: Any) -> Any:
        pool["p"] = await asyncpg.create_pool(dsn, min_size=5, max_size=30)
        yield
        await pool["p"].close()

    from contextlib import asynccontextmanager

    return Starlette(routes=[Route("/api/v1/training/classes/{id:int}/enrollments", enroll,
                                   methods=["POST"])],
                     lifespan=asynccontextmanager(lifespan))


def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    app = platform_app(url) if kind == "platform" else baseline_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- data ---------------------------------------------------------------------


async def build(url: str, guardians: int) -> tuple[list[tuple[int, int]], list[int], int]:
    """Schema and data; returns (account id, child id) pairs, class ids, hot class id."""
    import bangyaer_training.plugin
    from bangyaer.platform import Platform
    from bangyaer.settings import load_settings
    from bangyaer_training._lottery import new_seed

    settings = load_settings(Path(tempfile.gettempdir()) / "bangyaer-bench-build", environ={},
                             secret_key=SECRET,
                             database_url=url, embedded_worker=False)
    platform = Platform(settings, plugins=[bangyaer_training.plugin], discover=False)
    await platform.create_schema()
    await platform.close()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    now = dt.datetime.now(dt.UTC)
    try:
        district = await conn.fetchval(
            "INSERT INTO core_organisation (kind, code, name, path, active, created_at, "
            "updated_at) VALUES ('district', 'D', '区', '/1/', true, $1, $1) RETURNING id", now)
        seed, commitment = new_seed()
        term = await conn.fetchval(
            "INSERT INTO training_term (code, name, starts_on, continuing_opens_at, "
            "continuing_closes_at, opens_at, closes_at, seed, seed_sha256, created_at, "
            "updated_at) VALUES ('B', '压测学期', $1, $2, $3, $3, $4, $5, $6, $7, $7) "
            "RETURNING id", dt.date(2027, 3, 1), now - dt.timedelta(hours=3),
            now - dt.timedelta(hours=1), now + dt.timedelta(hours=5), seed, commitment, now)
        course = await conn.fetchval(
            "INSERT INTO training_course (code, name, category, level, created_at, updated_at)"
            " VALUES ('C', '美术', '美术', 1, $1, $1) RETURNING id", now)
        campus = await conn.fetchval(
            "INSERT INTO training_campus (code, name, created_at, updated_at) "
            "VALUES ('P', '本部', $1, $1) RETURNING id", now)
        rows = [(term, course, campus, f"K{n}", f"班{n}", "first_come", 120000, 16,
                 1 + n % 7, dt.time(8 + n % 10), dt.time(9 + n % 10),
                 100 if n == 0 else 10, now) for n in range(CLASSES + 1)]
        await conn.executemany(
            "INSERT INTO training_class (term_id, course_id, campus_id, code, name, mode, "
            "fee_fen, lessons, weekday, start_time, end_time, teacher, room, capacity, taken, "
            "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'','',$12,0,"
            "$13,$13)", rows)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM training_class ORDER BY id")]
        people = await conn.fetch(
            "INSERT INTO core_person (kind, name, org_path, active, stage, grade, created_at, "
            "updated_at) SELECT k, '某', '/1/', true, 'primary', 3, $2, $2 "
            "FROM unnest($1::text[]) AS k RETURNING id",
            ["student", "guardian"] * guardians, now)
        pids = [r["id"] for r in people]
        pairs = list(zip(pids[0::2], pids[1::2], strict=True))
        await conn.executemany(
            "INSERT INTO core_guardianship (guardian_id, student_id, relation) "
            "VALUES ($1, $2, 'M')", [(g, c) for c, g in pairs])
        accounts = await conn.fetch(
            "INSERT INTO core_account (person_id, active, created_at, updated_at) "
            "SELECT unnest($1::int[]), true, $2, $2 RETURNING id, person_id",
            [g for _, g in pairs], now)
        by_person = {r["person_id"]: r["id"] for r in accounts}
        await conn.executemany(
            "INSERT INTO core_role_grant (account_id, role, org_id, granted_at) "
            "VALUES ($1, 'guardian', $2, $3)", [(a, district, now) for a in by_person.values()])
        families = [(by_person[g], c) for c, g in pairs]
    finally:
        await conn.close()
    return families, ids[1:], ids[0]


async def reset(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("TRUNCATE training_move, training_idempotent_answer, "
                           "training_enrollment, core_job RESTART IDENTITY")
        await conn.execute("UPDATE training_class SET taken = 0")
    finally:
        await conn.close()


async def oversold(url: str) -> tuple[int, int]:
    """(classes whose counter passed capacity, classes with more seated rows than seats)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        counter = await conn.fetchval(
            "SELECT count(*) FROM training_class WHERE taken > capacity")
        rows = await conn.fetchval(
            "SELECT count(*) FROM (SELECT c.id FROM training_class c JOIN training_enrollment e "
            "ON e.class_id = c.id AND e.state IN ('admitted','awaiting_payment','confirmed') "
            "GROUP BY c.id, c.capacity HAVING count(*) > c.capacity) x")
        return int(counter), int(rows)
    finally:
        await conn.close()


# -- load ---------------------------------------------------------------------


def cookie_for(account_id: int, child_id: int) -> tuple[str, str]:
    import base64
    import json

    from itsdangerous import TimestampSigner

    csrf = secrets.token_urlsafe(12)
    payload = base64.b64encode(json.dumps(
        {"account_id": account_id, "child_id": child_id, "csrf": csrf}).encode())
    return TimestampSigner(SECRET).sign(payload).decode(), csrf


async def load(port: int, jobs: list[tuple[int, int, int]], concurrency: int,
               ) -> dict[str, Any]:
    """Send every (account, child, class) request once, ``concurrency`` at a time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    queue = list(jobs)
    headers = {jid: cookie_for(a, c) for jid, (a, c, _) in enumerate(jobs)}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=60.0) as client:

        async def worker() -> None:
            nonlocal errors
            while queue:
                jid = len(queue) - 1
                _account, child, class_id = queue.pop()
                cookie, csrf = headers[jid]
                started = time.perf_counter()
                try:
                    r = await client.post(
                        f"/api/v1/training/classes/{class_id}/enrollments", json={},
                        headers={"Cookie": f"bangyaer_session={cookie}", "X-CSRF-Token": csrf,
                                 "X-Child-Id": str(child)})
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        started = time.perf_counter()
        tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
        _, pending = await asyncio.wait(tasks, timeout=TIME_LIMIT)
        for task in pending:  # out of time: stop, and say so in the figures
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "seconds": round(elapsed, 2),
        "throughput": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
        if latencies else None,
        "statuses": dict(sorted(statuses.items())), "transport_errors": errors,
        "unsent": len(queue), "timed_out": bool(pending),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
    }


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(port: int, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError("the server exited before it was ready")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a live process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def scenario(kind: str, url: str, jobs: list[tuple[int, int, int]], concurrency: int,
                   ) -> dict[str, Any]:
    await reset(url)
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", kind, "--db", url, "--port", str(port), cwd=ROOT)
    try:
        await wait_ready(port, proc)
        await load(port, jobs[:50], min(concurrency, 50))  # warm up pools and caches
        await reset(url)
        before = cpu_seconds(proc.pid)
        result = await load(port, jobs, concurrency)
        # CPU per request of the server alone: steadier than the wall clock
        # on a machine whose cores other work shares.
        result["server_cpu_ms"] = round(
            1000 * (cpu_seconds(proc.pid) - before) / max(result["requests"], 1), 2)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
    result["oversold_counters"], result["oversold_rows"] = await oversold(url)
    return result


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds; totals for what must be zero."""
    def median(key: str) -> Any:
        values = [r[key] for r in rounds if r[key] is not None]
        return statistics.median(values) if values else None

    return {
        "rounds": len(rounds), "requests": rounds[0]["requests"] if rounds else 0,
        "throughput": median("throughput"), "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"), "server_cpu_ms": median("server_cpu_ms"),
        "statuses": rounds[-1]["statuses"] if rounds else {},
        "5xx": sum(r["5xx"] for r in rounds),
        "transport_errors": sum(r["transport_errors"] for r in rounds),
        "timed_out": any(r["timed_out"] for r in rounds),
        "oversold": sum(r["oversold_counters"] + r["oversold_rows"] for r in rounds),
    }


def lottery_timing(applications: int = 100_000, classes: int = CLASSES) -> dict[str, Any]:
    from bangyaer_training._draw import FORMAT, canonical_json, run_draw, sha256_hex

    rng = random.Random(7)
    document = {
        "format": FORMAT, "term": {"id": 1, "code": "B"}, "admission_limit": 2,
        "sibling_priority": True,
        "classes": [{"id": c, "seats": 10, "weekday": 1 + c % 7, "start": f"{8 + c % 10:02}:00",
                     "end": f"{9 + c % 10:02}:00"} for c in range(1, classes + 1)],
        "applications": [{"id": n, "class_id": rng.randint(1, classes),
                          "child": f"{n // 3:x}", "family": f"{n // 6:x}",
                          "tier": "continuing" if n % 20 == 0 else "general"}
                         for n in range(1, applications + 1)],
    }
    # CPU time beside wall time: on a shared machine the wall clock also
    # counts other processes' turns on the cores.
    wall = time.perf_counter()
    text = canonical_json(document)
    digest = sha256_hex(text)
    hashed_wall, hashed_cpu = time.perf_counter(), time.process_time()
    result = run_draw(document, secrets.token_hex(32))
    drawn_wall, drawn_cpu = time.perf_counter(), time.process_time()
    return {"applications": applications, "classes": classes, "list_bytes": len(text),
            "serialise_and_hash_s": round(hashed_wall - wall, 3),
            "draw_wall_s": round(drawn_wall - hashed_wall, 3),
            "draw_cpu_s": round(drawn_cpu - hashed_cpu, 3),
            "admitted": len(result["admitted"]), "list_sha256": digest[:12]}


async def main(args: argparse.Namespace) -> None:
    base = args.db
    name = f"bangyaer_bench_{uuid.uuid4().hex[:8]}"
    admin = base.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{base.rpartition('/')[0]}/{name}"
    try:
        families, classes, hot = await build(url, args.requests)
        rng = random.Random(1)
        hot_jobs = [(a, c, hot) for a, c in families]
        spread_jobs = [(a, c, rng.choice(classes)) for a, c in families]
        say(f"machine: {host.platform()}, {os.cpu_count()} cores, Python "
              f"{host.python_version()}; {args.requests} guardians, "
              f"concurrency {args.concurrency}")
        for label, jobs in (("hot class (100 seats)", hot_jobs),
                            ("spread over 1,000 classes (10 seats)", spread_jobs)):
            rounds: dict[str, list[dict[str, Any]]] = {"baseline": [], "platform": []}
            for _ in range(args.rounds):  # alternate, so both meet the same load
                for kind in rounds:
                    rounds[kind].append(await scenario(kind, url, jobs, args.concurrency))
            figures = {kind: summary(rs) for kind, rs in rounds.items()}
            for kind, line in figures.items():
                say(f"{label:38} {kind:9} {line}")
            ratio = figures["platform"]["throughput"] / figures["baseline"]["throughput"]
            say(f"{label:38} platform / baseline throughput: {ratio:.2f}")
        say(f"lottery: {lottery_timing()}")
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BANGYAER_BENCH_DATABASE_URL",
                                                       DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", choices=("platform", "baseline"))
    parser.add_argument("--port", type=int)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.db, options.port)
    else:
        asyncio.run(main(options))
