"""Judging pages: a judge's queue and score page, staff's judging desk, and the copies."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from bangyaer.identity import Actor
from bangyaer.web import N_, ApiError, get_platform, render, require, stream_blob
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import lifecycle
from ..access import MANAGE
from ..models import Activity, Group
from ..staff import managed_activity
from ..types import types_of
from . import freeze, judges, manual, marking, service
from .models import JudgingCopy
from .setup import setup_json, setup_of

JUDGE = "competitions.judge"


async def stream_copy(request: Request, copy: JudgingCopy, name: str, *, thumbnail: bool
                      ) -> Response:
    """A copy (or its thumbnail) under ``name``: built from the entry code or the alias,
    never the upload's."""
    sha, content_type = copy.sha256, copy.content_type
    if thumbnail:
        if copy.thumb_sha256 is None:
            raise ApiError(404, "file_not_found", _("该文件没有缩略图"))
        sha, content_type = copy.thumb_sha256, "image/jpeg"
        name = f"{PurePosixPath(name).stem}-thumb.jpg"
    return await stream_blob(request, get_platform(request), sha, content_type,
                             disposition=f'inline; filename="{name}"')


async def queue_page(request: Request) -> Response:
    actor = await require(request, JUDGE)
    assert actor.account_id is not None
    async with get_platform(request).db.session() as session:
        items = await marking.queue(session, actor.account_id)
    return await render(request, "competitions/judging/queue.html", {"items": items})


async def score_page(request: Request) -> Response:
    actor = await require(request, JUDGE)
    return await _score_page(request, actor, request.path_params["code"])


async def _score_page(request: Request, actor: Actor, code: str, *, error: str = "",
                      field: str = "", posted: dict[str, str] | None = None,
                      status: int = 200) -> Response:
    async with get_platform(request).db.session() as session:
        held, entry, activity = await marking.assignment_of(session, actor, code)
        view = await marking.entry_view(session, held, entry, activity)
    values = posted if posted is not None else {
        k: str(v) for k, v in ((view["score"] or {}).get("scores") or {}).items()}
    comment = (posted or {}).get("comment", (view["score"] or {}).get("comment", ""))
    return await render(request, "competitions/judging/score.html", {
        "e": view, "values": values, "comment": comment, "error": error, "field": field,
        "saved": "saved" in request.query_params}, status_code=status)


async def score_form(request: Request) -> Response:
    """Save and go to the next unscored entry; a bad score shows the form again with why."""
    actor = await require(request, JUDGE)
    assert actor.account_id is not None
    code = request.path_params["code"]
    form = await request.form()
    posted = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    platform = get_platform(request)
    try:
        async with platform.db.transaction() as session:
            held, entry, activity = await marking.assignment_of(session, actor, code)
            rubric_keys = [c["key"] for c in (await marking.entry_view(
                session, held, entry, activity))["rubric"]]
            scores = {k: posted.get(f"score_{k}", "").strip() for k in rubric_keys}
            await marking.save_score(session, actor, held.assignment, activity, scores,
                                     posted.get("comment", ""))
            upcoming = await marking.next_code(session, actor.account_id, activity.id, code)
    except ApiError as exc:
        if exc.status == 404:
            raise
        values = {k.removeprefix("score_"): v for k, v in posted.items()
                  if k.startswith("score_")}
        return await _score_page(request, actor, code, error=exc.message,
                                 field=str(exc.detail.get("field", "")),
                                 posted={**values, "comment": posted.get("comment", "")},
                                 status=exc.status)
    target = (f"/competitions/judging/entries/{quote(upcoming)}?saved=1" if upcoming
              else "/competitions/judging/?done=1")
    return RedirectResponse(target, status_code=303)


async def judging_state(session: AsyncSession, platform: Any, activity: Activity
                        ) -> dict[str, Any]:
    """Everything staff see of an activity's judging (the desk page and the API)."""
    setup = await setup_of(session, activity, types_of(platform).get(activity.type_id))
    return {"activity_id": activity.id, "title": activity.title, "status": activity.status,
            **setup_json(setup), "copies": await freeze.progress(session, activity.id),
            "progress": await judges.progress(session, activity)}


DONE = {"move": N_("已改派这件作品"),
        "drop": N_("评委已退出评审，%(n)s 件未评作品已改派给其他评委")}


async def desk_page(request: Request) -> Response:
    actor = await require(request, MANAGE)
    done = DONE.get(request.query_params.get("done", ""))
    raw = request.query_params.get("n", "0")
    moved = int(raw) if raw.isascii() and raw.isdigit() else 0
    return await _desk(request, actor, int(request.path_params["activity_id"]),
                       done=_(done, n=moved) if done else "")


