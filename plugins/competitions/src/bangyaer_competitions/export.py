"""Entries to XLSX for staff, and the files and versions of an entry."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.identity import audit
from bangyaer.storage import BlobNotFound
from bangyaer.web import ApiError, api, get_platform, require, require_actor
from openpyxl import Workbook
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .access import MANAGE, may_see
from .files import file_json
from .models import Entry, Group, WorkFile
from .staff import _id, entry_filter, managed_activity
from .works import versions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("参赛编号", "组别", "姓名", "学校", "班级", "年级", "状态", "报名时间", "提交时间")
STATUS = {"registered": "已报名", "submitted": "已提交", "cancelled": "已取消"}


@api("Export an activity's entries as an XLSX workbook")
async def export_entries(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    zone = ZoneInfo(platform.settings.timezone)
    async with platform.db.transaction() as session:
        activity = await managed_activity(session, actor, _id(request))
        groups = {g.id: g.name for g in await session.scalars(
            select(Group).where(Group.activity_id == activity.id))}
        rows = list(await session.scalars(select(Entry).where(
            entry_filter(actor, activity)).order_by(Entry.group_id, Entry.seq)))
        # Staff reading children's records is audit-logged (PIPL).
        await audit(session, actor, "competitions.entries_exported", "competitions_activity",
                    activity.id, rows=len(rows))

    def when(value: Any) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    book = Workbook(write_only=True)
    sheet = book.create_sheet("报名名单")
    sheet.append(list(COLUMNS))
    for e in rows:
        sheet.append([e.code, groups.get(e.group_id, ""), e.student_name, e.school_name,
                      e.class_name, e.grade, STATUS.get(e.status, e.status),
                      when(e.created_at), when(e.submitted_at)])
    out = io.BytesIO()
    book.save(out)
    name = f"entries-{activity.id}.xlsx"
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api("Every submitted version of an entry's work, for staff")
async def entry_versions(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        entry = (await session.scalars(select(Entry).where(
            Entry.code == request.path_params["code"]))).first()
        if entry is None or not may_see(actor, entry):
            raise ApiError(404, "entry_not_found", "找不到该报名")
        found = await versions(session, entry.id)
        await audit(session, actor, "competitions.works_viewed", "competitions_entry", entry.id)
    return JSONResponse({"code": entry.code, "versions": [
        {"version": w.version, "current": w.current, "fields": w.fields,
         "submitted_at": w.submitted_at.isoformat(), "files": [file_json(f) for f in fs]}
        for w, fs in found]})


async def file_content(request: Request) -> Response:
    """A stored file (or its thumbnail) for the child's guardian or staff."""
    actor = await require_actor(request)
    platform = get_platform(request)
    thumb = request.path_params["which"] == "thumbnail"
    async with platform.db.session() as session:
        row = await session.get(WorkFile, int(request.path_params["file_id"]))
        entry = await session.get(Entry, row.entry_id) if row else None
    if row is None or entry is None or not may_see(actor, entry):
        raise ApiError(404, "file_not_found", "找不到该文件")
    sha = row.thumb_sha256 if thumb else row.sha256
    if sha is None:
        raise ApiError(404, "file_not_found", "该文件没有缩略图")
    try:
        size = await platform.blobs.size(sha)
    except BlobNotFound:
        raise ApiError(404, "file_not_found", "找不到该文件") from None
    return StreamingResponse(
        platform.blobs.open(sha), media_type="image/jpeg" if thumb else row.content_type,
        headers={"Content-Length": str(size), "Cache-Control": "private, max-age=3600"})
