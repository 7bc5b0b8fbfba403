"""What the growth pages and JSON handlers share: filters, loading one student's record."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bangyaer.identity import Person
from bangyaer.web import ApiError, get_platform, require_actor
from starlette.requests import Request

from ._access import readable_student
from ._queries import Filters, Summary, summarise, timeline
from .models import Record

YEAR_RANGE = range(2000, 2101)
UNSAFE_IN_NAMES = str.maketrans({c: "_" for c in '"\\/:*?<>|\r\n\t;'})


def zone(request: Request) -> ZoneInfo:
    return ZoneInfo(get_platform(request).settings.timezone)


def filters(request: Request) -> Filters:
    raw_year = request.query_params.get("year", "")
    category = request.query_params.get("category", "").strip()
    year = None
    if raw_year:
        if not (raw_year.isascii() and raw_year.isdigit()) or int(raw_year) not in YEAR_RANGE:
            raise ApiError(422, "invalid_parameter", "year 应为 2000 到 2100 之间的年份")
        year = int(raw_year)
    if len(category) > 32:
        raise ApiError(422, "invalid_parameter", "category 最多 32 个字")
    return Filters(year=year, category=category or None)


@dataclass
class Loaded:
    student: Person
    records: list[Record]
    summary: Summary
    filters: Filters


async def load_record(request: Request, purpose: str = "viewed") -> Loaded:
    """The student in the path and their filtered timeline, if the actor may read it."""
    actor = await require_actor(request)
    wanted = filters(request)
    async with get_platform(request).db.transaction() as session:
        student = await readable_student(session, actor, request.path_params["student_id"],
                                         purpose=purpose)
        records = await timeline(session, student.id, wanted, zone(request))
        session.expunge_all()
    return Loaded(student, records, summarise(records), wanted)


def content_disposition(filename: str, fallback: str, *, inline: bool = False) -> str:
    """A header every browser reads, Chinese names included (RFC 6266 and RFC 5987).

    ``fallback`` is the plain ASCII name for the rare client that ignores
    ``filename*``; modern browsers and DingTalk's webview use the Chinese one.
    """
    safe = filename.translate(UNSAFE_IN_NAMES)
    ascii_name = fallback.encode("ascii", "replace").decode().translate(UNSAFE_IN_NAMES)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
