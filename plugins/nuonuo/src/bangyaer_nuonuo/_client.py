"""A small client for Nuonuo's open platform: the app's token and signed service calls.

Every answer comes with HTTP 200; what happened is in ``code`` ("E0000" is
success) and ``describe``. Trouble is reported in the ledger's terms:
:class:`GatewayUnavailable` when the platform could not be reached or said
to try again, :class:`GatewayError` when it refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from bangyaer.payments import GatewayError, GatewayUnavailable

from ._config import NuonuoConfig
from ._sign import sign

log = logging.getLogger("bangyaer.nuonuo")

SUCCESS = "E0000"
TOKEN_MISMATCH = "070301"  # accessToken不匹配: the token expired or was replaced
# Codes that say "not now" rather than "no": API服务异常，请稍后重试, API处理异常,
# and the day's call quota (it resets at midnight).
TRANSIENT = frozenset({"040102", "0203", "070201"})
# Tokens live 24 h; take a new one an hour early so none expires on the way.
# Nuonuo allows 50 tokens per 30 days, so refreshing more often is not an option.
REFRESH_MARGIN = 3600.0


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenStore(Protocol):
    """Where a token outlives the process (the database, see ``_tokens``)."""

    async def load(self, app_key: str) -> tuple[str, float] | None: ...

    async def save(self, app_key: str, token: str, expires_at: float) -> None: ...

    async def forget(self, app_key: str, token: str) -> None: ...


class TokenCache:
    """The app's access token: in memory, and in ``store`` for the other processes."""

    def __init__(self, clock: Callable[[], float] = time.time, *,
                 store: TokenStore | None = None, app_key: str = "") -> None:
        self.clock = clock
        self.store = store
        self.app_key = app_key
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def _valid(self) -> str | None:
        token = self._token
        if token is not None and token.expires_at - REFRESH_MARGIN > self.clock():
            return token.value
        return None

    async def _from_store(self) -> str | None:
        if self.store is None:
            return None
        found = await self.store.load(self.app_key)
        if found is not None:
            self._token = _Token(*found)
        return self._valid()

    async def get(self, fetch: Callable[[], Awaitable[tuple[str, int]]]) -> str:
        value = self._valid()
        if value is not None:
            return value
        async with self._lock:
            # Another call, or another process, may have fetched one meanwhile.
            value = self._valid() or await self._from_store()
            if value is not None:
                return value
            self.fetches += 1
            value, expires_in = await fetch()
            self._token = _Token(value, self.clock() + expires_in)
            if self.store is not None:
                await self.store.save(self.app_key, value, self._token.expires_at)
            return value

    async def invalidate(self, value: str) -> None:
        if self._token is not None and self._token.value == value:
            self._token = None
        if self.store is not None:
            await self.store.forget(self.app_key, value)


class NuonuoClient:
    def __init__(self, config: NuonuoConfig, http: httpx.AsyncClient, tokens: TokenCache,
                 *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.http = http
        self.tokens = tokens
        self.clock = clock

    async def _fetch_token(self) -> tuple[str, int]:
        form = {"client_id": self.config.app_key, "client_secret": self.config.app_secret,
                "grant_type": "client_credentials"}
        data = await self._post_json(self.config.token_url, data=form, headers={
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"})
        if "error" in data:
            code = str(data.get("error"))
            log.warning("nuonuo token refused: %s %s", code, data.get("error_description"))
            raise GatewayError(code, "诺诺开放平台拒绝发放令牌，请检查应用的appKey和appSecret")
        token, expires_in = data.get("access_token"), data.get("expires_in")
        try:
            seconds = int(str(expires_in))
        except ValueError:
            raise GatewayUnavailable(f"token answer without expires_in: {data!r}") from None
        if not isinstance(token, str) or not token:
            raise GatewayUnavailable("token answer without access_token")
        return token, seconds

    async def access_token(self) -> str:
        return await self.tokens.get(self._fetch_token)

    async def call(self, method: str, content: Mapping[str, Any]) -> Any:
        """Call ``method`` with ``content``; the ``result`` of a successful answer."""
        token = await self.access_token()
        data = await self._service(method, content, token)
        if data.get("code") == TOKEN_MISMATCH:
            # The token was replaced or expired early: one new token, one retry.
            await self.tokens.invalidate(token)
            data = await self._service(method, content, await self.access_token())
        code = str(data.get("code", ""))
        if code == SUCCESS:
            return data.get("result")
        describe = str(data.get("describe", ""))
        log.info("nuonuo %s answered %s: %s", method, code, describe)
        if code in TRANSIENT:
            raise GatewayUnavailable(f"{method}: {code} {describe}")
        raise GatewayError(code, describe)

    async def _service(self, method: str, content: Mapping[str, Any], token: str
                       ) -> dict[str, Any]:
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        senid = secrets.token_hex(16)
        nonce = str(10_000_000 + secrets.randbelow(90_000_000))  # 8 digits, no leading 0
        timestamp = str(int(self.clock()))
        signature = sign(self.config.app_secret, self.config.api_url,
                         app_key=self.config.app_key, senid=senid, nonce=nonce,
                         timestamp=timestamp, body=body)
        return await self._post_json(
            self.config.api_url, content=body.encode("utf-8"),
            params={"senid": senid, "nonce": nonce, "timestamp": timestamp,
                    "appkey": self.config.app_key},
            headers={"Content-Type": "application/json;charset=UTF-8",
                     "X-Nuonuo-Sign": signature, "accessToken": token,
                     "userTax": self.config.saler_tax_no, "method": method})

    async def _post_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise GatewayUnavailable(f"{url}: no answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"{url}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise GatewayUnavailable(f"{url}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(data, dict):
            raise GatewayUnavailable(f"{url}: answer is not a JSON object")
        return data

    async def get_bytes(self, url: str) -> bytes:
        try:
            response = await self.http.get(url)
        except httpx.TimeoutException as exc:
            raise GatewayUnavailable(f"{url}: no answer in time") from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"{url}: HTTP {response.status_code}")
        if response.status_code != 200:
            log.warning("nuonuo pdf %s answered HTTP %s", url, response.status_code)
            raise GatewayError("pdf_unavailable", "发票PDF无法下载")
        return response.content
