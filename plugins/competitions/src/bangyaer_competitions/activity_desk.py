"""The desk's activity form: staff create a draft and edit it as far as its status allows.

Each save is one transaction through the API's own steps (``staff.create`` or
``staff.update``, the judging setup's ``edit``, the results ``settings.update``),
so the rules, the audit entries and the refusals are the API's.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.identity import Actor, Organisation, OrgKind, authorize, district_of
from bangyaer.web import ApiError, get_platform, render, require
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import desk_form, lifecycle, staff
from .access import MANAGE
from .activity_form import ACTIVITY_BODY
from .eligibility import STAGE_TITLES
from .judging import setup as judging_setup
from .judging.models import JudgingSetup
from .models import Activity, Group
from .results import settings
from .results._common import organised, publication
from .scoring.awards import AWARD_LEVELS
from .types import types_of

SPARE_ROWS = 2


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(get_platform(request).settings.timezone)


async def _organisers(session: AsyncSession, actor: Actor) -> list[Organisation]:
    """Where the actor may hold an activity: the district, or else their own schools."""
    district = await district_of(session)
    if district is not None and authorize(actor, MANAGE, district):
        return [district]
    schools = await session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.school).order_by(Organisation.name))
    return [s for s in schools if authorize(actor, MANAGE, s)]


async def _page(request: Request, actor: Actor, *, activity: Activity | None,
                values: dict[str, Any], error: str = "", field: str = "",
                status: int = 200) -> Response:
    platform = get_platform(request)
    async with platform.db.session() as session:
        setup = await session.get(JudgingSetup, activity.id) if activity else None
        publicised = activity is not None and (
            activity.status == "finished"
            or await publication(session, activity.id, "publicised") is not None)
        organisers = await _organisers(session, actor) if activity is None else []
    kind = types_of(platform).get(activity.type_id) if activity else None
    rows = max(len([k for k in values if k.startswith("group_name_")]) + SPARE_ROWS, 4)
    criteria = len([k for k in values if k.startswith("crit_title_")]) + SPARE_ROWS
    return await render(request, "competitions/manage_form.html", {
        "activity": activity, "v": values, "sf": values, "error": error,
        "error_field": field, "error_id": "form-error",
        "titles": lifecycle.STATUS_TITLES, "stages": STAGE_TITLES,
        "categories": list(platform.config("competitions")["categories"]),
        "types": sorted(types_of(platform).values(), key=lambda t: t.id),
        "organisers": organisers, "body": ACTIVITY_BODY.fields,
        "draft": activity is None or activity.status == "draft",
        "setup_open": setup is None or setup.assigned_at is None,
        "settings_open": not publicised, "measured": getattr(kind, "judging", "") == "measured",
        "group_rows": range(rows), "criteria": range(max(criteria, 3)),
        "methods": settings.METHOD_TITLES, "levels": AWARD_LEVELS,
    }, status_code=status)


async def new_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    return await _page(request, actor, activity=None,
                       values=desk_form.values_of(None, [], None, _zone(request)))


async def edit_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        activity, values = await _stored(session, get_platform(request), actor,
                                         int(request.path_params["activity_id"]),
                                         _zone(request))
    return await _page(request, actor, activity=activity, values=values)


async def _stored(session: AsyncSession, platform: Any, actor: Actor, activity_id: int,
                  zone: ZoneInfo, *, lock: bool = False) -> tuple[Activity, dict[str, Any]]:
    activity = await organised(session, actor, activity_id, lock=lock)
    groups = list(await session.scalars(select(Group).where(
        Group.activity_id == activity.id).order_by(Group.number)))
    setup = await session.get(JudgingSetup, activity.id)
    return activity, desk_form.values_of(activity, groups, setup, zone)


async def _apply_setup(session: AsyncSession, platform: Any, actor: Actor,
                       activity: Activity, values: dict[str, Any]) -> None:
    """The judging and results parts of the form, each only where it changes something."""
    setup = await judging_setup.setup_of(session, activity,
                                         types_of(platform).get(activity.type_id))
    baseline = desk_form.values_of(None, [], setup, ZoneInfo("UTC"))
    judging = desk_form.changed(desk_form.setup_data(values), desk_form.setup_data(baseline))
    if judging:
        await judging_setup.edit(session, actor, activity, setup, judging)
    results = desk_form.changed(desk_form.results_data(values),
                                desk_form.results_data(baseline))
    if results:
        await settings.update(session, actor, activity, setup, results)


async def create_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    values = desk_form.posted(await request.form())
    platform = get_platform(request)
    try:
        data = desk_form.activity_data(values, _zone(request), creating=True)
        desk_form.check_lengths(data)
        try:
            async with platform.db.transaction() as session:
                activity = await staff.create(session, platform, actor, data)
                await _apply_setup(session, platform, actor, activity, values)
                activity_id = activity.id
        except IntegrityError:
            raise staff.duplicate_prefix() from None
    except ApiError as exc:
        if not desk_form.shown_on_form(exc):
            raise
        field = str(exc.detail.get("field", ""))
        return await _page(request, actor, activity=None, values=values, status=exc.status,
                           error=desk_form.named(exc.message, field), field=field)
    return RedirectResponse(f"/competitions/manage/{activity_id}?done=created",
                            status_code=303)


async def edit_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    activity_id = int(request.path_params["activity_id"])
    values = desk_form.posted(await request.form())
    platform, zone = get_platform(request), _zone(request)
    try:
        try:
            async with platform.db.transaction() as session:
                activity, stored = await _stored(session, platform, actor, activity_id, zone,
                                                 lock=True)
                marked = {k: "1" for k in ("group_rows",) if k in values}
                data = desk_form.changed(
                    desk_form.activity_data(values, zone, creating=False, was=stored),
                    desk_form.activity_data({**stored, **marked}, zone, creating=False))
                desk_form.check_lengths(data)
                if data:
                    await staff.update(session, platform, actor, activity, data)
                await _apply_setup(session, platform, actor, activity, values)
        except IntegrityError:
            raise staff.duplicate_prefix() from None
    except ApiError as exc:
        if not desk_form.shown_on_form(exc):
            raise
        async with platform.db.session() as session:
            activity = await organised(session, actor, activity_id)
        field = str(exc.detail.get("field", ""))
        return await _page(request, actor, activity=activity, values=values,
                           status=exc.status, error=desk_form.named(exc.message, field),
                           field=field)
    return RedirectResponse(f"/competitions/manage/{activity_id}?done=saved", status_code=303)
