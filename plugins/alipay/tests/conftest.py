"""Fixtures: an Alipay sandbox on loopback, and a platform served on loopback that uses it.

The sandbox runs in a thread of its own (uvicorn); the platform is served by
uvicorn inside the test's event loop, so the sandbox's notifications reach
it over real HTTP while the test reads the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import bangyaer_alipay.plugin as alipay_plugin
import httpx
import pytest
import uvicorn
from bangyaer.db import utcnow
from bangyaer.jobs import Job
from bangyaer.payments import create_order
from bangyaer.payments.testing import cashier_url
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer.web import create_app
from bangyaer_alipay._config import PRIVATE_KEY_ENV
from bangyaer_alipay.sandbox import Sandbox, serve
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update

APP_ID = "2021004100000001"
SELLER_ID = "2088101122334455"
FAST_RETRIES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 DingTalk/7.6.0")
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@pytest.fixture(scope="session")
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def gateway_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def stranger_key() -> rsa.RSAPrivateKey:
    """Somebody else's key: what a forger signs with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture
def sandbox(app_key: rsa.RSAPrivateKey, gateway_key: rsa.RSAPrivateKey) -> Iterator[Sandbox]:
    box = Sandbox(app_id=APP_ID, seller_id=SELLER_ID, app_public_key=app_key.public_key(),
                  key=gateway_key, retry_delays=FAST_RETRIES)
    with serve(box) as running:
        yield running


@pytest.fixture
def alipay_settings(sandbox: Sandbox, app_key: rsa.RSAPrivateKey, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """[plugins.alipay] for the sandbox: the app key from the environment, Alipay's from a file."""
    monkeypatch.setenv(PRIVATE_KEY_ENV, private_pem(app_key))
    public = tmp_path / "alipay_public_key.pem"
    public.write_text(sandbox.public_key_pem, encoding="ascii")
    return {"app_id": APP_ID, "seller_id": SELLER_ID, "gateway_url": sandbox.gateway_url,
            "alipay_public_key_file": str(public), "http_timeout_seconds": 1.0}


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def served(app: Any, sock: socket.socket) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # uvicorn offers a flag, not an event, for "listening".
    while not server.started and not task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task
        sock.close()


PayPlatform = Callable[[dict[str, Any]], Awaitable[Platform]]


@pytest.fixture
async def make_pay_platform(make_platform: Callable[..., Awaitable[Platform]]
                            ) -> AsyncIterator[PayPlatform]:
    """Platforms with the Alipay plugin and TinyDistrict, each served on loopback (``.url``)."""
    async with contextlib.AsyncExitStack() as stack:
        async def make(settings: dict[str, Any]) -> Platform:
            sock = _socket()
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            platform = await make_platform([alipay_plugin], base_url=url,
                                           plugin_settings={"alipay": settings})
            platform.url = url  # type: ignore[attr-defined]
            platform.people = await TinyDistrict().build(platform)  # type: ignore[attr-defined]
            await stack.enter_async_context(served(create_app(platform=platform), sock))
            return platform

        yield make


@pytest.fixture
async def pay_platform(make_pay_platform: PayPlatform, alipay_settings: dict[str, Any]
                       ) -> Platform:
    return await make_pay_platform(alipay_settings)


async def new_order(platform: Platform, *, ref: str = "class:7:child:1", amount: int = 120000,
                    minutes: float = 30) -> str:
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref=ref, title="2027 春季 书法初级班 学费",
            amount_fen=amount, payer_account_id=None,
            subject_id=platform.people.ids["child_1"],  # type: ignore[attr-defined]
            expires_at=utcnow() + dt.timedelta(minutes=minutes))
        return order.order_no


@contextlib.asynccontextmanager
async def family_of(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """王大明 on his phone, signed in over HTTP and acting for 王小明."""
    people = platform.people  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=platform.url,  # type: ignore[attr-defined]
                                 headers={"User-Agent": PHONE_UA}, timeout=10) as client:
        response = await client.post("/api/v1/auth/login", json={
            "username": "parent", "password": TinyDistrict.PASSWORD})
        response.raise_for_status()
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        response = await client.post("/api/v1/me/acting-child",
                                     json={"child_id": people.ids["child_1"]})
        response.raise_for_status()
        yield client


@pytest.fixture
async def family(pay_platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with family_of(pay_platform) as client:
        yield client


async def open_cashier(client: httpx.AsyncClient, order_no: str) -> httpx.Response:
    """Press 支付宝 on the order page; the answer is the sandbox's cashier page."""
    response = await client.post(f"/payments/orders/{order_no}/pay",
                                 data={"provider": "alipay"})
    assert response.status_code == 200, response.text
    cashier = await client.get(cashier_url(response.text))
    assert cashier.status_code == 200, cashier.text
    return cashier


async def press(client: httpx.AsyncClient, cashier: httpx.Response, action: str = "pay", *,
                follow: bool = True) -> httpx.Response:
    """Press 确认付款 (or 放弃付款) on the cashier page; ``follow`` goes where it leads.

    Not following is a payer who closes the page before Alipay sends them back.
    """
    ticket = re.search(r'name="ticket" value="([^"]+)"', cashier.text)
    assert ticket is not None, cashier.text
    target = str(cashier.url).split("/gateway.do", 1)[0] + "/cashier/pay"
    return await client.post(target, data={"ticket": ticket.group(1), "action": action},
                             follow_redirects=follow)


async def until(check: Callable[[], Awaitable[bool] | bool], within: float = 15.0) -> None:
    """Wait (yielding to the served platform) until ``check`` holds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def make_jobs_due(platform: Platform) -> None:
    """Bring every queued job's time forward to now, as if the clock had moved on."""
    async with platform.db.transaction() as session:
        await session.execute(update(Job).where(Job.status == "queued").values(run_at=utcnow()))


def acknowledged(sandbox: Sandbox, out_trade_no: str, n: int = 1) -> Callable[[], bool]:
    """True once ``n`` notifications for the order were answered ``success``."""
    def check() -> bool:
        return sum(1 for d in sandbox.notifier.deliveries
                   if d.out_trade_no == out_trade_no and d.acknowledged) >= n
    return check
