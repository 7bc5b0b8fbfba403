"""A small client for the DingTalk server APIs this plugin uses.

Legacy ("oapi") APIs answer HTTP 200 whatever happens and put the outcome in
``errcode``/``errmsg`` (0 is success), with a ``request_id`` to quote to
DingTalk support; the new API (api.dingtalk.com) answers errors with an HTTP
status and ``{"code", "message", "requestid"}``. Both are normalised to
``DingTalkError`` here.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ._config import CorpConfig, DingTalkConfig

log = logging.getLogger("bangyaer.dingtalk")

# Global error codes (open.dingtalk.com, 全局错误码) the plugin reacts to.
INVALID_TOKEN = 40014  # 不合法的access_token
TOKEN_EXPIRED = 42001  # access_token超时
INVALID_AUTH_CODE = 40078  # 不存在的临时授权码 (unknown, used or older than 5 minutes)
RATE_LIMITED_CORP = 90018  # this corp called the API more often than allowed
RATE_LIMITED_GLOBAL = 90002  # all of DingTalk called the API too often
DUPLICATE_MESSAGE = 143106  # same work notice to the same person twice in a day
TOKEN_ERRORS = frozenset({INVALID_TOKEN, TOKEN_EXPIRED})
THROTTLED = frozenset({RATE_LIMITED_CORP, RATE_LIMITED_GLOBAL})

# Tokens live 7200 s; take a new one this long before DingTalk would refuse it,
# so a request never starts with a token that expires on the way.
REFRESH_MARGIN = 300.0
PAGE_SIZE = 30  # the maximum the home-school (edu) list APIs accept
MAX_PAGES = 10_000  # a guard against a server that always says has_more


class DingTalkError(Exception):
    """DingTalk refused a call: ``errcode`` and ``errmsg`` as DingTalk gave them."""

    def __init__(self, errcode: int | str, errmsg: str, *, request_id: str = "",
                 path: str = "") -> None:
        super().__init__(f"{path}: errcode {errcode}: {errmsg}"
                         + (f" (request_id {request_id})" if request_id else ""))
        self.errcode = errcode
        self.errmsg = errmsg
        self.request_id = request_id
        self.path = path


class DingTalkUnavailable(DingTalkError):
    """DingTalk could not be reached, or answered with something that is not its protocol."""


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """Access tokens per corp, shared by every client of one platform.

    Concurrent requests that find no valid token wait on one lock per corp,
    so they cause one token request between them, not one each.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._tokens: dict[str, _Token] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches: Counter[str] = Counter()

    def _valid(self, corp_id: str) -> str | None:
        token = self._tokens.get(corp_id)
        if token is not None and token.expires_at - REFRESH_MARGIN > self.clock():
            return token.value
        return None

    async def get(self, corp_id: str, fetch: Callable[[], Awaitable[tuple[str, int]]]) -> str:
        value = self._valid(corp_id)
        if value is not None:
            return value
        async with self._locks.setdefault(corp_id, asyncio.Lock()):
            value = self._valid(corp_id)  # another request may have fetched it meanwhile
            if value is not None:
                return value
            self.fetches[corp_id] += 1
            value, expires_in = await fetch()
            self._tokens[corp_id] = _Token(value, self.clock() + expires_in)
            return value

    def invalidate(self, corp_id: str, value: str) -> None:
        """Forget ``value`` if it is still the cached token (a newer one is kept)."""
        token = self._tokens.get(corp_id)
        if token is not None and token.value == value:
            del self._tokens[corp_id]


Sleep = Callable[[float], Awaitable[None]]


