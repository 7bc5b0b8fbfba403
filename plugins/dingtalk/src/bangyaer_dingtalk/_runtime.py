"""Per-platform state: the checked configuration, the token cache, the mounted sandbox.

Hooks receive no platform, so everything that belongs to one app instance is
kept here, keyed weakly by the platform: tests build many platforms side by
side and each gets its own tokens and sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from ._client import DingTalkClient, Sleep, TokenCache
from ._config import PLUGIN_ID, CorpConfig, DingTalkConfig, parse_config

if TYPE_CHECKING:
    from bangyaer.platform import Platform

    from .sandbox import Sandbox

SANDBOX_HOST = "http://dingtalk-sandbox"


class Runtime:
    def __init__(self, config: DingTalkConfig, *, clock: Callable[[], float] = time.time
                 ) -> None:
        self.config = config
        self.tokens = TokenCache(clock)
        self.sleep: Sleep = asyncio.sleep
        self.sandbox: Sandbox | None = None

    def attach_sandbox(self, sandbox: Sandbox) -> None:
        """Serve DingTalk from ``sandbox`` in-process; its corps become the configured ones."""
        # Not yet: a separate `bangyaer worker` gets a sandbox of its own; the demo runs
        # the embedded worker, so web pages and jobs see the same one.
        self.sandbox = sandbox
        corps = self.config.corps or tuple(
            CorpConfig(corp_id=c.corp_id, school_code=c.school_code, agent_id=c.agent_id,
                       app_key=c.app_key, app_secret=c.app_secret, school_name=c.name)
            for c in sandbox.corps())
        self.config = replace(self.config, corps=corps, oapi_base=SANDBOX_HOST,
                              api_base=SANDBOX_HOST)

    @contextlib.asynccontextmanager
    async def http(self) -> AsyncIterator[httpx.AsyncClient]:
        transport = (httpx.ASGITransport(app=self.sandbox.app)
                     if self.sandbox is not None else None)
        async with httpx.AsyncClient(transport=transport,
                                     timeout=self.config.http_timeout_seconds) as client:
            yield client

    def client(self, corp: CorpConfig, http: httpx.AsyncClient) -> DingTalkClient:
        return DingTalkClient(corp, self.config, http, self.tokens, sleep=self.sleep)


_runtimes: weakref.WeakKeyDictionary[Platform, Runtime] = weakref.WeakKeyDictionary()


async def runtime(platform: Platform) -> Runtime:
    """The plugin's state for ``platform``, built (and its config checked) on first use."""
    found = _runtimes.get(platform)
    if found is not None:
        return found
    made = Runtime(parse_config(platform.config(PLUGIN_ID)))
    if made.config.sandbox:
        from ._demo import sandbox_for

        made.attach_sandbox(await sandbox_for(platform, made.config))
    # Two first requests may race here; the first one stored wins for both.
    return _runtimes.setdefault(platform, made)
