"""Staff's JSON API: orders, refunds with a reason, and the daily reconciliation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..identity import audit
from ..web._api import ApiError, Body, Field, api, read_json
from ..web._context import get_platform, require
from ..web._i18n import gettext as _
from ._errors import PaymentsError
from ._jobkinds import MANAGE
from ._reconcile import counts, reconcile
from ._refunds import request_refund
from ._web_reconcile import NO_BILL
from .models import Order, Refund

__all__ = ["api_routes"]

REFUND_BODY = Body({"amount_fen": Field(int, description="fen (分) to refund"),
                    "reason": Field(str, max_length=500)})
MAX_LIMIT = 200


def order_json(order: Order) -> dict[str, Any]:
    return {
        "order_no": order.order_no, "plugin": order.plugin, "purpose_ref": order.purpose_ref,
        "title": order.title, "amount_fen": order.amount_fen, "status": order.status,
        "refunded_fen": order.refunded_fen, "provider": order.provider,
        "trade_no": order.trade_no, "subject_id": order.subject_id,
        "expires_at": order.expires_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "created_at": order.created_at.isoformat(),
    }


def refund_json(refund: Refund, order: Order) -> dict[str, Any]:
    return {"refund_no": refund.refund_no, "order_no": order.order_no,
            "amount_fen": refund.amount_fen, "reason": refund.reason, "status": refund.status}


def _failed(exc: PaymentsError) -> ApiError:
    return ApiError(exc.status, exc.code, _(exc.message))


@api("List orders, newest first; filter by status and plugin",
     responses={403: "not payments staff"})
async def list_orders(request: Request) -> Response:
    actor = await require(request, MANAGE)
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    status, plugin = request.query_params.get("status"), request.query_params.get("plugin")
    if status:
        query = query.where(Order.status == status)
    if plugin:
        query = query.where(Order.plugin == plugin)
    raw = request.query_params.get("limit", "50")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, "invalid_limit", _("limit 应为 1 到 200 之间的整数"))
    async with get_platform(request).db.transaction() as session:
        orders = list(await session.scalars(query.limit(int(raw))))
        await audit(session, actor, "payments.orders_listed", "payment_order", "",
                    status=status or "", plugin=plugin or "")
    return JSONResponse({"orders": [order_json(o) for o in orders]})


@api("Refund part or all of a paid order; send an Idempotency-Key", body=REFUND_BODY,
     responses={404: "no such order", 409: "not paid, or more than is left",
                422: "bad amount, reason or key"})
async def create_refund(request: Request) -> Response:
    actor = await require(request, MANAGE)
    key = request.headers.get("idempotency-key", "").strip()
    if not 1 <= len(key) <= 100:
        raise ApiError(422, "idempotency_key_required",
                       _("请提供 Idempotency-Key（1–100 个字符）"))
    data = await read_json(request, REFUND_BODY)
    if data["amount_fen"] <= 0:
        raise ApiError(422, "invalid_amount", _("退款金额应为正整数（分）"),
                       detail={"field": "amount_fen"})
    if not data["reason"].strip():
        raise ApiError(422, "reason_required", _("请填写退款原因"), detail={"field": "reason"})
    order_no = request.path_params["order_no"]
    try:
        async with get_platform(request).db.transaction() as session:
            refund = await request_refund(
                session, order_no=order_no, amount_fen=data["amount_fen"],
                reason=data["reason"], actor_account_id=actor.account_id,
                key=f"staff:{actor.account_id}:{key}")
            order = await session.get(Order, refund.order_id)
            assert order is not None
            body = refund_json(refund, order)
    except PaymentsError as exc:
        raise _failed(exc) from None
    return JSONResponse(body, status_code=202)


@api("Reconcile one day (Beijing time) of the ledger against a gateway's bill",
     responses={404: "no such provider", 409: "the gateway has no bill for the day",
                422: "bad day", 503: "gateway unavailable"})
async def reconciliation(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    try:
        day = dt.date.fromisoformat(request.query_params.get("day", ""))
    except ValueError:
        raise ApiError(422, "invalid_day", _("day 应为 YYYY-MM-DD 格式的日期")) from None
    provider_id = request.query_params.get("provider", "")
    provider = platform.host.collect_by_id("payment_providers").get(provider_id)
    if provider is None:
        raise ApiError(404, "provider_not_found", _("未找到该支付方式"))
    from .providers import GatewayError, GatewayUnavailable

    try:
        async with platform.db.transaction() as session:
            report = await reconcile(session, platform, provider, day)
            await audit(session, actor, "payments.reconciled", "payment_provider",
                        provider_id, day=day.isoformat(), **counts(report))
    except GatewayUnavailable:
        raise ApiError(503, "gateway_unavailable", _("支付平台暂时无法提供对账单，请稍后再试")) \
            from None
    except GatewayError as exc:
        raise ApiError(409, "bill_refused",
                       _(NO_BILL, reason=exc.message), detail={"gateway_code": exc.code}) from None
    return JSONResponse(report)


api_routes = [
    Route("/payments/orders", list_orders, name="payment_orders"),
    Route("/payments/orders/{order_no}/refunds", create_refund, methods=["POST"],
          name="payment_refunds"),
    Route("/payments/reconciliation", reconciliation, name="payment_reconciliation"),
]
