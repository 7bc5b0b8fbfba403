"""The sandbox's trades and their state machine, in memory.

WAIT_BUYER_PAY (the payer opened the cashier) → TRADE_SUCCESS (paid) →
TRADE_FINISHED (the refund window passed) or TRADE_CLOSED (fully refunded);
an unpaid trade closes when asked to or when its time_expire passes. Before
the cashier was opened the trade does not exist (ACQ.TRADE_NOT_EXIST), as at
Alipay. Every amount is int fen.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import ClassVar
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
WAIT, SUCCESS, FINISHED, CLOSED = "WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", \
    "TRADE_CLOSED"


class SandboxError(Exception):
    """An answer in Alipay's error shape: ``code``/``msg`` and ``sub_code``/``sub_msg``."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "20000": "Service Currently Unavailable", "40001": "Missing Required Arguments",
        "40002": "Invalid Arguments", "40004": "Business Failed",
        "40006": "Insufficient Permissions"}

    def __init__(self, code: str, sub_code: str, sub_msg: str) -> None:
        super().__init__(f"{code} {sub_code}: {sub_msg}")
        self.code, self.sub_code, self.sub_msg = code, sub_code, sub_msg

    def body(self) -> dict[str, str]:
        return {"code": self.code, "msg": self.MESSAGES.get(self.code, ""),
                "sub_code": self.sub_code, "sub_msg": self.sub_msg}


def not_exist() -> SandboxError:
    return SandboxError("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")


@dataclass
class Refund:
    out_request_no: str
    amount_fen: int
    reason: str
    at: dt.datetime


@dataclass
class Trade:
    trade_no: str
    out_trade_no: str
    subject: str
    total_fen: int
    product_code: str
    notify_url: str
    return_url: str
    quit_url: str
    time_expire: dt.datetime | None
    created: dt.datetime
    status: str = WAIT
    paid_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    refunds: dict[str, Refund] = field(default_factory=dict)
    buyer_id: str = "2088102177846880"
    buyer_logon_id: str = "159****5620"

    @property
    def refunded_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds.values())


@dataclass(frozen=True)
class Fault:
    """What the next call of a method meets: an error, a slow answer, or both."""

    sub_code: str = "ACQ.SYSTEM_ERROR"
    code: str = "20000"
    sub_msg: str = "系统错误"
    delay: float = 0.0
    apply: bool = False  # do the work first, then answer with the fault (a lost answer)


