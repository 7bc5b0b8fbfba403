"""The results pages: the staff desk, the audit log, the award list, the appeal form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from bangyaer.identity import Actor, authorize
from bangyaer.web import ApiError, get_platform, render, require, require_actor
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import MANAGE, entry_by_code
from ..models import Activity, Entry
from ..scoring.awards import AWARD_LEVELS
from . import (
    appeals,
    audit_log,
    compute,
    finalise,
    measure,
    publish,
    settings,
    settings_form,
    views,
)
from ._common import is_measured, organised, setup_of
from .models import Appeal


def with_times(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Publication times as datetimes, for the templates' local_time filter."""
    for key in ("publication", "publicised", "final"):
        pub = data.get(key) if data else None
        if isinstance(pub, dict) and pub.get("appeal_until"):
            pub["appeal_until_at"] = dt.datetime.fromisoformat(pub["appeal_until"])
    return data


async def entry_section(session: AsyncSession, actor: Actor, entry: Entry,
                        activity: Activity) -> dict[str, Any] | None:
    """For the entry page: the shown result and the appeal form (None before a 公示)."""
    return with_times(await views.entry_result(session, actor, entry, activity))


async def activity_section(session: AsyncSession, activity: Activity) -> dict[str, Any] | None:
    """For the activity page: the award list once publicised."""
    return with_times(await views.public_awards(session, activity))


DONE = {"settings": "评奖规则已保存", "compute": "已计算新的结果", "measure": "成绩已录入",
        "extra": "已为所选作品增加评委", "publish": "结果已公示", "finalise": "结果已确定",
        "appeal": "申诉已处理"}


async def _desk(request: Request, activity_id: int, *, error: str = "", status: int = 200,
                form: FormData | None = None, field: str = "") -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, activity_id)
        setup = await setup_of(session, platform, activity)
        data = await views.draft(session, activity, setup)
        rows = (await session.execute(
            select(Appeal, Entry).join(Entry, Entry.id == Appeal.entry_id)
            .where(Appeal.activity_id == activity.id).order_by(Appeal.id.desc())))
        listed = [appeals.appeal_json(a, e) for a, e in rows]
        measured = is_measured(platform, activity)
    done = DONE.get(request.query_params.get("done", ""), "")
    return await render(request, "competitions/results/desk.html", {
        "activity": activity, "r": with_times(data), "appeals": listed, "measured": measured,
        "levels": AWARD_LEVELS, "methods": settings.METHOD_TITLES, "error": error,
        "done": _(done) if done else "",
        "may_audit": authorize(actor, audit_log.AUDIT, activity.org_path),
        "form": form or {}, "error_field": field, "error_id": "rs-error",
        # Posted settings come back as they were typed; otherwise the stored ones.
        "sf": form if form and "aggregation" in form else settings_form.form_of(setup)},
        status_code=status)


def _lines(raw: str) -> dict[str, str]:
    """ "K2026-01-00001 12.34" a line (a comma or a tab also separates) → code: value."""
    out: dict[str, str] = {}
    for line in raw.splitlines():
        parts = line.replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ApiError(422, "invalid_measurement",
                           _("每行应为“参赛编号 成绩”，如 K2026-01-00001 12.34：%(line)s",
                             line=line.strip()[:60]))
        out[parts[0]] = parts[1]
    return out


