"""The judging desk's rarer forms: a judge drops out (after a confirm step), one entry moves."""

from __future__ import annotations

import pytest
from bangyaer.identity import Account, AuditEntry
from bangyaer_competitions.judging.models import Assignment, JudgeInvite
from bangyaer_competitions.models import Entry
from bangyaer_competitions.testing import add_judge, invite, judged_activity
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff, platform, district) -> int:
    # Six entries from school B, four judges, two each; jb teaches at school B.
    await add_judge(platform, "jb", school_id=district.ids["school_b"], name="乙校评委")
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                        judges=("j1", "j2", "j3", "j4"), entries=6, k=2)
    assert (await invite(staff, activity_id, 1, "jb")).status_code == 201
    return activity_id


def _form(client, **fields):
    return {"csrf_token": client.headers["X-CSRF-Token"], **fields}


async def _ids(platform) -> dict[str, int]:
    async with platform.db.session() as session:
        return {a.username: a.id for a in await session.scalars(select(Account))}


async def _open_of(platform, judge: int) -> list[Assignment]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Assignment).where(
            Assignment.judge_account_id == judge, Assignment.status == "assigned")))


async def _code(platform, entry_id: int) -> str:
    async with platform.db.session() as session:
        entry = await session.get(Entry, entry_id)
        assert entry is not None
        return entry.code


async def _invite_id(platform, judge: int) -> int:
    async with platform.db.session() as session:
        return int(await session.scalar(select(JudgeInvite.id).where(
            JudgeInvite.account_id == judge)))


async def _actions(platform, action: str) -> list[dict]:
    async with platform.db.session() as session:
        return [a.detail for a in await session.scalars(select(AuditEntry).where(
            AuditEntry.action == action))]


async def test_dropping_a_judge_asks_first_and_says_how_many_move(staff, platform, activity_id):
    ids = await _ids(platform)
    desk = f"/competitions/manage/{activity_id}/judging"
    invite_id = await _invite_id(platform, ids["j1"])
    unscored = len(await _open_of(platform, ids["j1"]))

    page = await staff.get(desk)
    confirm = await staff.get(f"{desk}/judges/{invite_id}/drop")

    assert f'href="{desk}/judges/{invite_id}/drop"' in page.text
    assert confirm.status_code == 200
    assert f"该评委在本组还有 {unscored} 件未评作品" in confirm.text
    assert await _open_of(platform, ids["j1"]) != []  # the confirm page changes nothing


async def test_a_confirmed_drop_reassigns_the_unscored_entries(staff, platform, activity_id):
    ids = await _ids(platform)
    desk = f"/competitions/manage/{activity_id}/judging"
    invite_id = await _invite_id(platform, ids["j1"])
    unscored = len(await _open_of(platform, ids["j1"]))

    response = await staff.post(f"{desk}/judges/{invite_id}/drop",
                                data=_form(staff, note="出差"))
    shown = await staff.get(response.headers["location"])

    assert response.status_code == 303
    assert f"评委已退出评审，{unscored} 件未评作品已改派给其他评委" in shown.text
    assert await _open_of(platform, ids["j1"]) == []
    [dropped] = await _actions(platform, "competitions.judge_dropped")
    assert dropped["note"] == "出差"


async def test_a_drop_with_no_one_left_to_take_them_is_refused_and_shown(
        staff, platform, district):
    # Two judges, two each: dropping one leaves no second judge for any entry.
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                        judges=("k1", "k2"), entries=2, k=2)
    ids = await _ids(platform)
    invite_id = await _invite_id(platform, ids["k1"])

    response = await staff.post(
        f"/competitions/manage/{activity_id}/judging/judges/{invite_id}/drop",
        data=_form(staff, note="生病"))

    assert response.status_code == 409
    assert "找不到足够的无利益冲突评委" in response.text
    assert 'role="alert"' in response.text and ">生病</textarea>" in response.text
    assert len(await _open_of(platform, ids["k1"])) == 2


