"""Competition registration throughput: 12,530 guardians at once over real HTTP on loopback.

    python bench/competitions_registration.py [--db sqlite|postgresql+asyncpg://…/postgres]
                                              [--entries 12530] [--concurrency 64]

Builds a throw-away database with one guardian and one primary-school child
per entry (spread over 40 schools) and one open activity, then sends every
guardian's one-tap registration (POST …/activities/{id}/entries) through
uvicorn, first to a baseline (a bare Starlette app running the same
registration SQL through the driver: counter UPDATE … RETURNING, entry
INSERT, event INSERT, job INSERT in one transaction, and nothing else: no
session, actor, eligibility or idempotency checks), then to the platform
with the competitions plugin. Each server runs in its own process on
127.0.0.1. Sessions are minted as signed cookies, so argon2 sign-in cost is
not part of the figure. After each run the entry codes are checked to be
unique and gapless per group. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import platform as host
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-" + "x" * 16
TIME_LIMIT = 900.0  # seconds per run, whatever happens
# SQLite queues writers on its busy timeout; both servers get the same one.
BUSY_MS = 30_000
SCHOOLS = 40


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# -- the servers --------------------------------------------------------------


def platform_app(url: str, data_dir: str) -> Any:
    import bangyaer_competitions.plugin
    from bangyaer.platform import Platform
    from bangyaer.settings import load_settings
    from bangyaer.web import create_app

    settings = load_settings(Path(data_dir), environ={}, secret_key=SECRET, database_url=url,
                             embedded_worker=False, sqlite_busy_timeout_ms=BUSY_MS)
    return create_app(platform=Platform(settings, plugins=[bangyaer_competitions.plugin],
                                        discover=False))


ENTRY_SQL = (
    "INSERT INTO competitions_entry (activity_id, group_id, code, seq, slot, status, "
    "student_id, student_name, school_id, school_name, class_id, class_name, stage, grade, "
    "org_path, registered_by, created_at, updated_at) "
    "SELECT ?, ?, ?, ?, 1, 'registered', p.id, p.name, p.school_id, '', p.class_id, '', "
    "p.stage, p.grade, p.org_path, ?, ?, ? FROM core_person p WHERE p.id = ? RETURNING id")
EVENT_SQL = ("INSERT INTO core_event (type, payload, subject_id, actor_account_id, occurred_at) "
             "VALUES ('competitions.entry_registered', ?, ?, ?, ?) RETURNING id")
JOB_SQL = ("INSERT INTO core_job (kind, payload, idempotency_key, status, attempts, "
           "max_attempts, run_at, created_at) VALUES ('core.dispatch_event', ?, ?, 'queued', 0, "
           "8, ?, ?)")
COUNTER_SQL = ("UPDATE competitions_group SET last_seq = last_seq + 1 WHERE id = ? "
               "RETURNING last_seq")


def _dollars(sql: str) -> str:
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], start=1))


def baseline_app(url: str, data_dir: str) -> Any:
    """The plugin's registration SQL straight through the driver, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    state: dict[str, Any] = {}

    async def run(args: dict[str, Any]) -> str:
        now = dt.datetime.now(dt.UTC)
        if "pool" in state:
            return await _pg(state["pool"], args, now)
        conn = await state["conns"].get()
        try:
            return await _sqlite(conn, args, now)
        finally:
            state["conns"].put_nowait(conn)

    async def register(request: Request) -> JSONResponse:
        args = {"activity": int(request.path_params["id"]),
                "group": int(request.headers["x-group-id"]),
                "child": int(request.headers["x-child-id"]),
                "account": int(request.headers["x-account-id"])}
        return JSONResponse({"code": await run(args), "message": "报名成功"}, status_code=201)

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        if url.startswith("postgresql"):
            import asyncpg

            state["pool"] = await asyncpg.create_pool(
                url.replace("postgresql+asyncpg://", "postgresql://"), min_size=5, max_size=30)
        else:
            import aiosqlite

            state["conns"] = asyncio.Queue()
            for _ in range(8):
                conn = await aiosqlite.connect(url.split("///", 1)[1], isolation_level=None)
                await conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
                # As the platform's engine sets it: WAL with NORMAL sync.
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("PRAGMA synchronous=NORMAL")
                state["conns"].put_nowait(conn)
        yield
        if "pool" in state:
            await state["pool"].close()

    return Starlette(routes=[Route("/api/v1/competitions/activities/{id:int}/entries",
                                   register, methods=["POST"])], lifespan=lifespan)


