"""Per-platform state: the checked configuration, the token cache, the mounted sandbox.

Hooks receive no platform, so what belongs to one app instance is kept here,
keyed weakly by the platform: tests build many platforms side by side.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from ._client import NuonuoClient, TokenCache, TokenStore
from ._config import PLUGIN_ID, NuonuoConfig, parse_config
from ._tokens import DatabaseTokens

if TYPE_CHECKING:
    from bangyaer.platform import Platform

    from .sandbox import Sandbox

SANDBOX_HOST = "http://nuonuo-sandbox"
# What `bangyaer demo` needs beyond `sandbox = true`; a district's own values win.
SANDBOX_DEFAULTS = {"tax_rate": "0.03", "goods_code": "3070201020000000000",
                    "clerk": "演示开票员"}


class Runtime:
    def __init__(self, config: NuonuoConfig, *, clock: Callable[[], float] = time.time,
                 store: TokenStore | None = None) -> None:
        self.config = config
        self.clock = clock
        self.tokens = TokenCache(clock, store=store, app_key=config.app_key)
        self.sandbox: Sandbox | None = None

    def attach_sandbox(self, sandbox: Sandbox) -> None:
        """Talk to ``sandbox`` in-process instead of Nuonuo."""
        # Not yet: a separate `bangyaer worker` gets a sandbox of its own; the demo runs
        # the embedded worker, so web pages and jobs see the same one.
        self.sandbox = sandbox
        self.config = replace(self.config, api_url=f"{SANDBOX_HOST}/open/v1/services",
                              token_url=f"{SANDBOX_HOST}/accessToken")

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[NuonuoClient]:
        transport = (httpx.ASGITransport(app=self.sandbox.app)
                     if self.sandbox is not None else None)
        async with httpx.AsyncClient(transport=transport,
                                     timeout=self.config.http_timeout_seconds) as http:
            yield NuonuoClient(self.config, http, self.tokens, clock=self.clock)


_runtimes: weakref.WeakKeyDictionary[Platform, Runtime] = weakref.WeakKeyDictionary()


def runtime(platform: Platform) -> Runtime:
    """The plugin's state for ``platform``, built (and its config checked) on first use."""
    found = _runtimes.get(platform)
    if found is not None:
        return found
    values = dict(platform.config(PLUGIN_ID))
    if values.get("sandbox"):
        from .sandbox import DEMO_APP, Sandbox

        for key, value in SANDBOX_DEFAULTS.items():
            values[key] = values.get(key) or value
        values["saler_tax_no"] = values.get("saler_tax_no") or DEMO_APP.tax_no
        # The in-process sandbox forgets its tokens on restart: keep none in the database.
        made = Runtime(parse_config(values, sandbox_credentials=(DEMO_APP.app_key,
                                                                 DEMO_APP.app_secret)))
        made.attach_sandbox(Sandbox(apps=(DEMO_APP,)))
    else:
        made = Runtime(parse_config(values), store=DatabaseTokens(platform))
    return _runtimes.setdefault(platform, made)
