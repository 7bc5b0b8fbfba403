"""Alipay notifications per second: the platform's endpoint against a bare verifier.

Usage: python bench/alipay_notify.py [--count N] [--rounds R] [--concurrency C]
                                     [--postgres URL]

Every figure is over real HTTP on loopback, uvicorn serving in this process
and the client beside it, so both share one event loop and the CPU:

- "baseline": a bare Starlette app that parses the form, verifies the RSA2
  signature and answers ``success`` (the protocol's floor, no database);
- "first delivery": ``POST /api/v1/alipay/notify`` for N paid orders, each
  applied by the ledger (order locked, payment row, audit, event);
- "redelivery": the same N again, already applied (the idempotent path).

Medians of R rounds, fresh database each; the figures go into
docs/benchmarks.md under "Alipay notifications". Bounded: at most 2,000
notifications a round and 5 rounds; it talks only to loopback servers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform as py_platform
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bangyaer_alipay.plugin as alipay_plugin
import httpx
import uvicorn
from bangyaer.db import utcnow
from bangyaer.identity import Person, PersonKind
from bangyaer.payments import create_order
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.web import create_app
from bangyaer_alipay._config import PRIVATE_KEY_ENV
from bangyaer_alipay._sign import public_pem, sign, sign_content, verify
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

MAX_COUNT, MAX_ROUNDS = 2000, 5
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
APP_ID, SELLER_ID = "2021004100000001", "2088101122334455"
TIME = "%Y-%m-%d %H:%M:%S"
Figures = tuple[float, float, list[float]]  # per wall second, CPU ms each, latencies ms


def notification(key: rsa.RSAPrivateKey, order_no: str, n: int) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC).strftime(TIME)
    params = {
        "notify_time": now, "notify_type": "trade_status_sync", "notify_id": uuid.uuid4().hex,
        "charset": "utf-8", "version": "1.0", "sign_type": "RSA2", "app_id": APP_ID,
        "trade_no": f"2026120422001{n:015d}", "out_trade_no": order_no,
        "buyer_id": "2088102177846880", "seller_id": SELLER_ID, "trade_status": "TRADE_SUCCESS",
        "total_amount": "1200.00", "receipt_amount": "1200.00", "subject": "书法初级班 学费",
        "gmt_create": now, "gmt_payment": now,
    }
    params["sign"] = sign(key, sign_content(params, exclude=("sign", "sign_type")))
    return params


def baseline_app(public: rsa.RSAPublicKey) -> Starlette:
    async def endpoint(request: Request) -> PlainTextResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        ok = verify(public, sign_content(form, exclude=("sign", "sign_type")), form["sign"])
        return PlainTextResponse("success" if ok else "fail")

    return Starlette(routes=[Route("/notify", endpoint, methods=["POST"])])


async def serve(app: Any) -> tuple[str, Callable[[], Awaitable[None]]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():  # noqa: ASYNC110  (a flag, no event)
        await asyncio.sleep(0.01)

    async def stop() -> None:
        server.should_exit = True
        await task
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


async def deliver(url: str, batch: list[dict[str, str]], concurrency: int) -> Figures:
    """(notifications per wall second, CPU ms per notification, latencies in ms)."""
    queue = list(batch)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def worker() -> None:
            while queue:
                params = queue.pop()
                started = time.perf_counter()
                response = await client.post(url, data=params)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.text != "success":
                    raise RuntimeError(f"{url}: answered {response.text[:80]!r}")

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(batch) / wall, cpu * 1000 / len(batch), latencies


async def platform_for(workdir: Path, database_url: str, url: str, gateway: rsa.RSAPublicKey,
                       count: int) -> tuple[Platform, list[str]]:
    public = workdir / "alipay_public.pem"
    public.write_text(public_pem(gateway), encoding="ascii")
    settings = load_settings(
        workdir / "data", environ={}, secret_key="bench-secret-0123456789abcdef",
        database_url=database_url, embedded_worker=False, base_url=url,
        plugin_settings={"alipay": {"app_id": APP_ID, "seller_id": SELLER_ID,
                                    "alipay_public_key_file": str(public)}})
    platform = Platform(settings, plugins=[alipay_plugin], discover=False)
    await platform.create_schema()
    async with platform.db.transaction() as session:
        child = Person(kind=PersonKind.student, name="学生")
        session.add(child)
        await session.flush()
        numbers = []
        for i in range(count):
            order = await create_order(
                session, plugin="training", purpose_ref=f"bench:{i}", title="书法初级班 学费",
                amount_fen=120000, payer_account_id=None, subject_id=child.id,
                expires_at=utcnow() + dt.timedelta(hours=1))
            numbers.append(order.order_no)
    return platform, numbers


def postgres_database(base: str) -> tuple[str, Callable[[], Awaitable[None]],
                                         Callable[[], Awaitable[None]]]:
    """A throw-away database's URL, and how to create and drop it."""
    import asyncpg

    name = f"bangyaer_bench_{uuid.uuid4().hex[:10]}"
    admin = base.replace("postgresql+asyncpg://", "postgresql://")

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create() -> None:
        await run(f'CREATE DATABASE "{name}"')

    async def drop() -> None:
        await run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    head, _, _ = base.rpartition("/")
    return f"{head}/{name}", create, drop


