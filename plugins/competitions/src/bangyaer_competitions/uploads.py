"""Uploading one file in one request: the body is streamed, never read whole.

POST /api/v1/competitions/entries/{code}/files with the raw file as the
body (a phone's ``fetch(url, {body: file})``); the file's name may come in
``X-File-Name`` (percent-encoded). Large videos use the resumable protocol
in ``tus.py`` instead.
"""
# Not yet: uploading needs JavaScript (a streamed body); a plain form would be spooled.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from bangyaer.identity import Actor
from bangyaer.web import ApiError, api, get_platform, require_actor
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import files
from .access import entry_by_code
from .models import Activity, Entry, WorkFile
from .types import types_of
from .works import check_open


@dataclass
class Target:
    actor: Actor
    entry: Entry
    activity: Activity
    kind: Any
    staged: dict[str, int]


async def target(request: Request, code: str) -> Target:
    """The entry an upload is for, checked to be the guardian's and still open."""
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        entry = await entry_by_code(session, actor, code, guardian_only=True)
        activity = await session.get(Activity, entry.activity_id)
        assert activity is not None  # foreign key
        check_open(activity, entry)
        staged = await files.staged_counts(session, entry.id)
    kind = types_of(platform).get(activity.type_id)
    if kind is None:
        raise ApiError(409, "type_unavailable", "该活动的作品类型暂不可用，请联系主办方")
    return Target(actor, entry, activity, kind, staged)


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ApiError(400, "invalid_length", "Content-Length 无效")
    return int(raw)


@api("Upload one file of the work for an entry (raw body, streamed)",
     responses={201: "file staged", 409: "submissions closed or too many files",
                413: "file too large", 415: "file type not accepted"})
async def upload_file(request: Request) -> Response:
    code = request.path_params["code"]
    tgt = await target(request, code)
    # Refused before a byte of the body is read when the size is announced.
    files.check_declared_length(tgt.kind, declared_length(request))
    platform = get_platform(request)
    # No transaction is held while the bytes arrive: a slow phone must not
    # keep the database's write lock.
    info, inspector = await files.store_stream(platform, tgt.kind, tgt.staged,
                                               request.stream())
    name = unquote(request.headers.get("x-file-name", ""))
    async with platform.db.transaction() as session:
        row = await files.record_file(session, platform, tgt.entry.id, tgt.actor, info,
                                      inspector, name)
    return JSONResponse(files.file_json(row), status_code=201)


@api("Remove a staged file that is not yet part of a submitted work",
     responses={404: "no such staged file"})
async def delete_file(request: Request) -> Response:
    actor = await require_actor(request)
    file_id = int(request.path_params["file_id"])
    async with get_platform(request).db.transaction() as session:
        row = await session.get(WorkFile, file_id)
        entry = await session.get(Entry, row.entry_id) if row else None
        if row is None or entry is None or not actor.is_guardian_of(entry.student_id) \
                or row.work_id is not None:
            raise ApiError(404, "file_not_found", "找不到该文件，或它已随作品提交")
        await session.delete(row)
    return Response(status_code=204)


async def staged_files(session: AsyncSession, entry_id: int) -> list[WorkFile]:
    rows = await session.scalars(select(WorkFile).where(
        WorkFile.entry_id == entry_id, WorkFile.work_id.is_(None)).order_by(WorkFile.id))
    return list(rows)
