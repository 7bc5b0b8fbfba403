"""Who judges what: the draw, reassignment, manual changes and extra judges, all audited.

Every way of giving an entry to a judge goes through ``scoring.assign`` (the
rules) and ``_insert`` (the rows), so a manual change, a drop-out and an
appeal obey exactly what the first draw obeyed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, cast

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import N_, ApiError
from bangyaer.web import gettext as _
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import lifecycle
from ..models import Activity, Entry, Group
from ..scoring import assign
from . import profiles
from .models import Assignment, JudgeInvite, JudgingCopy, JudgingSetup

log = logging.getLogger("bangyaer.competitions")
TARGET = "competitions_activity"
REASONS = {
    "own_school": N_("该评委在这名学生的学校任职"),
    "own_class": N_("该评委是这名学生的任课老师"),
    "own_child": N_("该评委是这名学生的监护人"),
    "already_seen": N_("该评委已评过（或分到过）这件作品"),
}
OPEN = ("assigned", "scored")
ASSIGNMENTS = cast(Table, Assignment.__table__)


class ChangeRefused(ApiError):
    """A manual change the rules forbid; the caller logs it outside the rolled-back change."""

    def __init__(self, reason: str, logged: dict[str, Any]) -> None:
        super().__init__(409, "conflict", _("不能改派：%(reason)s", reason=reason_text(reason)),
                         detail={"reason": reason})
        self.logged = logged


async def log_refusal(session: AsyncSession, actor: Actor, activity_id: int,
                      refused: ChangeRefused) -> None:
    await audit(session, actor, "competitions.assignment_change_refused", TARGET, activity_id,
                **refused.logged)


def reason_text(code: str) -> str:
    return _(REASONS[code]) if code in REASONS else code


async def judges_by_group(session: AsyncSession, activity_id: int
                          ) -> dict[int, list[assign.JudgeProfile]]:
    """The active judges of each group with their conflicts."""
    rows = list(await session.execute(
        select(JudgeInvite.group_id, JudgeInvite.account_id)
        .where(JudgeInvite.activity_id == activity_id, JudgeInvite.status == "active")
        .order_by(JudgeInvite.group_id, JudgeInvite.account_id)))
    found = await profiles.profiles(session, {a for _, a in rows})
    out: dict[int, list[assign.JudgeProfile]] = defaultdict(list)
    for group_id, account_id in rows:
        out[group_id].append(found[account_id])
    return dict(out)


async def seen_by(session: AsyncSession, entry_ids: Collection[int]) -> dict[int, set[int]]:
    """Every judge who ever had each entry, withdrawn rounds included."""
    out: dict[int, set[int]] = defaultdict(set)
    for entry_id, judge in await session.execute(
            select(Assignment.entry_id, Assignment.judge_account_id)
            .where(Assignment.entry_id.in_(entry_ids))):
        out[entry_id].add(judge)
    return dict(out)


async def loads_of(session: AsyncSession, activity_id: int) -> dict[int, int]:
    """How many live assignments each judge holds in the activity."""
    rows = await session.execute(
        select(Assignment.judge_account_id, func.count(Assignment.id))
        .where(Assignment.activity_id == activity_id, Assignment.status.in_(OPEN))
        .group_by(Assignment.judge_account_id))
    return {judge: int(n) for judge, n in rows}


async def _group_names(session: AsyncSession, activity_id: int) -> dict[int, str]:
    return {g.id: g.name for g in await session.scalars(
        select(Group).where(Group.activity_id == activity_id))}


async def _insert(session: AsyncSession, activity_id: int, group_of: dict[int, int],
                  pairs: Sequence[assign.Pair], round: str, note: str = "") -> None:
    """One multi-row INSERT for a whole plan (a large draw is tens of thousands of rows)."""
    if not pairs:
        return
    now = utcnow()
    # Core executemany on the table: the ORM's bulk path is several times slower here.
    await session.execute(insert(ASSIGNMENTS), [
        {"activity_id": activity_id, "group_id": group_of[p.entry_id], "panel": p.panel,
         "entry_id": p.entry_id, "judge_account_id": p.judge_account_id, "round": round,
         "status": "assigned", "comment": "", "note": note, "assigned_at": now}
        for p in pairs])


def _refuse_unfilled(plan: assign.Plan, group_of: dict[int, int], names: dict[int, str]
                     ) -> None:
    if not plan.unfilled:
        return
    short: dict[int, int] = defaultdict(int)
    for entry_id in plan.unfilled:
        short[group_of[entry_id]] += 1
    parts = [_("“%(group)s”有 %(n)s 件作品", group=names.get(g, g), n=n)
             for g, n in sorted(short.items())]
    raise ApiError(409, "not_enough_judges",
                   _("%(groups)s找不到足够的无利益冲突评委，请为该组别再邀请评委",
                     groups="、".join(parts)),
                   detail={"groups": [names.get(g, str(g)) for g in sorted(short)]})


async def judged_entries(session: AsyncSession, activity_id: int) -> list[assign.EntrySlot]:
    """Entries that reach the judges: not cancelled and with at least one judging copy."""
    with_copies = select(JudgingCopy.entry_id).join(Entry).where(
        Entry.activity_id == activity_id)
    rows = await session.execute(
        select(Entry.id, Entry.group_id, Entry.school_id, Entry.class_id, Entry.student_id)
        .where(Entry.activity_id == activity_id, Entry.status != "cancelled",
               Entry.id.in_(with_copies)).order_by(Entry.id))
    return [assign.EntrySlot(*row) for row in rows]


async def draw(session: AsyncSession, actor: Actor, activity: Activity,
               setup: JudgingSetup, *, seed: str | None = None) -> dict[str, Any]:
    """Assign every judged entry to k judges of its group and start judging."""
    await lock(session, setup)
    if setup.assigned_at is not None:
        raise ApiError(409, "already_drawn", _("评委已分配，不能重新抽签"))
    if activity.status not in ("submissions_closed", "judging") or setup.frozen_at is None:
        raise ApiError(409, "not_frozen", _("作品尚未截止并完成匿名化处理，不能分配评委"))
    entries = await judged_entries(session, activity.id)
    judges = await judges_by_group(session, activity.id)
    names = await _group_names(session, activity.id)
    k = setup.judges_per_entry
    for group_id in sorted({e.group_id for e in entries}):
        have = len(judges.get(group_id, []))
        if have < k:
            raise ApiError(409, "not_enough_judges", _(
                "“%(group)s”只有 %(have)s 位评委，每件作品需要 %(k)s 位，请先邀请评委",
                group=names[group_id], have=have, k=k),
                           detail={"groups": [names[group_id]]})
    seed = seed or assign.new_seed()
    plan = assign.draw(entries, judges, k=k, seed=seed)
    group_of = {e.entry_id: e.group_id for e in entries}
    _refuse_unfilled(plan, group_of, names)
    await _insert(session, activity.id, group_of, plan.pairs, "initial")
    setup.seed, setup.assigned_at = seed, utcnow()
    if activity.status == "submissions_closed":
        await lifecycle.move(session, activity, "judging", actor, step="draw")
    await audit(session, actor, "competitions.assignment_drawn", TARGET, activity.id,
                seed=seed, entries=len(entries), assignments=len(plan.pairs), k=k)
    log.info("activity %s: %d entries drawn to judges", activity.id, len(entries))
    return {"seed": seed, "entries": len(entries), "assignments": len(plan.pairs)}


async def lock(session: AsyncSession, setup: JudgingSetup) -> None:
    """Serialise draws and reassignments of one activity (two staff clicking at once)."""
    # PostgreSQL: the row lock waits for the other transaction and re-reads its result;
    # SQLite takes the database write lock at BEGIN, so FOR UPDATE is not needed there.
    await session.execute(select(JudgingSetup).where(
        JudgingSetup.activity_id == setup.activity_id).with_for_update()
        .execution_options(populate_existing=True))


async def replays(session: AsyncSession, activity: Activity, setup: JudgingSetup) -> bool:
    """Whether drawing again with the recorded seed gives the recorded first round."""
    if setup.seed is None:
        return False
    entries = await judged_entries(session, activity.id)
    initial = await session.scalars(select(Assignment).where(
        Assignment.activity_id == activity.id, Assignment.round == "initial"))
    recorded = {(a.entry_id, a.judge_account_id, a.panel) for a in initial}
    judges = await _judges_then(session, activity.id)
    plan = assign.draw(entries, judges, k=setup.judges_per_entry, seed=setup.seed)
    return recorded == {(p.entry_id, p.judge_account_id, p.panel) for p in plan.pairs}


async def _judges_then(session: AsyncSession, activity_id: int
                       ) -> dict[int, list[assign.JudgeProfile]]:
    # A judge who dropped out later was in the draw: replay with everyone invited then.
    setup = await session.get(JudgingSetup, activity_id)
    assert setup is not None and setup.assigned_at is not None
    rows = list(await session.execute(
        select(JudgeInvite.group_id, JudgeInvite.account_id)
        .where(JudgeInvite.activity_id == activity_id,
               JudgeInvite.invited_at <= setup.assigned_at,
               (JudgeInvite.dropped_at.is_(None)) | (JudgeInvite.dropped_at > setup.assigned_at))
        .order_by(JudgeInvite.group_id, JudgeInvite.account_id)))
    found = await profiles.profiles(session, {a for _, a in rows})
    out: dict[int, list[assign.JudgeProfile]] = defaultdict(list)
    for group_id, account_id in rows:
        out[group_id].append(found[account_id])
    return dict(out)


async def drop_judge(session: AsyncSession, actor: Actor, activity: Activity,
                     invite: JudgeInvite, note: str) -> int:
    """Drop a judge from a group; their unscored entries there go to others. Returns how many."""
    setup = await session.get(JudgingSetup, activity.id)
    if setup is not None:
        await lock(session, setup)
        await session.refresh(invite)
    if invite.status == "dropped":
        return 0
    invite.status, invite.dropped_at = "dropped", utcnow()
    open_rows = list(await session.scalars(select(Assignment).where(
        Assignment.activity_id == activity.id, Assignment.group_id == invite.group_id,
        Assignment.judge_account_id == invite.account_id, Assignment.status == "assigned")))
    moved = 0
    if open_rows:
        entries = list(await session.scalars(
            select(Entry).where(Entry.id.in_([a.entry_id for a in open_rows]))
            .order_by(Entry.id)))
        await _withdraw(open_rows, note or "评委退出")
        await session.flush()
        seed = assign.new_seed()
        plan = assign.reassign(invite.account_id, profiles.slots(entries),
                               await judges_by_group(session, activity.id), seed=seed,
                               seen=await seen_by(session, [e.id for e in entries]),
                               loads=await loads_of(session, activity.id))
        group_of = {e.id: e.group_id for e in entries}
        _refuse_unfilled(plan, group_of, await _group_names(session, activity.id))
        await _insert(session, activity.id, group_of, plan.pairs, "reassigned", note)
        moved = len(plan.pairs)
        await audit(session, actor, "competitions.assignment_reassigned", TARGET, activity.id,
                    judge=invite.account_id, group_id=invite.group_id, seed=seed,
                    entries=[e.id for e in entries], note=note)
    await audit(session, actor, "competitions.judge_dropped", TARGET, activity.id,
                judge=invite.account_id, group_id=invite.group_id, note=note)
    return moved


async def _withdraw(rows: Sequence[Assignment], note: str) -> None:
    now = utcnow()
    for row in rows:
        row.status, row.withdrawn_at, row.note = "withdrawn", now, note[:500]


async def change_judge(session: AsyncSession, actor: Actor, activity: Activity, entry: Entry,
                       *, from_judge: int, to_judge: int, note: str) -> Assignment:
    """Staff move one entry from one judge to another, checked against the draw's rules."""
    if not note.strip():
        raise ApiError(422, "note_required", _("请写明改派原因"))
    old = (await session.scalars(select(Assignment).where(
        Assignment.entry_id == entry.id, Assignment.judge_account_id == from_judge,
        Assignment.status.in_(OPEN)))).first()
    if old is None:
        raise ApiError(404, "assignment_not_found", _("该评委没有分到这件作品"))
    if old.status == "scored":
        raise ApiError(409, "already_scored", _("该评委已评分，不能改派"))
    invited = (await session.scalars(select(JudgeInvite).where(
        JudgeInvite.activity_id == activity.id, JudgeInvite.group_id == entry.group_id,
        JudgeInvite.account_id == to_judge, JudgeInvite.status == "active"))).first()
    if invited is None:
        raise ApiError(409, "not_a_judge_here", _("改派对象不是该组别的评委"))
    profile = (await profiles.profiles(session, [to_judge]))[to_judge]
    seen = (await seen_by(session, [entry.id])).get(entry.id, set())
    reason = assign.check_pair(profiles.slot(entry), profile, seen=seen)
    if reason is not None:
        raise ChangeRefused(reason, {"entry_id": entry.id, "from_judge": from_judge,
                                     "to_judge": to_judge, "reason": reason, "note": note})
    await _withdraw([old], note)
    await session.flush()
    new = Assignment(activity_id=activity.id, group_id=entry.group_id, panel=old.panel,
                     entry_id=entry.id, judge_account_id=to_judge, round="manual",
                     status="assigned", comment="", note=note[:500], assigned_at=utcnow())
    session.add(new)
    await session.flush()
    await audit(session, actor, "competitions.assignment_changed", TARGET, activity.id,
                entry_id=entry.id, from_judge=from_judge, to_judge=to_judge, note=note)
    return new


