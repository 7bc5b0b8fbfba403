"""The HTML pages: activities and one-tap registration for guardians, a desk for staff."""

from __future__ import annotations

from urllib.parse import quote

from bangyaer.db import utcnow
from bangyaer.identity import authorize
from bangyaer.web import (
    N_,
    get_platform,
    render,
    require,
    require_actor,
    require_child,
)
from bangyaer.web import gettext as _
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import lifecycle, registration, views
from .access import MANAGE, entry_by_code
from .api import _child_entries, _entry_body, register_child
from .eligibility import submission_problem, window_problem
from .models import Activity, Entry
from .results import pages as results_pages
from .staff import managed_activity, summary
from .types import KIND_TITLES, describe, types_of


async def activities_page(request: Request) -> Response:
    actor = await require_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        found = await views.visible_activities(session)
        entries = await _child_entries(session, child)
    items = [views.activity_json(a, g, child, entries) for a, g in found]
    return await render(request, "competitions/activities.html", {
        "items": items, "child": child, "staff": authorize(actor, MANAGE)})


async def activity_page(request: Request) -> Response:
    actor = await require_actor(request)
    activity_id = int(request.path_params["activity_id"])
    platform = get_platform(request)
    async with platform.db.session() as session:
        activity = await registration.load_activity(session, activity_id)
        groups = await registration.groups_of(session, activity_id)
        entries = await _child_entries(session, actor.acting_child)
        awards = await results_pages.activity_section(session, activity)
    kind = types_of(platform).get(activity.type_id)
    return await render(request, "competitions/activity.html", {
        "awards": awards,
        "item": views.activity_json(activity, groups, actor.acting_child, entries),
        "activity": activity, "child": actor.acting_child,
        "work_type": describe(kind) if kind else None})


async def register_form(request: Request) -> Response:
    actor, child = await require_child(request)
    activity_id = int(request.path_params["activity_id"])
    result = await register_child(request, actor, child, activity_id)
    code = quote(result.entry.code)
    return RedirectResponse(f"/competitions/entries/{code}?registered=1", status_code=303)


async def entry_page(request: Request) -> Response:
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"])
        activity = await session.get(Activity, entry.activity_id)
        assert activity is not None  # foreign key
        result = await results_pages.entry_section(session, actor, entry, activity)
    kind = types_of(platform).get(activity.type_id)
    body = await _entry_body(request, entry)
    now = utcnow()
    return await render(request, "competitions/entry.html", {
        "entry": body, "activity": activity, "registered": "registered" in request.query_params,
        "result": result,
        "work_type": describe(kind) if kind else None, "kind_titles": KIND_TITLES,
        "can_submit": entry.status != "cancelled" and submission_problem(activity, now) is None
        and actor.is_guardian_of(entry.student_id),
        "can_cancel": entry.status != "cancelled" and window_problem(activity, now) is None
        and actor.is_guardian_of(entry.student_id),
    })


async def cancel_form(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.transaction() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"],
                                    guardian_only=True)
        await registration.cancel(session, actor, entry)
    return RedirectResponse(f"/competitions/entries/{quote(entry.code)}", status_code=303)


async def mine_page(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        rows = list(await session.scalars(
            select(Entry).where(Entry.student_id == child.id).order_by(Entry.id.desc())))
        acts = {a.id: a for a in await session.scalars(
            select(Activity).where(Activity.id.in_({e.activity_id for e in rows})))}
    items = [{"code": e.code, "activity": acts[e.activity_id].title,
              "status_title": views.entry_status_title(e, acts[e.activity_id])} for e in rows]
    return await render(request, "competitions/mine.html", {"items": items, "child": child})


async def manage_page(request: Request) -> Response:
    await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        rows = list(await session.scalars(select(Activity).order_by(Activity.id.desc())))
    return await render(request, "competitions/manage.html", {
        "activities": rows, "titles": lifecycle.STATUS_TITLES})


DONE = {"created": N_("活动已创建（草稿），发布前可继续修改"), "saved": N_("修改已保存")}


async def manage_activity_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        activity = await managed_activity(session, actor, int(request.path_params["activity_id"]))
        data = await summary(session, actor, activity,
                             panel=lifecycle.judged_by_panel(platform, activity))
    done = DONE.get(request.query_params.get("done", ""))
    return await render(request, "competitions/manage_activity.html", {
        "a": data, "titles": lifecycle.STATUS_TITLES, "done": _(done) if done else ""})


async def move_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    form = await request.form()
    target = str(form.get("to", ""))
    activity_id = int(request.path_params["activity_id"])
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await managed_activity(session, actor, activity_id, organiser=True)
        await lifecycle.move(session, activity, target, actor,
                             panel=lifecycle.judged_by_panel(platform, activity))
    return RedirectResponse(f"/competitions/manage/{activity_id}", status_code=303)

