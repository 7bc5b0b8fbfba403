"""JSON for counsellors, school admins and district staff: brigades, activities, badges."""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.identity import Actor, OrgKind, Person, audit, authorize
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require_actor
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _activities, _badges, _brigades
from ._access import MANAGE, Reach, may_appoint, reach_of, require_reach
from ._common import clean_text, iso, load_org, load_pioneer, parse_time
from .models import Kind, News, Submission

APPOINT_BODY = Body({"org_id": Field(int), "account_id": Field(int)})
NEWS_BODY = Body({"title": Field(str, max_length=200), "body": Field(str, required=False,
                                                                      max_length=5000)})
ACTIVITY_BODY = Body({
    "title": Field(str, max_length=200), "theme": Field(str, required=False, max_length=2000),
    "kind": Field(str, description="photo, text or checkin"),
    "opens_at": Field(str, description="ISO 8601 with zone"),
    "closes_at": Field(str, description="ISO 8601 with zone"),
    "org_id": Field(int, description="the district, a school (brigade) or a class (squadron)"),
})
REVIEW_BODY = Body({"decision": Field(str, description="approve or return"),
                    "comment": Field(str, required=False, max_length=500)})
BADGE_BODY = Body({"code": Field(str, max_length=32), "name": Field(str, max_length=60),
                   "criteria": Field(str, required=False, max_length=2000)})
AWARD_BODY = Body({"child_id": Field(int), "note": Field(str, required=False, max_length=200)})


async def _staff(request: Request) -> tuple[Actor, Reach]:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        reach = await reach_of(session, actor)
    return actor, reach


def _no_reach() -> ApiError:
    return ApiError(403, "not_a_counsellor", "您还不是任何大队或中队的辅导员")


@api("Brigades (schools) where the account is a counsellor, wholly or for a squadron")
async def list_brigades(request: Request) -> Response:
    _, reach = await _staff(request)
    async with get_platform(request).db.session() as session:
        schools = await _brigades.brigades(session, reach)
    return JSONResponse({"brigades": [{"id": s.id, "name": s.name,
                                       "whole": reach.covers(s.path)} for s in schools]})


@api("One brigade: the squadrons the account reaches and the school's counsellors",
     responses={403: "not a counsellor of this brigade", 404: "no such school"})
async def get_brigade(request: Request) -> Response:
    actor, reach = await _staff(request)
    async with get_platform(request).db.session() as session:
        school = await load_org(session, request.path_params["id"])
        if school.kind != OrgKind.school:
            raise ApiError(404, "not_found", "没有这个大队")
        if not (reach.touches(school.path) or may_appoint(actor, school)):
            raise ApiError(403, "not_your_brigade", "只能查看本人担任辅导员的大队")
        squads = await _brigades.squadrons(session, school, reach)
        people = await _brigades.counsellors(session, school)
    return JSONResponse({
        "brigade": {"id": school.id, "name": school.name},
        "squadrons": [{"id": c.id, "name": c.name, "grade": c.grade} for c in squads],
        "counsellors": people,
    })


@api("One squadron and its pioneers, with their badge counts",
     responses={403: "not a counsellor of this squadron"})
async def get_squadron(request: Request) -> Response:
    actor, reach = await _staff(request)
    async with get_platform(request).db.transaction() as session:
        squad = await load_org(session, request.path_params["id"])
        if squad.kind != OrgKind.klass:
            raise ApiError(404, "not_found", "没有这个中队")
        if not reach.covers(squad.path):
            raise ApiError(403, "not_your_squadron", "只能查看本人担任辅导员的中队")
        members = await _brigades.members(session, squad)
        await audit(session, actor, "pioneers.squadron_viewed", "organisation", squad.id)
    return JSONResponse({"squadron": {"id": squad.id, "name": squad.name},
                         "pioneers": members})


@api("Appoint a teacher or school admin counsellor of a brigade or squadron", body=APPOINT_BODY,
     responses={201: "appointed", 403: "not this school's admin", 422: "not school staff"})
async def appoint(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, APPOINT_BODY)
    async with get_platform(request).db.transaction() as session:
        org = await load_org(session, data["org_id"])
        if not may_appoint(actor, org):
            raise ApiError(403, "forbidden", "只能为本校任命辅导员")
        row = await _brigades.appoint(session, actor, org, data["account_id"])
    return JSONResponse({"id": row.id, "account_id": row.account_id, "org_id": row.org_id},
                        status_code=201)


@api("Post brigade news (brigade counsellors and district staff)", body=NEWS_BODY,
     responses={201: "posted", 403: "not a counsellor of this brigade"})
async def post_news(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, NEWS_BODY)
    title = clean_text("标题", data["title"], 200)
    async with get_platform(request).db.transaction() as session:
        school = await load_org(session, request.path_params["id"])
        if school.kind != OrgKind.school:
            raise ApiError(404, "not_found", "没有这个大队")
        await require_reach(session, actor, school.path)
        news = News(school_id=school.id, title=title, body=data.get("body", "").strip(),
                    created_by=actor.account_id, published_at=utcnow())
        session.add(news)
        await session.flush()
    return JSONResponse({"id": news.id, "title": news.title}, status_code=201)


