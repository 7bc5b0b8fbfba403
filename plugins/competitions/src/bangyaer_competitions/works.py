"""Submitting a work: a new version from staged files; older versions stay for staff."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor
from bangyaer.web import ApiError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import eligibility
from .models import Activity, Entry, Work, WorkFile
from .types import KIND_TITLES, check_fields

log = logging.getLogger("bangyaer.competitions")


def check_open(activity: Activity, entry: Entry) -> None:
    """Works may change only while submission is open and the entry stands."""
    problem = eligibility.submission_problem(activity, utcnow())
    if problem:
        raise ApiError(409, *problem)
    if entry.status == "cancelled":
        raise ApiError(409, "entry_cancelled", "该报名已取消，不能提交作品")


def _check_counts(kind: Any, files: Sequence[WorkFile]) -> None:
    counts = Counter(f.kind for f in files)
    for rule in kind.files:
        n = counts.get(rule.kind, 0)
        if not rule.min_count <= n <= rule.max_count:
            span = (str(rule.max_count) if rule.min_count == rule.max_count
                    else f"{rule.min_count}–{rule.max_count}")
            raise ApiError(422, "wrong_file_count",
                           f"需要上传 {span} 个{KIND_TITLES[rule.kind]}文件，现在是 {n} 个")


async def submit(
    session: AsyncSession, actor: Actor, activity: Activity, kind: Any, entry: Entry,
    values: Mapping[str, Any], file_ids: Sequence[int],
) -> Work:
    """Make the staged files and fields the entry's current work (a new version)."""
    check_open(activity, entry)
    try:
        fields = check_fields(kind, values)
    except ValueError as exc:
        raise ApiError(422, "invalid_work", str(exc)) from None
    ids = {int(i) for i in file_ids}
    files = list(await session.scalars(select(WorkFile).where(
        WorkFile.id.in_(ids), WorkFile.entry_id == entry.id, WorkFile.work_id.is_(None))))
    if len(files) != len(ids):
        raise ApiError(422, "unknown_file", "有文件不属于本次报名或已提交过，请重新上传")
    _check_counts(kind, files)
    last = await session.scalar(select(func.max(Work.version)).where(Work.entry_id == entry.id))
    await session.execute(update(Work).where(Work.entry_id == entry.id).values(current=False))
    work = Work(entry_id=entry.id, version=int(last or 0) + 1, current=True, fields=fields,
                submitted_by=actor.account_id, submitted_at=utcnow())
    session.add(work)
    await session.flush()
    for row in files:
        row.work_id = work.id
    entry.status, entry.submitted_at = "submitted", work.submitted_at
    await emit(session, "competitions.work_submitted", subject_id=entry.student_id,
               actor_account_id=actor.account_id, activity_id=activity.id,
               activity_title=activity.title, entry_code=entry.code, version=work.version)
    log.info("entry %s: work version %d submitted", entry.code, work.version)
    return work


async def versions(session: AsyncSession, entry_id: int) -> list[tuple[Work, list[WorkFile]]]:
    works = list(await session.scalars(
        select(Work).where(Work.entry_id == entry_id).order_by(Work.version.desc())))
    files = list(await session.scalars(
        select(WorkFile).where(WorkFile.work_id.in_([w.id for w in works]))
        .order_by(WorkFile.id)))
    return [(w, [f for f in files if f.work_id == w.id]) for w in works]