async def one_round(args: argparse.Namespace, gateway: rsa.RSAPrivateKey
                    ) -> dict[str, Figures]:
    results: dict[str, Figures] = {}
    url, stop = await serve(baseline_app(gateway.public_key()))
    try:
        batch = [notification(gateway, f"P{i:08d}", i) for i in range(args.count)]
        results["baseline"] = await deliver(f"{url}/notify", batch, args.concurrency)
    finally:
        await stop()

    with tempfile.TemporaryDirectory() as tmp:
        drop = None
        if args.postgres:
            database_url, create, drop = postgres_database(args.postgres)
            await create()
        else:
            database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        sock.close()
        platform, numbers = await platform_for(Path(tmp), database_url, base,
                                               gateway.public_key(), args.count)
        served, stop = await serve(create_app(platform=platform))
        try:
            batch = [notification(gateway, no, i) for i, no in enumerate(numbers)]
            endpoint = f"{served}/api/v1/alipay/notify"
            results["first delivery"] = await deliver(endpoint, batch, args.concurrency)
            results["redelivery"] = await deliver(endpoint, batch, args.concurrency)
        finally:
            await stop()
            await platform.close()
            if drop is not None:
                await drop()
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not 1 <= args.count <= MAX_COUNT or not 1 <= args.rounds <= MAX_ROUNDS:
        sys.exit(f"--count must be 1..{MAX_COUNT} and --rounds 1..{MAX_ROUNDS}")
    if args.postgres and urlsplit(args.postgres.replace("+asyncpg", "")).hostname not in LOOPBACK:
        sys.exit("--postgres must name a server on the loopback interface")

    app_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    gateway = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ[PRIVATE_KEY_ENV] = app_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    rounds = [await one_round(args, gateway) for _ in range(args.rounds)]

    database = "PostgreSQL" if args.postgres else "SQLite"
    print("| database | scenario | notifications/s | CPU ms/notification | p50 ms | p99 ms "
          "| / baseline |")
    print("|---|---|---|---|---|---|---|")
    base_rate = statistics.median(r["baseline"][0] for r in rounds)
    for scenario in ("baseline", "first delivery", "redelivery"):
        rate = statistics.median(r[scenario][0] for r in rounds)
        cpu = statistics.median(r[scenario][1] for r in rounds)
        lat = [x for r in rounds for x in r[scenario][2]]
        ratio = "" if scenario == "baseline" else f"{rate / base_rate:.2f}"
        print(f"| {database} | {scenario} | {rate:,.0f} | {cpu:.1f} | "
              f"{percentile(lat, 0.5):.1f} | {percentile(lat, 0.99):.1f} | {ratio} |")
    print(f"\n{args.count} notifications a round, {args.concurrency} at a time, "
          f"{args.rounds} rounds; {os.cpu_count()} CPUs, Python {py_platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    asyncio.run(main())
