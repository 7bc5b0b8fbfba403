"""The activity's audit log for district admins: every draw, score, change and decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bangyaer.identity import Account, AuditEntry, Person
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Entry
from ._common import TARGET

AUDIT = "competitions.audit"
PAGE_SIZE = 50
# Detail keys that name a judge's account in the judging side's entries.
JUDGE_KEYS = ("judge", "from_judge", "to_judge", "judge_account_id")


@dataclass(frozen=True)
class Filters:
    action: str = ""
    judge: int | None = None
    entry: str = ""
    page: int = 1


def parse_filters(query: Any) -> Filters:
    judge_raw = str(query.get("judge", "")).strip()
    page_raw = str(query.get("page", "1")).strip() or "1"
    if judge_raw and not (judge_raw.isascii() and judge_raw.isdigit()):
        raise ApiError(422, "invalid_field", _("评委应填账号编号（数字）"),
                       detail={"field": "judge"})
    if not (page_raw.isascii() and page_raw.isdigit()) or int(page_raw) < 1:
        raise ApiError(422, "invalid_field", _("页码应为正整数"), detail={"field": "page"})
    return Filters(action=str(query.get("action", "")).strip()[:64],
                   judge=int(judge_raw) if judge_raw else None,
                   entry=str(query.get("entry", "")).strip()[:32], page=int(page_raw))


async def _where(session: AsyncSession, activity_id: int, f: Filters
                 ) -> ColumnElement[bool] | None:
    where = (AuditEntry.target_type == TARGET) & (AuditEntry.target_id == str(activity_id))
    if f.action:
        action = f.action if "." in f.action else f"competitions.{f.action}"
        where &= AuditEntry.action == action
    if f.judge is not None:
        where &= or_(AuditEntry.account_id == f.judge,
                     *[AuditEntry.detail[key].as_integer() == f.judge for key in JUDGE_KEYS])
    if f.entry:
        entry_id = await session.scalar(select(Entry.id).where(
            Entry.activity_id == activity_id, Entry.code == f.entry))
        if entry_id is None:
            return None
        # Not yet: entries only inside a list (a reassignment's) escape this; filter by action.
        where &= or_(AuditEntry.detail["entry_id"].as_integer() == entry_id,
                     AuditEntry.detail["entry_code"].as_string() == f.entry)
    return where


async def read(session: AsyncSession, activity_id: int, f: Filters) -> dict[str, Any]:
    where = await _where(session, activity_id, f)
    if where is None:
        return {"total": 0, "page": f.page, "page_size": PAGE_SIZE, "entries": []}
    total = int(await session.scalar(select(func.count(AuditEntry.id)).where(where)) or 0)
    rows = (await session.execute(
        select(AuditEntry, Account.username, Person.name)
        .outerjoin(Account, Account.id == AuditEntry.account_id)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(where).order_by(AuditEntry.id.desc())
        .offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return {
        "total": total, "page": f.page, "page_size": PAGE_SIZE,
        "entries": [{"id": a.id, "at": a.at.isoformat(), "action": a.action,
                     "account_id": a.account_id, "username": username, "name": name,
                     "detail": a.detail} for a, username, name in rows],
    }


async def judges(session: AsyncSession, activity_id: int) -> list[tuple[int, str]]:
    """The activity's judges (account id, name), for the log's judge filter."""
    from ..judging.models import JudgeInvite

    rows = await session.execute(
        select(Account.id, Person.name).join(Person, Person.id == Account.person_id)
        .where(Account.id.in_(select(JudgeInvite.account_id).where(
            JudgeInvite.activity_id == activity_id)))
        .order_by(Person.name, Account.id))
    return [(int(account_id), str(name)) for account_id, name in rows]
