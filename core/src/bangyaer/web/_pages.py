"""The core's pages and JSON: home, 我的, inbox, language, health, orgs, OpenAPI."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..contrib import NavItem
from ..identity import ROLE_TITLES, Actor, Organisation, OrgKind
from ..notifications import Message, mark_read, unread_count
from ._api import ApiError, Body, Field, api, read_json
from ._context import get_actor, get_platform, is_number, render, require_actor, safe_next
from ._i18n import LOCALES
from ._i18n import gettext as _
from ._middleware import LOCALE_COOKIE

log = logging.getLogger("bangyaer.web")

READ_BODY = Body({"ids": Field(list, description="ids of the messages to mark as read")})
INBOX_PAGE = 30
MAX_READ_IDS = 500


def nav_for(request: Request, actor: Actor, placement: str) -> list[NavItem]:
    """The actor's tiles (``home``) or 我的 links (``me``) from every enabled plugin."""
    platform = get_platform(request)
    items = [item for _, item in platform.host.collect("nav_items", actor=actor)
             if isinstance(item, NavItem) and item.placement == placement]
    return sorted(items, key=lambda i: (i.order, i.plugin_id, i.url))


async def home(request: Request) -> Response:
    actor = await get_actor(request)
    return await render(request, "home.html", {"tiles": nav_for(request, actor, "home")})


async def me_page(request: Request) -> Response:
    actor = await require_actor(request)
    ids = {c.school_id for c in actor.children} | {c.class_id for c in actor.children}
    ids.discard(None)
    org_names: dict[int, str] = {}
    if ids:
        async with get_platform(request).db.session() as session:
            rows = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
            org_names = {o.id: o.name for o in rows}
    en = request.state.locale.startswith("en")
    roles = sorted({ROLE_TITLES[g.role][1 if en else 0] for g in actor.grants
                    if g.role in ROLE_TITLES})
    return await render(request, "me.html", {
        "links": nav_for(request, actor, "me"), "org_names": org_names, "role_titles": roles,
    })


async def _inbox(request: Request, actor: Actor, before: int | None) -> list[Message]:
    if actor.person is None:
        return []
    query = select(Message).where(Message.person_id == actor.person.id)
    if before:
        query = query.where(Message.id < before)
    async with get_platform(request).db.session() as session:
        rows = await session.scalars(query.order_by(Message.id.desc()).limit(INBOX_PAGE))
        return list(rows)


def _before(request: Request) -> int | None:
    raw = request.query_params.get("before")
    if raw is None:
        return None
    if not is_number(raw):
        raise ApiError(422, "invalid_parameter", _("参数 %(name)s 应为数字", name="before"))
    return int(raw)


async def _mark(request: Request, actor: Actor, ids: list[int]) -> int:
    # The person's id is part of the update, so another family's ids change nothing.
    if actor.person is None or not ids:
        return 0
    async with get_platform(request).db.transaction() as session:
        return await mark_read(session, actor.person.id, ids)


async def inbox_page(request: Request) -> Response:
    actor = await require_actor(request)
    if request.method == "POST":
        form = await request.form()
        ids = [int(v) for v in form.getlist("id") if isinstance(v, str) and is_number(v)]
        ids = ids[:MAX_READ_IDS]
        await _mark(request, actor, ids)
        return RedirectResponse("/me/inbox", status_code=303)
    messages = await _inbox(request, actor, _before(request))
    return await render(request, "inbox.html", {
        "messages": messages,
        "older": messages[-1].id if len(messages) == INBOX_PAGE else None,
    })


@api("The signed-in person's inbox, newest first (30 a page; ?before=<id> for older)")
async def api_inbox(request: Request) -> Response:
    actor = await require_actor(request)
    messages = await _inbox(request, actor, _before(request))
    async with get_platform(request).db.session() as session:
        unread = await unread_count(session, actor.person.id) if actor.person else 0
    return JSONResponse({
        "unread": unread,
        "messages": [{
            "id": m.id, "source": m.source, "topic": m.topic, "title": m.title, "body": m.body,
            "url": m.url, "created_at": m.created_at.isoformat(),
            "read": m.read_at is not None,
        } for m in messages],
    })


@api("Mark inbox messages as read", body=READ_BODY)
async def api_inbox_read(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, READ_BODY)
    ids = data["ids"]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ApiError(422, "invalid_field", _("ids 应为整数列表"), detail={"field": "ids"})
    if len(ids) > MAX_READ_IDS:
        raise ApiError(422, "invalid_field", _("一次最多标记 %(n)s 条消息", n=MAX_READ_IDS),
                       detail={"field": "ids"})
    return JSONResponse({"marked": await _mark(request, actor, ids)})


@api("Schools of the district, with their stage")
async def api_orgs(request: Request) -> Response:
    await require_actor(request)
    async with get_platform(request).db.session() as session:
        rows = await session.scalars(
            select(Organisation).where(Organisation.kind.in_([OrgKind.district, OrgKind.school]),
                                       Organisation.active.is_(True))
            .order_by(Organisation.path)
        )
        orgs: list[dict[str, Any]] = [
            {"id": o.id, "kind": o.kind, "code": o.code, "name": o.name, "stage": o.stage,
             "parent_id": o.parent_id} for o in rows
        ]
    return JSONResponse({"orgs": orgs})


async def set_language(request: Request) -> Response:
    code = request.path_params["code"]
    if code not in LOCALES:
        raise HTTPException(404, _("不支持该语言"))
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax",
                        httponly=True, secure=get_platform(request).settings.secure_cookies)
    return response


async def healthz(request: Request) -> Response:
    platform = get_platform(request)
    async with platform.db.session() as session:
        await session.execute(select(1))
    return JSONResponse({"status": "ok"})


@api("This OpenAPI document", auth=False)
async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi())


page_routes = [
    Route("/", home, name="home"),
    Route("/me", me_page, name="me"),
    Route("/me/inbox", inbox_page, methods=["GET", "POST"], name="inbox"),
    Route("/lang/{code}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz"),
]
api_routes = [
    Route("/me/inbox", api_inbox, name="me_inbox"),
    Route("/me/inbox/read", api_inbox_read, methods=["POST"], name="me_inbox_read"),
    Route("/orgs", api_orgs, name="orgs"),
    Route("/openapi.json", openapi, name="openapi"),
]
