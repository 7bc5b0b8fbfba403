"""Per-platform state: the checked configuration and, in demos, the mounted sandbox.

Hooks receive no platform, so what belongs to one app instance is kept here,
keyed weakly by the platform: tests build many platforms side by side.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from bangyaer.settings import ConfigError
from cryptography.hazmat.primitives.asymmetric import rsa

from ._client import AlipayClient
from ._config import PLUGIN_ID, AlipayConfig, parse_config
from ._sign import KeyFormatError, load_private_key

if TYPE_CHECKING:
    from bangyaer.platform import Platform

    from .sandbox import Sandbox

SANDBOX_PATH = f"/{PLUGIN_ID}/_sandbox"
SANDBOX_APP_ID = "2021000000000001"
SANDBOX_SELLER_ID = "2088000000000001"
NOTIFY_PATH = f"/api/v1/{PLUGIN_ID}/notify"
RETURN_PATH = f"/{PLUGIN_ID}/return"


class Runtime:
    def __init__(self, config: AlipayConfig | None, base_url: str) -> None:
        self.config = config
        self.base_url = base_url
        self.sandbox: Sandbox | None = None

    @property
    def notify_url(self) -> str:
        assert self.config is not None
        return (self.config.notify_base_url or self.base_url) + NOTIFY_PATH

    @property
    def return_url(self) -> str:
        return self.base_url + RETURN_PATH

    def attach_sandbox(self, sandbox: Sandbox) -> None:
        """Pay through ``sandbox``, served in-process under /alipay/_sandbox."""
        # Not yet: a separate `bangyaer worker` gets a sandbox of its own; the demo runs
        # the embedded worker, so pages and jobs see the same one.
        assert self.config is not None
        self.sandbox = sandbox
        self.config = replace(self.config, alipay_key=sandbox.key.public_key(),
                              gateway_url=f"{self.base_url}{SANDBOX_PATH}/gateway.do")

    @contextlib.asynccontextmanager
    async def http(self) -> AsyncIterator[httpx.AsyncClient]:
        assert self.config is not None
        transport = (httpx.ASGITransport(app=self.sandbox.app, root_path=SANDBOX_PATH)
                     if self.sandbox is not None else None)
        async with httpx.AsyncClient(transport=transport,
                                     timeout=self.config.http_timeout_seconds) as client:
            yield client

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[AlipayClient]:
        assert self.config is not None
        async with self.http() as http:
            yield AlipayClient(self.config, http)


_runtimes: weakref.WeakKeyDictionary[Platform, Runtime] = weakref.WeakKeyDictionary()


def _sandbox_config(values: dict[str, Any]) -> AlipayConfig:
    """The demo's app: the sandbox's ids, and a fresh app key unless one is configured."""
    filled = {**values, "app_id": values.get("app_id") or SANDBOX_APP_ID,
              "seller_id": values.get("seller_id") or SANDBOX_SELLER_ID}
    try:
        configured = parse_config(filled)
    except ConfigError:
        configured = None  # keys are optional with the sandbox: it plays Alipay too
    if configured is not None:
        return replace(configured, sandbox=True)
    app_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return AlipayConfig(app_id=str(filled["app_id"]), seller_id=str(filled["seller_id"]),
                        gateway_url="", app_key=app_key, alipay_key=app_key.public_key(),
                        notify_base_url=str(values.get("notify_base_url", "")),
                        http_timeout_seconds=float(values.get("http_timeout_seconds") or 10.0),
                        sandbox=True, sandbox_key_file=str(values.get("sandbox_key_file", "")))


def _sandbox_for(config: AlipayConfig) -> Sandbox:
    from .sandbox import Sandbox

    key = None
    if config.sandbox_key_file:
        try:
            key = load_private_key(Path(config.sandbox_key_file).read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, KeyFormatError) as exc:
            raise ConfigError(f"[plugins.alipay] sandbox_key_file: cannot use "
                              f"{config.sandbox_key_file!r} ({exc})") from None
    return Sandbox(app_id=config.app_id, seller_id=config.seller_id,
                   app_public_key=config.app_key.public_key(), key=key)


def runtime(platform: Platform) -> Runtime:
    """The plugin's state for ``platform``, its configuration checked on first use."""
    found = _runtimes.get(platform)
    if found is not None:
        return found
    values = dict(platform.config(PLUGIN_ID))
    if values.get("sandbox"):
        made = Runtime(_sandbox_config(values), platform.settings.base_url)
        made.attach_sandbox(_sandbox_for(made.config))  # type: ignore[arg-type]
    else:
        made = Runtime(parse_config(values), platform.settings.base_url)
    return _runtimes.setdefault(platform, made)
