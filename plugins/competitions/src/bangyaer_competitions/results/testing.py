"""Helpers for the results tests: an activity in judging with entries, judges and scores.

Scores are written on Assignment rows directly (as judges' scoring would
leave them), so these tests exercise results on their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import (
    Guardianship,
    Organisation,
    Person,
    PersonKind,
    create_account,
    place_person,
)
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from sqlalchemy import select, update

from ..judging.models import Assignment, JudgeInvite
from ..models import Activity, Entry, Group
from ..testing import create_activity
from .models import Publication

RUBRIC = ("theme", "skill", "creativity")


@dataclass
class Seeded:
    activity_id: int
    groups: dict[int, int]                    # group number → id
    entries: dict[str, int] = field(default_factory=dict)    # code → entry id
    students: dict[str, int] = field(default_factory=dict)   # code → student id
    judges: list[int] = field(default_factory=list)          # account ids


async def judging_activity(staff: Any, platform: Platform, **body: Any) -> Seeded:
    activity_id = await create_activity(staff, **body)
    async with platform.db.transaction() as session:
        await session.execute(update(Activity).where(Activity.id == activity_id)
                              .values(status="judging"))
        groups = {g.number: g.id for g in await session.scalars(
            select(Group).where(Group.activity_id == activity_id))}
    return Seeded(activity_id, groups)


async def add_judges(platform: Platform, district: TinyDistrict, seeded: Seeded, n: int
                     ) -> list[int]:
    """``n`` new judge accounts, invited to every group of the activity."""
    async with platform.db.transaction() as session:
        home = await session.get(Organisation, district.ids["district"])
        assert home is not None
        made = []
        for i in range(len(seeded.judges), len(seeded.judges) + n):
            person = Person(kind=PersonKind.staff, name=f"评委{i}", external_no=f"J{i:03d}")
            place_person(person, home)
            session.add(person)
            await session.flush()
            account = await create_account(session, person, username=f"judge{i}",
                                           password=TinyDistrict.PASSWORD,
                                           roles=[("judge", home)])
            made.append(account.id)
            for group_id in seeded.groups.values():
                session.add(JudgeInvite(activity_id=seeded.activity_id, group_id=group_id,
                                        account_id=account.id))
    seeded.judges.extend(made)
    return made


async def add_entries(platform: Platform, district: TinyDistrict, seeded: Seeded,
                      group: int, names: Sequence[str], *, guardian: str = "parent",
                      school: str = "school_a", submitted: bool = True) -> list[str]:
    """Entries of ``group`` (its number) for new students, each a child of ``guardian``."""
    codes = []
    async with platform.db.transaction() as session:
        klass = await session.get(Organisation, district.ids[
            "class_a1" if school == "school_a" else "class_b1"])
        school_org = await session.get(Organisation, district.ids[school])
        activity = await session.get(Activity, seeded.activity_id)
        group_row = await session.get(Group, seeded.groups[group])
        assert klass and school_org and activity and group_row
        for name in names:
            student = Person(kind=PersonKind.student, name=name,
                             external_no=f"R{len(seeded.entries):04d}")
            place_person(student, klass)
            session.add(student)
            await session.flush()
            session.add(Guardianship(guardian_id=district.ids[guardian], student_id=student.id,
                                     relation="F"))
            group_row.last_seq += 1
            code = f"{activity.code_prefix}-{group_row.number:02d}-{group_row.last_seq:05d}"
            entry = Entry(activity_id=activity.id, group_id=group_row.id, code=code,
                          seq=group_row.last_seq, slot=1,
                          status="submitted" if submitted else "registered",
                          student_id=student.id, student_name=name,
                          school_id=school_org.id, school_name=school_org.name,
                          class_id=klass.id, class_name=klass.name, stage="primary", grade=3,
                          org_path=klass.path, registered_by=None,
                          submitted_at=utcnow() if submitted else None)
            session.add(entry)
            await session.flush()
            seeded.entries[code] = entry.id
            seeded.students[code] = student.id
            codes.append(code)
    return codes


async def score(platform: Platform, seeded: Seeded, code: str,
                marks: Sequence[Sequence[int] | int | None], *, round: str = "initial",
                judges: Sequence[int] | None = None) -> None:
    """One assignment per mark, to the seeded judges in turn: a total (split over the
    rubric), the three criteria, or None for an assignment not yet scored."""
    judges = list(judges or seeded.judges)
    async with platform.db.transaction() as session:
        entry_id = seeded.entries[code]
        group_id = (await session.get(Entry, entry_id)).group_id  # type: ignore[union-attr]
        for judge, mark in zip(judges, marks, strict=False):
            if mark is None:
                criteria, total, status = None, None, "assigned"
            else:
                parts = [mark // 3, mark // 3, mark - 2 * (mark // 3)] if isinstance(mark, int) \
                    else list(mark)
                criteria = dict(zip(RUBRIC, parts, strict=True))
                total, status = sum(parts), "scored"
            session.add(Assignment(
                activity_id=seeded.activity_id, group_id=group_id, entry_id=entry_id,
                judge_account_id=judge, round=round, status=status, scores=criteria,
                total=total, scored_at=utcnow() if status == "scored" else None))


QUOTA = {"mode": "quota", "rounding": "floor", "cut_ties": "include",
         "levels": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1},
                    {"name": "三等奖", "count": 1}]}


async def set_rule(staff: Any, seeded: Seeded, **settings: Any) -> Any:
    body = {"award_rule": QUOTA, **settings}
    response = await staff.patch(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/settings", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def compute(staff: Any, seeded: Seeded, **body: Any) -> Any:
    return await staff.post(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/compute", json=body)


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for g in body["groups"] for row in g["results"]}


async def publish(staff: Any, seeded: Seeded, **body: Any) -> Any:
    return await staff.post(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/publish", json=body)


async def shift_window(platform: Platform, seeded: Seeded, delta: dt.timedelta) -> None:
    """Move the 公示's appeal deadline, as if the clock had run on."""
    async with platform.db.transaction() as session:
        pub = await session.scalar(select(Publication).where(
            Publication.activity_id == seeded.activity_id, Publication.kind == "publicised"))
        assert pub is not None and pub.appeal_until is not None
        pub.appeal_until = utcnow() + delta


async def score_round(platform: Platform, seeded: Seeded, code: str, round: str,
                      totals: Sequence[int]) -> list[int]:
    """Score the open assignments of ``round`` for an entry; the judges who had them."""
    async with platform.db.transaction() as session:
        rows = list(await session.scalars(select(Assignment).where(
            Assignment.entry_id == seeded.entries[code], Assignment.round == round,
            Assignment.status == "assigned").order_by(Assignment.id)))
        for row, total in zip(rows, totals, strict=True):
            parts = [total // 3, total // 3, total - 2 * (total // 3)]
            row.scores, row.total = dict(zip(RUBRIC, parts, strict=True)), total
            row.status, row.scored_at = "scored", utcnow()
        return [row.judge_account_id for row in rows]
