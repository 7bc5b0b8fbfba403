"""Staff pages: find orders, look at one, and refund part or all of it.

The refund form carries an idempotency key made when the page was drawn,
so a double click, a reload that resends it, or a retry after a lost answer
makes one refund.
"""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..identity import Actor, audit
from ..web._context import get_platform, is_number, render, require
from ..web._i18n import N_
from ..web._i18n import gettext as _
from ._errors import OrderStateError, PaymentsError, RefundTooLarge
from ._jobkinds import MANAGE
from ._refunds import request_refund
from ._staff_queries import (
    OrderFilter,
    OrderRecord,
    find_orders,
    order_record,
    plugins_with_orders,
)
from ._states import OrderStatus
from ._web_family import INVOICE_TITLES, STATUS_TITLES
from .providers import fen_from_yuan, yuan_from_fen

__all__ = ["gateway_titles", "money", "page_routes"]

PAYMENT_TITLES = {"applied": N_("已入账"), "duplicate": N_("重复支付，全额退回")}
REFUND_TITLES = {"requested": N_("已受理"), "pending": N_("退款中"), "done": N_("已退回"),
                 "failed": N_("退款失败")}
KIND_TITLES = {"blue": N_("蓝字发票"), "red": N_("红字发票")}
MAX_QUERY = 64


def money(fen: int) -> str:
    """¥ and yuan from int fen; a shortfall (reconciliation differences) gets a minus."""
    return f"-¥{yuan_from_fen(-fen)}" if fen < 0 else f"¥{yuan_from_fen(fen)}"


def _wanted(request: Request) -> OrderFilter:
    params = request.query_params
    status = params.get("status", "")
    if status and status not in STATUS_TITLES:
        raise HTTPException(422, _("没有这种订单状态"))
    raw_page = params.get("page", "1") or "1"
    if not is_number(raw_page) or not 1 <= int(raw_page) <= 100_000:
        raise HTTPException(422, _("页码应为正整数"))
    return OrderFilter(status=status, plugin=params.get("plugin", "").strip()[:32],
                       query=params.get("q", "").strip()[:MAX_QUERY], page=int(raw_page))


def _plugin_title(request: Request, plugin_id: str) -> str:
    record = get_platform(request).host.records.get(plugin_id)
    if record is None or record.info is None:
        return plugin_id
    english = request.state.locale.startswith("en")
    return record.info.title_en if english else record.info.title_zh


async def orders_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    wanted = _wanted(request)
    async with get_platform(request).db.transaction() as session:
        found = await find_orders(session, wanted)
        plugins = await plugins_with_orders(session)
        await audit(session, actor, "payments.orders_listed", "payment_order", "",
                    status=wanted.status, plugin=wanted.plugin, query=wanted.query,
                    page=wanted.page)
    return await render(request, "payments/manage/orders.html", {
        "found": found, "wanted": wanted, "status_titles": STATUS_TITLES, "money": money,
        "plugins": [(p, _plugin_title(request, p)) for p in plugins],
        "plugin_title": lambda p: _plugin_title(request, p),
    })


async def _order_page(request: Request, actor: Actor, *, form: dict[str, str] | None = None,
                      error: str = "", status_code: int = 200) -> Response:
    order_no = request.path_params["order_no"]
    async with get_platform(request).db.transaction() as session:
        record = await order_record(session, order_no)
        if record is None:
            raise HTTPException(404, _("未找到该订单"))
        # Staff reading a family's order is an access to a person's records.
        await audit(session, actor, "payments.order_viewed", "payment_order", order_no)
    values = form or {"amount": "", "reason": "", "key": secrets.token_urlsafe(18)}
    return await render(request, "payments/manage/order.html", {
        "record": record, "order": record.order, "money": money,
        "status_titles": STATUS_TITLES, "payment_titles": PAYMENT_TITLES,
        "refund_titles": REFUND_TITLES, "invoice_titles": INVOICE_TITLES,
        "kind_titles": KIND_TITLES, "plugin_title": _plugin_title(request, record.order.plugin),
        "can_refund": record.order.status == OrderStatus.paid and record.refundable_fen > 0,
        "form": values, "error": error, "done": _just_made(request, record),
        "gateway_titles": gateway_titles(request),
    }, status_code=status_code)


def _just_made(request: Request, record: OrderRecord) -> str:
    # Only a refund of this order is announced: the link cannot make the page say anything.
    wanted = request.query_params.get("refund", "")
    return wanted if any(r.refund.refund_no == wanted for r in record.refunds) else ""


def gateway_titles(request: Request) -> dict[str, str]:
    english = request.state.locale.startswith("en")
    found = get_platform(request).host.collect_by_id("payment_providers")
    return {pid: getattr(p, "title_en" if english else "title_zh", "") or pid
            for pid, p in found.items()}


async def order_detail(request: Request) -> Response:
    actor = await require(request, MANAGE)
    return await _order_page(request, actor)


def _amount_fen(raw: str) -> int | None:
    text = raw.strip().removeprefix("¥").removeprefix("￥").strip()
    try:
        return fen_from_yuan(text)
    except ValueError:
        return None


async def refund(request: Request) -> Response:
    actor = await require(request, MANAGE)
    order_no = request.path_params["order_no"]
    posted = await request.form()
    form = {name: str(posted.get(name, "")) for name in ("amount", "reason", "key")}
    form["amount"], form["reason"] = form["amount"][:20], form["reason"][:500]

    async def again(error: str, status: int) -> Response:
        return await _order_page(request, actor, form=form, error=error, status_code=status)

    key = form["key"].strip()
    if not 1 <= len(key) <= 100:
        form["key"] = secrets.token_urlsafe(18)
        return await again(_("表单已过期，请核对后重新提交"), 422)
    amount_fen = _amount_fen(form["amount"])
    if amount_fen is None:
        return await again(_("请输入正确的退款金额（元），如 120.50"), 422)
    if amount_fen == 0:
        return await again(_("退款金额应大于 0 元"), 422)
    if not form["reason"].strip():
        return await again(_("请填写退款原因"), 422)
    try:
        async with get_platform(request).db.transaction() as session:
            made = await request_refund(
                session, order_no=order_no, amount_fen=amount_fen, reason=form["reason"],
                actor_account_id=actor.account_id, key=f"staff:{actor.account_id}:{key}")
    except RefundTooLarge:
        return await _too_much(request, actor, form)
    except OrderStateError as exc:
        return await again(_(exc.message), exc.status)
    except PaymentsError as exc:
        raise HTTPException(exc.status, _(exc.message)) from None
    return RedirectResponse(f"/payments/manage/orders/{order_no}?refund={made.refund_no}",
                            status_code=303)


async def _too_much(request: Request, actor: Actor, form: dict[str, str]) -> Response:
    async with get_platform(request).db.session() as session:
        record = await order_record(session, request.path_params["order_no"])
    left = record.refundable_fen if record else 0
    return await _order_page(
        request, actor, form=form, status_code=409,
        error=_("退款金额超过可退金额，最多还可退 %(left)s", left=money(left)))


page_routes = [
    Route("/payments/manage", orders_page, name="payment_manage"),
    Route("/payments/manage/orders/{order_no}", order_detail, name="payment_manage_order"),
    Route("/payments/manage/orders/{order_no}/refunds", refund, methods=["POST"],
          name="payment_manage_refund"),
]
