"""The judging JSON API: staff set up, invite, draw and watch; judges read and score."""

from __future__ import annotations

from bangyaer.identity import Actor
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require
from bangyaer.web import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..access import MANAGE
from ..models import Activity
from ..staff import _id, managed_activity
from ..types import types_of
from . import freeze, judges, manual, marking, service
from .pages import judging_state, stream_copy
from .setup import edit, setup_of

JUDGE = "competitions.judge"
SETUP_BODY = Body({"judges_per_entry": Field(int, required=False),
                   "rubric": Field(list, required=False)})
INVITE_BODY = Body({
    "group": Field(int, description="group number"),
    "username": Field(str, max_length=64, description="an existing account, or the new one's"),
    "name": Field(str, required=False, max_length=100, description="a new judge's name"),
    "password": Field(str, required=False, max_length=128,
                      description="a new judge's initial password"),
})
DROP_BODY = Body({"note": Field(str, required=False, max_length=500)})
DRAW_BODY = Body({"seed": Field(str, required=False, max_length=64,
                                description="replay a recorded draw")})
CHANGE_BODY = Body({"code": Field(str, max_length=32), "from_judge": Field(int),
                    "to_judge": Field(int), "note": Field(str, max_length=500)})
SCORE_BODY = Body({"scores": Field(dict), "comment": Field(str, required=False,
                                                           max_length=1000)})


async def _organised(session: AsyncSession, actor: Actor, request: Request) -> Activity:
    return await managed_activity(session, actor, _id(request), organiser=True)