async def add_judges(session: AsyncSession, actor: Actor, activity: Activity,
                     entry_ids: Sequence[int], *, count: int, round: str) -> list[Assignment]:
    """``count`` more judges for each entry: of its group, never had it, no conflicts,
    loads balanced; the seed is recorded in the audit entry."""
    if round not in ("extra", "appeal"):
        raise ValueError(f"round must be 'extra' or 'appeal', not {round!r}")
    if count < 1:
        raise ValueError(f"count must be 1 or more, got {count}")
    entries = list(await session.scalars(select(Entry).where(
        Entry.activity_id == activity.id, Entry.id.in_(entry_ids)).order_by(Entry.id)))
    if len(entries) != len(set(entry_ids)):
        raise ApiError(404, "entry_not_found", _("找不到该报名"))
    seed = assign.new_seed()
    plan = assign.draw(profiles.slots(entries), await judges_by_group(session, activity.id),
                       k=count, seed=seed, seen=await seen_by(session, [e.id for e in entries]),
                       loads=await loads_of(session, activity.id))
    group_of = {e.id: e.group_id for e in entries}
    _refuse_unfilled(plan, group_of, await _group_names(session, activity.id))
    await _insert(session, activity.id, group_of, plan.pairs, round)
    await audit(session, actor, "competitions.judges_added", TARGET, activity.id,
                round=round, count=count, seed=seed, entries=[e.id for e in entries],
                judges=[[p.entry_id, p.judge_account_id] for p in plan.pairs])
    wanted = {(p.entry_id, p.judge_account_id) for p in plan.pairs}
    rows = await session.scalars(select(Assignment).where(
        Assignment.entry_id.in_(group_of), Assignment.round == round)
        .order_by(Assignment.entry_id, Assignment.id))
    return [a for a in rows if (a.entry_id, a.judge_account_id) in wanted]


async def scored(session: AsyncSession, activity_id: int) -> dict[int, list[Assignment]]:
    """entry_id → its scored, not withdrawn assignments."""
    out: dict[int, list[Assignment]] = defaultdict(list)
    for row in await session.scalars(select(Assignment).where(
            Assignment.activity_id == activity_id, Assignment.status == "scored")
            .order_by(Assignment.entry_id, Assignment.id)):
        out[row.entry_id].append(row)
    return dict(out)

