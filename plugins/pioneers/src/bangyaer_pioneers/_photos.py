"""Photos pioneers hand in: sniffed from their first bytes, size-limited, into the blob store.

The type comes from the content, never from the name or the Content-Type a
phone claims. The check runs before the first byte is written and the size
limit inside the store while bytes arrive, so a refused photo leaves nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from bangyaer.platform import Platform
from bangyaer.storage import BlobRecord, BlobTooLarge, save_blob
from bangyaer.web import ApiError
from sqlalchemy import update

SNIFF_BYTES = 16


@dataclass(frozen=True)
class Photo:
    sha256: str
    size: int
    content_type: str


def image_type(head: bytes) -> str | None:
    """The image type the first bytes show (PNG, JPEG, WebP, GIF), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return None


class _Sniffed:
    content_type = ""


async def _images_only(chunks: AsyncIterator[bytes], out: _Sniffed) -> AsyncIterator[bytes]:
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= SNIFF_BYTES:
            break
    head = b"".join(pending)
    if not head:
        raise ApiError(422, "empty_photo", "照片是空的，请重新选择")
    found = image_type(head)
    if found is None:
        raise ApiError(422, "not_a_photo", "只能上传 JPEG、PNG、WebP 或 GIF 格式的照片")
    out.content_type = found
    for chunk in pending:
        yield chunk
    async for chunk in chunks:
        yield chunk


async def store_photo(platform: Platform, chunks: AsyncIterator[bytes], max_bytes: int) -> Photo:
    """Check and store a photo in a short transaction of its own.

    The slow part (a phone's upload) happens before the blob row's INSERT, so
    it does not hold SQLite's single write lock.
    """
    sniffed = _Sniffed()
    try:
        async with platform.db.session() as session, session.begin():
            info = await save_blob(session, platform.blobs, _images_only(chunks, sniffed),
                                   max_size=max_bytes)
            # The type is known only once the first bytes went through.
            await session.execute(update(BlobRecord).where(BlobRecord.sha256 == info.sha256)
                                  .values(content_type=sniffed.content_type))
    except BlobTooLarge:
        mb = max_bytes / (1024 * 1024)
        raise ApiError(413, "photo_too_large", f"照片超过 {mb:.0f} MB 上限，未保存") from None
    return Photo(info.sha256, info.size, sniffed.content_type)
