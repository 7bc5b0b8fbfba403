"""Resumable uploads: the core of tus 1.0 (https://tus.io/protocols/resumable-upload).

Creation (POST with Upload-Length → 201 and Location), HEAD for the
offset, PATCH with Upload-Offset and ``application/offset+octet-stream``
appending bytes. The partial file lives in the data directory's
``competitions-partial/`` area; once complete it is streamed through the
same checks as a one-shot upload into the blob store and staged.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from pathlib import Path
from typing import Any

import anyio
from bangyaer.web import ApiError, api, get_platform, require_actor
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import files
from .inspect_stream import FileRefused, Inspector
from .models import Entry, Upload
from .sniff import SNIFF_BYTES
from .uploads import target

TUS_VERSION = "1.0.0"
CHUNK = 256 * 1024
# Not yet: locks are per process; several web processes need a database lock here.
# Not yet: abandoned partial uploads are never swept; a daily job can remove old ones.
_locks: dict[str, asyncio.Lock] = {}


def _headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def partial_dir(platform: Any) -> Path:
    path = Path(platform.settings.data_dir) / "competitions-partial"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_name(metadata: str) -> str:
    # Upload-Metadata: "filename <base64>,filetype <base64>" (tus §Upload-Metadata).
    for pair in metadata.split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename" and value:
            try:
                return base64.b64decode(value).decode("utf-8")[:200]
            except (ValueError, UnicodeDecodeError):
                return ""
    return ""


def _check_version(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise ApiError(412, "tus_version", "需要 Tus-Resumable: 1.0.0",
                       headers={"Tus-Version": TUS_VERSION})


@api("The tus versions and extensions this server speaks", auth=False)
async def options(request: Request) -> Response:
    return Response(status_code=204, headers=_headers(
        **{"Tus-Version": TUS_VERSION, "Tus-Extension": "creation"}))


@api("Start a resumable (tus 1.0) upload for an entry",
     responses={201: "created; Location names the upload", 413: "file too large"})
async def create(request: Request) -> Response:
    _check_version(request)
    tgt = await target(request, request.path_params["code"])
    raw = request.headers.get("upload-length", "")
    if not raw.isdigit():
        raise ApiError(400, "invalid_length", "缺少或无效的 Upload-Length")
    files.check_declared_length(tgt.kind, int(raw))
    platform = get_platform(request)
    upload = Upload(id=secrets.token_hex(16), entry_id=tgt.entry.id,
                    account_id=tgt.actor.account_id, kind="", length=int(raw),
                    original_name=_file_name(request.headers.get("upload-metadata", "")))
    (partial_dir(platform) / upload.id).touch()
    async with platform.db.transaction() as session:
        session.add(upload)
    location = f"/api/v1/competitions/uploads/{upload.id}"
    return Response(status_code=201, headers=_headers(Location=location, **{"Upload-Offset": "0"}))


async def _upload(request: Request) -> tuple[Upload, Path]:
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        upload = await session.get(Upload, request.path_params["upload_id"])
    if upload is None or upload.account_id != actor.account_id:
        raise ApiError(404, "upload_not_found", "找不到该上传，请重新开始")
    return upload, partial_dir(platform) / upload.id


def _offset(upload: Upload, path: Path) -> int:
    # The bytes on disk are the truth: a PATCH cut off mid-way keeps what arrived.
    return upload.length if upload.file_id else (path.stat().st_size if path.exists() else 0)


@api("Where a resumable upload stands (Upload-Offset)")
async def head(request: Request) -> Response:
    upload, path = await _upload(request)
    extra = {"Upload-Offset": str(_offset(upload, path)), "Upload-Length": str(upload.length)}
    if upload.file_id:
        extra["Bangyaer-File-Id"] = str(upload.file_id)
    return Response(status_code=200, headers=_headers(**extra))


@api("Append bytes to a resumable upload at Upload-Offset",
     responses={204: "appended", 409: "offset mismatch", 413: "past Upload-Length",
                415: "wrong content type or file type"})
async def patch(request: Request) -> Response:
    _check_version(request)
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise ApiError(415, "tus_content_type",
                       "Content-Type 应为 application/offset+octet-stream")
    upload, path = await _upload(request)
    tgt = await target(request, await _entry_code(request, upload))
    lock = _locks.setdefault(upload.id, asyncio.Lock())
    async with lock:
        offset = _offset(upload, path)
        if request.headers.get("upload-offset") != str(offset):
            raise ApiError(409, "offset_mismatch", f"上传位置不符，服务器已收到 {offset} 字节",
                           headers=_headers(**{"Upload-Offset": str(offset)}))
        offset = await _append(request, path, offset, upload.length, tgt)
        extra = {"Upload-Offset": str(offset)}
        if offset == upload.length:
            extra["Bangyaer-File-Id"] = str(await _complete(request, upload, path, tgt))
            _locks.pop(upload.id, None)
    return Response(status_code=204, headers=_headers(**extra))


async def _entry_code(request: Request, upload: Upload) -> str:
    async with get_platform(request).db.session() as session:
        entry = await session.get(Entry, upload.entry_id)
    assert entry is not None  # foreign key
    return entry.code


async def _append(request: Request, path: Path, offset: int, length: int, tgt: Any) -> int:
    # A resumed upload that stopped inside the sniffing window brings back its start.
    head = (await anyio.Path(path).read_bytes())[:offset] if 0 < offset < SNIFF_BYTES else b""
    try:
        async with await anyio.open_file(path, "ab") as out:
            async for chunk in request.stream():
                if offset + len(chunk) > length:
                    raise ApiError(413, "past_upload_length", "上传的数据超过了声明的文件大小")
                if offset < SNIFF_BYTES:
                    head = (head + chunk)[:SNIFF_BYTES]
                    _early_check(tgt, head, offset + len(chunk) >= min(length, SNIFF_BYTES))
                await out.write(chunk)
                offset += len(chunk)
    except ClientDisconnect:
        pass  # tus: what arrived is kept, and the client resumes from HEAD's offset
    return offset


def _early_check(tgt: Any, head: bytes, enough: bool) -> None:
    # Refuse a wrong file type from its first bytes, not after a gigabyte.
    if not enough:
        return
    inspector = Inspector({r.kind: r for r in tgt.kind.files}, tgt.staged)
    try:
        inspector.identify(head)
    except FileRefused as exc:
        raise ApiError(409 if exc.code == "too_many_files" else 415, exc.code,
                       exc.message) from None


async def _complete(request: Request, upload: Upload, path: Path, tgt: Any) -> int:
    platform = get_platform(request)
    try:
        info, inspector = await files.store_stream(platform, tgt.kind, tgt.staged,
                                                   _read(path))
    finally:
        await anyio.to_thread.run_sync(lambda: os.unlink(path))
    async with platform.db.transaction() as session:
        row = await files.record_file(session, platform, upload.entry_id, tgt.actor, info,
                                      inspector, upload.original_name)
        stored = await session.get(Upload, upload.id)
        assert stored is not None  # read above
        stored.offset, stored.file_id, stored.kind = upload.length, row.id, row.kind
        upload.file_id = row.id
    return row.id


async def _read(path: Path) -> Any:
    async with await anyio.open_file(path, "rb") as fh:
        while chunk := await fh.read(CHUNK):
            yield chunk
