"""One-tap registration and cancellation, with entry codes from a per-group counter."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bangyaer.db import Database, utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, Organisation, Person
from bangyaer.web import ApiError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import eligibility
from .models import Activity, Entry, Group

log = logging.getLogger("bangyaer.competitions")


@dataclass(frozen=True)
class Registered:
    entry: Entry
    created: bool
    # Set for a new entry, so the answer needs no further reads.
    activity: Activity | None = None
    group: Group | None = None


def entry_code(activity: Activity, group: Group, seq: int) -> str:
    # Prefix, group number and a counter: nothing about the child.
    return f"{activity.code_prefix}-{group.number:02d}-{seq:05d}"


async def load_activity(session: AsyncSession, activity_id: int, *, lock: bool = False
                        ) -> Activity:
    query = select(Activity).where(Activity.id == activity_id)
    if lock:
        query = query.with_for_update()
    activity = (await session.scalars(query)).first()
    if activity is None or activity.status == "draft":
        raise ApiError(404, "activity_not_found", "活动不存在或尚未发布")
    return activity


async def groups_of(session: AsyncSession, activity_id: int) -> list[Group]:
    rows = await session.scalars(
        select(Group).where(Group.activity_id == activity_id).order_by(Group.number))
    return list(rows)


async def active_entries(session: AsyncSession, activity_id: int, student_id: int
                         ) -> list[Entry]:
    rows = await session.scalars(
        select(Entry).where(Entry.activity_id == activity_id, Entry.student_id == student_id,
                            Entry.status != "cancelled").order_by(Entry.id))
    return list(rows)


def _key(actor: Actor, key: str | None) -> str | None:
    # Scoped to the account, so two families' keys can never collide.
    return f"{actor.account_id}:{key}" if key else None


async def register(
    db: Database, actor: Actor, child: Person, activity_id: int,
    *, idempotency_key: str | None = None, additional: bool = False,
) -> Registered:
    """Register ``child``; a repeated request returns the entry it already made.

    The checks read in a plain session first; the write transaction then only
    re-checks what a concurrent request could have changed, takes the next
    code and inserts, so the write lock (SQLite) is held as briefly as possible.
    """
    key = _key(actor, idempotency_key)
    async with db.session() as session:
        plan = await _plan(session, child, activity_id, key, additional)
    if isinstance(plan, Registered):
        return plan
    async with db.transaction() as session:
        return await _write(session, actor, child, plan, key, additional)


@dataclass(frozen=True)
class _Plan:
    activity: Activity
    group: Group
    names: dict[int, str]


async def _plan(session: AsyncSession, child: Person, activity_id: int, key: str | None,
                additional: bool) -> _Plan | Registered:
    if key is not None:
        same = await _by_key(session, activity_id, key)
        if same is not None:
            return Registered(same, False)
    activity = await load_activity(session, activity_id)
    problem = eligibility.window_problem(activity, utcnow())
    if problem:
        raise ApiError(409, *problem)
    verdict = eligibility.check(activity, await groups_of(session, activity_id), child)
    if not verdict.eligible or verdict.group is None:
        raise ApiError(403, "not_eligible", verdict.reason)
    existing = await active_entries(session, activity_id, child.id)
    if existing and not additional:
        return Registered(existing[0], False)
    return _Plan(activity, verdict.group, await _org_names(session, child))


async def _by_key(session: AsyncSession, activity_id: int, key: str) -> Entry | None:
    return (await session.scalars(select(Entry).where(
        Entry.activity_id == activity_id, Entry.idempotency_key == key))).first()


async def _write(session: AsyncSession, actor: Actor, child: Person, plan: _Plan,
                 key: str | None, additional: bool) -> Registered:
    activity = plan.activity
    # Re-checked inside the write: another tap may have committed meanwhile.
    if key is not None and (same := await _by_key(session, activity.id, key)) is not None:
        return Registered(same, False)
    existing = await active_entries(session, activity.id, child.id)
    if existing and not additional:
        return Registered(existing[0], False)
    if len(existing) >= activity.entries_per_child:
        raise ApiError(409, "entry_limit",
                       f"每名学生最多报名 {activity.entries_per_child} 个作品")
    if activity.school_cap is not None:
        await _check_school_cap(session, activity, child)
    seq = await session.scalar(
        update(Group).where(Group.id == plan.group.id)
        .values(last_seq=Group.last_seq + 1).returning(Group.last_seq))
    assert seq is not None  # the group row was just read
    entry = Entry(
        activity_id=activity.id, group_id=plan.group.id,
        code=entry_code(activity, plan.group, int(seq)), seq=int(seq),
        slot=_free_slot(existing, activity.entries_per_child), status="registered",
        student_id=child.id, student_name=child.name, school_id=child.school_id,
        school_name=plan.names.get(child.school_id or 0, ""), class_id=child.class_id,
        class_name=plan.names.get(child.class_id or 0, ""), stage=child.stage,
        grade=child.grade, org_path=child.org_path, registered_by=actor.account_id,
        idempotency_key=key,
    )
    session.add(entry)
    await emit(session, "competitions.entry_registered", subject_id=child.id,
               actor_account_id=actor.account_id, activity_id=activity.id,
               activity_title=activity.title, entry_code=entry.code)
    log.info("entry %s registered in activity %s", entry.code, activity.id)
    return Registered(entry, True, activity, plan.group)


async def _check_school_cap(session: AsyncSession, activity: Activity, child: Person) -> None:
    # Locks the activity row so two registrations from one school cannot both
    # take the last place (PostgreSQL; SQLite already runs writers one by one).
    await load_activity(session, activity.id, lock=True)
    taken = await session.scalar(select(func.count(Entry.id)).where(
        Entry.activity_id == activity.id, Entry.school_id == child.school_id,
        Entry.status != "cancelled"))
    if int(taken or 0) >= int(activity.school_cap or 0):
        raise ApiError(409, "school_full",
                       f"本校报名名额（{activity.school_cap} 人）已满")


def _free_slot(existing: list[Entry], limit: int) -> int:
    used = {e.slot for e in existing}
    return next(n for n in range(1, limit + 1) if n not in used)


async def _org_names(session: AsyncSession, child: Person) -> dict[int, str]:
    ids = [i for i in (child.school_id, child.class_id) if i is not None]
    if not ids:
        return {}
    rows = await session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}


async def cancel(session: AsyncSession, actor: Actor, entry: Entry) -> Entry:
    """Withdraw an entry while registration is open; cancelling twice is harmless."""
    if entry.status == "cancelled":
        return entry
    activity = await session.get(Activity, entry.activity_id)
    assert activity is not None  # foreign key
    problem = eligibility.window_problem(activity, utcnow())
    if problem:
        raise ApiError(409, problem[0], "报名已截止，不能再取消报名")
    entry.status, entry.slot, entry.cancelled_at = "cancelled", None, utcnow()
    await emit(session, "competitions.entry_cancelled", subject_id=entry.student_id,
               actor_account_id=actor.account_id, activity_id=activity.id,
               activity_title=activity.title, entry_code=entry.code)
    log.info("entry %s cancelled", entry.code)
    return entry
