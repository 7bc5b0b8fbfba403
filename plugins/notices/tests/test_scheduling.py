"""Scheduled publish and unpublish times, set in the past or the future (no waiting)."""

from __future__ import annotations

from bangyaer.db import utcnow

from .conftest import HOUR, ClientFor, MakeItem


async def listed(client_for: ClientFor, username: str | None = None) -> list[str]:
    client = await client_for(username)
    response = await client.get("/api/v1/notices/items")
    return [i["title"] for i in response.json()["items"]]


async def test_item_scheduled_for_the_future_is_not_shown_yet(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("明天发布", publish_at=utcnow() + 24 * HOUR)
    parent = await client_for("parent")

    assert await listed(client_for, "parent") == []
    assert (await parent.get(f"/notices/{item.id}")).status_code == 404


async def test_item_whose_publish_time_has_passed_is_shown(
        client_for: ClientFor, make_item: MakeItem) -> None:
    await make_item("昨天发布", publish_at=utcnow() - 24 * HOUR)

    assert await listed(client_for) == ["昨天发布"]


async def test_item_whose_unpublish_time_has_passed_is_hidden(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("已过期", publish_at=utcnow() - 48 * HOUR,
                           unpublish_at=utcnow() - HOUR)
    anonymous = await client_for(None)

    assert await listed(client_for) == []
    assert (await anonymous.get(f"/notices/{item.id}")).status_code == 404
    assert (await anonymous.get("/notices/feeds/notice.atom")).text.count("<entry>") == 0


async def test_item_before_its_unpublish_time_is_shown(client_for: ClientFor,
                                                      make_item: MakeItem) -> None:
    await make_item("还在有效期", unpublish_at=utcnow() + HOUR)

    assert await listed(client_for) == ["还在有效期"]


async def test_editor_sees_the_state_of_scheduled_and_expired_items(
        client_for: ClientFor, make_item: MakeItem) -> None:
    await make_item("待发布的", publish_at=utcnow() + HOUR)
    await make_item("已下线的", publish_at=utcnow() - 2 * HOUR, unpublish_at=utcnow() - HOUR)
    await make_item("草稿", draft=True)
    staff = await client_for("staff")

    response = await staff.get("/api/v1/notices/items?manage=1")

    states = {i["title"]: i["state"] for i in response.json()["items"]}
    assert states == {"待发布的": "scheduled", "已下线的": "expired", "草稿": "draft"}


async def test_publishing_with_a_future_time_schedules_the_item(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("定时", draft=True)
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/publish",
                                json={"publish_at": "2099-01-01T08:00:00+08:00"})

    assert response.status_code == 200
    assert response.json()["item"]["state"] == "scheduled"
    assert response.json()["item"]["publish_at"] == "2099-01-01T00:00:00+00:00"
    assert await listed(client_for) == []


async def test_publishing_without_a_time_keeps_the_time_scheduled_on_the_form(
        client_for: ClientFor) -> None:
    staff = await client_for("staff")
    created = await staff.post("/api/v1/notices/items", json={
        "column": "通知", "title": "定时通知", "publish_at": "2099-01-01T08:00+08:00"})
    item_id = created.json()["item"]["id"]

    response = await staff.post(f"/api/v1/notices/items/{item_id}/publish", json={})

    assert response.json()["item"]["publish_at"] == "2099-01-01T00:00:00+00:00"


async def test_unpublish_time_before_publish_time_is_refused(client_for: ClientFor,
                                                            make_item: MakeItem) -> None:
    item = await make_item("定时", draft=True)
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/publish", json={
        "publish_at": "2099-01-02T08:00+08:00", "unpublish_at": "2099-01-01T08:00+08:00"})

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_field", "message": "下线时间应晚于发布时间",
        "detail": {"field": "unpublish_at"}}


async def test_withdrawing_an_item_hides_it_again(client_for: ClientFor,
                                                 make_item: MakeItem) -> None:
    item = await make_item("撤回")
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/unpublish")

    assert response.json()["item"]["state"] == "draft"
    assert await listed(client_for) == []
