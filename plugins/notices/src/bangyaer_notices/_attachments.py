"""Attachments and cover images: checked while they stream into the blob store.

The type check runs on the first bytes before any are written, and the size
check inside the store as bytes arrive; either refusal raises out of the
store's write, which removes its temporary file, before the blob row is
inserted. A refused upload leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bangyaer.identity import Actor, audit
from bangyaer.platform import Platform
from bangyaer.storage import BlobTooLarge, save_blob
from bangyaer.web import ApiError, Upload
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ._files import (
    SNIFF_BYTES,
    FileKind,
    FileRefused,
    check_kind,
    clean_filename,
    human_size,
)
from ._service import TARGET
from .models import Attachment, Item

log = logging.getLogger("bangyaer.notices")


@dataclass
class _Checked:
    content_type: str = ""


async def _checked(chunks: AsyncIterator[bytes], filename: str,
                   allowed: tuple[FileKind, ...], out: _Checked) -> AsyncIterator[bytes]:
    """Pass ``chunks`` through once their first bytes show an allowed type."""
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= SNIFF_BYTES:
            break
    head = b"".join(pending)[:SNIFF_BYTES]
    if not head:
        raise FileRefused("文件是空的，请重新选择")
    _, out.content_type = check_kind(head, filename, allowed)
    for chunk in pending:
        yield chunk
    async for chunk in chunks:
        yield chunk


@dataclass(frozen=True)
class Stored:
    """An upload that passed its checks and is in the blob store."""

    sha256: str
    size: int
    content_type: str
    name: str


async def store_upload(platform: Platform, upload: Upload, allowed: tuple[FileKind, ...],
                       max_size: int) -> Stored:
    """Check and stream an upload into the blob store, recording the blob.

    This runs in a short transaction of its own, opened by the blob row's
    INSERT after the last byte has arrived: a slow upload from a phone must
    not hold SQLite's single write lock. A blob row without an attachment
    (if attaching then fails) only describes bytes that really are stored.
    """
    name = clean_filename(upload.filename)
    checked = _Checked()
    try:
        async with platform.db.session() as session, session.begin():
            info = await save_blob(session, platform.blobs,
                                   _checked(upload.chunks, name, allowed, checked),
                                   max_size=max_size)
    except BlobTooLarge:
        raise ApiError(413, "file_too_large",
                       f"文件超过 {human_size(max_size)} 上限，未保存") from None
    except FileRefused as exc:
        raise ApiError(422, "unsupported_file", exc.message) from None
    return Stored(info.sha256, info.size, checked.content_type, name)


async def check_room(session: AsyncSession, item: Item, max_count: int) -> None:
    count = await session.scalar(
        select(func.count(Attachment.id)).where(Attachment.item_id == item.id))
    if (count or 0) >= max_count:
        raise ApiError(409, "too_many_attachments", f"每条最多 {max_count} 个附件")


async def add_attachment(
    session: AsyncSession, editor: Actor | None, item: Item, stored: Stored, *, max_count: int,
) -> Attachment:
    await check_room(session, item, max_count)
    attachment = Attachment(item_id=item.id, sha256=stored.sha256, name=stored.name,
                            content_type=stored.content_type, size=stored.size)
    session.add(attachment)
    await session.flush()
    await audit(session, editor, "notices.attachment.added", TARGET, item.id,
                attachment_id=attachment.id, name=stored.name, sha256=stored.sha256,
                size=stored.size)
    log.info("notices item %s: attachment %s added (%s bytes)", item.id, attachment.id,
             stored.size)
    return attachment


async def remove_attachment(
    session: AsyncSession, editor: Actor | None, item: Item, attachment: Attachment
) -> None:
    await session.delete(attachment)
    await session.flush()
    await audit(session, editor, "notices.attachment.removed", TARGET, item.id,
                attachment_id=attachment.id, name=attachment.name, sha256=attachment.sha256)


async def set_cover(
    session: AsyncSession, editor: Actor | None, item: Item, stored: Stored
) -> None:
    # Not yet: EXIF (camera, GPS) is kept in cover photos; stripping it needs
    # Pillow, not yet a dependency here; acceptable as staff choose the pictures.
    old = item.cover_sha256
    item.cover_sha256, item.cover_type = stored.sha256, stored.content_type
    await session.flush()
    await audit(session, editor, "notices.cover.set", TARGET, item.id,
                changes={"cover_sha256": [old, stored.sha256]}, size=stored.size)


async def remove_cover(session: AsyncSession, editor: Actor | None, item: Item) -> None:
    old = item.cover_sha256
    item.cover_sha256 = item.cover_type = None
    await session.flush()
    await audit(session, editor, "notices.cover.removed", TARGET, item.id,
                changes={"cover_sha256": [old, None]})
