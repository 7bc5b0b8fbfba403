"""Which activities a child may enter, and the reason when not."""

from __future__ import annotations

from bangyaer_competitions.testing import create_activity, register


async def _eligibility(client, activity_id: int) -> dict:
    listing = (await client.get("/api/v1/competitions/activities")).json()["activities"]
    return next(a["eligibility"] for a in listing if a["id"] == activity_id)


async def test_an_eligible_child_sees_their_group(staff, parent):
    activity_id = await create_activity(staff)

    found = await _eligibility(parent, activity_id)

    assert found == {"eligible": True, "reason": "", "group": "小学低段",
                     "can_register": True, "window": ""}


async def test_a_middle_school_child_is_told_the_activity_is_for_primary_pupils(
        staff, client_for):
    activity_id = await create_activity(staff, eligibility={"stages": ["primary"]})
    other = await client_for("parent_b")

    found = await _eligibility(other, activity_id)
    response = await register(other, activity_id)

    assert found["eligible"] is False
    assert found["reason"] == "本活动仅限小学学生参加"
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "not_eligible",
                                        "message": "本活动仅限小学学生参加"}


async def test_a_grade_outside_the_activity_is_named(staff, parent):
    activity_id = await create_activity(staff, eligibility={"grades": [5, 6]})

    found = await _eligibility(parent, activity_id)

    assert found["reason"] == "本活动仅限5年级、6年级学生参加"


async def test_a_child_of_another_school_cannot_enter_a_school_activity(
        client_for, district):
    head = await client_for("head_a")
    activity_id = await create_activity(head, org_id=district.ids["school_a"])
    other = await client_for("parent_b")

    found = await _eligibility(other, activity_id)

    assert found["reason"] == "你孩子的学校不在本活动范围内"


async def test_a_child_with_no_fitting_group_is_told_so(staff, parent):
    activity_id = await create_activity(staff, groups=[
        {"name": "初中组", "stage": "middle", "grade_min": 1, "grade_max": 3}])

    found = await _eligibility(parent, activity_id)

    assert found["reason"] == "本活动没有适合孩子年级的组别"


async def test_draft_activities_are_not_listed(staff, parent):
    activity_id = await create_activity(staff, open_it=False)

    listing = (await parent.get("/api/v1/competitions/activities")).json()["activities"]

    assert activity_id not in [a["id"] for a in listing]
