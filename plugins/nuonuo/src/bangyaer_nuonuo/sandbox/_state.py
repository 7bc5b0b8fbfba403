"""What the sandbox remembers: apps, tokens, invoices, and the faults a test asked for.

Everything is guarded by one lock: the sandbox serves from uvicorn's thread
while a test pokes at it from its own.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

TOKEN_TTL = 86400  # self-use apps' tokens live 24 h and cannot be refreshed
TOKEN_LIMIT = 50  # tokens an app may take in 30 days

# Open-platform codes (公共异常码) and the token endpoint's codes, as Nuonuo documents them.
MESSAGES = {
    "0201": "必填项输入参数空",
    "040102": "API服务异常，请稍后重试",
    "070101": "获取app密钥失败或appkey无效",
    "070301": "accessToken不匹配/或appKey不匹配",
    "070401": "调用用户身份不匹配",
    "070501": "请求的API不存在",
    "070601": "签名不匹配",
    "070304": "Incorrect clientId",
    "070305": "Incorrect clientSecret",
    "070306": "The number of calls is limited",
    "070307": "Incorrect appType",
    "070315": "Incorrect content-type",
    "E9106": "订单编号重复",
}
# Not yet: business codes other than E0000 and E9106 are the sandbox's own choice
# (E9101 for any refused field); Nuonuo hands its full list out with the contract.
INVALID = "E9101"


class SandboxError(Exception):
    def __init__(self, code: str, describe: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.describe = describe or MESSAGES.get(code, "")


@dataclass(frozen=True)
class App:
    app_key: str
    app_secret: str
    tax_no: str  # the merchant's 税号 the app was created for
    saler_name: str


@dataclass
class Invoice:
    serial: str
    order_no: str
    app_key: str
    order: dict[str, Any]
    included_fen: int
    excluded_fen: int
    tax_fen: int
    tax_rate: str
    red: bool
    created_at: float
    queries_left: int
    fail_cause: str = ""
    status: str = "20"
    invoice_code: str = ""
    invoice_no: str = ""
    issued_at: float = 0.0
    pdf_key: str = ""
    blue_serial: str = ""  # for a red invoice
    red_serial: str = ""  # for a blue one, once a red invoice refers to it


@dataclass
class SandboxState:
    apps: dict[str, App]
    in_progress_queries: int = 1
    issue_delay: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)
    offset: float = 0.0
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    token_requests: Counter[str] = field(default_factory=Counter)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    by_order: dict[tuple[str, str], str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, outcome code)
    issue_faults: list[SandboxError] = field(default_factory=list)
    billing_faults: list[str] = field(default_factory=list)
    slow: list[float] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def now(self) -> float:
        return time.time() + self.offset

    def issue_token(self, app: App) -> tuple[str, int]:
        with self.lock:
            self.token_requests[app.app_key] += 1
            if self.token_requests[app.app_key] > TOKEN_LIMIT:
                raise SandboxError("070306")
            token = secrets.token_hex(16)
            self.tokens[token] = (app.app_key, self.now() + TOKEN_TTL)
            return token, TOKEN_TTL

    def app_for_token(self, token: str, app_key: str) -> App:
        with self.lock:
            found = self.tokens.get(token)
            if found is None or found[0] != app_key or found[1] <= self.now():
                raise SandboxError("070301")
            return self.apps[app_key]

    def next_number(self) -> int:
        with self.lock:
            return next(self._numbers)

    def take(self, faults: list[Any]) -> Any:
        with self.lock:
            return faults.pop(0) if faults else None

    def progress(self, invoice: Invoice) -> None:
        """Move an invoice on as Nuonuo's queue would: in progress first, then final."""
        with self.lock:
            if invoice.status != "20":
                return
            if invoice.queries_left > 0:
                invoice.queries_left -= 1
                return
            if self.now() < invoice.created_at + self.issue_delay:
                return
            if invoice.fail_cause:
                invoice.status = "22"
                blue = self.invoices.get(invoice.blue_serial)
                if blue is not None:  # a failed red invoice leaves the blue one as it was
                    blue.red_serial = ""
                return
            number = self.next_number()
            invoice.status = "2"
            invoice.invoice_code = f"0{33001900111 + number % 7:011d}"
            invoice.invoice_no = f"{20_000_000 + number:08d}"
            invoice.issued_at = self.now()
            invoice.pdf_key = secrets.token_urlsafe(18)
