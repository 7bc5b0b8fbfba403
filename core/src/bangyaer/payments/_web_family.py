"""The family's order page: pay, come back from the gateway, ask for and fetch the invoice."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ..db import utcnow
from ..identity import Actor, audit, authorize
from ..web._context import get_platform, render, require_actor
from ..web._i18n import N_
from ..web._i18n import gettext as _
from ..web._middleware import CSP
from ._errors import PaymentsError
from ._gateway_jobs import apply_if_paid_now, note_checkout
from ._invoices import current_invoice, request_invoice
from ._jobkinds import MANAGE
from ._orders import get_order, order_view, return_url
from ._states import InvoiceStatus, OrderStatus
from .models import Checkout, Invoice, Order
from .providers import GatewayError, GatewayUnavailable

__all__ = ["page_routes"]

PHONE = re.compile(r"Mobile|Android|iPhone|iPad|DingTalk|MicroMessenger", re.I)
STATUS_TITLES = {"pending": N_("待支付"), "paid": N_("已支付"), "expired": N_("已过期"),
                 "closed": N_("已关闭"), "refunded": N_("已退款")}
INVOICE_TITLES = {"requested": N_("开票中"), "pending": N_("开票中"), "issued": N_("已开具"),
                  "failed": N_("开票失败")}
KIND_TITLES = {"blue": N_("发票"), "red": N_("红字发票（冲红）")}


def may_see(actor: Actor, order: Order) -> bool:
    """The payer, a guardian of the child it is for, or payments staff."""
    if order.payer_account_id is not None and order.payer_account_id == actor.account_id:
        return True
    if order.subject_id is not None and actor.is_guardian_of(order.subject_id):
        return True
    return authorize(actor, MANAGE)


async def _visible_order(request: Request) -> tuple[Actor, Order]:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        order = await get_order(session, request.path_params["order_no"])
    # Someone else's order answers exactly like no order: numbers stay secret.
    if order is None or not may_see(actor, order):
        raise HTTPException(404, _("未找到该订单"))
    return actor, order


def _providers(request: Request, kind: str) -> dict[str, Any]:
    platform = get_platform(request)
    return {pid: p for pid, p in platform.host.collect_by_id(kind).items()
            if p.available(platform)}


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


async def order_page(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    actor, order = await _visible_order(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        invoice = await current_invoice(session, order)
        invoices = list(await session.scalars(select(Invoice).where(
            Invoice.order_id == order.id).order_by(Invoice.seq.desc(), Invoice.id.desc())))
    zone = platform.settings.timezone
    payable = order.status == OrderStatus.pending and order.expires_at > utcnow()
    return await render(request, "payments/order.html", {
        "order": order, "amount": yuan(order.amount_fen),
        "refunded": yuan(order.refunded_fen), "status_title": STATUS_TITLES[order.status],
        "deadline": _local(order.expires_at, zone), "paid_at": _local(order.paid_at, zone),
        "providers": _providers(request, "payment_providers") if payable else {},
        "payable": payable, "invoice": invoice,
        "invoices": [{"invoice": i, "amount": yuan(i.amount_fen), "reason": _reason(i.message),
                      "title": INVOICE_TITLES[i.status], "kind_title": KIND_TITLES[i.kind]}
                     for i in invoices],
        "can_invoice": (order.status == OrderStatus.paid
                        and (invoice is None or invoice.status == InvoiceStatus.failed)
                        and bool(_providers(request, "invoice_providers"))),
        "error": error,
        # Staff's inbox messages about an order link here; refunds are on their page.
        "manage_url": (f"/payments/manage/orders/{order.order_no}"
                       if authorize(actor, MANAGE) else ""),
    }, status_code=status_code)


def _reason(message: str) -> str:
    # Invoice platforms often start their refusal with the words the page already shows.
    for prefix in ("开票失败：", "开票失败:", "开票失败"):
        if message.startswith(prefix):
            return message.removeprefix(prefix).strip()
    return message


def _local(when: Any, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if when else ""


async def pay(request: Request) -> Response:
    actor, order = await _visible_order(request)
    form = await request.form()
    provider = _providers(request, "payment_providers").get(str(form.get("provider", "")))
    if order.status != OrderStatus.pending or order.expires_at <= utcnow():
        return await order_page(request, error=_("该订单已不能支付"), status_code=409)
    if provider is None:
        return await order_page(request, error=_("请选择一种支付方式"), status_code=422)
    platform = get_platform(request)
    device = "phone" if PHONE.search(request.headers.get("user-agent", "")) else "desktop"
    try:
        checkout = await provider.checkout(platform, order_view(order), device=device,
                                           return_url=return_url(platform, order.order_no))
    except (GatewayUnavailable, GatewayError):
        return await order_page(request, error=_("支付服务暂时不可用，请稍后再试"),
                                status_code=503)
    async with platform.db.transaction() as session:
        locked = await get_order(session, order.order_no)
        if locked is not None:
            await note_checkout(session, locked, provider.id)
            await audit(session, actor, "payments.checkout_started", "payment_order",
                        order.order_no, provider=provider.id, device=device)
    if checkout.url:
        # Not a redirect: browsers apply the order page's form-action 'self' to
        # where a form's answer redirects, so a 303 to the gateway is blocked.
        # A script navigation (with a link for when scripts are off) is not.
        return await render(request, "payments/redirect.html", {"url": checkout.url})
    return await _cashier_form(request, checkout.form_html or "")


async def _cashier_form(request: Request, form_html: str) -> Response:
    """The gateway's own form; our script submits it, since inline scripts are not allowed."""
    action = re.search(r'action="([^"]+)"', form_html)
    origin = urlsplit(action.group(1)) if action else None
    response = await render(request, "payments/redirect.html",
                            {"url": None, "form_html": form_html})
    if origin and origin.scheme in ("http", "https"):
        # The page's usual policy, except that this one form may go to the gateway.
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {origin.scheme}://{origin.netloc}")
    return response


