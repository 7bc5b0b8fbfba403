"""The JSON API under /api/v1/clubs/: families apply; leaders and staff run clubs."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Account, Actor, audit
from bangyaer.web import (
    ApiError,
    api,
    get_actor,
    get_platform,
    read_json,
    require,
    require_actor,
    require_child,
)
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import _input, _meetings, _queries, _service
from ._access import MANAGE, check_run
from ._json import application_json, club_json, meeting_json, post_json, round_json
from .models import Application, Club, Meeting, Membership, Post, Round


async def _club(session: AsyncSession, request: Request, *, runner: Actor | None = None
                ) -> Club:
    club = await session.get(Club, int(request.path_params["club_id"]))
    if club is None or (runner is None and not club.active):
        raise ApiError(404, "not_found", "社团不存在或已停办")
    if runner is not None:
        check_run(runner, club)
    return club


async def _check_leader(session: AsyncSession, fields: dict[str, Any]) -> None:
    leader = fields.get("leader_account_id")
    if leader is not None and await session.get(Account, leader) is None:
        raise _input.bad("leader_account_id", f"账号 {leader} 不存在")


async def _owned(session: AsyncSession, actor: Actor, model: Any, key: str) -> tuple[Any, Club]:
    row = await session.get(model, int(key))
    club = await session.get(Club, row.club_id) if row is not None else None
    if row is None or club is None:
        raise ApiError(404, "not_found", "记录不存在")
    check_run(actor, club)
    return row, club


@api("Active clubs (filter: category); those suited to the acting child's grade marked",
     auth=False)
async def list_clubs(request: Request) -> Response:
    actor = await get_actor(request)
    async with get_platform(request).db.session() as session:
        found = await _queries.catalogue(session, request.query_params.get("category", ""),
                                         actor.acting_child)
    return JSONResponse({"clubs": [{**club_json(c, members=n), "suited": s}
                                   for c, n, s in found]})


@api("One club with its open recruitment round, photos and news", auth=False)
async def get_club(request: Request) -> Response:
    async with get_platform(request).db.session() as session:
        club = await _club(session, request)
        detail = await _queries.club_detail(session, club)
    return JSONResponse({"club": {
        **club_json(club, members=detail.members, photos=detail.photos),
        "round": round_json(detail.round) if detail.round else None,
        "posts": [post_json(p) for p in detail.posts]}})


@api("Apply for the acting child in the club's open round (answers: one per question); "
     "repeating returns the same application", body=_input.APPLY_BODY,
     responses={201: "Created", 409: "Not recruiting, member already, or wrong grade"})
async def apply(request: Request) -> Response:
    actor, child = await require_child(request)
    answers = (await read_json(request, _input.APPLY_BODY)).get("answers", [])
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request)
        application, created = await _service.apply(session, actor, club, child, answers)
        return JSONResponse({"application": application_json(application)},
                            status_code=201 if created else 200)


@api("The acting child's applications and memberships")
async def mine(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        found = await _queries.mine(session, child.id)
    return JSONResponse({
        "applications": [{**application_json(a), "club": c.name} for a, c in found.applied],
        "memberships": [{"club": club_json(c), "joined_at": m.joined_at.isoformat(),
                         "left_at": m.left_at.isoformat() if m.left_at else None,
                         "leave_reason": m.leave_reason} for m, c in found.memberships]})


@api("Create a club", body=_input.CLUB_BODY, responses={201: "Created"})
async def create_club(request: Request) -> Response:
    actor = await require(request, MANAGE)
    fields = _input.club_fields(await read_json(request, _input.CLUB_BODY), creating=True)
    async with get_platform(request).db.transaction() as session:
        await _check_leader(session, fields)
        club = Club(**fields)
        session.add(club)
        await session.flush()
        await audit(session, actor, "clubs.club_created", "clubs_club", club.id)
        return JSONResponse({"club": club_json(club)}, status_code=201)


@api("Change a club (leaders: their own club; the leader only by district staff)",
     body=_input.CLUB_BODY)
async def update_club(request: Request) -> Response:
    actor = await require_actor(request)
    fields = _input.club_fields(await read_json(request, _input.CLUB_BODY), creating=False)
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request, runner=actor)
        if {"leader_account_id", "capacity", "active"} & set(fields):
            await require(request, MANAGE)
        await _check_leader(session, fields)
        for name, value in fields.items():
            setattr(club, name, value)
        await audit(session, actor, "clubs.club_updated", "clubs_club", club.id)
        return JSONResponse({"club": club_json(club)})


@api("Open a recruitment round with its questions", body=_input.ROUND_BODY,
     responses={201: "Created"})
async def create_round(request: Request) -> Response:
    actor = await require_actor(request)
    fields = _input.round_fields(await read_json(request, _input.ROUND_BODY))
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request, runner=actor)
        found = Round(club_id=club.id, **fields)
        session.add(found)
        await session.flush()
        return JSONResponse({"round": round_json(found)}, status_code=201)


@api("A club's applications (filter: status)")
async def list_applications(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request, runner=actor)
        rows = await _queries.applications(session, club.id,
                                           request.query_params.get("status", ""))
        # Applications carry children's names and their families' answers.
        await audit(session, actor, "clubs.applications_read", "clubs_club", club.id,
                    count=len(rows))
    return JSONResponse({"applications": [application_json(a, p.name) for a, p in rows]})


@api("Admit or decline an application, with an optional audition result",
     body=_input.DECISION_BODY, responses={409: "Full, decided otherwise, or member"})
async def decide(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, _input.DECISION_BODY)
    async with get_platform(request).db.transaction() as session:
        application, _ = await _owned(session, actor, Application,
                                      request.path_params["application_id"])
        await _service.decide(session, actor, application, admit=data["admit"],
                              audition_result=data.get("audition_result", ""))
        return JSONResponse({"application": application_json(application)})


@api("A club's current members")
async def list_members(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        club = await _club(session, request, runner=actor)
        rows = await _service.members(session, club.id)
    return JSONResponse({"members": [
        {"membership_id": m.id, "child_id": p.id, "name": p.name,
         "joined_at": m.joined_at.isoformat()} for m, p in rows]})


@api("A member leaves the club, with the reason", body=_input.LEAVE_BODY)
async def leave(request: Request) -> Response:
    actor = await require_actor(request)
    reason = (await read_json(request, _input.LEAVE_BODY))["reason"]
    async with get_platform(request).db.transaction() as session:
        membership, _ = await _owned(session, actor, Membership,
                                     request.path_params["membership_id"])
        await _service.leave(session, actor, membership, reason)
        return JSONResponse({"membership": {
            "id": membership.id, "left_at": membership.left_at.isoformat()
            if membership.left_at else None, "leave_reason": membership.leave_reason}})


@api("Schedule a session", body=_input.MEETING_BODY, responses={201: "Created"})
async def create_meeting(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, _input.MEETING_BODY)
    starts = _input.parse_time("starts_at", data["starts_at"])
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request, runner=actor)
        meeting = Meeting(club_id=club.id, starts_at=starts, topic=data.get("topic", "").strip(),
                          created_by=actor.account_id)
        session.add(meeting)
        await session.flush()
        return JSONResponse({"meeting": meeting_json(meeting)}, status_code=201)


@api("Take attendance: every current member is marked present (listed) or absent",
     body=_input.ATTENDANCE_BODY)
async def attendance(request: Request) -> Response:
    actor = await require_actor(request)
    present = _input.child_ids("present", (await read_json(request,
                                                           _input.ATTENDANCE_BODY))["present"])
    async with get_platform(request).db.transaction() as session:
        meeting, club = await _owned(session, actor, Meeting, request.path_params["meeting_id"])
        marks = await _meetings.take_attendance(session, actor, club, meeting, present)
    return JSONResponse({"attendance": [{"child_id": c, "present": p}
                                        for c, p in sorted(marks.items())]})


@api("Post club news", body=_input.POST_BODY, responses={201: "Created"})
async def create_post(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, _input.POST_BODY)
    if not data["title"].strip():
        raise _input.bad("title", "请填写标题")
    async with get_platform(request).db.transaction() as session:
        club = await _club(session, request, runner=actor)
        post = Post(club_id=club.id, title=data["title"].strip(),
                    body=data.get("body", "").strip(), author_account_id=actor.account_id,
                    created_at=utcnow())
        session.add(post)
        await session.flush()
        return JSONResponse({"post": post_json(post)}, status_code=201)


routes = [
    Route("/clubs", list_clubs, methods=["GET"], name="clubs"),
    Route("/clubs", create_club, methods=["POST"], name="create_club"),
    Route("/clubs/{club_id:int}", get_club, methods=["GET"], name="club"),
    Route("/clubs/{club_id:int}", update_club, methods=["PATCH"], name="update_club"),
    Route("/clubs/{club_id:int}/applications", apply, methods=["POST"], name="apply"),
    Route("/clubs/{club_id:int}/applications", list_applications, methods=["GET"],
          name="applications"),
    Route("/clubs/{club_id:int}/rounds", create_round, methods=["POST"], name="create_round"),
    Route("/clubs/{club_id:int}/members", list_members, methods=["GET"], name="members"),
    Route("/clubs/{club_id:int}/meetings", create_meeting, methods=["POST"],
          name="create_meeting"),
    Route("/clubs/{club_id:int}/posts", create_post, methods=["POST"], name="create_post"),
    Route("/applications/{application_id:int}/decision", decide, methods=["POST"],
          name="decide"),
    Route("/memberships/{membership_id:int}/leave", leave, methods=["POST"], name="leave"),
    Route("/meetings/{meeting_id:int}/attendance", attendance, methods=["PUT"],
          name="attendance"),
    Route("/mine", mine, methods=["GET"], name="mine"),
]
