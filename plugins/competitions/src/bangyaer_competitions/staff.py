"""Staff: create and edit activities, move them along, watch counts, export entries."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from bangyaer.identity import Actor, Organisation, OrgKind, audit, authorize
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import activity_form, lifecycle
from .access import MANAGE
from .models import Activity, Entry, Group, Transition
from .types import types_of

log = logging.getLogger("bangyaer.competitions")
MOVE_BODY = Body({"to": Field(str)})


def entry_filter(actor: Actor, activity: Activity) -> ColumnElement[bool]:
    """All entries for the activity's organisers; only their own school's for others."""
    scopes = actor.scopes(MANAGE)
    if any(activity.org_path.startswith(s) for s in scopes):
        return Entry.activity_id == activity.id
    if not scopes:
        return false()
    return (Entry.activity_id == activity.id) & or_(*[Entry.org_path.startswith(s)
                                                      for s in scopes])


async def managed_activity(session: AsyncSession, actor: Actor, activity_id: int,
                           *, organiser: bool = False) -> Activity:
    activity = await session.get(Activity, activity_id)
    if activity is None:
        raise ApiError(404, "activity_not_found", "活动不存在")
    allowed = (authorize(actor, MANAGE, activity.org_path) if organiser
               else bool(actor.scopes(MANAGE)))
    if not allowed:
        raise ApiError(403, "forbidden", "只有主办方可以修改该活动")
    return activity


def _id(request: Request) -> int:
    raw = str(request.path_params["activity_id"])
    if not raw.isdigit():
        raise ApiError(404, "activity_not_found", "活动不存在")
    return int(raw)


async def _organiser_org(session: AsyncSession, actor: Actor, org_id: int | None
                         ) -> Organisation:
    if org_id is None:
        org = (await session.scalars(select(Organisation).where(
            Organisation.kind == OrgKind.district).limit(1))).first()
    else:
        org = await session.get(Organisation, org_id)
    if org is None or org.kind not in (OrgKind.district, OrgKind.school):
        raise ApiError(422, "invalid_field", "主办单位应为本区或一所学校",
                       detail={"field": "org_id"})
    if not authorize(actor, MANAGE, org):
        raise ApiError(403, "forbidden", "没有权限以该单位名义举办活动（学校管理员请填写本校）")
    return org


@api("Create an activity (draft); district staff for the district, school admins for "
     "their school", body=activity_form.ACTIVITY_BODY,
     responses={201: "created", 403: "not an organiser there", 422: "invalid field"})
async def create_activity(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, activity_form.ACTIVITY_BODY)
    platform = get_platform(request)
    try:
        async with platform.db.transaction() as session:
            activity = await create(session, platform, actor, data)
    except IntegrityError:
        raise duplicate_prefix() from None
    return JSONResponse(await _summary(platform, actor, activity.id), status_code=201)


def duplicate_prefix() -> ApiError:
    """A code prefix another activity holds: the unique index refuses it at commit."""
    return ApiError(409, "duplicate_code_prefix", "编号前缀已被其他活动使用",
                    detail={"field": "code_prefix"})


async def create(session: AsyncSession, platform: Any, actor: Actor, data: dict[str, Any]
                 ) -> Activity:
    """A new draft activity from checked staff input (the API's body, or the desk's form)."""
    values = activity_form.parse(data, list(platform.config("competitions")["categories"]),
                                 list(types_of(platform)))
    groups = activity_form.parse_groups(data["groups"])
    activity_form.check_dates(values["registration_opens_at"],
                              values["registration_closes_at"], values["submission_deadline"])
    org = await _organiser_org(session, actor, data.get("org_id"))
    return await _insert(session, actor, org, values, groups)


async def _insert(session: AsyncSession, actor: Actor, org: Organisation,
                  values: dict[str, Any], groups: list[dict[str, Any]]) -> Activity:
    if org.kind == OrgKind.school:
        # A school's own activity is for its own students only.
        rules = values.get("eligibility") or {"stages": [], "grades": []}
        values["eligibility"] = {**rules, "school_ids": [org.id]}
    prefix = values.pop("code_prefix", None)
    activity = Activity(org_id=org.id, org_path=org.path, status="draft",
                        code_prefix=prefix or f"~{secrets.token_hex(7)}",
                        created_by=actor.account_id, **values)
    session.add(activity)
    await session.flush()
    if prefix is None:  # the placeholder only made the unique column happy
        activity.code_prefix = f"K{activity.id:04d}"
    for group in groups:
        session.add(Group(activity_id=activity.id, **group))
    session.add(Transition(activity_id=activity.id, from_status="", to_status="draft",
                           account_id=actor.account_id))
    await audit(session, actor, "competitions.activity_created", "competitions_activity",
                activity.id)
    log.info("activity %s created by account %s", activity.id, actor.account_id)
    return activity


@api("Edit an activity; groups only while it is a draft",
     body=activity_form.UPDATE_BODY, responses={409: "groups fixed once open"})
async def update_activity(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, activity_form.UPDATE_BODY)
    platform = get_platform(request)
    try:
        async with platform.db.transaction() as session:
            activity = await managed_activity(session, actor, _id(request), organiser=True)
            await update(session, platform, actor, activity, data)
    except IntegrityError:
        raise duplicate_prefix() from None
    return JSONResponse(await _summary(platform, actor, activity.id))


async def update(session: AsyncSession, platform: Any, actor: Actor, activity: Activity,
                 data: dict[str, Any]) -> None:
    """Apply staff's edits to an activity they organise; groups and prefix only in draft."""
    values = activity_form.parse(data, list(platform.config("competitions")["categories"]),
                                 list(types_of(platform)))
    # Works already in were checked against the type's rules; another type would
    # leave them unchecked, and their judging copies made for the wrong kind.
    if values.get("type_id", activity.type_id) != activity.type_id \
            and activity.status != "draft":
        raise ApiError(409, "activity_published", "活动已发布，作品类型不能再改")
    if "groups" in data or "code_prefix" in data:
        if activity.status != "draft":
            raise ApiError(409, "activity_published", "活动已发布，组别和编号前缀不能再改")
        await _replace_groups(session, activity, data.get("groups"))
    for key, value in values.items():
        setattr(activity, key, value)
    activity_form.check_dates(activity.registration_opens_at,
                              activity.registration_closes_at, activity.submission_deadline)
    await audit(session, actor, "competitions.activity_updated", "competitions_activity",
                activity.id, fields=sorted(data))


