"""Alipay as the ledger's PaymentProvider: checkout, query, close, refunds and the bill.

Our order_no is Alipay's out_trade_no and a refund's refund_no its
out_request_no, so every call can be repeated with the same numbers and
Alipay does the work once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any

from bangyaer.payments.providers import (
    BilledRefund,
    Checkout,
    Device,
    GatewayError,
    GatewayRefund,
    GatewayTrade,
    OrderView,
    RefundView,
    TradeStatus,
    fen_from_yuan,
    yuan_from_fen,
)
from bangyaer.settings import ConfigError

from ._bill import parse_bill
from ._client import beijing, parse_time
from ._runtime import Runtime, runtime

if TYPE_CHECKING:
    from bangyaer.platform import Platform

log = logging.getLogger("bangyaer.alipay")
PHONE, DESKTOP = "alipay.trade.wap.pay", "alipay.trade.page.pay"
PRODUCT = {PHONE: "QUICK_WAP_WAY", DESKTOP: "FAST_INSTANT_TRADE_PAY"}
STATUS: dict[str, TradeStatus] = {"WAIT_BUYER_PAY": "waiting", "TRADE_SUCCESS": "paid",
                                  "TRADE_FINISHED": "finished", "TRADE_CLOSED": "closed"}
NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
SUBJECT_LIMIT = 256


def subject(title: str) -> str:
    """The cashier's title: Alipay refuses /, = and & in it, and more than 256 characters."""
    return re.sub(r"\s+", " ", re.sub(r"[/=&]", " ", title)).strip()[:SUBJECT_LIMIT]


def _configured(platform: Platform) -> Runtime:
    rt = runtime(platform)
    if rt.config is None:
        raise ConfigError("[plugins.alipay] app_id: not set; Alipay is not configured")
    return rt


def trade_from(body: dict[str, Any], order_no: str) -> GatewayTrade:
    """A query answer or a notification as the ledger's GatewayTrade."""
    amount = body.get("total_amount")
    return GatewayTrade(
        order_no=str(body.get("out_trade_no") or order_no),
        status=STATUS.get(str(body.get("trade_status", "")), "waiting"),
        trade_no=str(body["trade_no"]) if body.get("trade_no") else None,
        amount_fen=fen_from_yuan(amount) if isinstance(amount, str) else None,
        paid_at=parse_time(str(body.get("send_pay_date") or body.get("gmt_payment") or "")),
        raw={k: str(v) for k, v in body.items() if k not in ("sign", "code", "msg")},
    )


class AlipayProvider:
    id = "alipay"
    title_zh = "支付宝"
    title_en = "Alipay"

    def available(self, platform: Platform) -> bool:
        try:
            return runtime(platform).config is not None
        except ConfigError as exc:
            # The family's order page must still show other ways to pay; the
            # operator finds the reason here and in `bangyaer alipay check`.
            log.error("alipay is misconfigured: %s", exc)
            return False

    async def checkout(self, platform: Platform, order: OrderView, *, device: Device,
                       return_url: str) -> Checkout:
        rt = _configured(platform)
        method = PHONE if device == "phone" else DESKTOP
        biz: dict[str, Any] = {
            "out_trade_no": order.order_no, "total_amount": yuan_from_fen(order.amount_fen),
            "subject": subject(order.title), "product_code": PRODUCT[method],
            "time_expire": beijing(order.expires_at),
        }
        if method == PHONE:
            biz["quit_url"] = return_url  # 放弃付款 leads back to the order page
        async with rt.client() as client:
            url = client.page_url(method, biz, notify_url=rt.notify_url,
                                  return_url=rt.return_url)
        return Checkout(url=url)

    async def query(self, platform: Platform, order_no: str) -> GatewayTrade:
        rt = _configured(platform)
        async with rt.client() as client:
            try:
                body = await client.call("alipay.trade.query", {"out_trade_no": order_no})
            except GatewayError as exc:
                if exc.code == NOT_EXIST:  # the payer never reached the cashier
                    return GatewayTrade(order_no=order_no, status="not_found")
                raise
        return trade_from(body, order_no)

    async def close(self, platform: Platform, order_no: str) -> None:
        rt = _configured(platform)
        async with rt.client() as client:
            try:
                await client.call("alipay.trade.close", {"out_trade_no": order_no})
            except GatewayError as exc:
                if exc.code != NOT_EXIST:  # nothing at Alipay to close: nothing to pay
                    raise

    async def refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        rt = _configured(platform)
        biz: dict[str, Any] = {
            "out_trade_no": refund.order_no, "refund_amount": yuan_from_fen(refund.amount_fen),
            "out_request_no": refund.request_no, "refund_reason": refund.reason[:256],
        }
        if refund.trade_no:  # a second trade of the same order is refunded by its own number
            biz["trade_no"] = refund.trade_no
        async with rt.client() as client:
            body = await client.call("alipay.trade.refund", biz)
        raw = {k: str(v) for k, v in body.items()}
        if body.get("fund_change") == "Y":
            return GatewayRefund(refund.request_no, "done", refund.amount_fen, raw)
        # fund_change N: this call moved no money, because an earlier one with the
        # same out_request_no did, or because it is still under way. Ask.
        return await self.query_refund(platform, refund)

    async def query_refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        rt = _configured(platform)
        biz: dict[str, Any] = {"out_trade_no": refund.order_no,
                               "out_request_no": refund.request_no}
        if refund.trade_no:
            biz["trade_no"] = refund.trade_no
        async with rt.client() as client:
            try:
                body = await client.call("alipay.trade.fastpay.refund.query", biz)
            except GatewayError as exc:
                if exc.code == NOT_EXIST:
                    return GatewayRefund(refund.request_no, "not_found")
                raise
        raw = {k: str(v) for k, v in body.items()}
        amount = body.get("refund_amount")
        if not isinstance(amount, str):  # Alipay has no refund under this number
            return GatewayRefund(refund.request_no, "not_found", raw=raw)
        # An empty refund_status on an answer with data also means success (older trades).
        status = body.get("refund_status") or "REFUND_SUCCESS"
        return GatewayRefund(refund.request_no,
                             "done" if status == "REFUND_SUCCESS" else "pending",
                             fen_from_yuan(amount), raw)

    async def bill(self, platform: Platform, day: dt.date
                   ) -> list[GatewayTrade | BilledRefund]:
        rt = _configured(platform)
        async with rt.client() as client:
            body = await client.call("alipay.data.dataservice.bill.downloadurl.query",
                                     {"bill_type": "trade", "bill_date": day.isoformat()})
            data = await client.download(str(body.get("bill_download_url", "")))
        return parse_bill(data)
