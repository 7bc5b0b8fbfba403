"""What the results modules share: the activity and its setup, versions, people to tell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bangyaer.identity import Actor, Guardianship
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..judging import setup as judging_setup
from ..judging.models import JudgingSetup
from ..models import Activity, Entry, Group
from ..staff import managed_activity
from ..types import types_of
from .models import Publication, Result

SOURCE = "competitions"
TARGET = "competitions_activity"


async def organised(session: AsyncSession, actor: Actor, activity_id: int, *,
                    lock: bool = False) -> Activity:
    """The activity, if ``actor`` organises it; locked for the transaction when asked."""
    activity = await managed_activity(session, actor, activity_id, organiser=True)
    if lock:
        # Computing, publishing and finalising read, decide and write: the
        # row lock makes two of them for one activity run one after the other.
        await session.refresh(activity, with_for_update=True)
    return activity


async def setup_of(session: AsyncSession, platform: Any, activity: Activity) -> JudgingSetup:
    """The activity's judging setup, made with the type's defaults when there is none yet."""
    return await judging_setup.setup_of(session, activity,
                                        types_of(platform).get(activity.type_id))


def is_measured(platform: Any, activity: Activity) -> bool:
    kind = types_of(platform).get(activity.type_id)
    return getattr(kind, "judging", "panel") == "measured"


async def latest_version(session: AsyncSession, activity_id: int) -> int | None:
    found = await session.scalar(select(func.max(Result.version))
                                 .where(Result.activity_id == activity_id))
    return int(found) if found is not None else None


async def publication(session: AsyncSession, activity_id: int, kind: str
                      ) -> Publication | None:
    """The activity's latest publication of ``kind`` ("publicised" or "final")."""
    found: Publication | None = await session.scalar(
        select(Publication).where(Publication.activity_id == activity_id,
                                  Publication.kind == kind)
        .order_by(Publication.id.desc()).limit(1))
    return found


@dataclass(frozen=True)
class Line:
    """One entry's result in a version, with what is shown beside it."""

    entry_id: int
    code: str
    student_id: int
    student_name: str
    school_name: str
    group_id: int
    group_name: str
    score: float | None
    rank: int | None
    award: str | None
    flagged: bool


async def results_of(session: AsyncSession, activity_id: int, version: int) -> list[Line]:
    """A version's results by group and rank; plain rows, as a version can hold 12,000."""
    rows = await session.execute(
        select(Entry.id, Entry.code, Entry.student_id, Entry.student_name, Entry.school_name,
               Group.id, Group.name, Result.score, Result.rank, Result.award, Result.flagged)
        .join(Entry, Entry.id == Result.entry_id).join(Group, Group.id == Result.group_id)
        .where(Result.activity_id == activity_id, Result.version == version)
        .order_by(Group.number, Result.rank.is_(None), Result.rank, Entry.code))
    return [Line(*row) for row in rows]


async def guardians_of(session: AsyncSession, student_ids: Iterable[int]
                       ) -> dict[int, list[int]]:
    """student id → the person ids of their guardians."""
    ids = list(set(student_ids))
    out: dict[int, list[int]] = {i: [] for i in ids}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(select(Guardianship.student_id, Guardianship.guardian_id)
                                     .where(Guardianship.student_id.in_(ids[start:start + 1000])))
        for student_id, guardian_id in rows:
            out[student_id].append(guardian_id)
    return out


def channels(platform: Any) -> list[str]:
    """Every enabled notification channel (DingTalk and the like) besides the inbox."""
    return sorted(platform.host.collect_by_id("notification_channels"))


def result_json(result: Result) -> dict[str, Any]:
    return {"score": result.score, "rank": result.rank, "award": result.award}


def no_results() -> ApiError:
    return ApiError(409, "results_not_computed", _("尚未计算结果，请先计算"))
