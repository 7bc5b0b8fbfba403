"""Who may read what: public, signed-in, one school's families and staff, district staff."""

from __future__ import annotations

import pytest

from .conftest import ClientFor, MakeItem


async def test_public_item_is_readable_without_signing_in(client_for: ClientFor,
                                                          make_item: MakeItem) -> None:
    item = await make_item("寒假培训班报名通知")
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert page.status_code == 200
    assert "寒假培训班报名通知" in page.text


async def test_signed_in_item_sends_anonymous_visitor_to_sign_in(client_for: ClientFor,
                                                                make_item: MakeItem) -> None:
    item = await make_item("家长会安排", public=False)
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/notices/{item.id}"


async def test_signed_in_item_answers_401_to_anonymous_api_client(client_for: ClientFor,
                                                                 make_item: MakeItem) -> None:
    item = await make_item("家长会安排", public=False)
    anonymous = await client_for(None)

    response = await anonymous.get(f"/api/v1/notices/items/{item.id}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "sign_in_required"


async def test_signed_in_item_for_the_district_is_readable_by_any_signed_in_family(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("全区家长须知", public=False)
    parent_b = await client_for("parent_b")

    page = await parent_b.get(f"/notices/{item.id}")

    assert page.status_code == 200


@pytest.mark.parametrize("username", [
    pytest.param("parent", id="guardian-of-a-child-at-A"),
    pytest.param("head_a", id="school-admin-of-A"),
    pytest.param("teacher_a", id="teacher-at-A"),
    pytest.param("staff", id="district-staff"),
    pytest.param("admin", id="district-admin"),
])
async def test_school_item_is_readable_by_that_school_and_district_staff(
        client_for: ClientFor, make_item: MakeItem, username: str) -> None:
    item = await make_item("甲小学家长通知", public=False, schools=("school_a",))
    client = await client_for(username)

    page = await client.get(f"/notices/{item.id}")

    assert page.status_code == 200
    assert "甲小学家长通知" in page.text


@pytest.mark.parametrize("username", [
    pytest.param("parent_b", id="guardian-at-B"),
    pytest.param("head_b", id="school-admin-of-B"),
    pytest.param("judge", id="judge"),
])
async def test_school_item_is_refused_to_other_schools(
        client_for: ClientFor, make_item: MakeItem, username: str) -> None:
    item = await make_item("甲小学家长通知", public=False, schools=("school_a",))
    client = await client_for(username)

    response = await client.get(f"/api/v1/notices/items/{item.id}")

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "not_for_you",
                                        "message": "此通知仅面向部分学校的家长和老师"}


async def test_lists_show_each_reader_only_what_they_may_read(
        client_for: ClientFor, make_item: MakeItem) -> None:
    await make_item("公开通知")
    await make_item("登录可见", public=False)
    await make_item("仅甲小学", public=False, schools=("school_a",))

    async def titles(username: str | None) -> set[str]:
        client = await client_for(username)
        response = await client.get("/api/v1/notices/items")
        return {i["title"] for i in response.json()["items"]}

    assert await titles(None) == {"公开通知"}
    assert await titles("parent_b") == {"公开通知", "登录可见"}
    assert await titles("parent") == {"公开通知", "登录可见", "仅甲小学"}
    assert await titles("staff") == {"公开通知", "登录可见", "仅甲小学"}


async def test_attachment_of_school_item_is_refused_to_other_school(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("甲小学", public=False, schools=("school_a",))
    staff = await client_for("staff")
    upload = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                               files={"file": ("说明.pdf", b"%PDF-1.4 hello", "application/pdf")})
    assert upload.status_code == 201
    url = upload.json()["attachment"]["url"]
    parent_b = await client_for("parent_b")

    response = await parent_b.get(url)

    assert response.status_code == 403


async def test_draft_is_not_found_by_readers(client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("草稿", draft=True)
    parent = await client_for("parent")

    response = await parent.get(f"/api/v1/notices/items/{item.id}")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "通知不存在或已下线"
