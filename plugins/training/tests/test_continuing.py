"""老生续报: last term's students go first into the next level."""

from __future__ import annotations

import datetime as dt

from bangyaer.testing import TinyDistrict, login
from bangyaer_training.models import Course, Enrollment, Mode, State

PW = TinyDistrict.PASSWORD


async def _continuing_setup(platform, district, make_term, make_class, mode=Mode.first_come):
    old = await make_term(code="2026A", phase="closed", starts_on=dt.date(2026, 9, 1))
    level_1 = await make_class(old, course_code="MS1")
    async with platform.db.transaction() as s:
        s.add(Enrollment(class_id=level_1.id, term_id=old.id, child_id=district.ids["child_b"],
                         state=State.confirmed))
        follows = level_1.course_id
    new = await make_term(code="2027S", phase="continuing", previous_term_id=old.id)
    level_2 = await make_class(new, course_code="MS2", follows_id=follows, level=2, mode=mode)
    async with platform.db.session() as s:
        assert (await s.get(Course, level_2.course_id)).follows_id == follows
    return level_2


async def test_a_continuing_student_enrolls_in_the_continuing_window(
        client, platform, district, make_term, make_class):
    level_2 = await _continuing_setup(platform, district, make_term, make_class)
    await login(client, "parent_b", PW)

    response = await client.post(f"/api/v1/training/classes/{level_2.id}/enrollments",
                                 json={})

    assert response.status_code == 201, response.text
    assert response.json()["enrollment"]["tier"] == "continuing"


async def test_a_new_student_waits_while_continuing_students_enroll(
        client, platform, district, make_term, make_class):
    level_2 = await _continuing_setup(platform, district, make_term, make_class)
    await login(client, "parent", PW)
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_1"]})

    response = await client.post(f"/api/v1/training/classes/{level_2.id}/enrollments",
                                 json={})

    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith(
        "现在是老生续报时段，仅限上学期在读的学员；新生报名 ")


async def test_a_continuing_application_is_drawn_in_the_first_tier(
        client, platform, district, make_term, make_class):
    level_2 = await _continuing_setup(platform, district, make_term, make_class,
                                      mode=Mode.lottery)
    await login(client, "parent_b", PW)

    response = await client.post(f"/api/v1/training/classes/{level_2.id}/enrollments",
                                 json={})

    assert response.json()["enrollment"]["state"] == "applied"
    assert response.json()["enrollment"]["tier"] == "continuing"
