"""Pages under /growth/: the timeline, certificate download and print, the portfolio."""

from __future__ import annotations

from bangyaer.certificates import Certificate
from bangyaer.identity import Organisation, Person, PersonKind
from bangyaer.web import ApiError, get_platform, render, require_actor
from sqlalchemy import func, or_, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ._access import VIEW, is_staff_reader, readable_student
from ._common import content_disposition, load_record, zone
from ._export import portfolio, portfolio_pdf
from ._queries import choices
from .models import Record

PAGE_SIZE = 50
KIND_TITLES = {
    "registered": "报名", "submitted": "作品", "award": "获奖", "enrolled": "培训",
    "completed": "结业", "membership": "社团", "cloud_class": "云课堂",
    "pioneer_activity": "少先队", "badge": "奖章", "activity": "活动",
}


async def index(request: Request) -> Response:
    actor = await require_actor(request)
    if actor.acting_child is not None and not is_staff_reader(actor):
        return RedirectResponse(f"/growth/students/{actor.acting_child.id}", status_code=303)
    students: list[tuple[Person, str, int]] = []
    page = request.query_params.get("page", "1")
    number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10_000 else 1
    if is_staff_reader(actor):
        scopes = actor.scopes(VIEW)
        counts = (select(Record.student_id, func.count(Record.id).label("n"))
                  .where(Record.withdrawn.is_(False)).group_by(Record.student_id).subquery())
        query = (select(Person, Organisation.name, func.coalesce(counts.c.n, 0))
                 .outerjoin(Organisation, Organisation.id == Person.school_id)
                 .outerjoin(counts, counts.c.student_id == Person.id)
                 .where(Person.kind == PersonKind.student, Person.active.is_(True),
                        or_(*[Person.org_path.startswith(s, autoescape=True) for s in scopes]))
                 .order_by(Organisation.name, Person.name, Person.id)
                 .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
        async with get_platform(request).db.session() as session:
            students = [(p, school or "", n) for p, school, n in await session.execute(query)]
    return await render(request, "growth/index.html", {
        "students": students[:PAGE_SIZE], "page": number,
        "more": len(students) > PAGE_SIZE, "children": actor.children,
    })


async def student_page(request: Request) -> Response:
    loaded = await load_record(request)
    async with get_platform(request).db.session() as session:
        years, categories = await choices(session, loaded.student.id, zone(request))
    return await render(request, "growth/timeline.html", {
        "student": loaded.student, "records": loaded.records, "summary": loaded.summary,
        "filters": loaded.filters, "years": years, "categories": categories,
        "kind_titles": KIND_TITLES,
    })


async def certificate_pdf(request: Request) -> Response:
    """The certificate's PDF from the blob store; ``?print=1`` opens it to print."""
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        student = await readable_student(session, actor, request.path_params["student_id"],
                                         purpose="certificate_downloaded")
        cert = await session.get(Certificate, request.path_params["certificate_id"])
        if cert is None or cert.holder_id != student.id:
            raise ApiError(404, "not_found", "没有这张证书")
        sha256, size = cert.pdf_sha256, await platform.blobs.size(cert.pdf_sha256)
        serial = cert.serial
        filename = f"{cert.holder_name}-{cert.activity_title}-{cert.award}.pdf"
    inline = request.query_params.get("print") == "1"
    return StreamingResponse(platform.blobs.open(sha256), media_type="application/pdf", headers={
        "Content-Disposition": content_disposition(
            filename, f"certificate-{serial}.pdf", inline=inline),
        "Content-Length": str(size),
        "Cache-Control": "private, no-store",
    })


async def portfolio_page(request: Request) -> Response:
    loaded = await load_record(request, purpose="exported")
    async with get_platform(request).db.session() as session:
        document = await portfolio(session, loaded.student, loaded.records, loaded.summary,
                                   base_url=get_platform(request).settings.base_url)
    pdf = portfolio_pdf(document, zone(request))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": content_disposition(
            f"{loaded.student.name}-成长档案.pdf", f"portfolio-{loaded.student.id}.pdf"),
        "Cache-Control": "private, no-store",
    })


routes = [
    Route("/", index, name="growth_index"),
    Route("/students/{student_id:int}", student_page, name="growth_student"),
    Route("/students/{student_id:int}/certificates/{certificate_id:int}", certificate_pdf,
          name="growth_certificate"),
    Route("/students/{student_id:int}/portfolio.pdf", portfolio_page, name="growth_portfolio"),
]
