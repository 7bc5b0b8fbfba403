"""A day's reconciliation: the ledger's trades against the gateway's bill."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Order, Payment

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["CATEGORIES", "reconcile"]

CATEGORIES = ("matched", "missing_in_ledger", "missing_at_gateway", "amount_differs")


def _day_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    # Gateways settle by the Beijing day, so the ledger's side uses the same day.
    start = dt.datetime.combine(day, dt.time(), ZoneInfo(zone))
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


async def reconcile(session: AsyncSession, platform: Platform, provider: Any,
                    day: dt.date) -> dict[str, Any]:
    """Every trade of ``day`` in one of CATEGORIES, with the ledger's and the gateway's fen."""
    start, end = _day_bounds(day, platform.settings.timezone)
    rows = await session.execute(
        select(Payment, Order.order_no).join(Order, Order.id == Payment.order_id)
        .where(Payment.provider == provider.id, Payment.paid_at >= start, Payment.paid_at < end))
    ledger = {p.trade_no: (p, order_no) for p, order_no in rows}
    bill = {t.trade_no: t for t in await provider.bill(platform, day) if t.trade_no}
    report: dict[str, list[dict[str, Any]]] = {name: [] for name in CATEGORIES}
    for trade_no in sorted(set(ledger) | set(bill)):
        mine, theirs = ledger.get(trade_no), bill.get(trade_no)
        line = {
            "trade_no": trade_no,
            "order_no": mine[1] if mine else theirs.order_no if theirs else "",
            "ledger_fen": mine[0].amount_fen if mine else None,
            "gateway_fen": theirs.amount_fen if theirs else None,
            "duplicate": bool(mine and mine[0].status == "duplicate"),
        }
        if mine is None:
            report["missing_in_ledger"].append(line)
        elif theirs is None:
            report["missing_at_gateway"].append(line)
        elif mine[0].amount_fen != theirs.amount_fen:
            report["amount_differs"].append(line)
        else:
            report["matched"].append(line)
    return {
        "day": day.isoformat(), "provider": provider.id,
        "ledger_fen": sum(p.amount_fen for p, _ in ledger.values()),
        "gateway_fen": sum(t.amount_fen or 0 for t in bill.values()),
        **report,
    }
