"""The guardian's JSON API: activities, registration, entries and works."""

from __future__ import annotations

from typing import Any

from bangyaer.identity import Actor, Person, audit
from bangyaer.web import (
    ApiError,
    Body,
    Field,
    api,
    get_platform,
    read_json,
    require_actor,
    require_child,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import registration, views, works
from .access import entry_by_code
from .models import Activity, Entry, Group, Work, WorkFile
from .types import describe, types_of
from .uploads import staged_files

REGISTER_BODY = Body({"additional": Field(bool, required=False,
                                          description="a further entry when several are allowed")})
WORK_BODY = Body({"fields": Field(dict), "file_ids": Field(list)})


def _int_param(request: Request, name: str) -> int:
    raw = request.path_params[name]
    if not str(raw).isdigit():
        raise ApiError(404, "activity_not_found", "活动不存在或尚未发布")
    return int(raw)


@api("Activities, with the acting child's eligibility and the reason when not eligible")
async def list_activities(request: Request) -> Response:
    actor = await require_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        found = await views.visible_activities(session)
        entries = await _child_entries(session, child)
    return JSONResponse({"activities": [views.activity_json(a, g, child, entries)
                                        for a, g in found]})


async def _child_entries(session: AsyncSession, child: Person | None) -> list[Entry]:
    if child is None:
        return []
    rows = await session.scalars(select(Entry).where(
        Entry.student_id == child.id, Entry.status != "cancelled").order_by(Entry.id))
    return list(rows)


@api("One activity, with what a work must contain")
async def get_activity(request: Request) -> Response:
    actor = await require_actor(request)
    activity_id = _int_param(request, "activity_id")
    platform = get_platform(request)
    async with platform.db.session() as session:
        activity = await registration.load_activity(session, activity_id)
        groups = await registration.groups_of(session, activity_id)
        entries = await _child_entries(session, actor.acting_child)
    body = views.activity_json(activity, groups, actor.acting_child, entries)
    kind = types_of(platform).get(activity.type_id)
    body["work_type"] = describe(kind) if kind else None
    return JSONResponse(body)


async def register_child(request: Request, actor: Actor, child: Person, activity_id: int,
                         additional: bool = False) -> registration.Registered:
    """Register in one transaction; a concurrent duplicate resolves to the first entry."""
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= 100:
        raise ApiError(422, "invalid_idempotency_key", "Idempotency-Key 长度应为 1–100")
    db = get_platform(request).db
    try:
        return await registration.register(db, actor, child, activity_id,
                                           idempotency_key=key, additional=additional)
    except IntegrityError:
        # Another request for the same child (or key) committed first; its
        # entry is the answer, and this transaction's counter step was undone.
        return await registration.register(db, actor, child, activity_id,
                                           idempotency_key=key, additional=False)


@api("Register the acting child (one tap: name, school, grade and class from the roster)",
     body=REGISTER_BODY,
     responses={201: "registered", 200: "already registered: the same entry",
                403: "not eligible", 409: "registration closed or limit reached"})
async def create_entry(request: Request) -> Response:
    actor, child = await require_child(request)
    activity_id = _int_param(request, "activity_id")
    data = await read_json(request, REGISTER_BODY) if await _has_body(request) else {}
    result = await register_child(request, actor, child, activity_id,
                                  bool(data.get("additional")))
    activity, group = result.activity, result.group
    if activity is None:
        async with get_platform(request).db.session() as session:
            activity = await session.get(Activity, result.entry.activity_id)
            group = await session.get(Group, result.entry.group_id)
    assert activity is not None  # foreign key
    # A registration has no work yet (a repeat may: GET the entry for it).
    body = views.entry_json(result.entry, activity, group)
    body["message"] = "报名成功"
    return JSONResponse(body, status_code=201 if result.created else 200)


async def _has_body(request: Request) -> bool:
    return request.headers.get("content-length", "0") not in ("", "0")


async def _entry_body(request: Request, entry: Entry) -> dict[str, Any]:
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, entry.activity_id)
        group = await session.get(Group, entry.group_id)
        assert activity is not None  # foreign key
        work = (await session.scalars(select(Work).where(
            Work.entry_id == entry.id, Work.current.is_(True)))).first()
        current = list(await session.scalars(select(WorkFile).where(
            WorkFile.work_id == work.id))) if work else []
        staged = await staged_files(session, entry.id)
    return views.entry_json(entry, activity, group, current, work.fields if work else None,
                            staged)


@api("An entry by its code: status timeline and current work")
async def get_entry(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"])
    if not actor.is_guardian_of(entry.student_id):
        # Staff reading a child's record is audit-logged (PIPL).
        async with get_platform(request).db.transaction() as session:
            await audit(session, actor, "competitions.entry_viewed", "competitions_entry",
                        entry.id)
    return JSONResponse(await _entry_body(request, entry))


@api("The acting child's entries (我的报名)")
async def my_entries(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        rows = list(await session.scalars(
            select(Entry).where(Entry.student_id == child.id).order_by(Entry.id.desc())))
        acts = {a.id: a for a in await session.scalars(
            select(Activity).where(Activity.id.in_({e.activity_id for e in rows})))}
    return JSONResponse({"entries": [
        {"code": e.code, "activity": acts[e.activity_id].title, "status": e.status,
         "status_title": views.entry_status_title(e, acts[e.activity_id])} for e in rows]})


@api("Cancel an entry while registration is open", responses={409: "registration closed"})
async def cancel_entry(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.transaction() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"],
                                    guardian_only=True)
        await registration.cancel(session, actor, entry)
    return JSONResponse(await _entry_body(request, entry))


@api("Submit (or replace) the entry's work from staged files", body=WORK_BODY,
     responses={201: "new version", 409: "submissions closed", 422: "files or fields wrong"})
async def submit_work(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, WORK_BODY)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in data["file_ids"]):
        raise ApiError(422, "invalid_field", "file_ids 应为数字列表")
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"],
                                    guardian_only=True)
        activity = await session.get(Activity, entry.activity_id)
        assert activity is not None  # foreign key
        kind = types_of(platform).get(activity.type_id)
        if kind is None:
            raise ApiError(409, "type_unavailable", "该活动的作品类型暂不可用，请联系主办方")
        work = await works.submit(session, actor, activity, kind, entry, data["fields"],
                                  data["file_ids"])
    body = await _entry_body(request, entry)
    body["version"] = work.version
    return JSONResponse(body, status_code=201)


@api("A small status document for the entry page to poll")
async def entry_status(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"])
        activity = await session.get(Activity, entry.activity_id)
    assert activity is not None  # foreign key
    return JSONResponse({"code": entry.code, "status": entry.status,
                         "status_title": views.entry_status_title(entry, activity),
                         "timeline": views.timeline(entry, activity)})