@api("Open an online activity for the district, a brigade or a squadron", body=ACTIVITY_BODY,
     responses={201: "opened", 403: "outside the account's brigades"})
async def open_activity(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, ACTIVITY_BODY)
    if data["kind"] not in set(Kind):
        raise ApiError(422, "invalid_field", "kind 应为 photo、text 或 checkin",
                       detail={"field": "kind"})
    fields = {"title": clean_text("活动主题", data["title"], 200),
              "theme": data.get("theme", "").strip(), "kind": Kind(data["kind"]),
              "opens_at": parse_time("opens_at", data["opens_at"]),
              "closes_at": parse_time("closes_at", data["closes_at"])}
    async with get_platform(request).db.transaction() as session:
        org = await load_org(session, data["org_id"])
        if org.kind == OrgKind.district:
            if not authorize(actor, MANAGE, org):
                raise ApiError(403, "forbidden", "全区活动只能由区少年宫工作人员发起")
        else:
            await require_reach(session, actor, org.path)
        activity = await _activities.open_activity(session, actor, org, fields)
        out = _activities.activity_json(activity, utcnow())
    return JSONResponse(out, status_code=201)


@api("What the account's pioneers handed in for an activity (?state=submitted to review)")
async def list_submissions(request: Request) -> Response:
    _, reach = await _staff(request)
    if not reach:
        raise _no_reach()
    state = request.query_params.get("state")
    async with get_platform(request).db.session() as session:
        activity = await _activities.load_activity(session, request.path_params["id"])
        query = (select(Submission, Person.name)
                 .join(Person, Person.id == Submission.child_id)
                 .where(Submission.activity_id == activity.id,
                        reach.where(Submission.org_path))
                 .order_by(Submission.submitted_at, Submission.id))
        if state:
            query = query.where(Submission.state == state)
        rows = (await session.execute(query)).all()
    return JSONResponse({"activity": _activities.activity_json(activity, utcnow()),
                         "submissions": [{**_activities.submission_json(s), "child_name": name}
                                         for s, name in rows]})


@api("Approve a hand-in, or return it with a comment", body=REVIEW_BODY,
     responses={403: "not this counsellor's pioneer", 409: "already reviewed"})
async def review(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, REVIEW_BODY)
    if data["decision"] not in ("approve", "return"):
        raise ApiError(422, "invalid_field", "decision 应为 approve 或 return",
                       detail={"field": "decision"})
    async with get_platform(request).db.transaction() as session:
        reach = await reach_of(session, actor)
        sub = await session.get(Submission, request.path_params["id"])
        if sub is None:
            raise ApiError(404, "not_found", "没有这份提交")
        await _activities.review(session, actor, reach, sub,
                                 approve=data["decision"] == "approve",
                                 comment=data.get("comment", ""))
        out = _activities.submission_json(sub)
    return JSONResponse(out)


@api("Every badge of the badge programme (争章) with its criteria")
async def list_badges(request: Request) -> Response:
    await require_actor(request)
    async with get_platform(request).db.session() as session:
        badges = await _badges.all_badges(session)
    return JSONResponse({"badges": [_badges.badge_json(b) for b in badges]})


@api("Add a badge (district staff)", body=BADGE_BODY, responses={201: "added"})
async def create_badge(request: Request) -> Response:
    actor = await require_actor(request)
    if not authorize(actor, MANAGE):
        raise ApiError(403, "forbidden", "奖章由区少年宫统一设置")
    data = await read_json(request, BADGE_BODY)
    async with get_platform(request).db.transaction() as session:
        badge = await _badges.create_badge(
            session, actor, code=data["code"], name=clean_text("奖章名称", data["name"], 60),
            criteria=data.get("criteria", "").strip())
        out = _badges.badge_json(badge)
    return JSONResponse(out, status_code=201)


@api("Award a badge to one pioneer of the counsellor's brigade or squadron", body=AWARD_BODY,
     responses={201: "awarded", 403: "not this counsellor's pioneer", 409: "already awarded"})
async def award_badge(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, AWARD_BODY)
    note = clean_text("颁章说明", data.get("note", ""), 200, required=False)
    async with get_platform(request).db.transaction() as session:
        badge = await session.get(_badges.Badge, request.path_params["id"])
        if badge is None:
            raise ApiError(404, "not_found", "没有这枚奖章")
        child = await load_pioneer(session, data["child_id"])
        reach = await reach_of(session, actor)
        row = await _badges.award(session, actor, reach, badge, child, note)
    return JSONResponse({"id": row.id, "badge_id": row.badge_id, "child_id": row.child_id,
                         "awarded_at": iso(row.awarded_at)}, status_code=201)
