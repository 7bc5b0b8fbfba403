"""A stand-in Alipay gateway that speaks Alipay's protocol, for tests and demos.

``Sandbox(app_id=…, seller_id=…, app_public_key=…)`` holds an RSA key pair
of its own (its public key plays 支付宝公钥), the trades and the notifier;
``.app`` is the ASGI app. ``serve(sandbox)`` runs it with uvicorn on
loopback in a thread, so tests talk to it over real HTTP; with
``sandbox = true`` the platform mounts it under /alipay/_sandbox. Anyone can
pay there without money: never point a production deployment at it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Sequence
from typing import Any

from bangyaer.payments.providers import yuan_from_fen
from bangyaer.web import serve_in_thread
from cryptography.hazmat.primitives.asymmetric import rsa

from .._sign import load_public_key, public_pem, sign, sign_content
from ._app import TIME, build_app
from ._notifier import DEMO_RETRY_DELAYS, Delivery, Notification, Notifier
from ._state import CLOSED, FINISHED, SUCCESS, WAIT, Fault, SandboxError, SandboxState, Trade

__all__ = ["CLOSED", "FINISHED", "SUCCESS", "WAIT", "Delivery", "Sandbox", "SandboxError",
           "Trade", "serve"]


class Sandbox:
    """One sandbox gateway for one app: its key, its trades, its notifications."""

    def __init__(self, *, app_id: str, seller_id: str,
                 app_public_key: rsa.RSAPublicKey | str, key: rsa.RSAPrivateKey | None = None,
                 retry_delays: Sequence[float] = DEMO_RETRY_DELAYS,
                 merchant_name: str = "区少年宫") -> None:
        self.key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.app_public_key = (load_public_key(app_public_key)
                               if isinstance(app_public_key, str) else app_public_key)
        self.merchant_name = merchant_name
        self.state = SandboxState(app_id, seller_id)
        self.notifier = Notifier(retry_delays)
        self.tickets: dict[str, tuple[str, str]] = {}
        self.app = build_app(self)
        self.url = ""  # set by serve()

    @property
    def public_key_pem(self) -> str:
        """What the app's operator would copy from the console as 支付宝公钥."""
        return public_pem(self.key.public_key())

    @property
    def gateway_url(self) -> str:
        return f"{self.url}/gateway.do"

    # -- what tests and the demo do in place of Alipay's back office ---------

    def fail_next(self, method: str, sub_code: str = "ACQ.SYSTEM_ERROR", *, times: int = 1,
                  code: str = "20000", sub_msg: str = "系统错误", delay: float = 0.0,
                  apply: bool = False) -> None:
        """The next ``times`` calls of ``method`` fail; ``apply`` does the work first."""
        self.state.add_fault(method, Fault(sub_code, code, sub_msg, delay, apply), times)

    def trade(self, out_trade_no: str) -> Trade | None:
        try:
            return self.state.find(out_trade_no)
        except SandboxError:
            return None

    def trades(self, out_trade_no: str) -> list[Trade]:
        with self.state.lock:
            return [self.state.trades[n] for n in self.state.by_out_no.get(out_trade_no, [])]

    def second_trade(self, out_trade_no: str) -> Trade:
        """The same order paid a second time under another trade_no, and notified."""
        twin = self.state.second_trade(out_trade_no)
        self.notify_trade(twin)
        return twin

    def finish(self, out_trade_no: str) -> Trade:
        """The refund window passes: TRADE_FINISHED, notified."""
        trade = self.state.finish(out_trade_no)
        self.notify_trade(trade)
        return trade

    def notify(self, out_trade_no: str, trade_status: str | None = None,
               trade_no: str = "") -> None:
        """Send (again) a notification for the trade, optionally claiming another status."""
        trade = self.state.find(out_trade_no, trade_no)
        self.notify_trade(trade, trade_status)

    def advance(self, seconds: float) -> None:
        with self.state.lock:
            self.state.offset += seconds

    def reset(self) -> None:
        self.state.reset()
        self.notifier.reset()
        self.tickets.clear()

    def close(self) -> None:
        self.notifier.stop()

    # -- protocol pieces used by the app ------------------------------------

    def ticket(self, trade_no: str, method: str) -> str:
        token = secrets.token_urlsafe(18)
        self.tickets[token] = (trade_no, method)
        return token

    def signed(self, params: dict[str, str]) -> dict[str, str]:
        """``params`` with Alipay's signature for notifications and returns."""
        content = sign_content(params, exclude=("sign", "sign_type"))
        return {**params, "sign": sign(self.key, content)}

    def notification_params(self, trade: Trade, trade_status: str | None = None
                            ) -> dict[str, str]:
        now = self.state.now()
        params = {
            "notify_time": f"{now:{TIME}}", "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16), "charset": "utf-8", "version": "1.0",
            "sign_type": "RSA2", "app_id": self.state.app_id, "auth_app_id": self.state.app_id,
            "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "buyer_id": trade.buyer_id, "buyer_logon_id": trade.buyer_logon_id,
            "seller_id": self.state.seller_id, "trade_status": trade_status or trade.status,
            "total_amount": yuan_from_fen(trade.total_fen), "subject": trade.subject,
            "gmt_create": f"{trade.created:{TIME}}",
        }
        if trade.paid_at is not None:
            paid = yuan_from_fen(trade.total_fen)
            params.update(receipt_amount=paid, invoice_amount=paid, buyer_pay_amount=paid,
                          point_amount="0.00", gmt_payment=f"{trade.paid_at:{TIME}}",
                          fund_bill_list=f'[{{"amount":"{paid}","fundChannel":"ALIPAYACCOUNT"}}]')
        if trade.refunds:
            last = max(trade.refunds.values(), key=lambda r: r.at)
            params.update(refund_fee=yuan_from_fen(trade.refunded_fen),
                          gmt_refund=f"{last.at:{TIME}}.000", out_biz_no=last.out_request_no)
        if trade.closed_at is not None:
            params["gmt_close"] = f"{trade.closed_at:{TIME}}"
        return self.signed(params)

    def notify_trade(self, trade: Trade, trade_status: str | None = None) -> None:
        if not trade.notify_url:
            return
        params = self.notification_params(trade, trade_status)
        self.notifier.send(Notification(params["notify_id"], trade.notify_url, params))

    def return_params(self, trade: Trade, method: str) -> dict[str, str]:
        return self.signed({
            "charset": "utf-8", "out_trade_no": trade.out_trade_no, "method": f"{method}.return",
            "total_amount": yuan_from_fen(trade.total_fen), "trade_no": trade.trade_no,
            "auth_app_id": self.state.app_id, "version": "1.0", "app_id": self.state.app_id,
            "sign_type": "RSA2", "seller_id": self.state.seller_id,
            "timestamp": f"{self.state.now():{TIME}}",
        })

    def describe(self, trade: Trade) -> dict[str, Any]:
        return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                "status": trade.status, "total_fen": trade.total_fen,
                "refunded_fen": trade.refunded_fen, "refunds": sorted(trade.refunds)}


@contextlib.contextmanager
def serve(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[Sandbox]:
    """Serve ``sandbox`` over HTTP in a background thread; ``sandbox.url`` is its address."""
    try:
        with serve_in_thread(sandbox.app, name="alipay-sandbox", host=host, port=port) as url:
            sandbox.url = url
            yield sandbox
    finally:
        sandbox.close()