async def test_staff_move_one_entry_to_another_judge(staff, platform, activity_id):
    ids = await _ids(platform)
    row = (await _open_of(platform, ids["j1"]))[0]
    holders = {a.judge_account_id for a in await _all_of(platform, row.entry_id)}
    target = next(ids[j] for j in ("j2", "j3", "j4") if ids[j] not in holders)
    code = await _code(platform, row.entry_id)

    response = await staff.post(f"/competitions/manage/{activity_id}/judging/move", data=_form(
        staff, code=code, from_judge=str(ids["j1"]), to_judge=str(target), note="回避"))

    assert response.status_code == 303
    assert "已改派这件作品" in (await staff.get(response.headers["location"])).text
    assert {a.judge_account_id for a in await _all_of(platform, row.entry_id)} == (
        holders - {ids["j1"]}) | {target}
    [changed] = await _actions(platform, "competitions.assignment_changed")
    assert (changed["from_judge"], changed["to_judge"]) == (ids["j1"], target)


async def test_a_move_to_a_judge_with_a_conflict_is_refused_logged_and_explained(
        staff, platform, activity_id):
    ids = await _ids(platform)
    row = (await _open_of(platform, ids["j1"]))[0]
    code = await _code(platform, row.entry_id)

    response = await staff.post(f"/competitions/manage/{activity_id}/judging/move", data=_form(
        staff, code=code, from_judge=str(ids["j1"]), to_judge=str(ids["jb"]), note="试试"))

    assert response.status_code == 409
    assert "不能改派：该评委在这名学生的学校任职" in response.text
    assert f'value="{code}"' in response.text  # what was typed stays
    tag = response.text.split('id="jx-to"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true" aria-describedby="jx-error"' in tag
    assert [r.id for r in await _open_of(platform, ids["j1"])].count(row.id) == 1
    [refused] = await _actions(platform, "competitions.assignment_change_refused")
    assert refused["reason"] == "own_school"


@pytest.mark.parametrize(("fields", "status", "message"), [
    pytest.param({"code": ""}, 422, "请填写参赛编号", id="no-code"),
    pytest.param({"code": "K9-99-99999"}, 404, "找不到该报名", id="unknown-code"),
    pytest.param({"to_judge": ""}, 422, "请选择评委", id="no-judge"),
    pytest.param({"note": " "}, 422, "请写明改派原因", id="no-note"),
    pytest.param({"from": "j2"}, 404, "该评委没有分到这件作品", id="not-theirs"),
])
async def test_a_bad_move_is_refused_with_why(staff, platform, activity_id, fields, status,
                                              message):
    ids = await _ids(platform)
    row = (await _open_of(platform, ids["j1"]))[0]
    holders = {a.judge_account_id for a in await _all_of(platform, row.entry_id)}
    spare = [ids[j] for j in ("j2", "j3", "j4") if ids[j] not in holders]
    base = {"code": await _code(platform, row.entry_id), "from_judge": str(ids["j1"]),
            "to_judge": str(spare[0]), "note": "回避"}
    if "from" in fields:
        base["from_judge"] = str(spare[-1])
    base.update({k: v for k, v in fields.items() if k != "from"})

    response = await staff.post(f"/competitions/manage/{activity_id}/judging/move",
                                data=_form(staff, **base))

    assert response.status_code == status
    assert message in response.text
    assert await _actions(platform, "competitions.assignment_changed") == []


async def test_the_forms_are_for_the_organiser_only(client_for, platform, activity_id):
    head = await client_for("head_a")
    ids = await _ids(platform)
    invite_id = await _invite_id(platform, ids["j1"])
    desk = f"/competitions/manage/{activity_id}/judging"

    assert (await head.get(f"{desk}/judges/{invite_id}/drop")).status_code == 403
    assert (await head.post(f"{desk}/judges/{invite_id}/drop",
                            data=_form(head))).status_code == 403
    assert (await head.post(f"{desk}/move", data=_form(
        head, code="x", from_judge="1", to_judge="2", note="n"))).status_code == 403
    assert len(await _open_of(platform, ids["j1"])) > 0


async def _all_of(platform, entry_id: int) -> list[Assignment]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Assignment).where(
            Assignment.entry_id == entry_id, Assignment.status == "assigned")))
