"""Staff rights and checks: who publishes for whom, and what a bad request is told."""

from __future__ import annotations

from typing import Any

import pytest
from bangyaer.testing import TinyDistrict

from .conftest import ClientFor, MakeItem


async def create(client: Any, **body: Any) -> Any:
    return await client.post("/api/v1/notices/items",
                             json={"column": "notice", "title": "通知", **body})


async def test_district_staff_create_a_draft_for_the_whole_district(
        client_for: ClientFor) -> None:
    staff = await client_for("staff")

    response = await create(staff, title="寒假通知", body="**报名**")

    assert response.status_code == 201
    item = response.json()["item"]
    assert (item["state"], item["audience"]) == ("draft", {"whole_district": True,
                                                           "school_ids": []})
    assert item["body_html"] == "<p><strong>报名</strong></p>\n"


async def test_school_admin_publishes_for_their_own_school(
        client_for: ClientFor, district: TinyDistrict) -> None:
    head_a = await client_for("head_a")

    response = await create(head_a)

    assert response.json()["item"]["audience"] == {
        "whole_district": False, "school_ids": [district.ids["school_a"]]}


async def test_school_admin_cannot_publish_for_another_school(
        client_for: ClientFor, district: TinyDistrict) -> None:
    head_a = await client_for("head_a")

    response = await create(head_a, school_ids=[district.ids["school_b"]])

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "学校管理员只能面向本校发布通知"


async def test_school_admin_cannot_change_a_district_item(client_for: ClientFor,
                                                         make_item: MakeItem) -> None:
    item = await make_item("区级通知")
    head_a = await client_for("head_a")

    response = await head_a.patch(f"/api/v1/notices/items/{item.id}", json={"title": "改"})

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "没有权限修改此通知"


async def test_school_admin_cannot_change_another_schools_item(client_for: ClientFor) -> None:
    head_b = await client_for("head_b")
    created = await create(head_b, title="乙校通知")
    head_a = await client_for("head_a")

    response = await head_a.delete(f"/api/v1/notices/items/{created.json()['item']['id']}")

    assert response.status_code == 403


async def test_district_staff_change_a_school_item(client_for: ClientFor) -> None:
    head_a = await client_for("head_a")
    created = await create(head_a, title="甲校通知")
    staff = await client_for("staff")

    response = await staff.patch(f"/api/v1/notices/items/{created.json()['item']['id']}",
                                 json={"pinned": True})

    assert response.status_code == 200
    assert response.json()["item"]["pinned"] is True


@pytest.mark.parametrize("username", ["parent", "teacher_a", "judge"])
async def test_people_without_a_publish_permission_cannot_create(
        client_for: ClientFor, username: str) -> None:
    client = await client_for(username)

    response = await create(client)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "没有发布通知的权限"


@pytest.mark.parametrize(("body", "field", "message"), [
    pytest.param({"column": "广告"}, "column", "栏目“广告”不存在；应为 通知、公示 或 新闻",
                 id="unknown-column"),
    pytest.param({"title": "   "}, "title", "请填写标题", id="blank-title"),
    pytest.param({"publish_at": "明天"}, "publish_at",
                 "publish_at 不是有效的时间：明天（例如 2026-12-03T08:00+08:00）", id="bad-time"),
    pytest.param({"publish_at": "2026-12-03T08:00"}, "publish_at",
                 "publish_at 须带时区，例如 2026-12-03T08:00+08:00", id="time-without-zone"),
    pytest.param({"school_ids": ["A"]}, "school_ids", "school_ids 应为学校编号（整数）列表",
                 id="school-ids-not-numbers"),
    pytest.param({"school_ids": [99999]}, "school_ids", "学校不存在：99999",
                 id="unknown-school"),
    pytest.param({"objection_url": "javascript:alert(1)"}, "objection_url",
                 "异议链接应为本站路径（以 / 开头）或 http(s) 网址", id="script-objection-link"),
])
async def test_bad_fields_are_refused_with_the_field_named(
        client_for: ClientFor, body: dict[str, Any], field: str, message: str) -> None:
    staff = await client_for("staff")

    response = await create(staff, **body)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message
    assert response.json()["error"]["detail"] == {"field": field}


