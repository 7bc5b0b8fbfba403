"""Telling payments staff about money that needs a person: duplicates, failed refunds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..identity import Account, RoleGrant
from ..notifications import notify

__all__ = ["STAFF_ROLES", "tell_staff"]

# The roles that hold core.payments.manage by default (see builtin.permissions).
STAFF_ROLES = ("district_admin", "district_staff")


async def tell_staff(session: AsyncSession, *, title: str, body: str, url: str,
                     key: str) -> None:
    """An inbox message to every active payments staff member, once per ``key``."""
    people = list(await session.scalars(
        select(Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role.in_(STAFF_ROLES), Account.active.is_(True)).distinct()))
    await notify(session, people, source="core", topic="payments", title=title, body=body,
                 url=url, key=key)
