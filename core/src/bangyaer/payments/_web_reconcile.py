"""The staff reconciliation page: one gateway's bill for one Beijing day against the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..db import utcnow
from ..identity import audit
from ..web._context import get_platform, render, require
from ..web._i18n import N_
from ..web._i18n import gettext as _
from ._jobkinds import MANAGE
from ._reconcile import CATEGORIES, counts, reconcile
from ._web_manage import gateway_titles, money
from .providers import GatewayError, GatewayUnavailable

__all__ = ["NO_BILL", "page_routes"]

# Most often the day's bill is not out yet: gateways make it the next morning.
NO_BILL = N_("支付平台没有提供该日的对账单（%(reason)s）。当天的对账单一般在次日生成。")
CATEGORY_TITLES = {
    "matched": N_("一致"),
    "missing_in_ledger": N_("平台有、账本无"),
    "missing_at_gateway": N_("账本有、平台无"),
    "amount_differs": N_("金额不一致"),
}
# A busy day has thousands of matched trades; they need counting, not reading.
MATCHED_SHOWN = 100


def _today(request: Request) -> dt.date:
    return utcnow().astimezone(ZoneInfo(get_platform(request).settings.timezone)).date()


def _providers(request: Request) -> list[tuple[str, str]]:
    return sorted(gateway_titles(request).items())


async def reconciliation_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    providers = _providers(request)
    params = request.query_params
    today = _today(request)
    chosen = params.get("provider", providers[0][0] if providers else "")
    raw_day = params.get("day", "")
    context: dict[str, Any] = {
        "providers": providers, "chosen": chosen, "day": raw_day[:10] or
        (today - dt.timedelta(days=1)).isoformat(), "today": today.isoformat(),
        "report": None, "error": "", "titles": CATEGORY_TITLES, "categories": CATEGORIES,
        "money": money, "matched_shown": MATCHED_SHOWN,
    }
    if "provider" not in params and "day" not in params:
        return await render(request, "payments/manage/reconciliation.html", context)

    provider = platform.host.collect_by_id("payment_providers").get(chosen)
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        day = None
    if provider is None:
        context["error"] = _("请选择一个支付平台")
    elif day is None:
        context["error"] = _("请选择要对账的日期")
    elif day > today:
        context["error"] = _("只能对今天及以前的日期对账")
    if provider is None or day is None or day > today:
        return await render(request, "payments/manage/reconciliation.html", context,
                            status_code=422)
    try:
        async with platform.db.transaction() as session:
            report = await reconcile(session, platform, provider, day)
            await audit(session, actor, "payments.reconciled", "payment_provider", chosen,
                        day=day.isoformat(), **counts(report))
    except GatewayUnavailable:
        context["error"] = _("支付平台暂时无法提供对账单，请稍后再试")
        return await render(request, "payments/manage/reconciliation.html", context,
                            status_code=503)
    except GatewayError as exc:
        context["error"] = _(NO_BILL, reason=exc.message)
        return await render(request, "payments/manage/reconciliation.html", context,
                            status_code=409)
    context["report"] = report
    return await render(request, "payments/manage/reconciliation.html", context)


page_routes = [
    Route("/payments/manage/reconciliation", reconciliation_page,
          name="payment_manage_reconciliation"),
]
