"""JSON under /api/v1/growth/: the timeline with its summary, and the portfolio export."""

from __future__ import annotations

from bangyaer.web import api, get_platform
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._common import content_disposition, load_record
from ._export import portfolio


@api("A student's growth record, newest first (?year=, ?category=), with its summary")
async def records(request: Request) -> Response:
    loaded = await load_record(request)
    async with get_platform(request).db.session() as session:
        document = await portfolio(session, loaded.student, loaded.records, loaded.summary,
                                   base_url=get_platform(request).settings.base_url)
    return JSONResponse({"summary": document["summary"], "records": document["records"]})


@api("A student's portfolio as one importable JSON document (format "
     "bangyaer.growth.portfolio/1)")
async def portfolio_json(request: Request) -> Response:
    loaded = await load_record(request, purpose="exported")
    async with get_platform(request).db.session() as session:
        document = await portfolio(session, loaded.student, loaded.records, loaded.summary,
                                   base_url=get_platform(request).settings.base_url)
    name = f"{loaded.student.name}-成长档案.json"
    return JSONResponse(document, headers={"Content-Disposition": content_disposition(
        name, f"portfolio-{loaded.student.id}.json")})


routes = [
    Route("/students/{student_id:int}/records", records, name="growth_api_records"),
    Route("/students/{student_id:int}/portfolio", portfolio_json, name="growth_api_portfolio"),
]
