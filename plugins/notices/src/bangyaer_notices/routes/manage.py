"""Staff pages: list, create, edit, publish, delete, attachments and cover.

Forms post url-encoded with the page's CSRF token; uploads post
multipart/form-data with the token in the query string (the core's CSRF
check does not read streamed bodies). After a change the browser is sent
back to the edit page with ``?done=<what>``, which shows a fixed message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.identity import Actor, Organisation, OrgKind
from bangyaer.web import ApiError, get_platform, render, require_actor, single_file
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .. import _attachments, _queries, _service
from .._access import PUBLISH, can_edit, editable, is_editor, school_of
from .._files import ATTACHMENT_KINDS, COVER_KINDS
from .._input import TIME_FIELDS, form_to_data, parse_fields, require_for_create
from ..models import Attachment, Column, Item
from ._common import (
    STATE_TITLES,
    column_param,
    column_title,
    config,
    load_item,
    now,
    page_number,
    state,
    zone,
)

DONE = {
    "created": "已保存为草稿", "saved": "已保存", "published": "已发布",
    "unpublished": "已撤回为草稿", "file_added": "附件已上传", "file_removed": "附件已删除",
    "cover_set": "封面图已更新", "cover_removed": "封面图已删除",
}
_FORM_LIMIT = 200_000


async def _editor(request: Request) -> Actor:
    actor = await require_actor(request)
    if not is_editor(actor):
        raise HTTPException(403)
    return actor


async def _editable_item(request: Request, session: AsyncSession, actor: Actor) -> Item:
    item = await load_item(session, int(request.path_params["item_id"]))
    if not can_edit(actor, item):
        raise ApiError(403, "forbidden", "没有权限修改此通知")
    return item


async def _schools(session: AsyncSession, actor: Actor) -> list[Organisation]:
    rows = await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.active.is_(True)).order_by(Organisation.code))
    if actor.scopes(PUBLISH):
        return list(rows)
    own = {school_of(p) for p in actor.scopes("notices.publish_school")}
    return [s for s in rows if s.id in own]


def _local(value: dt.datetime | None, request: Request) -> str:
    return value.astimezone(zone(request)).strftime("%Y-%m-%dT%H:%M") if value else ""


async def _form_values(session: AsyncSession, item: Item, request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {
        "column": str(item.column), "title": item.title, "body": item.body,
        "public": item.public, "pinned": item.pinned,
        "objection_contact": item.objection_contact, "objection_url": item.objection_url,
        "audience": "district" if item.whole_district else "schools",
        "school_ids": await _service.audience_of(session, item.id),
    }
    for name in TIME_FIELDS:
        values[name] = _local(getattr(item, name), request)
    return values


async def _render_form(request: Request, actor: Actor, item: Item | None,
                       values: dict[str, Any], error: ApiError | None = None) -> Response:
    platform = get_platform(request)
    async with platform.db.session() as session:
        schools = await _schools(session, actor)
        files = await _queries.attachments(session, item.id) if item else []
    done = DONE.get(request.query_params.get("done", ""))
    return await render(request, "notices/manage/form.html", {
        "item": item, "values": values, "schools": schools, "files": files,
        "columns": list(Column), "column_title": lambda c: column_title(c, request.state.locale),
        "error": error.message if error else None,
        "error_field": error.detail.get("field") if error else None,
        "done": done, "state": state(item, now()) if item else "draft",
        "state_titles": STATE_TITLES, "limits": config(request),
        "can_district": bool(actor.scopes(PUBLISH)),
    }, status_code=error.status if error else 200)


async def manage_list(request: Request) -> Response:
    actor = await _editor(request)
    column = column_param(request.query_params.get("column"))
    query = request.query_params.get("q", "").strip()[:100]
    async with get_platform(request).db.session() as session:
        found = await _queries.managed(session, editable(actor), column=column, query=query,
                                       page=page_number(request),
                                       per_page=config(request)["page_size"])
    return await render(request, "notices/manage/list.html", {
        "page": found, "column": column, "query": query, "columns": list(Column),
        "column_title": lambda c: column_title(c, request.state.locale),
        "state": lambda i: state(i, now()), "state_titles": STATE_TITLES,
    })


async def _read_form(request: Request) -> tuple[FormData, dict[str, Any]]:
    """The posted form, and its values as the form shows them again after an error."""
    form = await request.form(max_files=0, max_fields=200, max_part_size=_FORM_LIMIT)
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k != "school_ids"}
    values["public"] = form.get("public") == "1"
    values["pinned"] = form.get("pinned") == "1"
    ids = [str(v) for v in form.getlist("school_ids")]
    values["school_ids"] = [int(v) for v in ids if v.isdigit()]
    return form, values


def _fields(request: Request, form: FormData) -> dict[str, Any]:
    data = form_to_data(form, [str(v) for v in form.getlist("school_ids")])
    return parse_fields(data, zone(request))


async def new_item(request: Request) -> Response:
    actor = await _editor(request)
    if request.method == "GET":
        return await _render_form(request, actor, None, {
            "column": request.query_params.get("column", "notice"), "public": True,
            "audience": "district" if actor.scopes(PUBLISH) else "schools", "school_ids": []})
    form, values = await _read_form(request)
    publishing = form.get("action") == "publish"
    try:
        fields = _fields(request, form)
        require_for_create(fields)
        async with get_platform(request).db.transaction() as session:
            item = await _service.save_item(session, actor, None, fields)
            if publishing:
                await _service.publish(session, actor, item)
    except ApiError as exc:
        if exc.status == 404:
            raise
        return await _render_form(request, actor, None, values, exc)
    done = "published" if publishing else "created"
    return RedirectResponse(f"/notices/manage/{item.id}?done={done}", status_code=303)


async def edit_item(request: Request) -> Response:
    actor = await _editor(request)
    platform = get_platform(request)
    if request.method == "GET":
        async with platform.db.session() as session:
            item = await _editable_item(request, session, actor)
            values = await _form_values(session, item, request)
        return await _render_form(request, actor, item, values)
    form, values = await _read_form(request)
    publishing = form.get("action") == "publish"
    try:
        fields = _fields(request, form)
        async with platform.db.transaction() as session:
            item = await _editable_item(request, session, actor)
            await _service.save_item(session, actor, item, fields)
            if publishing:
                await _service.publish(session, actor, item)
    except ApiError as exc:
        if exc.code == "forbidden" or exc.status == 404:
            raise
        async with platform.db.session() as session:
            item = await _editable_item(request, session, actor)
        return await _render_form(request, actor, item, values, exc)
    done = "published" if publishing else "saved"
    return RedirectResponse(f"/notices/manage/{item.id}?done={done}", status_code=303)


async def _act(request: Request, what: str) -> Response:
    """Publish, unpublish, remove a file or the cover: one POST, then back to the form."""
    actor = await _editor(request)
    platform = get_platform(request)
    try:
        async with platform.db.transaction() as session:
            item = await _editable_item(request, session, actor)
            if what == "published":
                await _service.publish(session, actor, item)
            elif what == "unpublished":
                await _service.unpublish(session, actor, item)
            elif what == "cover_removed":
                await _attachments.remove_cover(session, actor, item)
            elif what == "file_removed":
                found = await session.get(Attachment, int(request.path_params["file_id"]))
                if found is None or found.item_id != item.id:
                    raise ApiError(404, "not_found", "附件不存在或已删除")
                await _attachments.remove_attachment(session, actor, item, found)
    except ApiError as exc:
        if exc.status in (403, 404):
            raise
        return await _redisplay(request, actor, exc)
    return RedirectResponse(f"/notices/manage/{item.id}?done={what}", status_code=303)


async def _redisplay(request: Request, actor: Actor, error: ApiError) -> Response:
    async with get_platform(request).db.session() as session:
        item = await _editable_item(request, session, actor)
        values = await _form_values(session, item, request)
    return await _render_form(request, actor, item, values, error)


async def publish_item(request: Request) -> Response:
    return await _act(request, "published")


async def unpublish_item(request: Request) -> Response:
    return await _act(request, "unpublished")


async def remove_file(request: Request) -> Response:
    return await _act(request, "file_removed")


async def remove_cover(request: Request) -> Response:
    return await _act(request, "cover_removed")


async def upload(request: Request) -> Response:
    """An attachment (``/attachments``) or the cover (``/cover``), streamed into the store."""
    actor = await _editor(request)
    platform = get_platform(request)
    settings = config(request)
    is_cover = request.url.path.endswith("/cover")
    try:
        async with platform.db.session() as session:  # refuse early, before any byte is read
            item = await _editable_item(request, session, actor)
            if not is_cover:
                await _attachments.check_room(session, item, settings["max_attachments"])
        received = await single_file(request)
        if is_cover:
            stored = await _attachments.store_upload(
                platform, received, COVER_KINDS, settings["cover_max_bytes"])
        else:
            stored = await _attachments.store_upload(
                platform, received, ATTACHMENT_KINDS, settings["attachment_max_bytes"])
        async with platform.db.transaction() as session:
            item = await _editable_item(request, session, actor)
            if is_cover:
                await _attachments.set_cover(session, actor, item, stored)
            else:
                await _attachments.add_attachment(session, actor, item, stored,
                                                  max_count=settings["max_attachments"])
    except ApiError as exc:
        if exc.status in (403, 404):
            raise
        return await _redisplay(request, actor, exc)
    done = "cover_set" if is_cover else "file_added"
    return RedirectResponse(f"/notices/manage/{item.id}?done={done}", status_code=303)


async def delete_page(request: Request) -> Response:
    actor = await _editor(request)
    platform = get_platform(request)
    if request.method == "GET":
        async with platform.db.session() as session:
            item = await _editable_item(request, session, actor)
        return await render(request, "notices/manage/delete.html", {"item": item})
    async with platform.db.transaction() as session:
        item = await _editable_item(request, session, actor)
        await _service.delete_item(session, actor, item)
    return RedirectResponse("/notices/manage?done=deleted", status_code=303)


routes = [
    Route("/manage", manage_list, name="manage"),
    Route("/manage/new", new_item, methods=["GET", "POST"], name="manage_new"),
    Route("/manage/{item_id:int}", edit_item, methods=["GET", "POST"], name="manage_edit"),
    Route("/manage/{item_id:int}/publish", publish_item, methods=["POST"]),
    Route("/manage/{item_id:int}/unpublish", unpublish_item, methods=["POST"]),
    Route("/manage/{item_id:int}/delete", delete_page, methods=["GET", "POST"]),
    Route("/manage/{item_id:int}/attachments", upload, methods=["POST"]),
    Route("/manage/{item_id:int}/attachments/{file_id:int}/delete", remove_file,
          methods=["POST"]),
    Route("/manage/{item_id:int}/cover", upload, methods=["POST"]),
    Route("/manage/{item_id:int}/cover/delete", remove_cover, methods=["POST"]),
]
