"""The cockpit (驾驶舱): widgets from every plugin for the district or one school."""

from __future__ import annotations

import inspect
import logging

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..contrib import Scope, Widget, WidgetData
from ..identity import Actor, Organisation, OrgKind, authorize
from ._api import ApiError, api
from ._context import get_platform, is_number, render, require
from ._i18n import gettext as _

log = logging.getLogger("bangyaer.web")

Loaded = list[tuple[Widget, WidgetData | None]]


def _wanted_school(request: Request) -> int | None:
    raw = request.query_params.get("school", "")
    if raw == "":
        return None
    if not is_number(raw):
        raise ApiError(422, "invalid_parameter", _("参数 %(name)s 应为数字", name="school"))
    return int(raw)


def _refuse(status: int, message: str) -> Exception:
    code = {403: "forbidden", 404: "not_found"}[status]
    return ApiError(status, code, message)


async def scope_for(request: Request, actor: Actor) -> tuple[Scope, list[Organisation]]:
    """District scope for district roles (or one school on request); a school admin's own."""
    wanted = _wanted_school(request)
    async with get_platform(request).db.session() as session:
        schools = list(await session.scalars(
            select(Organisation).where(Organisation.kind == OrgKind.school,
                                       Organisation.active.is_(True))
            .order_by(Organisation.code)
        ))
        visible = [s for s in schools if authorize(actor, "core.cockpit.school", s)]
        if wanted is not None:
            school = next((s for s in schools if s.id == wanted), None)
            if school is None:
                raise _refuse(404, _("没有这所学校"))
            if school not in visible:
                raise _refuse(403, _("只能查看本校的数据"))
            return Scope("school", school.id, school.path), visible
        if authorize(actor, "core.cockpit.district"):
            district = await session.scalar(
                select(Organisation).where(Organisation.kind == OrgKind.district).limit(1))
            if district is None:
                raise _refuse(404, _("尚未建立区级组织"))
            return Scope("district", district.id, district.path), visible
    if not visible:
        raise _refuse(403, _("没有可查看的学校"))
    return Scope("school", visible[0].id, visible[0].path), visible


async def load_widgets(request: Request, scope: Scope) -> Loaded:
    """Every widget with its data; a widget that fails gets None and an error box."""
    platform = get_platform(request)
    widgets = [w for _, w in platform.host.collect("dashboard_widgets", scope=scope)
               if isinstance(w, Widget)]
    out: Loaded = []
    async with platform.db.session() as session:
        for widget in sorted(widgets, key=lambda w: (w.order, w.id)):
            data: WidgetData | None = None
            try:
                result = widget.load(session, scope)
                data = await result if inspect.isawaitable(result) else result
            except Exception:  # one broken widget must not blank the cockpit
                log.exception("cockpit widget %s failed", widget.id)
                await session.rollback()
            if data is not None and not isinstance(data, WidgetData):
                log.error("cockpit widget %s returned %s, not WidgetData",
                          widget.id, type(data).__name__)
                data = None
            out.append((widget, data))
    return out


async def dashboard_page(request: Request) -> Response:
    actor = await require(request, "core.cockpit.school")
    scope, schools = await scope_for(request, actor)
    return await render(request, "dashboard.html", {
        "scope": scope, "schools": schools, "widgets": await load_widgets(request, scope),
        "is_district": authorize(actor, "core.cockpit.district"),
    })


@api("Cockpit widgets and their data for the district or one school (?school=<id>)",
     responses={403: "not a school this account may see", 404: "no such school"})
async def api_dashboard(request: Request) -> Response:
    actor = await require(request, "core.cockpit.school")
    scope, _schools = await scope_for(request, actor)
    locale = request.state.locale
    return JSONResponse({
        "scope": {"kind": scope.kind, "org_id": scope.org_id},
        "widgets": [{
            "id": w.id, "title": w.title(locale), "kind": w.kind, "ok": d is not None,
            "data": None if d is None else {
                "value": d.value, "columns": list(d.columns),
                "rows": [list(r) for r in d.rows], "note": d.note},
        } for w, d in await load_widgets(request, scope)],
    })


page_routes = [Route("/dashboard", dashboard_page, name="dashboard")]
api_routes = [Route("/dashboard", api_dashboard, name="dashboard")]