async def _sqlite(conn: Any, a: dict[str, Any], now: dt.datetime) -> str:
    stamp = now.isoformat(sep=" ")
    await conn.execute("BEGIN IMMEDIATE")
    try:
        seq = (await (await conn.execute(COUNTER_SQL, (a["group"],))).fetchone())[0]
        code = f"B{a['activity']}-01-{seq:05d}"
        await conn.execute(ENTRY_SQL, (a["activity"], a["group"], code, seq, a["account"],
                                       stamp, stamp, a["child"]))
        payload = json.dumps({"activity_id": a["activity"], "entry_code": code})
        event = (await (await conn.execute(EVENT_SQL, (payload, a["child"], a["account"],
                                                       stamp))).fetchone())[0]
        await conn.execute(JOB_SQL, (json.dumps({"event_id": event}), f"event:{event}",
                                     stamp, stamp))
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    return code


async def _pg(pool: Any, a: dict[str, Any], now: dt.datetime) -> str:
    async with pool.acquire() as conn, conn.transaction():
        seq = await conn.fetchval(_dollars(COUNTER_SQL), a["group"])
        code = f"B{a['activity']}-01-{seq:05d}"
        await conn.fetchval(_dollars(ENTRY_SQL), a["activity"], a["group"], code, seq,
                            a["account"], now, now, a["child"])
        payload = json.dumps({"activity_id": a["activity"], "entry_code": code})
        event = await conn.fetchval(_dollars(EVENT_SQL), payload, a["child"], a["account"], now)
        await conn.execute(_dollars(JOB_SQL), json.dumps({"event_id": event}), f"event:{event}",
                           now, now)
    return code


def serve(kind: str, url: str, port: int, data_dir: str) -> None:
    import uvicorn

    app = platform_app(url, data_dir) if kind == "platform" else baseline_app(url, data_dir)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- data ---------------------------------------------------------------------


