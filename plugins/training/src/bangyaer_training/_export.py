"""The statistics workbook for staff."""

from __future__ import annotations

from bangyaer.identity import audit
from bangyaer.web import ApiError, api, get_platform, require
from starlette.requests import Request
from starlette.responses import Response

from . import _stats
from ._api_staff import MANAGE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@api("Statistics workbook (XLSX): per class, course, category, age, fee, campus and mode")
async def export_stats(request: Request) -> Response:
    actor = await require(request, MANAGE)
    raw = request.query_params.get("term")
    if raw is not None and not raw.isdigit():
        raise ApiError(422, "invalid_parameter", "term 应为整数", detail={"field": "term"})
    async with get_platform(request).db.transaction() as session:
        rows = await _stats.figures(session, term_id=int(raw) if raw else None)
        await audit(session, actor, "training.stats_exported", "training_term", raw or "")
    return Response(_stats.workbook(rows), media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="training-stats.xlsx"'})
