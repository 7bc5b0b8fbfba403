"""Reading a student's timeline and its summary, filtered by year and category."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Record

# Records that are not themselves a separate activity: a submission belongs
# to its registration, an award to the activity it was won in.
NOT_ACTIVITIES = frozenset({"submitted", "award"})
AWARD_ORDER = ("特等奖", "一等奖", "二等奖", "三等奖", "优胜奖", "优秀奖")


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class Summary:
    activities: int
    awards: list[tuple[str, int]]
    training_hours: float


def _query(student_id: int, filters: Filters, zone: ZoneInfo) -> Select[Record]:
    query = select(Record).where(Record.student_id == student_id, Record.withdrawn.is_(False))
    if filters.year is not None:
        # The year as the family counts it, in the district's zone.
        start = dt.datetime(filters.year, 1, 1, tzinfo=zone).astimezone(dt.UTC)
        end = dt.datetime(filters.year + 1, 1, 1, tzinfo=zone).astimezone(dt.UTC)
        query = query.where(Record.occurred_at >= start, Record.occurred_at < end)
    if filters.category:
        query = query.where(Record.category == filters.category)
    return query


async def timeline(session: AsyncSession, student_id: int, filters: Filters, zone: ZoneInfo,
                   *, limit: int = 500) -> list[Record]:
    """Newest first."""
    # Not yet: paging past the newest 500 records; acceptable because a child
    # collects a few dozen a year, and the year filter reaches older ones.
    rows = await session.scalars(
        _query(student_id, filters, zone).order_by(Record.occurred_at.desc(), Record.id.desc())
        .limit(limit))
    return list(rows)


def summarise(records: list[Record]) -> Summary:
    awards = Counter(r.award for r in records if r.kind == "award" and r.award)
    rank = {name: i for i, name in enumerate(AWARD_ORDER)}
    ordered = sorted(awards.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
    minutes = sum(r.minutes for r in records if r.kind == "completed")
    return Summary(
        activities=sum(1 for r in records if r.kind not in NOT_ACTIVITIES),
        awards=ordered,
        training_hours=round(minutes / 60, 1),
    )


async def choices(session: AsyncSession, student_id: int, zone: ZoneInfo
                  ) -> tuple[list[int], list[str]]:
    """The years and categories the student has records in, for the filter menus."""
    rows = (await session.execute(
        select(Record.occurred_at, Record.category)
        .where(Record.student_id == student_id, Record.withdrawn.is_(False)))).all()
    years = sorted({at.astimezone(zone).year for at, _ in rows}, reverse=True)
    return years, sorted({category for _, category in rows})
