"""Judges: invited per group by username or made on the spot; conflicts read from identity."""

from __future__ import annotations

import pytest
from bangyaer.identity import Account, AuditEntry, RoleGrant
from bangyaer_competitions.judging.models import JudgeInvite
from bangyaer_competitions.judging.profiles import profiles
from bangyaer_competitions.testing import add_judge, create_activity, invite
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff) -> int:
    return await create_activity(staff)


def _judges(activity_id: int) -> str:
    return f"/api/v1/competitions/activities/{activity_id}/judges"


async def test_an_existing_judge_is_invited_by_username(staff, activity_id):
    response = await invite(staff, activity_id, 2, "judge")

    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["name"], body["group"], body["group_name"], body["status"]) \
        == ("judge", "评委甲", 2, "小学高段", "active")
    assert (body["assigned"], body["scored"]) == (0, 0)


async def test_inviting_twice_keeps_one_invitation(staff, activity_id):
    first = await invite(staff, activity_id, 1, "judge")
    again = await invite(staff, activity_id, 1, "judge")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


async def test_an_account_without_the_judge_role_gets_it_when_invited(
        staff, activity_id, platform, district):
    await invite(staff, activity_id, 1, "teacher_a")

    async with platform.db.session() as session:
        account = (await session.scalars(select(Account).where(
            Account.username == "teacher_a"))).one()
        roles = set(await session.scalars(select(RoleGrant.role).where(
            RoleGrant.account_id == account.id)))
    assert roles == {"teacher", "judge"}


async def test_a_new_judge_account_is_made_in_the_same_request(staff, activity_id, client_for,
                                                               platform):
    response = await staff.post(_judges(activity_id), json={
        "group": 1, "username": "zhang.judge", "name": "张评委", "password": "Judge-2026"})

    assert response.status_code == 201, response.text
    assert response.json()["name"] == "张评委"
    client = await client_for(None)
    login = await client.post("/api/v1/auth/login",
                              json={"username": "zhang.judge", "password": "Judge-2026"})
    assert login.status_code == 200
    async with platform.db.session() as session:
        audits = [a.detail for a in await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competitions.judge_invited"))]
    assert audits[0]["new_account"] is True


@pytest.mark.parametrize(("body", "status", "code", "message"), [
    pytest.param({"group": 1, "username": "judge", "name": "评委", "password": "Judge-2026"},
                 409, "username_taken", "用户名 judge 已被使用", id="taken"),
    pytest.param({"group": 1, "username": "new.one", "name": "评委", "password": "short1"},
                 422, "weak_password", "密码至少需要 8 位 (at least 8 characters)", id="weak"),
    pytest.param({"group": 1, "username": "a b", "name": "评委", "password": "Judge-2026"},
                 422, "invalid_field", "用户名应为 3–64 位字母、数字、下划线、点或横线",
                 id="username"),
    pytest.param({"group": 1, "username": "new.one", "name": " ", "password": "Judge-2026"},
                 422, "invalid_field", "请填写评委姓名（最多 100 字）", id="no-name"),
    pytest.param({"group": 9, "username": "judge"}, 422, "unknown_group", "该活动没有这个组别",
                 id="group"),
    pytest.param({"group": 1, "username": "nobody"}, 404, "account_not_found",
                 "找不到用户名为 nobody 的账号", id="unknown"),
])
async def test_a_bad_invitation_is_refused_and_adds_nothing(staff, activity_id, platform, body,
                                                            status, code, message):
    response = await staff.post(_judges(activity_id), json=body)

    assert response.status_code == status
    assert (response.json()["error"]["code"], response.json()["error"]["message"]) == (
        code, message)
    async with platform.db.session() as session:
        assert (await session.scalars(select(JudgeInvite))).all() == []
        assert (await session.scalars(select(Account).where(
            Account.username == "new.one"))).all() == []


async def test_only_the_organiser_invites_judges(client_for, activity_id):
    head = await client_for("head_a")

    response = await invite(head, activity_id, 1, "judge")

    assert response.status_code == 403


async def test_a_judge_sees_no_judges_list(client_for, activity_id):
    judge = await client_for("judge")

    response = await judge.get(_judges(activity_id))

    assert response.status_code == 403


async def test_conflicts_come_from_grants_placement_teaching_and_guardianship(platform,
                                                                             district):
    async with platform.db.transaction() as session:
        accounts = {a.username: a.id for a in await session.scalars(select(Account))}
        # teacher_a also teaches class A1: a teacher grant scoped to the class.
        session.add(RoleGrant(account_id=accounts["teacher_a"], role="teacher",
                              org_id=district.ids["class_a1"]))
    placed = await add_judge(platform, "placed_b", school_id=district.ids["school_b"])

    async with platform.db.session() as session:
        found = await profiles(session, [accounts["teacher_a"], accounts["head_a"],
                                         accounts["parent"], accounts["judge"], placed])

    assert found[accounts["teacher_a"]].school_ids == {district.ids["school_a"]}
    assert found[accounts["teacher_a"]].class_ids == {district.ids["class_a1"]}
    assert found[accounts["head_a"]].school_ids == {district.ids["school_a"]}
    assert found[accounts["head_a"]].class_ids == frozenset()
    assert found[accounts["parent"]].student_ids == {district.ids["child_1"],
                                                     district.ids["child_2"]}
    # The parent (placed at school A as a guardian) works at no school.
    assert found[accounts["parent"]].school_ids == frozenset()
    assert found[accounts["judge"]] == type(found[placed])(accounts["judge"], frozenset(),
                                                           frozenset(), frozenset())
    assert found[placed].school_ids == {district.ids["school_b"]}
