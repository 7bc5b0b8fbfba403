"""The JSON API under /api/v1/notices/ (errors use the core's envelope)."""

from __future__ import annotations

from typing import Any

from bangyaer.identity import Actor
from bangyaer.web import (
    ApiError,
    api,
    get_actor,
    get_platform,
    read_json,
    require_actor,
    single_file,
)
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import _attachments, _queries, _service
from .._access import can_edit, editable, is_editor, readership
from .._files import ATTACHMENT_KINDS, COVER_KINDS
from .._input import ITEM_BODY, PUBLISH_BODY, parse_fields, parse_time, require_for_create
from .._markdown import render_markdown
from ..models import Attachment, Item
from ._common import (
    column_param,
    config,
    item_json,
    load_item,
    now,
    page_number,
    readable_item,
)


async def _editor(request: Request) -> Actor:
    actor = await require_actor(request)
    if not is_editor(actor):
        raise ApiError(403, "forbidden", "没有发布通知的权限")
    return actor


async def _editable(request: Request, session: AsyncSession, actor: Actor) -> Item:
    item = await load_item(session, int(request.path_params["item_id"]))
    if not can_edit(actor, item):
        raise ApiError(403, "forbidden", "没有权限修改此通知")
    return item


async def _full(session: AsyncSession, item: Item) -> dict[str, Any]:
    return item_json(item, at=now(), school_ids=await _service.audience_of(session, item.id),
                     files=await _queries.attachments(session, item.id),
                     body_html=render_markdown(item.body))


@api("List items: readers get what they may read now; ?manage=1 lists an editor's items "
     "with drafts (filters: column, q, page)", auth=False)
async def list_items(request: Request) -> Response:
    actor = await get_actor(request)
    column = column_param(request.query_params.get("column"))
    query = request.query_params.get("q", "").strip()[:100]
    page, per_page = page_number(request), config(request)["page_size"]
    async with get_platform(request).db.session() as session:
        if request.query_params.get("manage") == "1":
            found = await _queries.managed(session, editable(await _editor(request)),
                                           column=column, query=query, page=page,
                                           per_page=per_page)
        else:
            found = await _queries.published(session, readership(actor), now(), column=column,
                                             query=query, page=page, per_page=per_page)
    at = now()
    return JSONResponse({
        "items": [{**item_json(i, at=at), "attachment_count": found.attachments.get(i.id, 0)}
                  for i in found.items],
        "page": found.page, "pages": found.pages, "total": found.total,
    })


@api("One item with its body (Markdown and HTML), audience and attachments", auth=False)
async def get_item(request: Request) -> Response:
    async with get_platform(request).db.session() as session:
        item, _ = await readable_item(request, session)
        return JSONResponse({"item": await _full(session, item)})


@api("Create a draft item", body=ITEM_BODY, responses={201: "Created"})
async def create_item(request: Request) -> Response:
    actor = await _editor(request)
    fields = parse_fields(await read_json(request, ITEM_BODY), None)
    require_for_create(fields)
    async with get_platform(request).db.transaction() as session:
        item = await _service.save_item(session, actor, None, fields)
        return JSONResponse({"item": await _full(session, item)}, status_code=201)


@api("Change an item's fields (those sent; '' clears a time)", body=ITEM_BODY)
async def update_item(request: Request) -> Response:
    actor = await _editor(request)
    fields = parse_fields(await read_json(request, ITEM_BODY), None)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        await _service.save_item(session, actor, item, fields)
        return JSONResponse({"item": await _full(session, item)})


@api("Publish an item now or at publish_at, optionally until unpublish_at", body=PUBLISH_BODY)
async def publish_item(request: Request) -> Response:
    actor = await _editor(request)
    data = await read_json(request, PUBLISH_BODY)
    at = parse_time("publish_at", data["publish_at"], None) if "publish_at" in data else None
    options: dict[str, Any] = {}
    if "unpublish_at" in data:
        options["unpublish_at"] = parse_time("unpublish_at", data["unpublish_at"], None)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        await _service.publish(session, actor, item, publish_at=at, **options)
        return JSONResponse({"item": await _full(session, item)})