async def _replace_groups(session: AsyncSession, activity: Activity, raw: Any) -> None:
    if raw is None:
        return
    for old in await session.scalars(select(Group).where(Group.activity_id == activity.id)):
        await session.delete(old)
    await session.flush()
    for group in activity_form.parse_groups(raw):
        session.add(Group(activity_id=activity.id, **group))


@api("Move an activity along its lifecycle", body=MOVE_BODY,
     responses={409: "move not allowed from the current status"})
async def move_activity(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, MOVE_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await managed_activity(session, actor, _id(request), organiser=True)
        await lifecycle.move(session, activity, data["to"], actor,
                             panel=lifecycle.judged_by_panel(platform, activity))
    return JSONResponse(await _summary(platform, actor, activity.id))


@api("An activity for staff: settings, history and live counts by group and school")
async def activity_stats(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        await managed_activity(session, actor, _id(request))
    return JSONResponse(await _summary(platform, actor, _id(request)))


@api("Activities this member of staff may see (drafts included)")
async def list_managed(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        rows = await session.scalars(select(Activity).order_by(Activity.id.desc()))
        return JSONResponse({"activities": [
            {"id": a.id, "title": a.title, "status": a.status, "category": a.category,
             "organiser": authorize(actor, MANAGE, a.org_path)} for a in rows]})


async def _summary(platform: Any, actor: Actor, activity_id: int) -> dict[str, Any]:
    async with platform.db.session() as session:
        activity = await session.get(Activity, activity_id)
        assert activity is not None  # checked by the caller
        return await summary(session, actor, activity,
                             panel=lifecycle.judged_by_panel(platform, activity))


async def summary(session: AsyncSession, actor: Actor, activity: Activity, *,
                  panel: bool = True) -> dict[str, Any]:
    groups = list(await session.scalars(
        select(Group).where(Group.activity_id == activity.id).order_by(Group.number)))
    where = entry_filter(actor, activity) & (Entry.status != "cancelled")
    by_group = dict((await session.execute(select(Entry.group_id, func.count(Entry.id))
                                           .where(where).group_by(Entry.group_id))).all())
    by_school = (await session.execute(
        select(Entry.school_name, func.count(Entry.id), func.count(Entry.submitted_at))
        .where(where).group_by(Entry.school_name).order_by(Entry.school_name))).all()
    history = await session.scalars(select(Transition).where(
        Transition.activity_id == activity.id).order_by(Transition.id))
    return {
        "id": activity.id, "title": activity.title, "status": activity.status,
        "status_title": lifecycle.STATUS_TITLES[activity.status],
        "category": activity.category, "type": activity.type_id,
        "code_prefix": activity.code_prefix, "eligibility": activity.eligibility,
        "organiser": authorize(actor, MANAGE, activity.org_path),
        # The plain transitions; the others are desk steps (the draw, the 公示, finalising).
        "allowed_moves": lifecycle.plain_moves(activity.status, panel=panel),
        "desk_moves": lifecycle.desk_moves(activity, panel=panel),
        "groups": [{"number": g.number, "name": g.name, "stage": g.stage,
                    "grade_min": g.grade_min, "grade_max": g.grade_max,
                    "entries": int(by_group.get(g.id, 0))} for g in groups],
        "schools": [{"school": name or "—", "entries": int(n), "submitted": int(s)}
                    for name, n, s in by_school],
        "total": sum(int(n) for n in by_group.values()),
        "history": [{"from": t.from_status, "to": t.to_status, "account_id": t.account_id,
                     "at": t.at.isoformat()} for t in history],
    }
