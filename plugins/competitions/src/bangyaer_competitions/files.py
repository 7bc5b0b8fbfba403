"""Storing one uploaded file: checked as it streams, recorded once it is whole."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor
from bangyaer.storage import BlobInfo, BlobRecord, BlobTooLarge, save_blob
from bangyaer.web import ApiError
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .inspect_stream import FileRefused, Inspector
from .models import WorkFile

log = logging.getLogger("bangyaer.competitions")


def too_large(limit: int) -> ApiError:
    return ApiError(413, "file_too_large", f"文件过大：每个文件不能超过 {_mb(limit)}")


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} 字节"


def max_bytes(kind: Any) -> int:
    return max((r.max_bytes for r in kind.files), default=0)


def check_declared_length(kind: Any, length: int | None) -> None:
    """Refuse an upload whose announced size is already too big, before reading it."""
    limit = max_bytes(kind)
    if length is not None and length > limit:
        raise too_large(limit)


async def staged_counts(session: AsyncSession, entry_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(WorkFile.kind, func.count(WorkFile.id))
        .where(WorkFile.entry_id == entry_id, WorkFile.work_id.is_(None))
        .group_by(WorkFile.kind))
    return {kind: int(n) for kind, n in rows}


async def store_stream(
    platform: Any, kind: Any, staged: dict[str, int], chunks: AsyncIterable[bytes]
) -> tuple[BlobInfo, Inspector]:
    """Stream into the blob store through the checks; refused files leave nothing."""
    inspector = Inspector({r.kind: r for r in kind.files}, staged)
    try:
        info = await platform.blobs.put(inspector.wrap(chunks), max_size=max_bytes(kind))
    except BlobTooLarge as exc:
        raise too_large(exc.limit) from None
    except FileRefused as exc:
        status = 409 if exc.code == "too_many_files" else 415
        if exc.code.startswith("image_") or exc.code == "invalid_image":
            status = 422
        raise ApiError(status, exc.code, exc.message) from None
    return info, inspector


async def record_file(
    session: AsyncSession, platform: Any, entry_id: int, actor: Actor, info: BlobInfo,
    inspector: Inspector, original_name: str,
) -> WorkFile:
    """The database rows for a stored file and its thumbnail, in the caller's transaction."""
    assert inspector.sniffed is not None  # a stored file was identified
    await _record_blob(session, info, inspector.sniffed.content_type)
    thumb = None
    if inspector.thumbnail is not None:
        thumb_info = await save_blob(session, platform.blobs, _once(inspector.thumbnail),
                                     max_size=len(inspector.thumbnail), content_type="image/jpeg")
        thumb = thumb_info.sha256
    row = WorkFile(
        entry_id=entry_id, kind=inspector.sniffed.kind,
        content_type=inspector.sniffed.content_type, sha256=info.sha256, size=info.size,
        width=inspector.width, height=inspector.height, thumb_sha256=thumb,
        original_name=original_name[:200], uploaded_by=actor.account_id, uploaded_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    log.info("file %s (%s, %d bytes) staged for entry %s",
             row.id, row.content_type, row.size, entry_id)
    return row


async def _once(data: bytes) -> Any:
    yield data


async def _record_blob(session: AsyncSession, info: BlobInfo, content_type: str) -> None:
    # save_blob needs the content type before the stream starts; ours is
    # known only once the first bytes are sniffed, so the row is added here.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(BlobRecord).values(sha256=info.sha256, size=info.size,
                                  content_type=content_type, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"]))


def file_json(row: WorkFile) -> dict[str, Any]:
    base = f"/api/v1/competitions/files/{row.id}"
    return {
        "id": row.id, "kind": row.kind, "content_type": row.content_type, "size": row.size,
        "width": row.width, "height": row.height, "url": f"{base}/content",
        "thumbnail_url": f"{base}/thumbnail" if row.thumb_sha256 else None,
    }
