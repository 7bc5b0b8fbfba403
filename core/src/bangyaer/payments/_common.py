"""Small pieces every part of the ledger shares: checks, numbers, audit, events."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import events
from ..db import utcnow
from ..identity import Actor, PermissionRegistry, audit
from .models import Order

# An Actor that carries only an account id: the ledger is called by plugins
# and jobs with account ids, and audit() records the account of an Actor.
_NO_PERMISSIONS = PermissionRegistry()


def check_fen(name: str, value: object, *, allow_zero: bool = False) -> int:
    """``value`` if it is an int number of fen; TypeError for floats, Decimals and bools."""
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "Decimal" if isinstance(value, Decimal) else type(value).__name__
        raise TypeError(f"{name} must be an int number of fen, not {kind}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a positive number of fen, got {value}")
    return value


def check_text(name: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"{name}: at most {limit} characters, got {len(value)}")
    return value


def new_number(prefix: str) -> str:
    """A unique, unguessable number such as an order_no: a prefix, the UTC day, 80 bits."""
    return f"{prefix}{utcnow():%Y%m%d}{secrets.token_hex(10)}"


def as_actor(account_id: int | None) -> Actor | None:
    return None if account_id is None else Actor(_NO_PERMISSIONS, account_id=account_id)


async def audit_order(session: AsyncSession, account_id: int | None, action: str,
                      order: Order, **detail: object) -> None:
    await audit(session, as_actor(account_id), action, "payment_order", order.order_no,
                **detail)


async def emit_order_event(session: AsyncSession, type: str, order: Order,
                           **extra: Any) -> None:
    """An event with what every subscriber needs to find its own record."""
    await events.emit(session, type, subject_id=order.subject_id,
                      actor_account_id=order.payer_account_id, order_no=order.order_no,
                      plugin=order.plugin, purpose_ref=order.purpose_ref,
                      amount_fen=order.amount_fen, **extra)


async def lock_order(session: AsyncSession, order_no: str) -> Order | None:
    """The order, its row locked until the transaction ends (PostgreSQL; SQLite serialises)."""
    found: Order | None = await session.scalar(
        select(Order).where(Order.order_no == order_no).with_for_update()
        .execution_options(populate_existing=True))
    return found
