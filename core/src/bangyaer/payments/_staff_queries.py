"""What the staff pages read: orders found by filters, and one order's whole record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ..identity import Account, Person
from ._refunds import refundable_fen
from ._states import OrderStatus, PaymentStatus
from .models import Invoice, Order, Payment, Refund

__all__ = ["OrderFilter", "OrderPage", "OrderRecord", "find_orders", "order_record",
           "plugins_with_orders"]

PER_PAGE = 30


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    plugin: str = ""
    # An order or trade number (whole), or part of the payer's or the child's name.
    query: str = ""
    page: int = 1


@dataclass
class OrderRow:
    order: Order
    payer_name: str
    child_name: str


@dataclass
class OrderPage:
    rows: list[OrderRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


@dataclass
class RefundRow:
    refund: Refund
    trade_no: str
    by: str  # who asked for it; "" when the ledger did (a duplicate's refund)


@dataclass
class OrderRecord:
    order: Order
    payer_name: str
    child_name: str
    payments: list[Payment] = field(default_factory=list)
    refunds: list[RefundRow] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    refundable_fen: int = 0


_payer_account = aliased(Account)
_payer = aliased(Person)
_child = aliased(Person)


def _with_people(query: Select[tuple[Order]]) -> Select[Any]:
    return (query.add_columns(_payer.name, _child.name)
            .outerjoin(_payer_account, _payer_account.id == Order.payer_account_id)
            .outerjoin(_payer, _payer.id == _payer_account.person_id)
            .outerjoin(_child, _child.id == Order.subject_id))


def _filtered(wanted: OrderFilter) -> Select[Any]:
    query = _with_people(select(Order))
    if wanted.status:
        query = query.where(Order.status == wanted.status)
    if wanted.plugin:
        query = query.where(Order.plugin == wanted.plugin)
    if wanted.query:
        text = wanted.query
        # Not yet: a name search scans the orders; an index when a district outgrows it.
        query = query.where(or_(Order.order_no == text, Order.trade_no == text,
                                _payer.name.contains(text, autoescape=True),
                                _child.name.contains(text, autoescape=True)))
    return query


async def find_orders(session: AsyncSession, wanted: OrderFilter) -> OrderPage:
    """One page of the orders ``wanted`` asks for, newest first, with who they are for."""
    query = _filtered(wanted)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Order.created_at.desc(), Order.id.desc())
        .offset((wanted.page - 1) * PER_PAGE).limit(PER_PAGE))
    return OrderPage([OrderRow(o, payer or "", child or "") for o, payer, child in rows],
                     int(total or 0), wanted.page)


async def plugins_with_orders(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Order.plugin).distinct().order_by(Order.plugin)))


async def _names(session: AsyncSession, account_ids: set[int]) -> dict[int, str]:
    if not account_ids:
        return {}
    rows = await session.execute(select(Account.id, Person.name).join(
        Person, Person.id == Account.person_id).where(Account.id.in_(account_ids)))
    return {account_id: name for account_id, name in rows}


async def order_record(session: AsyncSession, order_no: str) -> OrderRecord | None:
    """The order with its trades, refunds (and who asked), invoices and what is left."""
    found = (await session.execute(
        _with_people(select(Order)).where(Order.order_no == order_no))).first()
    if found is None:
        return None
    order, payer, child = found
    record = OrderRecord(order, payer or "", child or "")
    record.payments = list(await session.scalars(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
    refunds = list(await session.scalars(
        select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))
    names = await _names(session, {r.actor_account_id for r in refunds if r.actor_account_id})
    trades = {p.id: p.trade_no for p in record.payments}
    record.refunds = [RefundRow(r, trades.get(r.payment_id, ""),
                                names.get(r.actor_account_id or 0, "")) for r in refunds]
    record.invoices = list(await session.scalars(
        select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)))
    applied = next((p for p in record.payments if p.status == PaymentStatus.applied), None)
    if order.status == OrderStatus.paid and applied is not None:
        record.refundable_fen = await refundable_fen(session, applied)
    return record