@api("Take an item back to draft")
async def unpublish_item(request: Request) -> Response:
    actor = await _editor(request)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        await _service.unpublish(session, actor, item)
        return JSONResponse({"item": await _full(session, item)})


@api("Delete an item with its attachments", responses={204: "Deleted"})
async def delete_item(request: Request) -> Response:
    actor = await _editor(request)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        await _service.delete_item(session, actor, item)
    return Response(status_code=204)


@api("Attach a file (multipart/form-data, field 'file'; PDF, Office or image; type is read "
     "from the content)", responses={201: "Created", 413: "Too large", 422: "Wrong type"})
async def add_attachment(request: Request) -> Response:
    actor = await _editor(request)
    platform = get_platform(request)
    settings = config(request)
    async with platform.db.session() as session:
        item = await _editable(request, session, actor)
        await _attachments.check_room(session, item, settings["max_attachments"])
    stored = await _attachments.store_upload(platform, await single_file(request),
                                             ATTACHMENT_KINDS, settings["attachment_max_bytes"])
    async with platform.db.transaction() as session:
        item = await _editable(request, session, actor)
        found = await _attachments.add_attachment(session, actor, item, stored,
                                                  max_count=settings["max_attachments"])
        return JSONResponse({"attachment": {
            "id": found.id, "name": found.name, "size": found.size,
            "content_type": found.content_type,
            "url": f"/notices/{item.id}/files/{found.id}"}}, status_code=201)


@api("Remove an attachment", responses={204: "Removed"})
async def remove_attachment(request: Request) -> Response:
    actor = await _editor(request)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        found = await session.get(Attachment, int(request.path_params["file_id"]))
        if found is None or found.item_id != item.id:
            raise ApiError(404, "not_found", "附件不存在或已删除")
        await _attachments.remove_attachment(session, actor, item, found)
    return Response(status_code=204)


@api("Set the cover image (multipart/form-data, field 'file'; PNG, JPEG, GIF or WebP)",
     responses={413: "Too large", 422: "Wrong type"})
async def set_cover(request: Request) -> Response:
    actor = await _editor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        await _editable(request, session, actor)
    stored = await _attachments.store_upload(platform, await single_file(request), COVER_KINDS,
                                             config(request)["cover_max_bytes"])
    async with platform.db.transaction() as session:
        item = await _editable(request, session, actor)
        await _attachments.set_cover(session, actor, item, stored)
        return JSONResponse({"item": await _full(session, item)})


@api("Remove the cover image", responses={204: "Removed"})
async def remove_cover(request: Request) -> Response:
    actor = await _editor(request)
    async with get_platform(request).db.transaction() as session:
        item = await _editable(request, session, actor)
        await _attachments.remove_cover(session, actor, item)
    return Response(status_code=204)


routes = [
    Route("/items", list_items, methods=["GET"], name="items"),
    Route("/items", create_item, methods=["POST"], name="create_item"),
    Route("/items/{item_id:int}", get_item, methods=["GET"], name="item"),
    Route("/items/{item_id:int}", update_item, methods=["PATCH"], name="update_item"),
    Route("/items/{item_id:int}", delete_item, methods=["DELETE"], name="delete_item"),
    Route("/items/{item_id:int}/publish", publish_item, methods=["POST"], name="publish"),
    Route("/items/{item_id:int}/unpublish", unpublish_item, methods=["POST"],
          name="unpublish"),
    Route("/items/{item_id:int}/attachments", add_attachment, methods=["POST"],
          name="add_attachment"),
    Route("/items/{item_id:int}/attachments/{file_id:int}", remove_attachment,
          methods=["DELETE"], name="remove_attachment"),
    Route("/items/{item_id:int}/cover", set_cover, methods=["PUT"], name="set_cover"),
    Route("/items/{item_id:int}/cover", remove_cover, methods=["DELETE"], name="remove_cover"),
]
