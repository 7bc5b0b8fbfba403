"""The JSON API of results: settings, computing, 公示, appeals, finalising, the audit log."""

from __future__ import annotations

from typing import Any

from bangyaer.identity import authorize
from bangyaer.web import (
    ApiError,
    Body,
    Field,
    api,
    get_platform,
    read_json,
    require,
    require_actor,
)
from bangyaer.web import gettext as _
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..access import MANAGE, entry_by_code
from ..models import Activity, Entry
from ..staff import _id
from . import appeals, audit_log, compute, finalise, measure, publish, settings, views
from ._common import latest_version, organised, setup_of
from .models import Appeal, Result

COMPUTE_BODY = Body({"force": Field(bool, required=False,
                                    description="compute although some entries lack scores")})
EXTRA_BODY = Body({"codes": Field(list, description="entry codes of flagged entries"),
                   "count": Field(int, required=False, description="judges each (default 1)")})
MEASURE_BODY = Body({"values": Field(dict, description='entry code → decimal string, "12.34"')})
PUBLISH_BODY = Body({"appeal_days": Field(int, required=False, description="default 5"),
                     "appeal_hours": Field(int, required=False)})
APPEAL_BODY = Body({"reason": Field(str, max_length=appeals.MAX_REASON)})
DECISION_BODY = Body({"accept": Field(bool), "reason": Field(str, max_length=appeals.MAX_REASON)})
FINALISE_BODY = Body({"override_reason": Field(
    str, required=False, max_length=500,
    description="finalise inside the window or with open appeals, stating why")})


async def _body(request: Request, body: Body) -> dict[str, Any]:
    if request.headers.get("content-length", "0") in ("", "0"):
        return {}
    return await read_json(request, body)


async def _draft(platform: Any, activity_id: int) -> dict[str, Any]:
    async with platform.db.session() as session:
        activity = await session.get(Activity, activity_id)
        assert activity is not None  # checked by the caller
        setup = await setup_of(session, platform, activity)
        return await views.draft(session, activity, setup)


@api("How scores become results: aggregation, tie-breaks and the award rule")
async def get_settings(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, _id(request))
        setup = await setup_of(session, platform, activity)
        return JSONResponse(settings.settings_json(setup))


@api("Change how results are computed; fixed once a 公示 is out", body=settings.SETTINGS_BODY,
     responses={409: "results already publicised", 422: "invalid setting"})