async def test_title_is_required(client_for: ClientFor) -> None:
    staff = await client_for("staff")

    response = await staff.post("/api/v1/notices/items", json={"column": "news"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请填写标题"


async def test_publicity_cannot_be_published_without_a_period(client_for: ClientFor) -> None:
    staff = await client_for("staff")
    created = await create(staff, column="公示", objection_contact="竞赛部")

    response = await staff.post(f"/api/v1/notices/items/{created.json()['item']['id']}/publish",
                                json={})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "period_required"
    assert response.json()["error"]["message"] == "公示须填写公示期（开始与结束时间）"


async def test_publicity_cannot_be_published_without_a_way_to_object(
        client_for: ClientFor) -> None:
    staff = await client_for("staff")
    created = await create(staff, column="公示", period_start="2026-12-01T00:00+08:00",
                           period_end="2026-12-08T00:00+08:00")

    response = await staff.post(f"/api/v1/notices/items/{created.json()['item']['id']}/publish",
                                json={})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "公示须写明异议方式：联系方式或链接"


async def test_deleted_item_is_gone(client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("要删的")
    staff = await client_for("staff")

    deleted = await staff.delete(f"/api/v1/notices/items/{item.id}")
    again = await staff.get(f"/api/v1/notices/items/{item.id}")

    assert deleted.status_code == 204
    assert again.status_code == 404


async def test_openapi_lists_the_notices_endpoints(client_for: ClientFor) -> None:
    anonymous = await client_for(None)

    paths = (await anonymous.get("/api/v1/openapi.json")).json()["paths"]

    assert set(paths["/api/v1/notices/items"]) == {"get", "post"}
    assert set(paths["/api/v1/notices/items/{item_id}"]) == {"get", "patch", "delete"}
    assert "post" in paths["/api/v1/notices/items/{item_id}/publish"]
    assert paths["/api/v1/notices/items"]["post"]["summary"] == "Create a draft item"


async def test_staff_create_and_publish_through_the_form(client_for: ClientFor) -> None:
    staff = await client_for("staff")

    response = await staff.post("/notices/manage/new", data={
        "column": "news", "title": "合唱展演", "body": "精彩", "audience": "district",
        "public": "1", "action": "publish", "publish_at": "", "unpublish_at": "",
        "period_start": "", "period_end": "", "objection_contact": "", "objection_url": ""})
    item_page = await staff.get(response.headers["location"])
    anonymous = await client_for(None)
    listing = await anonymous.get("/notices/c/news")

    assert response.status_code == 303
    assert "已发布" in item_page.text
    assert "合唱展演" in listing.text


async def test_form_reads_schedule_times_in_beijing_time(client_for: ClientFor) -> None:
    staff = await client_for("staff")

    response = await staff.post("/notices/manage/new", data={
        "column": "notice", "title": "定时", "audience": "district", "action": "save",
        "publish_at": "2099-01-01T08:00"})
    item_id = response.headers["location"].split("/")[-1].split("?")[0]
    item = (await staff.get(f"/api/v1/notices/items/{item_id}")).json()["item"]

    assert item["publish_at"] == "2099-01-01T00:00:00+00:00"


async def test_form_with_a_mistake_is_shown_again_with_what_was_typed(
        client_for: ClientFor) -> None:
    staff = await client_for("staff")

    page = await staff.post("/notices/manage/new", data={
        "column": "notice", "title": "", "body": "保留这段正文", "audience": "district",
        "action": "save"})

    assert page.status_code == 422
    assert "请填写标题" in page.text
    assert "保留这段正文</textarea>" in page.text
    assert 'name="title" required maxlength="200" value="" aria-invalid="true"' in page.text


async def test_form_asks_to_confirm_before_deleting(client_for: ClientFor,
                                                   make_item: MakeItem) -> None:
    item = await make_item("要删的")
    staff = await client_for("staff")

    confirm = await staff.get(f"/notices/manage/{item.id}/delete")
    deleted = await staff.post(f"/notices/manage/{item.id}/delete")

    assert "确定删除这一条吗？" in confirm.text
    assert deleted.headers["location"] == "/notices/manage?done=deleted"
    assert (await staff.get(f"/notices/{item.id}")).status_code == 404


async def test_editor_opening_a_draft_sees_a_preview(client_for: ClientFor,
                                                    make_item: MakeItem) -> None:
    item = await make_item("草稿预览", draft=True, body="内容")
    staff = await client_for("staff")

    page = await staff.get(f"/notices/{item.id}")

    assert page.status_code == 200
    assert "预览：此条当前为“草稿”，读者还看不到。" in page.text


async def test_parent_cannot_open_the_staff_pages(client_for: ClientFor) -> None:
    parent = await client_for("parent")

    response = await parent.get("/notices/manage")

    assert response.status_code == 403


async def test_school_item_edited_by_district_staff_stays_the_schools(
        client_for: ClientFor, district: TinyDistrict) -> None:
    head_a = await client_for("head_a")
    created = await create(head_a, title="甲校通知")
    item_id = created.json()["item"]["id"]
    staff = await client_for("staff")

    await staff.patch(f"/api/v1/notices/items/{item_id}",
                      json={"school_ids": [district.ids["school_a"]]})
    response = await head_a.patch(f"/api/v1/notices/items/{item_id}", json={"title": "改名"})

    assert response.status_code == 200