async def _act(request: Request, activity_id: int, action: str, form: FormData) -> None:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        activity = await organised(session, actor, activity_id, lock=True)
        setup = await setup_of(session, platform, activity)
        if action == "settings":
            await settings.update(session, actor, activity, setup,
                                  settings_form.settings_from_form(form))
        elif action == "compute":
            await compute.compute(session, platform, actor, activity, setup,
                                  force=form.get("force") == "1")
        elif action == "measure":
            await measure.enter(session, actor, activity, _lines(str(form.get("values", ""))))
        elif action == "extra":
            from ..judging import service as judging

            codes = [str(c) for c in form.getlist("code")]
            ids = list(await session.scalars(select(Entry.id).where(
                Entry.activity_id == activity.id, Entry.code.in_(codes))))
            if not ids:
                raise ApiError(422, "missing_field", _("请先勾选要增加评委的作品"))
            await judging.add_judges(session, actor, activity, ids, count=1, round="extra")
        elif action == "publish":
            span = publish.window(settings_form.integer(form, "appeal_days"),
                                  settings_form.integer(form, "appeal_hours"))
            await publish.publicise(session, platform, actor, activity, setup, span)
        elif action == "finalise":
            await finalise.finalise(session, platform, actor, activity,
                                    override=str(form.get("override_reason", "")))
        else:
            raise HTTPException(404)


async def desk_page(request: Request) -> Response:
    return await _desk(request, int(request.path_params["activity_id"]))


async def desk_form(request: Request) -> Response:
    activity_id = int(request.path_params["activity_id"])
    action = str(request.path_params["action"])
    form = await request.form()
    try:
        await _act(request, activity_id, action, form)
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _desk(request, activity_id, error=exc.message, status=exc.status,
                           form=form, field=str(exc.detail.get("field", "")))
    return RedirectResponse(f"/competitions/manage/{activity_id}/results?done={action}",
                            status_code=303)


async def appeal_form(request: Request) -> Response:
    """Staff's decision on an appeal, from the desk."""
    actor = await require(request, MANAGE)
    activity_id = int(request.path_params["activity_id"])
    form = await request.form()
    platform = get_platform(request)
    try:
        async with platform.db.transaction() as session:
            appeal = await session.get(Appeal, int(request.path_params["appeal_id"]))
            if appeal is None or appeal.activity_id != activity_id:
                raise HTTPException(404)
            activity = await organised(session, actor, activity_id, lock=True)
            setup = await setup_of(session, platform, activity)
            await appeals.decide(session, platform, actor, activity, appeal,
                                 accept=form.get("decision") == "accept",
                                 raw_reason=form.get("reason"), judges=setup.judges_per_entry)
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _desk(request, activity_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/competitions/manage/{activity_id}/results?done=appeal",
                            status_code=303)


async def audit_page(request: Request) -> Response:
    actor = await require(request, audit_log.AUDIT)
    filters = audit_log.parse_filters(request.query_params)
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, int(request.path_params["activity_id"]))
        if activity is None or not authorize(actor, audit_log.AUDIT, activity.org_path):
            raise HTTPException(404, _("活动不存在"))
        data = await audit_log.read(session, activity.id, filters)
        judges = await audit_log.judges(session, activity.id)
    pages = max(1, -(-data["total"] // data["page_size"]))
    for row in data["entries"]:
        row["detail_text"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        row["at_time"] = dt.datetime.fromisoformat(row["at"])
    return await render(request, "competitions/results/audit.html", {
        "activity": activity, "log": data, "f": filters, "pages": pages, "judges": judges})


async def awards_page(request: Request) -> Response:
    await require_actor(request)
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, int(request.path_params["activity_id"]))
        awards = await views.public_awards(session, activity) if activity else None
    if activity is None or awards is None:
        raise HTTPException(404, _("该活动的结果尚未公示"))
    return await render(request, "competitions/results/awards.html", {
        "activity": activity, "awards": with_times(awards)})


async def appeal_submit_form(request: Request) -> Response:
    """A guardian's appeal from the entry page."""
    actor = await require_actor(request)
    form = await request.form()
    db = get_platform(request).db
    async with db.session() as session:
        entry = await entry_by_code(session, actor, request.path_params["code"],
                                    guardian_only=True)
    await appeals.submit(db, actor, entry, form.get("reason"))
    return RedirectResponse(f"/competitions/entries/{quote(entry.code)}?appealed=1",
                            status_code=303)