class SandboxState:
    def __init__(self, app_id: str, seller_id: str) -> None:
        self.app_id = app_id
        self.seller_id = seller_id
        self.lock = threading.RLock()
        self.offset = 0.0
        self._seq = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.trades: dict[str, Trade] = {}  # by trade_no
            self.by_out_no: dict[str, list[str]] = {}
            self.faults: dict[str, list[Fault]] = {}
            self.calls: list[tuple[str, dict[str, str]]] = []  # (method, biz_content)
            self.bills: dict[str, tuple[str, str]] = {}  # token → (bill_date, file name)

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(time.time() + self.offset, BEIJING).replace(
            microsecond=0)

    def new_trade_no(self) -> str:
        # 28 digits like Alipay's: date, a channel part, a sequence.
        return f"{self.now():%Y%m%d}22001{next(self._seq):015d}"[:28]

    # -- faults -------------------------------------------------------------

    def add_fault(self, method: str, fault: Fault, times: int) -> None:
        with self.lock:
            self.faults.setdefault(method, []).extend([fault] * times)

    def take_fault(self, method: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(method)
            return queue.pop(0) if queue else None

    # -- trades -------------------------------------------------------------

    def find(self, out_trade_no: str = "", trade_no: str = "") -> Trade:
        """The trade named by trade_no (preferred, as at Alipay) or by out_trade_no."""
        with self.lock:
            if trade_no:
                trade = self.trades.get(trade_no)
                if trade is None or (out_trade_no and trade.out_trade_no != out_trade_no):
                    raise not_exist()
            else:
                numbers = self.by_out_no.get(out_trade_no)
                if not numbers:
                    raise not_exist()
                trade = self.trades[numbers[0]]
            self._expire(trade)
            return trade

    def _expire(self, trade: Trade) -> bool:
        # Not yet: Alipay also notifies TRADE_CLOSED for a timed-out trade; the ledger
        # closes and queries at the deadline itself, so the sandbox stays quiet here.
        if trade.status == WAIT and trade.time_expire and self.now() > trade.time_expire:
            trade.status, trade.closed_at = CLOSED, trade.time_expire
            return True
        return False

    def open(self, *, out_trade_no: str, subject: str, total_fen: int, product_code: str,
             notify_url: str, return_url: str, quit_url: str,
             time_expire: dt.datetime | None) -> Trade:
        """The cashier was opened: create the trade, or return the same one again."""
        with self.lock:
            numbers = self.by_out_no.get(out_trade_no)
            if numbers:
                trade = self.find(out_trade_no)
                if trade.total_fen != total_fen or trade.subject != subject:
                    raise SandboxError("40004", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
                if trade.status == WAIT:  # a new visit may bring a newer return_url
                    trade.notify_url, trade.return_url = notify_url, return_url
                return trade
            if time_expire is not None and time_expire <= self.now():
                raise SandboxError("40004", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            trade = Trade(trade_no=self.new_trade_no(), out_trade_no=out_trade_no,
                          subject=subject, total_fen=total_fen, product_code=product_code,
                          notify_url=notify_url, return_url=return_url, quit_url=quit_url,
                          time_expire=time_expire, created=self.now())
            self.trades[trade.trade_no] = trade
            self.by_out_no[out_trade_no] = [trade.trade_no]
            return trade

    def second_trade(self, out_trade_no: str) -> Trade:
        """Another paid trade for the same order, as a payer paying twice would leave."""
        with self.lock:
            first = self.find(out_trade_no)
            twin = Trade(trade_no=self.new_trade_no(), out_trade_no=out_trade_no,
                         subject=first.subject, total_fen=first.total_fen,
                         product_code=first.product_code, notify_url=first.notify_url,
                         return_url=first.return_url, quit_url=first.quit_url,
                         time_expire=None, created=self.now(), status=SUCCESS,
                         paid_at=self.now())
            self.trades[twin.trade_no] = twin
            self.by_out_no[out_trade_no].append(twin.trade_no)
            return twin

    def pay(self, trade_no: str) -> Trade:
        with self.lock:
            trade = self.find(trade_no=trade_no)
            if trade.status == SUCCESS:
                return trade
            if trade.status != WAIT:
                raise SandboxError("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            trade.status, trade.paid_at = SUCCESS, self.now()
            return trade

    def close(self, out_trade_no: str, trade_no: str) -> Trade:
        with self.lock:
            trade = self.find(out_trade_no, trade_no)
            if trade.status in (SUCCESS, FINISHED):
                raise SandboxError("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            if trade.status == WAIT:
                trade.status, trade.closed_at = CLOSED, self.now()
            return trade

    def finish(self, out_trade_no: str) -> Trade:
        """The refund window passed: TRADE_SUCCESS becomes TRADE_FINISHED."""
        with self.lock:
            trade = self.find(out_trade_no)
            if trade.status != SUCCESS:
                raise SandboxError("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            trade.status = FINISHED
            return trade

    def refund(self, trade: Trade, out_request_no: str, amount_fen: int, reason: str
               ) -> tuple[Trade, bool]:
        """Refund once per out_request_no; True when this call moved money."""
        with self.lock:
            earlier = trade.refunds.get(out_request_no)
            if earlier is not None:
                if earlier.amount_fen != amount_fen:
                    raise SandboxError("40004", "ACQ.DISCORDANT_REPEAT_REQUEST",
                                       "请求信息不一致")
                return trade, False
            if trade.status == FINISHED:
                raise SandboxError("40004", "ACQ.TRADE_HAS_FINISHED", "交易已完结")
            if trade.status != SUCCESS:
                raise SandboxError("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            if amount_fen > trade.total_fen - trade.refunded_fen:
                raise SandboxError("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            trade.refunds[out_request_no] = Refund(out_request_no, amount_fen, reason,
                                                   self.now())
            if trade.refunded_fen == trade.total_fen:
                trade.status, trade.closed_at = CLOSED, self.now()
            return trade, True

    def bill_token(self, bill_date: str, name: str) -> str:
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.bills[token] = (bill_date, name)
        return token

    def all_trades(self) -> list[Trade]:
        with self.lock:
            for trade in self.trades.values():
                self._expire(trade)
            return list(self.trades.values())
