"""Roster sync of several schools: built once, idempotent, students moved and left."""

from __future__ import annotations

import pytest
from bangyaer.events import EventRecord
from bangyaer.identity import (
    Account,
    ExternalIdentity,
    Guardianship,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
)
from bangyaer_dingtalk._sync import SyncError, sync
from bangyaer_dingtalk.models import Member, SyncRun
from sqlalchemy import func, select

CORP_A, CORP_B, CORP_C = "dingcorpa0001", "dingcorpb0002", "dingcorpc0003"


async def student(platform, corp_id: str, userid: str) -> Person:
    async with platform.db.session() as s:
        return await s.scalar(select(Person).join(Member, Member.person_id == Person.id)
                              .where(Member.corp_id == corp_id, Member.userid == userid,
                                     Member.role == "student"))


async def org(platform, org_id: int) -> Organisation:
    async with platform.db.session() as s:
        return await s.get(Organisation, org_id)


async def events(platform, type_: str) -> list[EventRecord]:
    async with platform.db.session() as s:
        return list(await s.scalars(select(EventRecord).where(EventRecord.type == type_)))


def counts(reports) -> dict[str, tuple[int, int, int, int]]:
    return {r.school_code: (r.added, r.updated, r.deactivated, r.errors) for r in reports}


@pytest.fixture
async def platform(dt_platform):
    return await dt_platform()


async def test_first_sync_builds_every_school_class_and_person(platform, sandbox):
    reports = await sync(platform)
    # A: grade + 2 classes, 34 students, 33 guardians, 1 teacher, 34 guardianships.
    # B: grade + class, 1 + 1 + 1, 1 link. C: a new school, grade + class, 1 + 1, 1 link.
    assert counts(reports) == {"A": (105, 0, 0, 0), "B": (6, 0, 0, 0), "C": (6, 0, 0, 0)}
    assert all(r.status == "ok" for r in reports)
    async with platform.db.session() as s:
        school_c = await s.scalar(select(Organisation).where(
            Organisation.kind == OrgKind.school, Organisation.code == "C"))
        # No school name in config: the campus name stands in for it.
        assert (school_c.name, school_c.stage) == ("丙幼儿园本部", "kindergarten")
        classes = await s.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.kind == OrgKind.klass, Organisation.code.startswith("dt")))
        assert classes == 4


async def test_a_student_is_placed_in_the_class_with_grade_and_stage(platform, sandbox):
    await sync(platform)
    child = await student(platform, CORP_A, "sa3")
    klass = await org(platform, child.class_id)
    assert (child.name, child.external_no, klass.name, child.grade, child.stage) == (
        "王小刚", "S103", "三年级2班", 3, "primary")
    assert child.school_id == platform.ids["school_a"]


async def test_guardians_get_an_account_linked_to_their_dingtalk_userid(platform, sandbox):
    await sync(platform)
    async with platform.db.session() as s:
        guardian = await s.scalar(
            select(Person).join(Account, Account.person_id == Person.id)
            .join(ExternalIdentity, ExternalIdentity.account_id == Account.id)
            .where(ExternalIdentity.tenant == CORP_A, ExternalIdentity.subject == "ga1"))
        kids = list(await s.scalars(
            select(Guardianship.relation).where(Guardianship.guardian_id == guardian.id)))
        roles = set(await s.scalars(select(RoleGrant.role).join(
            Account, Account.id == RoleGrant.account_id).where(
            Account.person_id == guardian.id)))
    assert guardian.kind == PersonKind.guardian
    assert kids == ["F", "F"]  # father of 王小明 and of 王小刚, in two classes
    assert roles == {"guardian"}


async def test_teachers_are_staff_with_the_teacher_role_at_their_school(platform, sandbox):
    await sync(platform)
    async with platform.db.session() as s:
        grant = (await s.execute(
            select(Person.kind, RoleGrant.role, RoleGrant.org_id)
            .join(Account, Account.person_id == Person.id)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .join(ExternalIdentity, ExternalIdentity.account_id == Account.id)
            .where(ExternalIdentity.subject == "ta1"))).one()
    assert tuple(grant) == (PersonKind.staff, "teacher", platform.ids["school_a"])


async def test_a_second_sync_of_the_same_roster_changes_nothing(platform, sandbox):
    await sync(platform)
    again = await sync(platform)
    assert counts(again) == {"A": (0, 0, 0, 0), "B": (0, 0, 0, 0), "C": (0, 0, 0, 0)}
    async with platform.db.session() as s:
        runs = await s.scalar(select(func.count()).select_from(SyncRun))
    assert runs == 6


