"""Every change to an item is in the audit trail, with who made it and what changed."""

from __future__ import annotations

from typing import Any

from bangyaer.identity import Account, AuditEntry
from bangyaer.platform import Platform
from sqlalchemy import select

from .conftest import ClientFor

PDF = b"%PDF-1.7 form"


async def trail(platform: Platform, item_id: int) -> list[AuditEntry]:
    async with platform.db.session() as session:
        return list(await session.scalars(
            select(AuditEntry).where(AuditEntry.target_type == "notices_item",
                                     AuditEntry.target_id == str(item_id))
            .order_by(AuditEntry.id)))


async def account_of(platform: Platform, username: str) -> int:
    async with platform.db.session() as session:
        found: Any = await session.scalar(select(Account.id).where(Account.username == username))
        return int(found)


async def created_by_staff(client_for: ClientFor) -> tuple[Any, int]:
    staff = await client_for("staff")
    response = await staff.post("/api/v1/notices/items",
                                json={"column": "notice", "title": "原标题", "body": "原文"})
    return staff, response.json()["item"]["id"]


async def test_creating_records_who_and_the_new_values(platform: Platform,
                                                      client_for: ClientFor) -> None:
    _, item_id = await created_by_staff(client_for)

    [entry] = await trail(platform, item_id)

    assert entry.action == "notices.item.created"
    assert entry.account_id == await account_of(platform, "staff")
    assert entry.detail["changes"]["title"] == [None, "原标题"]
    assert entry.detail["changes"]["body"] == [None, "原文"]


async def test_editing_records_only_the_fields_that_changed(platform: Platform,
                                                           client_for: ClientFor) -> None:
    staff, item_id = await created_by_staff(client_for)

    await staff.patch(f"/api/v1/notices/items/{item_id}", json={"title": "新标题"})

    entry = (await trail(platform, item_id))[-1]
    assert entry.action == "notices.item.updated"
    assert entry.detail["changes"] == {"title": ["原标题", "新标题"]}


async def test_saving_without_a_change_adds_no_entry(platform: Platform,
                                                    client_for: ClientFor) -> None:
    staff, item_id = await created_by_staff(client_for)

    await staff.patch(f"/api/v1/notices/items/{item_id}", json={"title": "原标题"})

    assert [e.action for e in await trail(platform, item_id)] == ["notices.item.created"]


async def test_publishing_and_withdrawing_are_recorded(platform: Platform,
                                                      client_for: ClientFor) -> None:
    staff, item_id = await created_by_staff(client_for)

    await staff.post(f"/api/v1/notices/items/{item_id}/publish", json={})
    await staff.post(f"/api/v1/notices/items/{item_id}/unpublish")

    entries = await trail(platform, item_id)
    assert [e.action for e in entries] == ["notices.item.created", "notices.item.published",
                                           "notices.item.unpublished"]
    assert entries[1].detail["changes"]["status"] == ["draft", "published"]
    assert entries[2].detail["changes"] == {"status": ["published", "draft"]}


async def test_files_added_and_removed_are_recorded(platform: Platform,
                                                   client_for: ClientFor) -> None:
    staff, item_id = await created_by_staff(client_for)

    added = await staff.post(f"/api/v1/notices/items/{item_id}/attachments",
                             files={"file": ("报名表.pdf", PDF, "application/pdf")})
    file_id = added.json()["attachment"]["id"]
    await staff.delete(f"/api/v1/notices/items/{item_id}/attachments/{file_id}")

    entries = (await trail(platform, item_id))[1:]
    assert [(e.action, e.detail["name"]) for e in entries] == [
        ("notices.attachment.added", "报名表.pdf"), ("notices.attachment.removed", "报名表.pdf")]


async def test_deleting_keeps_what_the_item_said(platform: Platform,
                                                client_for: ClientFor) -> None:
    staff, item_id = await created_by_staff(client_for)

    await staff.delete(f"/api/v1/notices/items/{item_id}")

    entry = (await trail(platform, item_id))[-1]
    assert entry.action == "notices.item.deleted"
    assert entry.detail["changes"]["title"] == ["原标题", None]
    assert entry.detail["changes"]["body"] == ["原文", None]


async def test_publishing_emits_an_event(platform: Platform, client_for: ClientFor) -> None:
    from bangyaer.events import EventRecord

    staff, item_id = await created_by_staff(client_for)

    await staff.post(f"/api/v1/notices/items/{item_id}/publish", json={})

    async with platform.db.session() as session:
        [event] = list(await session.scalars(select(EventRecord)))
    assert event.type == "notices.item_published"
    assert (event.payload["item_id"], event.payload["title"]) == (item_id, "原标题")