async def come_back(request: Request) -> Response:
    """Where the gateway sends the payer; asks once if the notification is late."""
    _actor, order = await _visible_order(request)
    if order.status == OrderStatus.pending:
        platform = get_platform(request)
        async with platform.db.session() as session:
            used = list(await session.scalars(select(Checkout.provider).where(
                Checkout.order_id == order.id)))
        for provider_id in used:
            if await apply_if_paid_now(platform, provider_id, order.order_no):
                break
    return RedirectResponse(f"/payments/orders/{order.order_no}", status_code=303)


async def ask_invoice(request: Request) -> Response:
    actor, order = await _visible_order(request)
    form = await request.form()
    if not _providers(request, "invoice_providers"):
        return await order_page(request, error=_("暂不支持开具电子发票"), status_code=409)
    try:
        async with get_platform(request).db.transaction() as session:
            await request_invoice(
                session, order_no=order.order_no, buyer_kind=str(form.get("buyer_kind", "")),
                buyer_name=str(form.get("buyer_name", ""))[:200],
                buyer_tax_no=str(form.get("buyer_tax_no", ""))[:40],
                email=str(form.get("email", ""))[:200], actor_account_id=actor.account_id)
    except PaymentsError as exc:
        return await order_page(request, error=_(exc.message), status_code=exc.status)
    return RedirectResponse(f"/payments/orders/{order.order_no}", status_code=303)


async def invoice_pdf(request: Request) -> Response:
    actor = await require_actor(request)
    raw = request.path_params["invoice_id"]
    platform = get_platform(request)
    async with platform.db.session() as session:
        wellformed = raw.isascii() and raw.isdigit() and len(raw) <= 9
        invoice = await session.get(Invoice, int(raw)) if wellformed else None
        order = await session.get(Order, invoice.order_id) if invoice else None
    if invoice is None or order is None or not may_see(actor, order) or not invoice.pdf_sha256:
        raise HTTPException(404, _("未找到该发票"))
    name = f"invoice-{invoice.invoice_no or invoice.request_no}.pdf"
    return StreamingResponse(platform.blobs.open(invoice.pdf_sha256),
                             media_type="application/pdf",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


page_routes = [
    Route("/payments/orders/{order_no}", order_page, name="payment_order"),
    Route("/payments/orders/{order_no}/pay", pay, methods=["POST"], name="payment_pay"),
    Route("/payments/orders/{order_no}/return", come_back, name="payment_return"),
    Route("/payments/orders/{order_no}/invoice", ask_invoice, methods=["POST"],
          name="payment_invoice"),
    Route("/payments/invoices/{invoice_id}.pdf", invoice_pdf, name="payment_invoice_pdf"),
]
