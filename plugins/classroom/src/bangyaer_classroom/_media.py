"""Lesson files: what an upload really is (read from its first bytes), and storing it.

The type is sniffed from the content, never taken from the name or the
browser's Content-Type. The size limit is enforced by the blob store while
the bytes stream in, so an oversized upload stops at the limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from bangyaer.platform import Platform
from bangyaer.storage import BlobTooLarge, save_blob
from bangyaer.web import ApiError, Upload

SNIFF_BYTES = 64


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str


MP4 = Kind("MP4 视频", "video/mp4")
WEBM = Kind("WebM 视频", "video/webm")
WAV = Kind("WAV 音频", "audio/wav")
PDF = Kind("PDF 文档", "application/pdf")
VIDEO_KINDS = (MP4, WEBM, WAV)
DOCUMENT_KINDS = (PDF,)


def sniff(head: bytes) -> Kind | None:
    # ISO base media (MP4, M4V): a box whose type is "ftyp" at byte 4.
    if head[4:8] == b"ftyp":
        return MP4
    # Matroska/WebM: the EBML magic number.
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    return None


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    content_type: str
    name: str


async def _checked(chunks: AsyncIterator[bytes], allowed: tuple[Kind, ...],
                   found: list[Kind]) -> AsyncIterator[bytes]:
    """Pass ``chunks`` on once their first bytes show an allowed kind."""
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= SNIFF_BYTES:
            break
    head = b"".join(pending)[:SNIFF_BYTES]
    if not head:
        raise ApiError(422, "empty_file", "文件是空的，请重新选择")
    kind = sniff(head)
    if kind not in allowed:
        accepted = "、".join(k.label for k in allowed)
        raise ApiError(422, "unsupported_type", f"不支持的文件类型；只接受 {accepted}")
    found.append(kind)
    for chunk in pending:
        yield chunk
    async for chunk in chunks:
        yield chunk


async def store_upload(platform: Platform, upload: Upload, allowed: tuple[Kind, ...],
                       max_size: int) -> Stored:
    """Check and stream an upload into the blob store, in a transaction of its own.

    The blob row is inserted after the last byte arrived, so a slow phone
    upload holds no write lock while it streams.
    """
    found: list[Kind] = []
    try:
        async with platform.db.transaction() as session:
            checked = _checked(upload.chunks, allowed, found)
            # The type is kept on the lesson or document; the blob row keeps the default.
            info = await save_blob(session, platform.blobs, checked, max_size=max_size)
    except BlobTooLarge:
        mb = max_size // (1024 * 1024)
        raise ApiError(413, "file_too_large", f"文件超过 {mb} MB 的上限") from None
    return Stored(info.sha256, info.size, found[0].content_type, upload.filename[:160])