async def test_a_student_who_moved_class_is_moved_and_an_event_says_so(
        platform, sandbox, roster):
    await sync(platform)
    before = await student(platform, CORP_A, "sa2")
    roster["corps"][0]["users"] = [
        {**u, "class_id": 1112} if u["userid"] == "sa2" else u
        for u in roster["corps"][0]["users"]]
    roster["corps"][0]["relations"] = [
        {**r, "class_id": 1112} if r["to_userid"] == "sa2" else r
        for r in roster["corps"][0]["relations"]]
    for u in roster["corps"][0]["users"]:
        if u["userid"] == "ga2":
            u["class_id"] = 1112
    sandbox.load(roster)
    reports = await sync(platform, [CORP_A])
    after = await student(platform, CORP_A, "sa2")
    assert counts(reports) == {"A": (0, 1, 0, 0)}
    assert after.id == before.id and after.class_id != before.class_id
    assert (await org(platform, after.class_id)).name == "三年级2班"
    [moved] = await events(platform, "dingtalk.student_moved")
    assert moved.subject_id == after.id
    assert moved.payload == {"from_class_id": before.class_id, "to_class_id": after.class_id,
                             "school_id": after.school_id}


async def test_a_student_who_left_is_marked_inactive_and_kept(platform, sandbox, roster):
    await sync(platform)
    corp_b = roster["corps"][1]
    corp_b["users"] = [u for u in corp_b["users"] if u["userid"] != "sb1"]
    corp_b["relations"] = []
    sandbox.load(roster)
    reports = await sync(platform, [CORP_B])
    left = await student(platform, CORP_B, "sb1")
    assert counts(reports) == {"B": (0, 0, 1, 0)}  # guardianship kept with the record
    assert left is not None and left.active is False and left.name == "赵小华"
    [event] = await events(platform, "dingtalk.student_left")
    assert event.subject_id == left.id


async def test_a_student_who_changed_school_is_moved_there_with_an_event(
        platform, sandbox, roster):
    await sync(platform)
    child = await student(platform, CORP_A, "sa3")
    corp_a, corp_c = roster["corps"][0], roster["corps"][2]
    corp_a["users"] = [u for u in corp_a["users"] if u["userid"] != "sa3"]
    corp_a["relations"] = [r for r in corp_a["relations"] if r["to_userid"] != "sa3"]
    corp_a["users"] = [u for u in corp_a["users"]
                       if not (u["userid"] == "ga1" and u["class_id"] == 1112)]
    corp_c["users"].append({"userid": "c-new", "name": "王小刚", "role": "student",
                            "class_id": 3111, "student_no": "S103"})
    sandbox.load(roster)
    await sync(platform, [CORP_A, CORP_C])
    moved = await student(platform, CORP_C, "c-new")
    assert moved.id == child.id and moved.active is True
    [event] = await events(platform, "dingtalk.student_changed_school")
    assert event.payload == {"from_school_id": platform.ids["school_a"],
                             "to_school_id": moved.school_id}
    # School A synced first and saw the child gone; C then found them by student number.
    [left] = await events(platform, "dingtalk.student_left")
    assert left.subject_id == child.id and left.id < event.id


async def test_a_roster_that_could_not_be_read_in_full_deactivates_nobody(
        platform, sandbox, roster):
    await sync(platform)
    sandbox.fail_next("/topapi/edu/user/list", 90018, times=5)  # 1 try + 4 retries
    [report] = await sync(platform, [CORP_B])
    assert report.status == "partial" and report.errors == 1
    assert report.error_details == [
        "user/list class_id=2111 role=student: errcode 90018 "
        "当前企业调用该接口的频率超过上限，请稍后再试"]
    assert report.deactivated == 0
    assert (await student(platform, CORP_B, "sb1")).active is True


async def test_throttling_during_a_sync_is_waited_out(platform, sandbox):
    sandbox.fail_next("/topapi/edu/user/relation/list", 90002, times=2)
    sandbox.fail_next("/topapi/edu/user/list", 90018, times=2)
    reports = await sync(platform, [CORP_C])
    assert counts(reports) == {"C": (6, 0, 0, 0)}
    assert len(platform.sleeps) == 4


async def test_progress_is_reported_class_by_class(platform, sandbox):
    seen: list[tuple[str, int, int]] = []
    await sync(platform, [CORP_A], progress=lambda c, d, t: seen.append((c, d, t)))
    assert seen == [(CORP_A, 1, 2), (CORP_A, 2, 2)]


async def test_syncing_a_corp_that_is_not_configured_names_the_configured_ones(
        platform, sandbox):
    with pytest.raises(SyncError, match=r"corp dingnope is not configured in "
                                        r"\[plugins.dingtalk\] corps \(configured: "
                                        r"dingcorpa0001, dingcorpb0002, dingcorpc0003\)"):
        await sync(platform, ["dingnope"])


async def test_the_sync_job_syncs_and_queues_its_next_run(platform, sandbox):
    import datetime as dt

    from bangyaer.db import utcnow
    from bangyaer.jobs import Job
    from bangyaer.testing import drain
    from bangyaer_dingtalk._sync import SYNC_JOB, schedule

    assert await schedule(platform, hours=0) is not None
    assert await schedule(platform, hours=0) is None  # one job per slot
    await drain(platform)
    async with platform.db.session() as s:
        runs = await s.scalar(select(func.count()).select_from(SyncRun))
        jobs = list(await s.scalars(select(Job).where(Job.kind == SYNC_JOB)
                                    .order_by(Job.id)))
    assert runs == 3
    assert [j.status for j in jobs] == ["done", "queued"]
    assert jobs[1].run_at > utcnow() + dt.timedelta(hours=23)
