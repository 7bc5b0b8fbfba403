"""Measured results (times, distances): staff enter a decimal per entry; ranks come from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Entry
from ._common import TARGET
from .models import Measurement

MAX_DIGITS = 12


def parse_value(code: str, raw: Any) -> Decimal:
    """A measurement as staff type it: "12.34"; not a float, not negative, at most 12 digits."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or not text \
            or len(value.as_tuple().digits) > MAX_DIGITS or "e" in text.lower():
        raise ApiError(422, "invalid_measurement",
                       _("%(code)s 的成绩“%(value)s”不是有效的数字（如 12.34）", code=code,
                         value=str(raw)[:40]), detail={"code": code})
    return value


async def measurements(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for start in range(0, len(entry_ids), 1000):
        rows = await session.scalars(select(Measurement).where(
            Measurement.entry_id.in_(entry_ids[start:start + 1000])))
        out.update({m.entry_id: Decimal(m.value) for m in rows})
    return out


async def enter(session: AsyncSession, actor: Actor, activity: Activity,
                values: Mapping[str, Any]) -> int:
    """Record measurements by entry code, all or none; how many were recorded."""
    if activity.status != "judging":
        raise ApiError(409, "not_judging", _("只有评审中的活动才能录入成绩"))
    if not values:
        raise ApiError(422, "missing_field", _("请至少录入一个成绩"))
    parsed = {code: parse_value(code, raw) for code, raw in values.items()}
    entries = {e.code: e for e in await session.scalars(select(Entry).where(
        Entry.activity_id == activity.id, Entry.code.in_(list(parsed)),
        Entry.status != "cancelled"))}
    unknown = sorted(set(parsed) - set(entries))
    if unknown:
        raise ApiError(422, "unknown_entry", _("本活动没有参赛编号 %(codes)s",
                                               codes="、".join(unknown[:10])),
                       detail={"codes": unknown})
    known = {m.entry_id: m for m in await session.scalars(select(Measurement).where(
        Measurement.entry_id.in_([e.id for e in entries.values()])))}
    for code, value in parsed.items():
        entry = entries[code]
        row = known.get(entry.id)
        previous = row.value if row is not None else None
        if row is None:
            session.add(Measurement(entry_id=entry.id, value=str(value),
                                    entered_by=actor.account_id, entered_at=utcnow()))
        elif row.value != str(value):
            row.value, row.entered_by, row.entered_at = str(value), actor.account_id, utcnow()
        await audit(session, actor, "competitions.measurement", TARGET, activity.id,
                    entry_id=entry.id, entry_code=code, value=str(value),
                    previous=previous)
    return len(parsed)
