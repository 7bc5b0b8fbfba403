"""Pages for families: the three columns, search, an item, its files, the feeds."""

from __future__ import annotations

from bangyaer.web import ApiError, get_actor, get_platform, render
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .. import _queries
from .._access import Readership, is_editor, is_live, readership
from .._files import content_disposition, human_size
from .._markdown import render_markdown
from .._service import has_read, record_read
from ..models import Attachment, Column, Item
from ._common import (
    PERIOD_TITLES,
    STATE_TITLES,
    column_in_path,
    column_title,
    config,
    now,
    page_number,
    period_state,
    readable_item,
    state,
)

PREVIEW_SIZE = 5


def _list_context(request: Request) -> dict[str, object]:
    locale = request.state.locale
    at = now()
    return {
        "column_title": lambda c: column_title(c, locale),
        "period_state": lambda item: period_state(item, at),
        "period_titles": PERIOD_TITLES,
        "human_size": human_size,
        "state_titles": STATE_TITLES,
    }


async def index(request: Request) -> Response:
    """The module page: each column's newest items, or search results across them."""
    actor = await get_actor(request)
    who = readership(actor)
    query = request.query_params.get("q", "").strip()[:100]
    at = now()
    async with get_platform(request).db.session() as session:
        if query:
            found = await _queries.published(session, who, at, query=query,
                                             page=page_number(request),
                                             per_page=config(request)["page_size"])
            return await render(request, "notices/column.html", {
                **_list_context(request), "column": None, "page": found, "query": query,
            })
        columns = [(c, await _queries.published(session, who, at, column=c,
                                                per_page=PREVIEW_SIZE)) for c in Column]
    return await render(request, "notices/index.html", {
        **_list_context(request), "columns": columns, "query": "",
        "editor": is_editor(actor),
    })


async def column_page(request: Request) -> Response:
    column = column_in_path(request.path_params["column"])
    actor = await get_actor(request)
    query = request.query_params.get("q", "").strip()[:100]
    async with get_platform(request).db.session() as session:
        found = await _queries.published(
            session, readership(actor), now(), column=column, query=query,
            page=page_number(request), per_page=config(request)["page_size"])
    return await render(request, "notices/column.html", {
        **_list_context(request), "column": column, "page": found, "query": query,
    })


async def item_page(request: Request) -> Response:
    actor = await get_actor(request)
    platform = get_platform(request)
    at = now()
    async with platform.db.session() as session:
        item, editing = await readable_item(request, session)
        files = await _queries.attachments(session, item.id)
        schools = await _queries.audience_schools(session, item.id)
        # Read first: coming back to an item must not take the write lock.
        first_read = (actor.person is not None and is_live(item, at)
                      and not await has_read(session, item, actor.person))
    if first_read and actor.person is not None:
        async with platform.db.transaction() as session:
            await record_read(session, item, actor.person)
    return await render(request, "notices/item.html", {
        **_list_context(request), "item": item, "files": files, "schools": schools,
        "body_html": render_markdown(item.body), "state": state(item, at),
        "preview": editing and not is_live(item, at), "editing": editing,
        "period": period_state(item, at),
    })


def _blob_response(request: Request, item: Item, sha: str, size: int, content_type: str,
                   disposition: str) -> Response:
    store = get_platform(request).blobs
    return StreamingResponse(store.open(sha), media_type=content_type, headers={
        "Content-Length": str(size), "Content-Disposition": disposition,
        # Items behind sign-in must not sit in shared caches.
        "Cache-Control": "public, max-age=300" if item.public else "private, no-store",
    })


async def download(request: Request) -> Response:
    async with get_platform(request).db.session() as session:
        item, _ = await readable_item(request, session)
        attachment = await session.get(Attachment, int(request.path_params["file_id"]))
    if attachment is None or attachment.item_id != item.id:
        raise ApiError(404, "not_found", "附件不存在或已删除")
    return _blob_response(request, item, attachment.sha256, attachment.size,
                          attachment.content_type, content_disposition(attachment.name))


async def cover(request: Request) -> Response:
    platform = get_platform(request)
    async with platform.db.session() as session:
        item, _ = await readable_item(request, session)
    if not item.cover_sha256 or not item.cover_type:
        raise ApiError(404, "not_found", "此通知没有封面图")
    size = await platform.blobs.size(item.cover_sha256)
    return _blob_response(request, item, item.cover_sha256, size, item.cover_type,
                          content_disposition(f"cover-{item.id}", inline=True))


async def feed(request: Request) -> Response:
    """An Atom feed (RFC 4287) of one column's public items."""
    column = column_in_path(request.path_params["column"])
    platform = get_platform(request)
    at = now()
    async with platform.db.session() as session:
        found = await _queries.published(session, Readership(), at, column=column,
                                         per_page=config(request)["feed_size"],
                                         newest_first=True)
    base = platform.settings.base_url.rstrip("/")
    entries = [(item, render_markdown(item.body)) for item in found.items]
    updated = max((max(i.updated_at, i.publish_at or at) for i in found.items), default=at)
    xml = request.app.state.templates.get_template("notices/feed.xml").render({
        "base": base, "column": column, "title": column_title(column, request.state.locale),
        "entries": entries, "updated": updated, "author": request.app.state.title,
    })
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/", index, name="index"),
    Route("/c/{column}", column_page, name="column"),
    Route("/feeds/{column}.atom", feed, name="feed"),
    Route("/{item_id:int}", item_page, name="item"),
    Route("/{item_id:int}/files/{file_id:int}", download, name="download"),
    Route("/{item_id:int}/cover", cover, name="cover"),
]
