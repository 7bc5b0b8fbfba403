"""Pages for leaders and staff: my clubs, one club's desk, and the attendance list.

Every form posts back to its page and redirects (303) to it, so a reload
never repeats an action; the services underneath are idempotent anyway.
"""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError, get_platform, render, require_actor
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import _input, _meetings, _queries, _service
from ._access import can_run, is_runner
from .models import Application, Club, Meeting, Membership, Post


async def _runner(request: Request) -> Actor:
    actor = await require_actor(request)
    if not is_runner(actor):
        raise HTTPException(403, "没有管理社团的权限")
    return actor


async def _club_for(request: Request, actor: Actor, club_id: int) -> Club:
    async with get_platform(request).db.session() as session:
        club = await session.get(Club, club_id)
    if club is None:
        raise HTTPException(404, "社团不存在")
    if not can_run(actor, club):
        raise HTTPException(403, "只有本社团的负责老师或区少年宫工作人员可以查看")
    return club


async def desk(request: Request) -> Response:
    actor = await _runner(request)
    async with get_platform(request).db.session() as session:
        clubs = await _queries.run_by(session, actor)
    return await render(request, "clubs/manage/list.html", {"clubs": clubs})


async def _act(request: Request, actor: Actor, club: Club) -> None:
    form = await request.form()
    action = str(form.get("action", ""))
    async with get_platform(request).db.transaction() as session:
        if action in ("admit", "decline"):
            application = await session.get(Application, int(str(form.get("id", "0"))))
            if application is None or application.club_id != club.id:
                raise ApiError(404, "not_found", "申请不存在")
            await _service.decide(session, actor, application, admit=action == "admit",
                                  audition_result=str(form.get("audition_result", "")))
        elif action == "leave":
            membership = await session.get(Membership, int(str(form.get("id", "0"))))
            if membership is None or membership.club_id != club.id:
                raise ApiError(404, "not_found", "成员不存在")
            await _service.leave(session, actor, membership, str(form.get("reason", "")))
        elif action == "meeting":
            starts = _input.parse_time("starts_at", str(form.get("starts_at", "")))
            session.add(Meeting(club_id=club.id, starts_at=starts,
                                topic=str(form.get("topic", "")).strip()[:120],
                                created_by=actor.account_id))
        elif action == "post":
            title = str(form.get("title", "")).strip()[:80]
            if not title:
                raise _input.bad("title", "请填写标题")
            session.add(Post(club_id=club.id, title=title, created_at=utcnow(),
                             body=str(form.get("body", "")).strip()[:2000],
                             author_account_id=actor.account_id))
        else:
            raise ApiError(400, "unknown_action", "未知的操作")


async def club_desk(request: Request) -> Response:
    actor = await _runner(request)
    club = await _club_for(request, actor, request.path_params["club_id"])
    error: ApiError | None = None
    if request.method == "POST":
        try:
            await _act(request, actor, club)
            return RedirectResponse(f"/clubs/manage/{club.id}", status_code=303)
        except ApiError as exc:
            error = exc
    async with get_platform(request).db.transaction() as session:
        pending = await _queries.applications(session, club.id, "pending")
        # Applications carry children's names and their families' answers.
        await audit(session, actor, "clubs.applications_read", "clubs_club", club.id,
                    count=len(pending))
        members = await _service.members(session, club.id)
        meetings = list(await session.scalars(select(Meeting).where(Meeting.club_id == club.id)
                                              .order_by(Meeting.starts_at.desc()).limit(20)))
    return await render(request, "clubs/manage/club.html", {
        "club": club, "pending": pending, "members": members, "meetings": meetings,
        "error": error}, status_code=error.status if error else 200)


async def attendance_page(request: Request) -> Response:
    actor = await _runner(request)
    async with get_platform(request).db.session() as session:
        meeting = await session.get(Meeting, request.path_params["meeting_id"])
    if meeting is None:
        raise HTTPException(404, "活动不存在")
    club = await _club_for(request, actor, meeting.club_id)
    saved = False
    if request.method == "POST":
        form = await request.form()
        raw = [str(v) for v in form.getlist("present")]
        present = {int(v) for v in raw if v.isascii() and v.isdigit()}
        try:
            async with get_platform(request).db.transaction() as session:
                await _meetings.take_attendance(session, actor, club, meeting, present)
        except ApiError as exc:
            raise HTTPException(exc.status, exc.message) from None
        return RedirectResponse(f"/clubs/manage/meetings/{meeting.id}?saved=1",
                                status_code=303)
    saved = request.query_params.get("saved") == "1"
    async with get_platform(request).db.session() as session:
        members = await _service.members(session, club.id)
        marks = await _meetings.marks(session, meeting.id)
    return await render(request, "clubs/manage/attendance.html", {
        "club": club, "meeting": meeting, "members": members, "marks": marks,
        "saved": saved, "present_count": sum(1 for v in marks.values() if v)})


routes = [
    Route("/manage", desk, name="desk"),
    Route("/manage/{club_id:int}", club_desk, methods=["GET", "POST"], name="club_desk"),
    Route("/manage/meetings/{meeting_id:int}", attendance_page, methods=["GET", "POST"],
          name="attendance"),
]
