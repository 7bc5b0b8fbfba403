"""Writing a roster snapshot into the core's schools, classes, people and guardianships.

Runs inside one transaction per corp. Idempotent: applying the same snapshot
twice changes nothing the second time. Nothing is ever deleted except a
guardianship DingTalk no longer lists; people who left are marked inactive
and their records kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bangyaer.events import emit
from bangyaer.identity import (
    Account,
    ExternalIdentity,
    Guardianship,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
    add_organisation,
    create_account,
    place_person,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._config import PLUGIN_ID, CorpConfig
from ._snapshot import Snapshot
from .models import DeptLink, Member

log = logging.getLogger("bangyaer.dingtalk")
PROVIDER = "dingtalk"


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    notes: list[str] = field(default_factory=list)


class Applier:
    def __init__(self, session: AsyncSession, corp: CorpConfig, snapshot: Snapshot,
                 district: Organisation) -> None:
        self.s = session
        self.corp = corp
        self.snap = snapshot
        self.district = district
        self.counts = Counts()
        self.orgs: dict[int, Organisation] = {}
        self.members: dict[tuple[str, str], Member] = {}
        self.people: dict[tuple[str, str], Person] = {}  # (userid, role) seen this run

    async def run(self) -> Counts:
        school = await self._school()
        await self._departments(school)
        for member in await self.s.scalars(select(Member).where(
                Member.corp_id == self.corp.corp_id)):
            self.members[(member.userid, member.role)] = member
        await self._students(school)
        await self._adults(school)
        await self._relations()
        if self.snap.complete:
            await self._departures()
        return self.counts

    # -- organisations -------------------------------------------------------

    async def _school(self) -> Organisation:
        school = await self.s.scalar(select(Organisation).where(
            Organisation.kind == OrgKind.school, Organisation.parent_id == self.district.id,
            Organisation.code == self.corp.school_code))
        if school is None:
            name = self.corp.school_name or self.snap.campus_name or self.corp.school_code
            school = await add_organisation(self.s, kind=OrgKind.school, parent=self.district,
                                            code=self.corp.school_code, name=name,
                                            stage=self.snap.stage)
            self.counts.added += 1
        return school

    async def _org(self, links: dict[int, DeptLink], dept_id: int, kind: OrgKind, name: str,
                   parent: Organisation, stage: str, grade: int | None) -> Organisation:
        link = links.get(dept_id)
        org = await self.s.get(Organisation, link.org_id) if link else None
        if link is None or org is None:
            org = await add_organisation(self.s, kind=kind, code=f"dt{dept_id}", name=name,
                                         parent=parent, stage=stage, grade=grade)
            self.s.add(DeptLink(corp_id=self.corp.corp_id, dept_id=dept_id,
                                dept_type=str(kind), org_id=org.id))
            self.counts.added += 1
            return org
        wanted = {"name": name, "stage": stage, "grade": grade, "active": True}
        changed = {k: v for k, v in wanted.items() if getattr(org, k) != v}
        if changed or not link.active:
            for key, value in changed.items():
                setattr(org, key, value)
            link.active = True
            self.counts.updated += 1
        # Not yet: a class DingTalk moves under another grade keeps its old parent;
        # grades are re-created each school year, so classes do not move in practice.
        return org

    async def _departments(self, school: Organisation) -> None:
        links = {link.dept_id: link for link in await self.s.scalars(
            select(DeptLink).where(DeptLink.corp_id == self.corp.corp_id))}
        for grade in self.snap.grades.values():
            self.orgs[grade.dept_id] = await self._org(
                links, grade.dept_id, OrgKind.grade, grade.name, school, grade.stage,
                grade.level)
        for roster in self.snap.classes.values():
            grade = self.snap.grades[roster.grade_dept_id]
            self.orgs[roster.dept_id] = await self._org(
                links, roster.dept_id, OrgKind.klass, roster.name,
                self.orgs[roster.grade_dept_id], grade.stage, grade.level)
        if not self.snap.complete:
            return
        for dept_id, link in links.items():
            if link.active and dept_id not in self.orgs:
                link.active = False
                org = await self.s.get(Organisation, link.org_id)
                if org is not None:
                    org.active = False
                self.counts.deactivated += 1

    # -- students ------------------------------------------------------------

    def _member(self, userid: str, role: str, person: Person, class_dept_id: int | None
                ) -> Member:
        member = Member(corp_id=self.corp.corp_id, userid=userid, role=role,
                        person_id=person.id, class_dept_id=class_dept_id, active=True)
        self.s.add(member)
        self.members[(userid, role)] = member
        return member

    async def _adopt(self, student_no: str) -> Person | None:
        """The same child already known by student number: came from another school."""
        if not student_no:
            return None
        return await self.s.scalar(select(Person).where(
            Person.kind == PersonKind.student, Person.external_no == student_no))

    async def _leave_other_corps(self, person: Person) -> None:
        for other in await self.s.scalars(select(Member).where(
                Member.person_id == person.id, Member.corp_id != self.corp.corp_id,
                Member.active.is_(True))):
            other.active = False

    async def _new_student(self, data: dict[str, Any], klass: Organisation) -> Person:
        student_no = str(data.get("student_no") or "")
        person = await self._adopt(student_no)
        if person is None:
            person = Person(kind=PersonKind.student, name=data["name"],
                            external_no=student_no or None)
            place_person(person, klass)
            self.s.add(person)
            await self.s.flush()
            self.counts.added += 1
            return person
        old_school = person.school_id
        await self._leave_other_corps(person)
        place_person(person, klass)
        person.active = True
        person.name = data["name"]
        await self.s.flush()
        if old_school != person.school_id:
            await emit(self.s, f"{PLUGIN_ID}.student_changed_school", subject_id=person.id,
                       from_school_id=old_school, to_school_id=person.school_id)
        self.counts.updated += 1
        return person

    async def _students(self, school: Organisation) -> None:
        for roster in self.snap.classes.values():
            klass = self.orgs[roster.dept_id]
            for data in roster.students:
                userid = str(data["userid"])
                if (userid, "student") in self.people:
                    continue  # listed in two classes: the first one counts
                member = self.members.get((userid, "student"))
                person = await self.s.get(Person, member.person_id) if member else None
                if member is None or person is None:
                    person = await self._new_student(data, klass)
                    self._member(userid, "student", person, roster.dept_id)
                else:
                    await self._update_student(member, person, data, klass, roster.dept_id)
                self.people[(userid, "student")] = person

    async def _update_student(self, member: Member, person: Person, data: dict[str, Any],
                              klass: Organisation, class_dept_id: int) -> None:
        changed = not (person.active and member.active) or person.name != data["name"]
        person.active, member.active, person.name = True, True, data["name"]
        if person.class_id != klass.id:
            from_class = person.class_id
            place_person(person, klass)
            await emit(self.s, f"{PLUGIN_ID}.student_moved", subject_id=person.id,
                       from_class_id=from_class, to_class_id=klass.id,
                       school_id=person.school_id)
            changed = True
        member.class_dept_id = class_dept_id
        if changed:
            self.counts.updated += 1

    # -- guardians and teachers -------------------------------------------------

    async def _adults(self, school: Organisation) -> None:
        roles = (("guardian", PersonKind.guardian, "guardian", self.district),
                 ("teacher", PersonKind.staff, "teacher", school))
        for role, kind, grant_role, grant_org in roles:
            seen: dict[str, dict[str, Any]] = {}
            for roster in self.snap.classes.values():
                for data in roster.guardians if role == "guardian" else roster.teachers:
                    seen.setdefault(str(data["userid"]), data)
            for userid, data in seen.items():
                person = await self._adult(userid, role, kind, data, school)
                await self._ensure_grant(person, grant_role, grant_org)
                self.people[(userid, role)] = person

    async def _adult(self, userid: str, role: str, kind: PersonKind, data: dict[str, Any],
                     school: Organisation) -> Person:
        member = self.members.get((userid, role))
        person = await self.s.get(Person, member.person_id) if member else None
        if member is not None and person is not None:
            if not (member.active and person.active):
                member.active = person.active = True
                self.counts.updated += 1
            return person
        identity = await self.s.scalar(select(ExternalIdentity).where(
            ExternalIdentity.provider == PROVIDER, ExternalIdentity.tenant == self.corp.corp_id,
            ExternalIdentity.subject == userid))
        account = await self.s.get(Account, identity.account_id) if identity else None
        person = await self.s.get(Person, account.person_id) if account else None
        if person is None:
            person = Person(kind=kind, name=data["name"])
            place_person(person, school)
            self.s.add(person)
            await self.s.flush()
            account = await create_account(self.s, person)
            self.s.add(ExternalIdentity(account_id=account.id, provider=PROVIDER,
                                        tenant=self.corp.corp_id, subject=userid))
            self.counts.added += 1
        self._member(userid, role, person, None)
        return person

    async def _ensure_grant(self, person: Person, role: str, org: Organisation) -> None:
        for account in await self.s.scalars(select(Account).where(
                Account.person_id == person.id)):
            if account.active is False and person.active:
                account.active = True
            held = await self.s.scalar(select(RoleGrant.id).where(
                RoleGrant.account_id == account.id, RoleGrant.role == role,
                RoleGrant.org_id == org.id))
            if held is None:
                self.s.add(RoleGrant(account_id=account.id, role=role, org_id=org.id))

    # -- guardianships -----------------------------------------------------------

    async def _relations(self) -> None:
        wanted: dict[tuple[int, int], str] = {}
        for roster in self.snap.classes.values():
            for rel in roster.relations:
                student = self.people.get((str(rel["to_userid"]), "student"))
                guardian = self.people.get((str(rel["from_userid"]), "guardian"))
                if student is None or guardian is None:
                    self.counts.notes.append(f"relation of class {roster.dept_id} names a "
                                             "person missing from the class lists")
                    continue
                wanted[(guardian.id, student.id)] = str(rel.get("relation_code") or "O")
        students = {p.id for (_, role), p in self.people.items() if role == "student"}
        managed = {m.person_id for (_, role), m in self.members.items() if role == "guardian"}
        existing = list(await self.s.scalars(select(Guardianship).where(
            Guardianship.student_id.in_(students)))) if students else []
        have = {(g.guardian_id, g.student_id): g for g in existing}
        for pair, code in wanted.items():
            link = have.get(pair)
            if link is None:
                self.s.add(Guardianship(guardian_id=pair[0], student_id=pair[1],
                                        relation=code))
                self.counts.added += 1
            elif link.relation != code:
                link.relation = code
                self.counts.updated += 1
        if not self.snap.complete:
            return
        for pair, link in have.items():
            # Only links this corp's roster owns: a guardian entered by hand stays.
            if pair not in wanted and pair[0] in managed:
                await self.s.delete(link)
                self.counts.updated += 1

    # -- departures --------------------------------------------------------------

    async def _departures(self) -> None:
        for (userid, role), member in self.members.items():
            if not member.active or (userid, role) in self.people:
                continue
            member.active = False
            elsewhere = await self.s.scalar(select(Member.id).where(
                Member.person_id == member.person_id, Member.active.is_(True),
                Member.id != member.id).limit(1))
            person = await self.s.get(Person, member.person_id)
            if elsewhere is None and person is not None and person.active:
                person.active = False
                if role == "student":
                    await emit(self.s, f"{PLUGIN_ID}.student_left", subject_id=person.id,
                               school_id=person.school_id)
                else:
                    await self._close_accounts(person)
            self.counts.deactivated += 1

    async def _close_accounts(self, person: Person) -> None:
        for account in await self.s.scalars(select(Account).where(
                Account.person_id == person.id)):
            # A password account (a teacher who is also a judge, say) stays usable.
            if account.password_hash is None:
                account.active = False
