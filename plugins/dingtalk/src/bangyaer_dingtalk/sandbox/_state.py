"""What the sandbox remembers: tokens, one-time codes, injected faults, sent notices.

Tests drive it from their own thread while uvicorn serves it from another,
so every change happens under one lock and no handler awaits while holding it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ._directory import Corp, copy_fixture, load_directory

TOKEN_TTL = 7200  # seconds, as DingTalk documents for both token endpoints
CODE_TTL = 300  # a login-free code lives 5 minutes and works once
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# errmsg texts as DingTalk returns them for the codes the sandbox produces.
ERRMSG = {
    40014: "不合法的access_token",
    42001: "access_token超时",
    40078: "不存在的临时授权码",
    40089: "不合法的corpid或corpsecret",
    40035: "不合法的参数",
    40056: "不合法的agentid",
    60121: "找不到该用户",
    60003: "部门不存在",
    90018: "当前企业调用该接口的频率超过上限，请稍后再试",
    90002: "当前所有钉钉应用调用该接口次数过多，请求被暂时限制了",
    143106: "单应用给单人推送重复消息超限",
}


class SandboxError(Exception):
    """A legacy API refusal: becomes ``{"errcode", "errmsg", "request_id"}`` on HTTP 200."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, "error")


@dataclass
class Task:
    corp_id: str
    invalid: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)


class SandboxState:
    def __init__(self, fixture: dict[str, Any]) -> None:
        self.lock = threading.RLock()
        self.offset = 0.0
        self.corps: dict[str, Corp] = load_directory(copy_fixture(fixture))
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (corp_id, expires_at)
        self._current: dict[str, str] = {}  # corp_id -> its current token
        self._codes: dict[str, tuple[str, str, float]] = {}
        self._faults: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        self.token_requests: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.tasks: dict[int, Task] = {}
        self.inboxes: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.refused: set[tuple[str, str]] = set()
        self.read: set[tuple[int, str]] = set()
        self._sent_today: set[tuple[str, str, str, str]] = set()

    def now(self) -> float:
        return time.time() + self.offset

    def request_id(self) -> str:
        return secrets.token_hex(6)

    # -- directory changes (tests) -----------------------------------------

    def load(self, fixture: dict[str, Any]) -> None:
        with self.lock:
            self.corps = load_directory(copy_fixture(fixture))

    def corp(self, corp_id: str) -> Corp:
        corp = self.corps.get(corp_id)
        if corp is None:
            raise KeyError(f"the sandbox has no corp {corp_id!r}")
        return corp

    # -- faults -------------------------------------------------------------

    def fail_next(self, path: str, errcode: int, times: int = 1,
                  errmsg: str | None = None) -> None:
        with self.lock:
            self._faults[path].extend([(errcode, errmsg)] * times)

    def take_fault(self, path: str) -> SandboxError | None:
        with self.lock:
            self.calls[path] += 1
            queue = self._faults.get(path)
            if not queue:
                return None
            errcode, errmsg = queue.pop(0)
            return SandboxError(errcode, errmsg)

    # -- tokens ---------------------------------------------------------------

    def issue_token(self, app_key: str, app_secret: str) -> tuple[str, int]:
        with self.lock:
            corp = next((c for c in self.corps.values()
                         if c.app_key == app_key and c.app_secret == app_secret), None)
            if corp is None:
                raise SandboxError(40089)
            self.token_requests[corp.corp_id] += 1
            now = self.now()
            current = self._current.get(corp.corp_id)
            if current is None or self._tokens[current][1] <= now:
                current = secrets.token_hex(16)
                self._current[corp.corp_id] = current
            # Asking again while a token is valid returns the same one, renewed.
            self._tokens[current] = (corp.corp_id, now + TOKEN_TTL)
            return current, TOKEN_TTL

    def corp_for_token(self, token: str | None) -> Corp:
        with self.lock:
            found = self._tokens.get(token or "")
            if found is None:
                raise SandboxError(40014)
            corp_id, expires_at = found
            if expires_at <= self.now():
                raise SandboxError(42001)
            return self.corps[corp_id]

    def expire_tokens(self) -> None:
        """Make every issued token expired, as if 7200 s had passed for tokens only."""
        with self.lock:
            now = self.now()
            self._tokens = {t: (c, min(e, now)) for t, (c, e) in self._tokens.items()}

    # -- login-free codes --------------------------------------------------

    def issue_code(self, corp_id: str, userid: str) -> str:
        with self.lock:
            corp = self.corp(corp_id)
            if not corp.has_user(userid):
                raise KeyError(f"corp {corp_id!r} has no user {userid!r}")
            code = secrets.token_hex(16)
            self._codes[code] = (corp_id, userid, self.now())
            return code

    def redeem_code(self, corp: Corp, code: str) -> str:
        with self.lock:
            found = self._codes.pop(code, None)  # single use: gone whatever happens next
            if found is None:
                raise SandboxError(40078)
            corp_id, userid, issued = found
            if corp_id != corp.corp_id or self.now() - issued > CODE_TTL:
                raise SandboxError(40078)
            return userid

    # -- work notices ------------------------------------------------------

    def send(self, corp: Corp, userids: list[str], msg: dict[str, Any]) -> int:
        content = hashlib.sha256(json.dumps(msg, sort_keys=True).encode()).hexdigest()
        day = dt.datetime.fromtimestamp(self.now(), SHANGHAI).date().isoformat()
        with self.lock:
            task_id = secrets.randbelow(10**11) + 10**11
            task = Task(corp.corp_id)
            for userid in dict.fromkeys(userids):
                key = (corp.corp_id, userid, content, day)
                if not corp.has_user(userid):
                    task.invalid.append(userid)
                elif (corp.corp_id, userid) in self.refused:
                    task.failed.append(userid)
                elif key in self._sent_today:
                    task.forbidden.append(userid)
                else:
                    self._sent_today.add(key)
                    task.delivered.append(userid)
                    self.inboxes[(corp.corp_id, userid)].append(
                        {"task_id": task_id, "msg": msg, "at": self.now()})
            self.tasks[task_id] = task
            return task_id

    def send_result(self, corp: Corp, task_id: int) -> dict[str, Any]:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or task.corp_id != corp.corp_id:
                raise SandboxError(40035, "任务不存在")
            read = [u for u in task.delivered if (task_id, u) in self.read]
            return {
                "invalid_user_id_list": task.invalid,
                "forbidden_user_id_list": task.forbidden,
                "failed_user_id_list": task.failed,
                "read_user_id_list": read,
                "unread_user_id_list": [u for u in task.delivered if u not in read],
                "invalid_dept_id_list": [],
                "forbidden_list": [{"code": "143106", "count": 1, "userid": u}
                                   for u in task.forbidden],
            }
