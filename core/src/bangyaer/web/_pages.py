"""The core's pages and JSON: home, 我的, inbox, cockpit, language, health, orgs."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..contrib import NavItem, Scope, Widget, WidgetData
from ..identity import Actor, Organisation, OrgKind, authorize
from ..notifications import Message, mark_read, unread_count
from ._api import ApiError, Body, Field, api, read_json
from ._context import get_actor, get_platform, render, require, require_actor
from ._middleware import LOCALE_COOKIE

log = logging.getLogger("bangyaer.web")

READ_BODY = Body({"ids": Field(list)})
INBOX_PAGE = 30


def nav_for(request: Request, actor: Actor, placement: str) -> list[NavItem]:
    platform = get_platform(request)
    items = [item for _, item in platform.host.collect("nav_items", actor=actor)
             if isinstance(item, NavItem) and item.placement == placement]
    return sorted(items, key=lambda i: (i.order, i.plugin_id))


async def home(request: Request) -> Response:
    actor = await get_actor(request)
    unread = 0
    if actor.person is not None:
        async with get_platform(request).db.session() as session:
            unread = await unread_count(session, actor.person.id)
    return await render(request, "home.html", {
        "tiles": nav_for(request, actor, "home"), "unread": unread,
    })


async def me_page(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        unread = await unread_count(session, actor.person.id) if actor.person else 0
        schools = {}
        ids = {c.school_id for c in actor.children} | {c.class_id for c in actor.children}
        ids.discard(None)
        if ids:
            rows = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
            schools = {o.id: o.name for o in rows}
    return await render(request, "me.html", {
        "unread": unread, "links": nav_for(request, actor, "me"), "org_names": schools,
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
    if not raw.isdigit():
        raise ApiError(422, "invalid_parameter", "before 应为数字")
    return int(raw)


async def inbox_page(request: Request) -> Response:
    actor = await require_actor(request)
    if request.method == "POST":
        form = await request.form()
        ids = [int(v) for v in form.getlist("id") if str(v).isdigit()]
        if actor.person is not None and ids:
            async with get_platform(request).db.transaction() as session:
                await mark_read(session, actor.person.id, ids)
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
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in data["ids"]):
        raise ApiError(422, "invalid_field", "ids 应为整数列表", detail={"field": "ids"})
    changed = 0
    if actor.person is not None:
        async with get_platform(request).db.transaction() as session:
            changed = await mark_read(session, actor.person.id, data["ids"])
    return JSONResponse({"marked": changed})


async def _scope_for(request: Request, actor: Actor) -> tuple[Scope, list[Organisation]]:
    """District scope for district roles (or one school they pick); own school otherwise."""
    platform = get_platform(request)
    wanted = request.query_params.get("school")
    async with platform.db.session() as session:
        schools = list(await session.scalars(
            select(Organisation).where(Organisation.kind == OrgKind.school,
                                       Organisation.active.is_(True))
            .order_by(Organisation.code)
        ))
        visible = [s for s in schools if authorize(actor, "core.cockpit.school", s)]
        if authorize(actor, "core.cockpit.district") and not wanted:
            district = await session.scalar(
                select(Organisation).where(Organisation.kind == OrgKind.district).limit(1))
            if district is None:
                raise HTTPException(404, "尚未建立区级组织")
            return Scope("district", district.id, district.path), visible
    if not visible:
        raise HTTPException(403)
    chosen = next((s for s in visible if str(s.id) == wanted), visible[0])
    if wanted and str(chosen.id) != wanted:
        raise HTTPException(403)
    return Scope("school", chosen.id, chosen.path), visible


async def _load_widgets(request: Request, scope: Scope) -> list[tuple[Widget, WidgetData | None]]:
    platform = get_platform(request)
    widgets = [w for _, w in platform.host.collect("dashboard_widgets", scope=scope)
               if isinstance(w, Widget)]
    out: list[tuple[Widget, WidgetData | None]] = []
    async with platform.db.session() as session:
        for widget in sorted(widgets, key=lambda w: (w.order, w.id)):
            try:
                data = await widget.load(session, scope)
            except Exception:  # one broken widget must not blank the cockpit
                log.exception("cockpit widget %s failed", widget.id)
                await session.rollback()
                data = None
            out.append((widget, data))
    return out


async def dashboard_page(request: Request) -> Response:
    actor = await require(request, "core.cockpit.school")
    scope, schools = await _scope_for(request, actor)
    return await render(request, "dashboard.html", {
        "scope": scope, "schools": schools, "widgets": await _load_widgets(request, scope),
        "is_district": authorize(actor, "core.cockpit.district"),
    })


@api("Cockpit widgets and their data for the district or one school (?school=<id>)")
async def api_dashboard(request: Request) -> Response:
    actor = await require(request, "core.cockpit.school")
    scope, _ = await _scope_for(request, actor)
    locale = request.state.locale
    return JSONResponse({
        "scope": {"kind": scope.kind, "org_id": scope.org_id},
        "widgets": [{
            "id": w.id, "title": w.title(locale), "kind": w.kind,
            "data": None if d is None else {
                "value": d.value, "columns": list(d.columns),
                "rows": [list(r) for r in d.rows], "note": d.note},
        } for w, d in await _load_widgets(request, scope)],
    })


@api("Schools of the district, with their stage", auth=True)
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
    if code not in ("zh_CN", "en"):
        raise HTTPException(404)
    back = request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
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
    Route("/dashboard", dashboard_page, name="dashboard"),
    Route("/lang/{code}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz"),
]
api_routes = [
    Route("/me/inbox", api_inbox, name="me_inbox"),
    Route("/me/inbox/read", api_inbox_read, methods=["POST"], name="me_inbox_read"),
    Route("/dashboard", api_dashboard, name="dashboard"),
    Route("/orgs", api_orgs, name="orgs"),
    Route("/openapi.json", openapi, name="openapi"),
]
