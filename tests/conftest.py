"""Fixtures for cross-plugin and real-browser tests.

``make_live_server`` starts the whole app under uvicorn on 127.0.0.1 (a real
server, real HTTP) in a background thread, with the plugins and seed data a
test asks for; ``live_server`` is one with the TinyDistrict. ``browser`` is
Debian's Chromium driven by Playwright, and ``phone_page`` a page in a
phone-sized, touch, zh-CN context, as a guardian sees the platform inside
DingTalk. Browser tests carry ``@pytest.mark.browser``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from bangyaer.platform import Platform
from bangyaer.settings import Settings
from bangyaer.testing import TinyDistrict
from bangyaer.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REQUIRE_BROWSER_ENV = "BANGYAER_REQUIRE_BROWSER"
PHONE = {"width": 390, "height": 844}
# A DingTalk webview on a phone; pages must not depend on it, but it is what families run.
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.0) com.alibaba.android.rimet"
)
# Generous: the machine may be busy. Waiting is not asserting; nothing here is timed.
START_TIMEOUT = 120.0
EXPECT_TIMEOUT_MS = 30_000

T = TypeVar("T")
Seed = Callable[[Platform], Awaitable[Any]]


async def seed_tiny_district(platform: Platform) -> TinyDistrict:
    return await TinyDistrict().build(platform)


@dataclass
class LiveServer:
    """A running server: its base URL, its platform, and whatever the seed returned."""

    base_url: str
    platform: Platform
    seeded: Any
    loop: asyncio.AbstractEventLoop = field(repr=False)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def run(self, fn: Callable[[Platform], Awaitable[T]]) -> T:
        """Run ``fn(platform)`` on the server's own event loop and return its result.

        The database connections belong to that loop, so data a test adds
        while the server runs goes through here.
        """
        future = asyncio.run_coroutine_threadsafe(fn(self.platform), self.loop)
        return future.result(timeout=START_TIMEOUT)


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that tells the test thread once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class _ServerThread(threading.Thread):
    def __init__(self, settings: Settings, plugins: Sequence[object], discover: bool,
                 seed: Seed | None) -> None:
        super().__init__(name="bangyaer-live-server", daemon=True)
        self.settings, self.plugins, self.discover, self.seed = settings, plugins, discover, seed
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Port 0: the system picks a free port, and the bound socket keeps it ours.
        self.sock.bind(("127.0.0.1", 0))
        self.ready = threading.Event()
        self.server: uvicorn.Server | None = None
        self.live: LiveServer | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the test thread, which raises it
            self.error = exc
        finally:
            self.ready.set()

    async def _main(self) -> None:
        platform = Platform(self.settings, plugins=self.plugins, discover=self.discover)
        await platform.create_schema()
        seeded = await self.seed(platform) if self.seed else None
        app = create_app(platform=platform)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False,
                                timeout_graceful_shutdown=5)
        self.server = _AnnouncingServer(config, self.ready)
        port = self.sock.getsockname()[1]
        self.live = LiveServer(f"http://127.0.0.1:{port}", platform, seeded,
                               asyncio.get_running_loop())
        await self.server.serve(sockets=[self.sock])

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.join(timeout=START_TIMEOUT)
        self.sock.close()


@pytest.fixture
def make_live_server(bangyaer_settings: Settings) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with ``plugins``, seeded by ``seed(platform)``; all stopped afterwards."""
    threads: list[_ServerThread] = []

    def factory(plugins: Sequence[object] = (), *, seed: Seed | None = seed_tiny_district,
                discover: bool = False, **overrides: Any) -> LiveServer:
        settings = bangyaer_settings.replace(embedded_worker=False, **overrides)
        thread = _ServerThread(settings, plugins, discover, seed)
        if "base_url" not in overrides:
            # Addresses the server hands to others (a gateway's return and notify URLs)
            # must reach this server, not the default port.
            port = thread.sock.getsockname()[1]
            thread.settings = settings.replace(base_url=f"http://127.0.0.1:{port}")
        threads.append(thread)
        thread.start()
        if not thread.ready.wait(START_TIMEOUT):
            raise RuntimeError(f"the live server did not start within {START_TIMEOUT:.0f} s")
        started = thread.server is not None and thread.server.started
        if thread.error is not None or thread.live is None or not started:
            raise RuntimeError("the live server failed to start") from thread.error
        return thread.live

    yield factory
    for thread in threads:
        thread.stop()


@pytest.fixture
def live_server(make_live_server: Callable[..., LiveServer]) -> LiveServer:
    """The core alone on a real port, seeded with the TinyDistrict (``.seeded``)."""
    return make_live_server()


@pytest.fixture
def instant_payments() -> object:
    """A payments plugin whose gateway, titled 支付宝, takes the money at once."""
    from bangyaer.payments.testing import InstantGateway
    from bangyaer.testing import build_plugin

    gateway = InstantGateway(id="instant", title_zh="支付宝", title_en="Alipay")
    return build_plugin("paytest", title_zh="测试支付", title_en="Test payments",
                        category="integration", payment_providers=lambda: [gateway])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; skipped without it unless CI requires it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{REQUIRE_BROWSER_ENV}=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait for the page to get there; five seconds (the default) is too
    # short for an upload and its thumbnail while both CPUs run the rest of the suite.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A page on a 390×844 touch screen in zh-CN and Asia/Shanghai, like a guardian's phone.

    ``phone_page.console_errors`` collects console errors and uncaught page
    errors (a CSP violation shows up there), for tests to assert on.
    """
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=PHONE_USER_AGENT,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()