@api("An activity's judging: setup, copies, judges and progress per judge and panel")
async def get_judging(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await _organised(session, actor, request)
        return JSONResponse(await judging_state(session, platform, activity))


@api("Change judges per entry or the rubric, until the draw", body=SETUP_BODY,
     responses={409: "the draw has been made", 422: "invalid rubric"})
async def put_judging(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, SETUP_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await _organised(session, actor, request)
        setup = await setup_of(session, activity, types_of(platform).get(activity.type_id))
        await edit(session, actor, activity, setup, data)
        return JSONResponse(await judging_state(session, platform, activity))


@api("Invite a judge to a group: an existing account by username, or a new judge account",
     body=INVITE_BODY, responses={201: "invited", 404: "no such account",
                                  409: "username taken or judge dropped"})
async def post_judge(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, INVITE_BODY)
    async with get_platform(request).db.transaction() as session:
        activity = await _organised(session, actor, request)
        row, created = await judges.invite(session, actor, activity, data)
        listed = next(j for j in await judges.judges_json(session, activity) if j["id"] == row.id)
    return JSONResponse(listed, status_code=201 if created else 200)


@api("The judges of an activity with their progress")
async def list_judges(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        activity = await _organised(session, actor, request)
        return JSONResponse({"judges": await judges.judges_json(session, activity)})


@api("Drop a judge from their group; their unscored entries are reassigned", body=DROP_BODY,
     responses={409: "no eligible judge left to take them"})
async def drop_judge(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, DROP_BODY)
    async with get_platform(request).db.transaction() as session:
        activity = await _organised(session, actor, request)
        invite, moved = await manual.drop(session, actor, activity,
                                          int(request.path_params["invite_id"]),
                                          str(data.get("note", "")))
    return JSONResponse({"id": invite.id, "status": invite.status, "reassigned": moved})


@api("Make the judging copies again (those already made are kept)",
     responses={202: "queued"})
async def rerun_copies(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        activity = await _organised(session, actor, request)
        setup = await setup_of(session, activity, types_of(get_platform(request)).get(
            activity.type_id))
        if activity.status not in ("submissions_closed", "judging") or setup.assigned_at:
            raise ApiError(409, "not_closed", _("只有截止提交后、评审开始前才能生成评审副本"))
        await freeze.start(session, activity, again=True)
    return JSONResponse({"queued": True}, status_code=202)


@api("Draw the judges for every entry (optionally replaying a seed) and start judging",
     body=DRAW_BODY, responses={409: "not frozen, already drawn or too few judges"})
async def post_draw(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, DRAW_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await _organised(session, actor, request)
        setup = await setup_of(session, activity, types_of(platform).get(activity.type_id))
        result = await service.draw(session, actor, activity, setup, seed=data.get("seed"))
    return JSONResponse(result, status_code=201)


@api("Whether drawing again with the recorded seed gives the recorded assignment")
async def get_replay(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await _organised(session, actor, request)
        setup = await setup_of(session, activity, types_of(platform).get(activity.type_id))
        return JSONResponse({"seed": setup.seed,
                             "matches": await service.replays(session, activity, setup)})


@api("Move one entry from one judge to another, checked against the rules and logged",
     body=CHANGE_BODY, responses={409: "conflict, already scored or not a judge of the group"})
async def change_assignment(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, CHANGE_BODY)
    moved = await manual.move(get_platform(request).db, actor, _id(request),
                              code=data["code"], from_judge=data["from_judge"],
                              to_judge=data["to_judge"], note=data["note"])
    return JSONResponse({"code": moved.code, "judge_account_id": moved.judge_account_id,
                         "round": moved.round}, status_code=201)


@api("A judge's queue: the activities they judge, progress and the next unscored entry")
async def my_queue(request: Request) -> Response:
    actor = await require(request, JUDGE)
    assert actor.account_id is not None
    async with get_platform(request).db.session() as session:
        return JSONResponse({"activities": await marking.queue(session, actor.account_id)})


@api("One entry as its judge sees it: code (or review alias), group, anonymised copies, "
     "rubric, own score", responses={404: "not an entry of this judge"})
async def judge_entry(request: Request) -> Response:
    actor = await require(request, JUDGE)
    async with get_platform(request).db.session() as session:
        held, entry, activity = await marking.assignment_of(
            session, actor, request.path_params["code"])
        return JSONResponse(await marking.entry_view(session, held, entry, activity))


@api("Save (or revise) the judge's score for an entry; the same score twice is one",
     body=SCORE_BODY, responses={404: "not an entry of this judge", 409: "scoring closed",
                                 422: "a criterion missing, not an integer or out of range"})
async def put_score(request: Request) -> Response:
    actor = await require(request, JUDGE)
    data = await read_json(request, SCORE_BODY)
    async with get_platform(request).db.transaction() as session:
        held, entry, activity = await marking.assignment_of(
            session, actor, request.path_params["code"])
        await marking.save_score(session, actor, held.assignment, activity, data["scores"],
                                 data.get("comment", ""))
        assert actor.account_id is not None
        upcoming = await marking.next_code(session, actor.account_id, activity.id, held.handle)
        body = await marking.entry_view(session, held, entry, activity)
    return JSONResponse({**body, "next": upcoming})


async def copy_content(request: Request) -> Response:
    """A judging copy (or its thumbnail) by id, only to a judge holding the entry unaliased."""
    actor = await require(request, JUDGE)
    which = request.path_params.get("which")
    if which not in (None, "thumbnail"):
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    async with get_platform(request).db.session() as session:
        copy, name = await marking.copy_for(session, actor, int(request.path_params["copy_id"]))
    return await stream_copy(request, copy, name, thumbnail=which == "thumbnail")


async def entry_copy(request: Request) -> Response:
    """A judging copy (or its thumbnail) by the entry's code or alias and its position."""
    actor = await require(request, JUDGE)
    which = request.path_params.get("which")
    if which not in (None, "thumbnail"):
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    async with get_platform(request).db.session() as session:
        copy, name = await marking.copy_at(session, actor, request.path_params["code"],
                                           int(request.path_params["position"]))
    return await stream_copy(request, copy, name, thumbnail=which == "thumbnail")
