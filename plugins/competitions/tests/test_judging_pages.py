"""Judging pages: the home tile for judges, staff's judging desk and its forms."""

from __future__ import annotations

import pytest
from bangyaer_competitions.judging.models import Assignment, JudgeInvite
from bangyaer_competitions.testing import (
    add_entries,
    add_judge,
    close_submissions,
    create_activity,
)
from sqlalchemy import func, select


@pytest.fixture
async def activity_id(staff, platform, district) -> int:
    activity_id = await create_activity(staff)
    await add_entries(platform, activity_id, 1, 3, school_id=district.ids["school_b"])
    return activity_id


def _form(client, **fields):
    return {"csrf_token": client.headers["X-CSRF-Token"], **fields}


async def test_judges_get_a_judging_tile_and_guardians_do_not(client_for):
    judge = await client_for("judge")
    parent = await client_for("parent")

    assert "评审任务" in (await judge.get("/")).text
    assert "评审任务" not in (await parent.get("/")).text


async def test_a_judge_with_nothing_assigned_is_told_so(client_for):
    judge = await client_for("judge")

    page = await judge.get("/competitions/judging/")

    assert page.status_code == 200
    assert "暂时没有分给您的作品" in page.text


async def test_staff_invite_judges_and_draw_from_the_desk(staff, platform, activity_id):
    desk = f"/competitions/manage/{activity_id}/judging"
    for n in range(1, 4):
        await add_judge(platform, f"j{n}")
        moved = await staff.post(f"{desk}/judges", data=_form(staff, group="1",
                                                             username=f"j{n}"))
        assert moved.status_code == 303
    made = await staff.post(f"{desk}/judges", data=_form(
        staff, group="1", username="new.judge", name="新评委", password="Judge-2026"))
    assert made.status_code == 303
    await close_submissions(staff, platform, activity_id)

    page = await staff.get(desk)
    assert "分配评委并开始评审" in page.text and "3 / 3 个文件" in page.text
    drawn = await staff.post(f"{desk}/draw", data=_form(staff))

    assert drawn.status_code == 303
    async with platform.db.session() as session:
        invites = await session.scalar(select(func.count(JudgeInvite.id)))
        assignments = await session.scalar(select(func.count(Assignment.id)))
    assert (invites, assignments) == (4, 9)
    after = await staff.get(desk)
    assert "新评委（new.judge）" in after.text and "0 / 9" in after.text


async def test_a_refused_desk_action_shows_why(staff, platform, activity_id):
    desk = f"/competitions/manage/{activity_id}/judging"

    response = await staff.post(f"{desk}/judges", data=_form(staff, group="1",
                                                            username="nobody"))

    assert response.status_code == 404
    assert "找不到用户名为 nobody 的账号" in response.text
    assert 'role="alert"' in response.text


async def test_the_desk_is_for_the_organiser_only(client_for, activity_id):
    head = await client_for("head_a")

    assert (await head.get(f"/competitions/manage/{activity_id}/judging")).status_code == 403