async def update_settings(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, settings.SETTINGS_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        setup = await setup_of(session, platform, activity)
        await settings.update(session, actor, activity, setup, data)
        return JSONResponse(settings.settings_json(setup))


@api("Compute a new draft version of the results", body=COMPUTE_BODY,
     responses={201: "computed", 409: "entries lack scores, or no award rule"})
async def compute_results(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await _body(request, COMPUTE_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        setup = await setup_of(session, platform, activity)
        done = await compute.compute(session, platform, actor, activity, setup,
                                     force=bool(data.get("force")))
    body = await _draft(platform, activity.id)
    body.update({"computed_version": done.version, "unscored_by_group": done.unscored,
                 "resolved_appeals": done.resolved_appeals})
    return JSONResponse(body, status_code=201)


@api("The latest results for staff review, per group, with flags")
async def get_results(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        activity = await organised(session, actor, _id(request))
    return JSONResponse(await _draft(platform, activity.id))


@api("Give flagged entries one more judge each (the extra round), then recompute",
     body=EXTRA_BODY, responses={409: "not judging", 422: "entry not flagged"})
async def extra_judges(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, EXTRA_BODY)
    codes = data["codes"]
    count = data.get("count", 1)
    if not codes or not all(isinstance(c, str) for c in codes) or not 1 <= count <= 5:
        raise ApiError(422, "invalid_field", _("codes 应为参赛编号列表，count 为 1–5"))
    async with get_platform(request).db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        if activity.status != "judging":
            raise ApiError(409, "not_judging", _("只有评审中的活动才能增加评委"))
        version = await latest_version(session, activity.id)
        flagged = dict((await session.execute(
            select(Entry.code, Entry.id).join(Result, Result.entry_id == Entry.id)
            .where(Result.activity_id == activity.id, Result.version == version,
                   Result.flagged.is_(True)))).all())
        wrong = sorted(set(codes) - set(flagged))
        if wrong:
            raise ApiError(422, "not_flagged", _("%(codes)s 不在需要复核的作品中",
                                                 codes="、".join(wrong[:10])),
                           detail={"codes": wrong})
        from ..judging import service as judging

        rows = await judging.add_judges(session, actor, activity,
                                        [flagged[c] for c in dict.fromkeys(codes)],
                                        count=count, round="extra")
    return JSONResponse({"assigned": len(rows)}, status_code=201)


@api("Enter measured results (times, distances) by entry code", body=MEASURE_BODY,
     responses={409: "not judging", 422: "not a number, or unknown code"})
async def enter_measurements(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, MEASURE_BODY)
    async with get_platform(request).db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        count = await measure.enter(session, actor, activity, data["values"])
    return JSONResponse({"recorded": count})


@api("Publish the 公示 (award list, masked names) and open the appeal window",
     body=PUBLISH_BODY, responses={201: "publicised", 200: "already publicised",
                                   409: "not judging, or nothing computed"})
async def publish_results(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await _body(request, PUBLISH_BODY)
    span = publish.window(data.get("appeal_days"), data.get("appeal_hours"))
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        setup = await setup_of(session, platform, activity)
        pub, created = await publish.publicise(session, platform, actor, activity, setup, span)
        body = publish.publication_json(pub)
    return JSONResponse(body, status_code=201 if created else 200)


@api("The published award list: entry code, masked name, school, award")
async def get_awards(request: Request) -> Response:
    await require_actor(request)
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, _id(request))
        body = await views.public_awards(session, activity) if activity else None
    if body is None:
        raise ApiError(404, "not_publicised", _("该活动的结果尚未公示"))
    return JSONResponse(body)


@api("An entry's published result and its appeal")
async def entry_result(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"])
        activity = await session.get(Activity, entry.activity_id)
        assert activity is not None  # foreign key
        body = await views.entry_result(session, actor, entry, activity)
    if body is None:
        raise ApiError(404, "not_publicised", _("该活动的结果尚未公示"))
    return JSONResponse(body)


@api("Appeal (申诉) against the 公示 of the entry, during the window, once",
     body=APPEAL_BODY, responses={201: "submitted", 200: "already submitted: the same appeal",
                                  409: "outside the window", 422: "no reason"})
async def submit_appeal(request: Request) -> Response:
    actor = await require_actor(request)
    data = await read_json(request, APPEAL_BODY)
    db = get_platform(request).db
    async with db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"],
                                    guardian_only=True)
    appeal, created = await appeals.submit(db, actor, entry, data["reason"])
    return JSONResponse(appeals.appeal_json(appeal, entry), status_code=201 if created else 200)


@api("The activity's appeals, newest first")
async def list_appeals(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        activity = await organised(session, actor, _id(request))
        rows = (await session.execute(
            select(Appeal, Entry).join(Entry, Entry.id == Appeal.entry_id)
            .where(Appeal.activity_id == activity.id).order_by(Appeal.id.desc())))
        return JSONResponse({"appeals": [appeals.appeal_json(a, e) for a, e in rows]})


@api("Accept (re-judge by new judges) or reject an appeal, with a reason", body=DECISION_BODY,
     responses={409: "already decided, or no judge left who has not seen the entry"})
async def decide_appeal(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, DECISION_BODY)
    raw = str(request.path_params["appeal_id"])
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        appeal = await session.get(Appeal, int(raw)) if raw.isdigit() else None
        if appeal is None:
            raise ApiError(404, "appeal_not_found", _("找不到该申诉"))
        activity = await organised(session, actor, appeal.activity_id, lock=True)
        setup = await setup_of(session, platform, activity)
        await appeals.decide(session, platform, actor, activity, appeal, accept=data["accept"],
                             raw_reason=data["reason"], judges=setup.judges_per_entry)
        entry = await session.get(Entry, appeal.entry_id)
        return JSONResponse(appeals.appeal_json(appeal, entry))


@api("Make the results final: guardians notified, growth events, e-certificates",
     body=FINALISE_BODY, responses={201: "final", 200: "already final",
                                    409: "window open or appeals open"})
async def finalise_results(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await _body(request, FINALISE_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, _id(request), lock=True)
        pub, created = await finalise.finalise(session, platform, actor, activity,
                                               override=data.get("override_reason", ""))
        body = publish.publication_json(pub)
    return JSONResponse(body, status_code=201 if created else 200)


@api("The activity's audit log (district admins): filters action, judge, entry; paged")
async def read_audit(request: Request) -> Response:
    actor = await require(request, audit_log.AUDIT)
    filters = audit_log.parse_filters(request.query_params)
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, _id(request))
        if activity is None or not authorize(actor, audit_log.AUDIT, activity.org_path):
            raise ApiError(404, "activity_not_found", _("活动不存在"))
        return JSONResponse(await audit_log.read(session, activity.id, filters))