def backoff(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a throttled call."""
    ceiling = min(8.0, 0.5 * 2 ** attempt)
    return random.uniform(ceiling / 2, ceiling)


class DingTalkClient:
    """Calls for one corp with its app's token; one instance per operation is fine."""

    def __init__(self, corp: CorpConfig, config: DingTalkConfig, http: httpx.AsyncClient,
                 tokens: TokenCache, *, sleep: Sleep = asyncio.sleep,
                 throttle_retries: int = 4) -> None:
        self.corp = corp
        self.config = config
        self.http = http
        self.tokens = tokens
        self.sleep = sleep
        self.throttle_retries = throttle_retries

    # -- tokens -----------------------------------------------------------

    async def access_token(self) -> str:
        return await self.tokens.get(self.corp.corp_id, self._fetch_token)

    async def _fetch_token(self) -> tuple[str, int]:
        if self.config.token_endpoint == "gettoken":
            data = await self._legacy("GET", "/gettoken", params={
                "appkey": self.corp.app_key, "appsecret": self.corp.app_secret})
            return str(data["access_token"]), int(data.get("expires_in", 7200))
        url = f"{self.config.api_base}/v1.0/oauth2/accessToken"
        try:
            response = await self.http.post(url, json={
                "appKey": self.corp.app_key, "appSecret": self.corp.app_secret})
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DingTalkUnavailable(-1, f"{type(exc).__name__}: {exc}",
                                      path="/v1.0/oauth2/accessToken") from exc
        if response.status_code != 200 or "accessToken" not in body:
            raise DingTalkError(str(body.get("code", response.status_code)),
                                str(body.get("message", "")),
                                request_id=str(body.get("requestid", "")),
                                path="/v1.0/oauth2/accessToken")
        return str(body["accessToken"]), int(body.get("expireIn", 7200))

    # -- legacy calls -----------------------------------------------------

    async def _legacy(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = await self.http.request(method, f"{self.config.oapi_base}{path}",
                                               params=params, json=body)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DingTalkUnavailable(-1, f"{type(exc).__name__}: {exc}", path=path) from exc
        if response.status_code != 200 or not isinstance(data, dict):
            raise DingTalkUnavailable(-1, f"HTTP {response.status_code}", path=path)
        code = data.get("errcode", 0)
        if code != 0:
            raise DingTalkError(code, str(data.get("errmsg", "")),
                                request_id=str(data.get("request_id", "")), path=path)
        return data

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a topapi call with the app's token, retrying what DingTalk says to retry.

        A refused token (40014, 42001) is replaced once; throttling (90018,
        90002) is retried with exponential backoff, then reported.
        """
        refreshed = False
        throttled = 0
        while True:
            token = await self.access_token()
            try:
                return await self._legacy("POST", path, params={"access_token": token},
                                          body=body)
            except DingTalkError as exc:
                if exc.errcode in TOKEN_ERRORS and not refreshed:
                    log.info("corp %s: token refused on %s (errcode %s); taking a new one",
                             self.corp.corp_id, path, exc.errcode)
                    self.tokens.invalidate(self.corp.corp_id, token)
                    refreshed = True
                    continue
                if exc.errcode in THROTTLED and throttled < self.throttle_retries:
                    wait = backoff(throttled)
                    log.warning("corp %s: %s throttled (errcode %s, request_id %s); "
                                "retry %d in %.1f s", self.corp.corp_id, path, exc.errcode,
                                exc.request_id, throttled + 1, wait)
                    throttled += 1
                    await self.sleep(wait)
                    continue
                raise

    # -- the calls the plugin makes ---------------------------------------

    async def user_by_code(self, code: str) -> dict[str, Any]:
        """The signed-in user for a one-time login-free code (免登码), valid 5 minutes."""
        data = await self.post("/topapi/v2/user/getuserinfo", {"code": code})
        return dict(data["result"])

    async def user_detail(self, userid: str) -> dict[str, Any]:
        data = await self.post("/topapi/v2/user/get", {"userid": userid, "language": "zh_CN"})
        return dict(data["result"])

    async def _pages(self, path: str, body: dict[str, Any], key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page_no in range(1, MAX_PAGES + 1):
            data = await self.post(path, {**body, "page_no": page_no, "page_size": PAGE_SIZE})
            result = data.get("result") or {}
            items.extend(result.get(key) or [])
            if not result.get("has_more"):
                return items
        raise DingTalkUnavailable(-1, f"more than {MAX_PAGES} pages", path=path)

    async def edu_departments(self, super_id: int | None = None) -> list[dict[str, Any]]:
        """Child nodes of a home-school department; the top level when ``super_id`` is None."""
        body: dict[str, Any] = {} if super_id is None else {"super_id": super_id}
        return await self._pages("/topapi/edu/dept/list", body, "details")

    async def edu_users(self, class_id: int, role: str) -> list[dict[str, Any]]:
        """Students, guardians or teachers of a class (role: student, guardian, teacher)."""
        return await self._pages("/topapi/edu/user/list",
                                 {"class_id": class_id, "role": role}, "details")

    async def edu_relations(self, class_id: int) -> list[dict[str, Any]]:
        """Guardian (from_userid) → student (to_userid) relations of a class."""
        return await self._pages("/topapi/edu/user/relation/list",
                                 {"class_id": class_id}, "relations")

    async def send_work_notice(self, userids: list[str], msg: dict[str, Any]) -> int:
        """Queue a work notice (工作通知) to at most 100 users; DingTalk's task id."""
        if not 0 < len(userids) <= 100:
            raise ValueError(f"a work notice goes to 1–100 users, not {len(userids)}")
        data = await self.post("/topapi/message/corpconversation/asyncsend_v2", {
            "agent_id": self.corp.agent_id, "userid_list": ",".join(userids), "msg": msg})
        return int(data["task_id"])

    async def send_result(self, task_id: int) -> dict[str, Any]:
        """Who a work-notice task reached, who was refused and why (24 hours back)."""
        data = await self.post("/topapi/message/corpconversation/getsendresult",
                               {"agent_id": self.corp.agent_id, "task_id": task_id})
        return dict(data.get("send_result") or {})