async def build(url: str, data_dir: str, entries: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Schema and data; returns (activity id, group id, [(account id, child id)])."""
    import bangyaer_competitions.plugin
    from bangyaer.identity import Account, Guardianship, Organisation, Person, RoleGrant
    from bangyaer.platform import Platform
    from bangyaer.settings import load_settings
    from bangyaer_competitions.models import Activity, Group

    settings = load_settings(Path(data_dir), environ={}, secret_key=SECRET, database_url=url,
                             embedded_worker=False)
    platform = Platform(settings, plugins=[bangyaer_competitions.plugin], discover=False)
    await platform.create_schema()
    await platform.close()
    now = dt.datetime.now(dt.UTC)
    engine = create_async_engine(url)
    stamp = {"created_at": now, "updated_at": now}
    async with engine.begin() as conn:
        district = (await conn.execute(sa.insert(Organisation).values(
            kind="district", code="D", name="区", path="/1/", **stamp)
            .returning(Organisation.id))).scalar_one()
        schools = []
        for n in range(SCHOOLS):
            school = (await conn.execute(sa.insert(Organisation).values(
                kind="school", code=f"S{n}", name=f"第{n}小学", parent_id=district,
                stage="primary", path="", **stamp).returning(Organisation.id))).scalar_one()
            klass = (await conn.execute(sa.insert(Organisation).values(
                kind="class", code="1", name="三(1)班", parent_id=school, stage="primary",
                grade=3, path=f"/{district}/{school}/", **stamp)
                .returning(Organisation.id))).scalar_one()
            schools.append((school, klass))
        kids = [{"kind": "student", "name": "某", "school_id": schools[i % SCHOOLS][0],
                 "class_id": schools[i % SCHOOLS][1], "stage": "primary", "grade": 3,
                 "org_path": f"/{district}/{schools[i % SCHOOLS][0]}/", "active": True,
                 "external_no": f"S{i}", **stamp} for i in range(entries)]
        await conn.execute(sa.insert(Person), kids)
        await conn.execute(sa.insert(Person), [
            {"kind": "guardian", "name": "某", "org_path": "/1/", "active": True,
             "external_no": f"G{i}", **stamp} for i in range(entries)])
        ids = dict((await conn.execute(sa.select(Person.external_no, Person.id))).all())
        await conn.execute(sa.insert(Guardianship), [
            {"guardian_id": ids[f"G{i}"], "student_id": ids[f"S{i}"], "relation": "M"}
            for i in range(entries)])
        await conn.execute(sa.insert(Account), [
            {"person_id": ids[f"G{i}"], "active": True, **stamp} for i in range(entries)])
        accounts = dict((await conn.execute(sa.select(Account.person_id, Account.id))).all())
        await conn.execute(sa.insert(RoleGrant), [
            {"account_id": a, "role": "guardian", "org_id": district, "granted_at": now}
            for a in accounts.values()])
        activity = (await conn.execute(sa.insert(Activity).values(
            org_id=district, org_path="/1/", title="压测比赛", category="艺术", type_id="artwork",
            status="open", code_prefix="K2026", description="", eligibility={},
            registration_opens_at=now - dt.timedelta(hours=1),
            registration_closes_at=now + dt.timedelta(days=1),
            submission_deadline=now + dt.timedelta(days=2), online_submission=True,
            entries_per_child=1, **stamp).returning(Activity.id))).scalar_one()
        group = (await conn.execute(sa.insert(Group).values(
            activity_id=activity, number=1, name="小学低段", stage="primary", grade_min=1,
            grade_max=3, last_seq=0).returning(Group.id))).scalar_one()
    await engine.dispose()
    return activity, group, [(accounts[ids[f"G{i}"]], ids[f"S{i}"]) for i in range(entries)]


async def reset(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for table in ("competitions_entry", "core_job", "core_event"):
            await conn.execute(sa.text(f"DELETE FROM {table}"))
        await conn.execute(sa.text("UPDATE competitions_group SET last_seq = 0"))
    await engine.dispose()


async def check_codes(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        row = (await conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT code), min(seq), max(seq) "
            "FROM competitions_entry"))).one()
    await engine.dispose()
    n, distinct, low, high = row
    return {"entries": n, "unique": n == distinct,
            "gapless": n == 0 or (low == 1 and high == n)}


# -- load ---------------------------------------------------------------------


def cookie_for(account_id: int, child_id: int) -> tuple[str, str]:
    from itsdangerous import TimestampSigner

    csrf = secrets.token_urlsafe(12)
    payload = base64.b64encode(json.dumps(
        {"account_id": account_id, "child_id": child_id, "csrf": csrf}).encode())
    return TimestampSigner(SECRET).sign(payload).decode(), csrf


async def load(port: int, activity: int, group: int, families: list[tuple[int, int]],
               concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    queue = list(enumerate(families))
    cookies = [cookie_for(a, c) for a, c in families]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=60.0) as client:

        async def worker() -> None:
            nonlocal errors
            while queue:
                n, (account, child) = queue.pop()
                cookie, csrf = cookies[n]
                started = time.perf_counter()
                try:
                    r = await client.post(
                        f"/api/v1/competitions/activities/{activity}/entries",
                        headers={"Cookie": f"bangyaer_session={cookie}", "X-CSRF-Token": csrf,
                                 "X-Child-Id": str(child), "X-Group-Id": str(group),
                                 "X-Account-Id": str(account)})
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        started = time.perf_counter()
        tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
        _, late = await asyncio.wait(tasks, timeout=TIME_LIMIT)
        for task in late:  # past the time limit: stop, and report what was done
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
        if latencies else None,
        "statuses": dict(sorted(statuses.items())), "transport_errors": errors,
        "hit_time_limit": bool(late),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited before it was ready")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")


async def run(kind: str, url: str, data_dir: str, activity: int, group: int,
              families: list[tuple[int, int]], concurrency: int) -> dict[str, Any]:
    await reset(url)
    port = free_port()
    # Started once per run, before the clock starts; blocking here is harmless.
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--db", url,  # noqa: ASYNC220
                             "--port", str(port), "--data-dir", data_dir], cwd=ROOT)
    try:
        await wait_ready(port, proc)
        result = await load(port, activity, group, families, concurrency)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result.update(await check_codes(url))
    return result


async def main(args: argparse.Namespace) -> None:
    data_dir = tempfile.mkdtemp(prefix="bangyaer-bench-")
    admin = None
    if args.db == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir}/bench.db"
    else:
        import asyncpg

        admin = args.db.replace("postgresql+asyncpg://", "postgresql://")
        name = f"bangyaer_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = f"{args.db.rpartition('/')[0]}/{name}"
    try:
        activity, group, families = await build(url, data_dir, args.entries)
        say(f"machine: {host.platform()}, {os.cpu_count()} cores, Python "
            f"{host.python_version()}; database {url.split(':')[0]}; {args.entries} "
            f"guardians, concurrency {args.concurrency}")
        for kind in ("baseline", "platform"):
            figures = await run(kind, url, data_dir, activity, group, families,
                                args.concurrency)
            say(f"{kind:9} {figures}")
    finally:
        if admin is not None:
            import asyncpg

            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default="sqlite",
                        help="'sqlite' (a temporary file) or a PostgreSQL server URL")
    parser.add_argument("--entries", type=int, default=12530)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve", choices=("platform", "baseline"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--data-dir")
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.db, options.port, options.data_dir)
    else:
        asyncio.run(main(options))
