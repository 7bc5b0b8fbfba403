"""Demo support: DingTalk identities for the demo district, and its sandbox directory.

``demo_data`` gives each demo school a sandbox corp and links the school's
grades, classes, students, guardians and staff to it exactly as a roster
sync would have, so a sync against the sandbox changes nothing and a demo
guardian signs in through the workbench without a password. With
``sandbox = true`` and no fixture, the mounted sandbox's directory is read
back from those links.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TYPE_CHECKING, Any

from bangyaer.identity import (
    Account,
    ExternalIdentity,
    Guardianship,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    create_account,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._apply import PROVIDER
from ._config import DingTalkConfig
from .models import DeptLink, Member
from .sandbox import DEMO_FIXTURE, Sandbox, load_fixture_file

if TYPE_CHECKING:
    from bangyaer.platform import Platform

log = logging.getLogger("bangyaer.dingtalk")
PERIODS = {"kindergarten": "kindergarten", "primary": "primary_school",
           "middle": "middle_school"}
CAMPUS_BASE, PERIOD_BASE = 9_000_000_000, 9_100_000_000


def demo_corp_id(school: Organisation) -> str:
    return "dingdemo" + re.sub(r"[^a-z0-9]", "", school.code.lower())[:20] + str(school.id)


async def _identity(session: AsyncSession, person: Person, corp_id: str, userid: str) -> None:
    account = await session.scalar(select(Account).where(Account.person_id == person.id)
                                   .order_by(Account.id).limit(1))
    if account is None:
        roles = [("guardian", await _district(session))] if person.kind == "guardian" else []
        account = await create_account(session, person, roles=roles)
    session.add(ExternalIdentity(account_id=account.id, provider=PROVIDER, tenant=corp_id,
                                 subject=userid))


async def _district(session: AsyncSession) -> Organisation:
    from bangyaer.identity import district_of

    district = await district_of(session)
    assert district is not None
    return district


async def demo_data(session: AsyncSession, district: Organisation) -> None:
    schools = list(await session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.school, Organisation.parent_id == district.id)))
    for school in schools:
        corp_id = demo_corp_id(school)
        done = await session.scalar(select(Member.id).where(Member.corp_id == corp_id).limit(1))
        if done is not None:
            continue  # demo_data ran before for this school
        orgs = list(await session.scalars(select(Organisation).where(
            Organisation.path.startswith(school.path),
            Organisation.kind.in_([OrgKind.grade, OrgKind.klass]))))
        for org in orgs:
            session.add(DeptLink(corp_id=corp_id, dept_id=org.id, dept_type=str(org.kind),
                                 org_id=org.id))
        students = list(await session.scalars(select(Person).where(
            Person.kind == PersonKind.student, Person.school_id == school.id,
            Person.class_id.is_not(None))))
        for student in students:
            session.add(Member(corp_id=corp_id, userid=f"s{student.id}", role="student",
                               person_id=student.id, class_dept_id=student.class_id))
        guardians = list(await session.scalars(
            select(Person).join(Guardianship, Guardianship.guardian_id == Person.id)
            .where(Guardianship.student_id.in_([s.id for s in students]))
            .distinct())) if students else []
        staff = list(await session.scalars(select(Person).where(
            Person.kind == PersonKind.staff, Person.school_id == school.id)))
        for person, role in [*((g, "guardian") for g in guardians),
                             *((t, "teacher") for t in staff)]:
            userid = f"{role[0]}{person.id}"
            await _identity(session, person, corp_id, userid)
            session.add(Member(corp_id=corp_id, userid=userid, role=role,
                               person_id=person.id))
        log.info("demo: school %s linked to sandbox corp %s", school.code, corp_id)


def _secret(platform: Platform, corp_id: str, what: str) -> str:
    # Stable across the web process and the worker, and unguessable from outside.
    raw = f"{platform.settings.secret_key}:{corp_id}:{what}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


async def _roster_fixture(platform: Platform) -> dict[str, Any]:
    corps: dict[str, dict[str, Any]] = {}
    async with platform.db.session() as session:
        members = list(await session.scalars(select(Member).where(Member.active.is_(True))
                                             .order_by(Member.id)))
        people = {p.id: p for p in await session.scalars(select(Person).where(
            Person.id.in_({m.person_id for m in members})))} if members else {}
        for member in members:
            corp = corps.get(member.corp_id)
            if corp is None:
                corp = await _corp_tree(session, platform, member.corp_id)
                if corp is None:
                    continue
                corps[member.corp_id] = corp
            _add_member(corp, member, people[member.person_id])
        await _relations(session, corps)
    return {"corps": list(corps.values())}


async def _corp_tree(session: AsyncSession, platform: Platform, corp_id: str
                     ) -> dict[str, Any] | None:
    links = list(await session.scalars(select(DeptLink).where(DeptLink.corp_id == corp_id)))
    orgs = {o.id: o for o in await session.scalars(select(Organisation).where(
        Organisation.id.in_([link.org_id for link in links])))} if links else {}
    classes = [o for o in orgs.values() if o.kind == OrgKind.klass]
    if not classes:
        return None
    school = await session.get(Organisation, int(classes[0].path.strip("/").split("/")[1]))
    assert school is not None
    campus = CAMPUS_BASE + school.id
    depts: list[dict[str, Any]] = [{"dept_id": campus, "name": f"{school.name}本部",
                                    "dept_type": "campus"}]
    for stage in sorted({o.stage for o in orgs.values() if o.stage in PERIODS}):
        depts.append({"dept_id": PERIOD_BASE + school.id * 10 + list(PERIODS).index(stage),
                      "super_id": campus, "name": {"kindergarten": "幼儿园", "primary": "小学",
                                                   "middle": "初中"}[stage],
                      "dept_type": "period", "period_type": PERIODS[stage]})
    for org in sorted(orgs.values(), key=lambda o: (o.kind != OrgKind.grade, o.id)):
        if org.stage not in PERIODS:
            continue
        if org.kind == OrgKind.grade:
            depts.append({"dept_id": org.id, "name": org.name, "dept_type": "grade",
                          "super_id": PERIOD_BASE + school.id * 10
                          + list(PERIODS).index(org.stage), "grade_level": org.grade or 0})
        elif org.parent_id in orgs:
            depts.append({"dept_id": org.id, "name": org.name, "dept_type": "class",
                          "super_id": org.parent_id})
    return {"corp_id": corp_id, "name": school.name, "school_code": school.code,
            "app_key": f"{corp_id}key", "app_secret": _secret(platform, corp_id, "secret"),
            "agent_id": 100000 + school.id, "depts": depts, "users": [], "relations": []}


def _add_member(corp: dict[str, Any], member: Member, person: Person) -> None:
    class_ids = [d["dept_id"] for d in corp["depts"] if d["dept_type"] == "class"]
    class_id = member.class_dept_id if member.class_dept_id in class_ids else class_ids[0]
    user = {"userid": member.userid, "name": person.name, "role": member.role,
            "class_id": class_id, "person_id": person.id}
    if member.role == "student":
        user["student_no"] = person.external_no or ""
    corp["users"].append(user)


async def _relations(session: AsyncSession, corps: dict[str, dict[str, Any]]) -> None:
    for corp in corps.values():
        by_person: dict[tuple[int, str], dict[str, Any]] = {
            (u["person_id"], u["role"]): u for u in corp["users"]}
        students = [u for u in corp["users"] if u["role"] == "student"]
        links = await session.scalars(select(Guardianship).where(
            Guardianship.student_id.in_([u["person_id"] for u in students])))
        placed = {(u["userid"], u["class_id"]) for u in corp["users"]}
        for link in links:
            student = by_person[(link.student_id, "student")]
            guardian = by_person.get((link.guardian_id, "guardian"))
            if guardian is None:
                continue
            if (guardian["userid"], student["class_id"]) not in placed:
                # A guardian appears in each child's class, as in DingTalk.
                placed.add((guardian["userid"], student["class_id"]))
                corp["users"].append({**guardian, "class_id": student["class_id"]})
            corp["relations"].append({"from_userid": guardian["userid"],
                                      "to_userid": student["userid"],
                                      "relation_code": link.relation or "O",
                                      "class_id": student["class_id"]})


async def sandbox_for(platform: Platform, config: DingTalkConfig) -> Sandbox:
    """The sandbox mounted in this platform: from the fixture file, or from the roster."""
    if config.sandbox_fixture:
        return Sandbox(load_fixture_file(config.sandbox_fixture))
    fixture = await _roster_fixture(platform)
    if not fixture["corps"]:
        log.info("no demo DingTalk links in the roster; the sandbox uses its packaged fixture")
        fixture = load_fixture_file(DEMO_FIXTURE)
    return Sandbox(fixture)
