"""The draw: refused until the works are frozen and every group has judges; then k judges
per entry, no conflicts, loads within one, replayable from the recorded seed."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from bangyaer.identity import AuditEntry
from bangyaer_competitions.judging.models import Assignment, JudgingSetup
from bangyaer_competitions.models import Activity, Entry
from bangyaer_competitions.testing import (
    add_entries,
    add_judge,
    close_submissions,
    create_activity,
    invite,
)
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff) -> int:
    return await create_activity(staff)


@pytest.fixture
async def scene(platform, district, staff, activity_id):
    """Group 1: 4 entries from school A, 4 from school B; five judges, one working at A."""
    a, b = district.ids["school_a"], district.ids["school_b"]
    await add_entries(platform, activity_id, 1, 4, school_id=a, class_id=district.ids["class_a1"])
    await add_entries(platform, activity_id, 1, 4, school_id=b)
    for n in range(1, 5):
        await add_judge(platform, f"j{n}")
    scene_ids["ja"] = await add_judge(platform, "ja", school_id=a)
    return activity_id


scene_ids: dict[str, int] = {}


async def _invite_all(staff, activity_id, names=("j1", "j2", "j3", "j4", "ja")):
    for name in names:
        response = await invite(staff, activity_id, 1, name)
        assert response.status_code == 201, response.text


async def _draw(staff, activity_id, **body):
    return await staff.post(f"/api/v1/competitions/activities/{activity_id}/draw", json=body)


async def test_the_draw_is_refused_before_the_works_are_frozen(staff, scene):
    await _invite_all(staff, scene)

    response = await _draw(staff, scene)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "not_frozen",
                                        "message": "作品尚未截止并完成匿名化处理，不能分配评委"}


async def test_the_draw_names_a_group_without_enough_judges(staff, platform, scene):
    await _invite_all(staff, scene, names=("j1", "j2"))
    await close_submissions(staff, platform, scene)

    response = await _draw(staff, scene)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "“小学低段”只有 2 位评委，每件作品需要 3 位，请先邀请评委")


async def test_the_draw_names_a_group_where_conflicts_leave_too_few(staff, platform, scene):
    # Three judges, but one works at school A: A's entries have only two eligible judges.
    await _invite_all(staff, scene, names=("j1", "j2", "ja"))
    await close_submissions(staff, platform, scene)

    response = await _draw(staff, scene)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "“小学低段”有 4 件作品找不到足够的无利益冲突评委，请为该组别再邀请评委")
    async with platform.db.session() as session:
        assert (await session.scalars(select(Assignment))).all() == []


async def test_the_draw_gives_k_judges_without_conflicts_and_even_loads(
        staff, platform, district, scene):
    await _invite_all(staff, scene)
    await close_submissions(staff, platform, scene)

    response = await _draw(staff, scene)

    assert response.status_code == 201, response.text
    assert response.json()["assignments"] == 24
    async with platform.db.session() as session:
        rows = list(await session.scalars(select(Assignment)))
        entries = {e.id: e for e in await session.scalars(select(Entry))}
        activity = await session.get(Activity, scene)
        setup = await session.get(JudgingSetup, scene)
        audits = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competitions.assignment_drawn")))
    per_entry = {e: {r.judge_account_id for r in rows if r.entry_id == e} for e in entries}
    assert {len(judges) for judges in per_entry.values()} == {3}
    ja = scene_ids["ja"]
    school_a = district.ids["school_a"]
    assert not [e for e, js in per_entry.items() if ja in js and entries[e].school_id == school_a]
    assert [e for e, js in per_entry.items() if ja in js]  # ja judges school B's entries
    loads = Counter(r.judge_account_id for r in rows)
    assert len(loads) == 5
    assert max(loads.values()) - min(loads.values()) <= 1
    assert {r.round for r in rows} == {"initial"}
    assert activity.status == "judging"
    assert setup.seed == response.json()["seed"]
    assert audits[0].detail["seed"] == setup.seed


async def test_two_draws_at_once_make_one(staff, platform, scene, client_for):
    await _invite_all(staff, scene)
    await close_submissions(staff, platform, scene)
    other = await client_for("staff")

    answers = await asyncio.gather(_draw(staff, scene), _draw(other, scene))

    assert sorted(a.status_code for a in answers) == [201, 409]
    async with platform.db.session() as session:
        rows = list(await session.scalars(select(Assignment)))
    assert len(rows) == 24
