"""What a judge must not judge, from the identity tables; what assignment knows of entries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from bangyaer.identity import (
    Account,
    Guardianship,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Entry
from ..scoring.assign import EntrySlot, JudgeProfile


def school_of(path: str) -> int | None:
    """The school in an organisation path ``/district/school/…``, if the path reaches one."""
    parts = [p for p in path.split("/") if p]
    return int(parts[1]) if len(parts) > 1 else None


async def profiles(session: AsyncSession, account_ids: Collection[int]) -> dict[int, JudgeProfile]:
    """Each judge's conflicts: schools where they hold any role or are placed as staff,
    classes they teach, children they are guardian of."""
    if not account_ids:
        return {}
    schools: dict[int, set[int]] = defaultdict(set)
    classes: dict[int, set[int]] = defaultdict(set)
    children: dict[int, set[int]] = defaultdict(set)
    grants = await session.execute(
        select(RoleGrant.account_id, RoleGrant.role, Organisation.kind, Organisation.id,
               Organisation.path)
        .join(Organisation, Organisation.id == RoleGrant.org_id)
        .where(RoleGrant.account_id.in_(account_ids)))
    for account_id, role, org_kind, org_id, path in grants:
        school = school_of(path)
        if school is not None:
            schools[account_id].add(school)
        if role == "teacher" and org_kind == OrgKind.klass:
            classes[account_id].add(org_id)
    people = await session.execute(
        select(Account.id, Person.id, Person.kind, Person.school_id)
        .join(Person, Person.id == Account.person_id).where(Account.id.in_(account_ids)))
    person_of: dict[int, int] = {}
    for account_id, person_id, kind, school_id in people:
        person_of[person_id] = account_id
        if kind == PersonKind.staff and school_id is not None:
            schools[account_id].add(school_id)
    wards = await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id)
        .where(Guardianship.guardian_id.in_(person_of)))
    for guardian_id, student_id in wards:
        children[person_of[guardian_id]].add(student_id)
    return {a: JudgeProfile(a, frozenset(schools[a]), frozenset(classes[a]),
                            frozenset(children[a])) for a in account_ids}


def slot(entry: Entry) -> EntrySlot:
    return EntrySlot(entry.id, entry.group_id, entry.school_id, entry.class_id, entry.student_id)


def slots(entries: Iterable[Entry]) -> list[EntrySlot]:
    return [slot(e) for e in entries]
