"""Who may read a student's growth record, and that staff reads are audit-logged."""

from __future__ import annotations

from bangyaer.identity import AuditEntry
from sqlalchemy import select


async def audits(platform, action="growth.record_viewed"):
    async with platform.db.session() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(r.account_id is not None, r.target_type, r.target_id) for r in rows]


async def test_guardian_reads_their_childs_record(client_for, district):
    parent = await client_for("parent")

    response = await parent.get(f"/api/v1/growth/students/{district.ids['child_2']}/records")

    assert response.status_code == 200


async def test_guardian_cannot_read_another_familys_child(client_for, district):
    parent = await client_for("parent")

    response = await parent.get(f"/api/v1/growth/students/{district.ids['child_b']}/records")

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden",
                                         "message": "只能查看自己孩子的成长记录"}}


async def test_guardian_page_for_another_familys_child_is_forbidden(client_for, district):
    parent = await client_for("parent")

    response = await parent.get(f"/growth/students/{district.ids['child_b']}")

    assert response.status_code == 403
    assert "只能查看自己孩子的成长记录" in response.text


async def test_school_admin_reads_their_schools_student_and_it_is_audited(
        client_for, district, platform):
    head = await client_for("head_a")

    response = await head.get(f"/api/v1/growth/students/{district.ids['child_1']}/records")

    assert response.status_code == 200
    assert await audits(platform) == [(True, "person", str(district.ids["child_1"]))]


async def test_school_admin_cannot_read_another_schools_student(client_for, district,
                                                                platform):
    head = await client_for("head_a")

    response = await head.get(f"/api/v1/growth/students/{district.ids['child_b']}/records")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "只能查看本校学生的成长记录"
    assert await audits(platform) == []


async def test_district_staff_read_anyones_record_and_it_is_audited(client_for, district,
                                                                    platform):
    staff = await client_for("staff")

    for key in ("child_1", "child_b"):
        response = await staff.get(f"/api/v1/growth/students/{district.ids[key]}/records")
        assert response.status_code == 200
    assert await audits(platform) == [(True, "person", str(district.ids["child_1"])),
                                      (True, "person", str(district.ids["child_b"]))]


async def test_guardian_reading_their_own_child_is_not_audited(client_for, district,
                                                               platform):
    parent = await client_for("parent")

    await parent.get(f"/api/v1/growth/students/{district.ids['child_1']}/records")

    assert await audits(platform) == []


async def test_staff_asking_for_a_student_who_does_not_exist_gets_404(client_for, district):
    staff = await client_for("staff")

    response = await staff.get("/api/v1/growth/students/987654/records")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "没有这名学生"


async def test_anonymous_visitor_must_sign_in(client_for, district):
    anonymous = await client_for(None)

    response = await anonymous.get(f"/api/v1/growth/students/{district.ids['child_1']}/records")

    assert response.status_code == 401


async def test_teacher_without_the_permission_is_forbidden(client_for, district):
    teacher = await client_for("teacher_a")

    response = await teacher.get(f"/api/v1/growth/students/{district.ids['child_1']}/records")

    assert response.status_code == 403