async def _desk(request: Request, actor: Actor, activity_id: int, *, error: str = "",
                status: int = 200, field: str = "", posted: dict[str, str] | None = None,
                done: str = "") -> Response:
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await managed_activity(session, actor, activity_id, organiser=True)
        state = await judging_state(session, platform, activity)
        groups = list(await session.scalars(select(Group).where(
            Group.activity_id == activity.id).order_by(Group.number)))
    judges_seen = {j["account_id"]: j for j in state["progress"]["judges"]}
    return await render(request, "competitions/judging/desk.html", {
        "s": state, "groups": groups, "error": error, "titles": lifecycle.STATUS_TITLES,
        "error_field": field, "m": posted or {}, "done": done,
        "accounts": sorted(judges_seen.values(), key=lambda j: (j["name"], j["username"]))},
        status_code=status)


async def invite_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    activity_id = int(request.path_params["activity_id"])
    form = await request.form()
    group = str(form.get("group", ""))
    data: dict[str, object] = {"group": int(group) if group.isascii() and group.isdigit()
                               else None, "username": str(form.get("username", ""))}
    if str(form.get("name", "")).strip():
        data["name"], data["password"] = str(form["name"]), str(form.get("password", ""))
    return await _desk_action(request, actor, activity_id, "invite", data)


async def draw_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    return await _desk_action(request, actor, int(request.path_params["activity_id"]),
                              "draw", {})


async def _desk_action(request: Request, actor: Actor, activity_id: int, what: str,
                       data: dict[str, object]) -> Response:
    platform = get_platform(request)
    back = f"/competitions/manage/{activity_id}/judging"
    try:
        async with platform.db.transaction() as session:
            activity = await managed_activity(session, actor, activity_id, organiser=True)
            if what == "invite":
                await judges.invite(session, actor, activity, data)
            else:
                setup = await setup_of(session, activity,
                                       types_of(platform).get(activity.type_id))
                await service.draw(session, actor, activity, setup)
    except ApiError as exc:
        if exc.status in (403, 404) and exc.code in ("forbidden", "activity_not_found"):
            raise
        return await _desk(request, actor, activity_id, error=exc.message, status=exc.status)
    return RedirectResponse(back, status_code=303)


async def _drop_page(request: Request, actor: Actor, activity_id: int, invite_id: int, *,
                     error: str = "", status: int = 200, note: str = "") -> Response:
    async with get_platform(request).db.session() as session:
        activity = await managed_activity(session, actor, activity_id, organiser=True)
        invite = await manual.invite_of(session, activity, invite_id)
        judge = next(j for j in await judges.judges_json(session, activity)
                     if j["id"] == invite.id)
        unscored = await manual.unscored(session, invite)
    return await render(request, "competitions/judging/drop.html", {
        "activity": activity, "j": judge, "unscored": unscored, "error": error,
        "note": note}, status_code=status)


async def drop_page(request: Request) -> Response:
    """The confirm step: who leaves, and how many unscored entries go to others."""
    actor = await require(request, MANAGE)
    return await _drop_page(request, actor, int(request.path_params["activity_id"]),
                            int(request.path_params["invite_id"]))


async def drop_form(request: Request) -> Response:
    actor = await require(request, MANAGE)
    activity_id = int(request.path_params["activity_id"])
    invite_id = int(request.path_params["invite_id"])
    note = str((await request.form()).get("note", "")).strip()[:500]
    try:
        async with get_platform(request).db.transaction() as session:
            activity = await managed_activity(session, actor, activity_id, organiser=True)
            _invite, moved = await manual.drop(session, actor, activity, invite_id, note)
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _drop_page(request, actor, activity_id, invite_id, error=exc.message,
                                status=exc.status, note=note)
    return RedirectResponse(f"/competitions/manage/{activity_id}/judging?done=drop&n={moved}",
                            status_code=303)


def _account(posted: dict[str, str], name: str) -> int:
    raw = posted.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ApiError(422, "invalid_field", _("请选择评委"), detail={"field": name})
    return int(raw)


async def move_form(request: Request) -> Response:
    """One entry to another judge, checked as the API checks it; a refusal is kept in the
    audit log and shown with its reason."""
    actor = await require(request, MANAGE)
    activity_id = int(request.path_params["activity_id"])
    form = await request.form()
    posted = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        if not posted.get("code", "").strip():
            raise ApiError(422, "missing_field", _("请填写参赛编号"), detail={"field": "code"})
        await manual.move(get_platform(request).db, actor, activity_id,
                          code=posted["code"], from_judge=_account(posted, "from_judge"),
                          to_judge=_account(posted, "to_judge"),
                          note=posted.get("note", "")[:500])
    except ApiError as exc:
        if exc.status in (401, 403) or exc.code == "activity_not_found":
            raise
        return await _desk(request, actor, activity_id, error=exc.message, status=exc.status,
                           field=str(exc.detail.get("field", "") or _MOVE_FIELDS.get(
                               exc.code, "")), posted=posted)
    return RedirectResponse(f"/competitions/manage/{activity_id}/judging?done=move",
                            status_code=303)


# Which field a refusal of the service is about, for the form to point at it.
_MOVE_FIELDS = {"note_required": "note", "assignment_not_found": "from_judge",
                "already_scored": "from_judge", "not_a_judge_here": "to_judge",
                "conflict": "to_judge"}
