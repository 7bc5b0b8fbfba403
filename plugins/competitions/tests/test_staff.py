"""Staff: who may run which activities, live counts, the XLSX export, cockpit widgets."""

from __future__ import annotations

import io

from bangyaer.contrib import Scope
from bangyaer.identity import AuditEntry
from bangyaer_competitions import widgets
from bangyaer_competitions.testing import act_for, activity_body, create_activity, register
from openpyxl import load_workbook
from sqlalchemy import select


async def test_a_school_admin_cannot_run_a_district_activity(client_for):
    head = await client_for("head_a")

    response = await head.post("/api/v1/competitions/activities", json=activity_body())

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "没有权限以该单位名义举办活动（学校管理员请填写本校）")


async def test_a_school_admin_runs_an_activity_for_their_own_school(client_for, district):
    head = await client_for("head_a")

    response = await head.post("/api/v1/competitions/activities",
                               json=activity_body(org_id=district.ids["school_a"]))

    assert response.status_code == 201
    assert response.json()["eligibility"]["school_ids"] == [district.ids["school_a"]]


async def test_a_school_admin_cannot_run_another_schools_activity(client_for, district):
    head = await client_for("head_a")

    response = await head.post("/api/v1/competitions/activities",
                               json=activity_body(org_id=district.ids["school_b"]))

    assert response.status_code == 403


async def test_a_guardian_cannot_create_activities(parent):
    response = await parent.post("/api/v1/competitions/activities", json=activity_body())

    assert response.status_code == 403


async def test_an_unknown_category_is_refused_with_the_choices(staff):
    response = await staff.post("/api/v1/competitions/activities",
                                json=activity_body(category="美食"))

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "类别应为 科技、艺术、体育、文学、综合"


async def test_a_time_without_zone_is_refused(staff):
    response = await staff.post("/api/v1/competitions/activities",
                                json=activity_body(registration_opens_at="2026-03-01T08:00"))

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "registration_opens_at 需要写明时区，如 +08:00"


async def test_a_registration_window_must_close_after_it_opens(staff):
    body = activity_body()
    body["registration_closes_at"] = body["registration_opens_at"]

    response = await staff.post("/api/v1/competitions/activities", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "报名截止时间应晚于报名开始时间"


async def test_a_code_prefix_is_used_once(staff):
    await create_activity(staff, code_prefix="K2026", open_it=False)

    response = await staff.post("/api/v1/competitions/activities",
                                json=activity_body(code_prefix="K2026"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_code_prefix"


async def test_the_kind_of_work_is_fixed_once_an_activity_is_open(staff):
    activity_id = await create_activity(staff)  # an open artwork activity
    url = f"/api/v1/competitions/activities/{activity_id}"

    other = await staff.patch(url, json={"type": "performance_video"})
    same = await staff.patch(url, json={"type": "artwork", "title": "新名称"})

    assert other.status_code == 409
    assert other.json()["error"]["code"] == "activity_published"
    assert (same.status_code, same.json()["type"], same.json()["title"]) == (
        200, "artwork", "新名称")


async def test_groups_are_fixed_once_an_activity_is_open(staff):
    activity_id = await create_activity(staff)

    response = await staff.patch(f"/api/v1/competitions/activities/{activity_id}",
                                 json={"groups": activity_body()["groups"][:1]})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "activity_published"


async def test_a_draft_can_be_edited(staff):
    activity_id = await create_activity(staff, open_it=False)

    response = await staff.patch(f"/api/v1/competitions/activities/{activity_id}",
                                 json={"title": "区少儿科技创新大赛", "category": "科技"})

    assert (response.json()["title"], response.json()["category"]) == (
        "区少儿科技创新大赛", "科技")


async def test_counts_by_group_and_school_are_live(staff, parent, client_for, district):
    activity_id = await create_activity(staff)
    await register(parent, activity_id)
    await act_for(parent, district.ids["child_2"])
    await register(parent, activity_id)
    await register(await client_for("parent_b"), activity_id)

    stats = (await staff.get(f"/api/v1/competitions/activities/{activity_id}/stats")).json()

    assert [(g["name"], g["entries"]) for g in stats["groups"]] == [
        ("小学低段", 2), ("小学高段", 0), ("初中组", 1)]
    assert stats["schools"] == [{"school": "乙中学", "entries": 1, "submitted": 0},
                                {"school": "甲小学", "entries": 2, "submitted": 0}]


async def test_a_school_admin_sees_only_their_schools_entries(staff, parent, client_for):
    activity_id = await create_activity(staff)
    await register(parent, activity_id)
    await register(await client_for("parent_b"), activity_id)
    head = await client_for("head_a")

    stats = (await head.get(f"/api/v1/competitions/activities/{activity_id}/stats")).json()

    assert stats["total"] == 1
    assert [s["school"] for s in stats["schools"]] == ["甲小学"]


async def test_the_export_lists_entries_in_a_workbook_and_is_audited(staff, parent, platform):
    activity_id = await create_activity(staff, code_prefix="K2026")
    await register(parent, activity_id)

    response = await staff.get(f"/api/v1/competitions/activities/{activity_id}/export")

    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["参赛编号", "组别", "姓名", "学校", "班级", "年级", "状态", "报名时间",
                       "提交时间"]
    assert rows[1][:7] == ["K2026-01-00001", "小学低段", "王小明", "甲小学", "三(1)班", 3,
                           "已报名"]
    async with platform.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "competitions.entries_exported" in actions


async def test_widgets_count_entries_by_school_and_category(staff, parent, platform, district):
    activity_id = await create_activity(staff)
    await register(parent, activity_id)
    scope = Scope("district", district.ids["district"], district.paths["district"])

    async with platform.db.session() as session:
        by_school = await widgets.entries_by_school(session, scope)
        by_category = await widgets.entries_by_category(session, scope)

    assert list(by_school.rows) == [("甲小学", 1)]
    assert list(by_category.rows) == [("艺术", 1)]


async def test_the_school_widget_stays_within_the_schools_scope(staff, parent, platform,
                                                                district):
    activity_id = await create_activity(staff)
    await register(parent, activity_id)
    scope = Scope("school", district.ids["school_b"], district.paths["school_b"])

    async with platform.db.session() as session:
        by_school = await widgets.entries_by_school(session, scope)

    assert list(by_school.rows) == []


async def test_staff_reading_an_entry_is_audited(staff, parent, platform):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]

    response = await staff.get(f"/api/v1/competitions/entries/{code}")

    assert response.json()["student"]["name"] == "王小明"
    async with platform.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "competitions.entry_viewed" in actions


async def test_categories_come_from_the_settings(make_platform, make_client):
    import bangyaer_competitions.plugin
    from bangyaer.testing import TinyDistrict, login

    platform = await make_platform(plugins=[bangyaer_competitions.plugin],
                                   plugin_settings={"competitions": {"categories": ["书法"]}})
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        await login(client, "staff", TinyDistrict.PASSWORD)
        taken = await client.post("/api/v1/competitions/activities",
                                  json=activity_body(category="书法"))
        refused = await client.post("/api/v1/competitions/activities",
                                    json=activity_body(category="艺术"))

    assert taken.status_code == 201
    assert refused.json()["error"]["message"] == "类别应为 书法"
