"""Photos pioneers hand in: sniffed, size-limited, stripped of metadata, into the blob store.

The type comes from the content, never from the name or the Content-Type a
phone claims. Phone photos carry EXIF with the place they were taken; these
are children's photos (PIPL), so every photo is decoded and written afresh
without metadata before it is stored, and what is stored is only that.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
from bangyaer.platform import Platform
from bangyaer.storage import save_blob
from bangyaer.web import ApiError
from PIL import Image, ImageOps, UnidentifiedImageError

SNIFF_BYTES = 16
# Far beyond any phone camera; refuses a small file that unpacks to gigabytes.
MAX_PIXELS = 50_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}


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


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "photo_too_large",
                    f"照片超过 {max_bytes / (1024 * 1024):.0f} MB 上限，未保存")


async def read_photo(chunks: AsyncIterator[bytes], max_bytes: int) -> tuple[bytes, str]:
    """The upload's bytes, refused as soon as the first bytes are no image or it grows too big."""
    data = bytearray()
    kind: str | None = None
    async for chunk in chunks:
        data += chunk
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
        if kind is None and len(data) >= SNIFF_BYTES:
            kind = image_type(bytes(data[:SNIFF_BYTES]))
            if kind is None:
                raise ApiError(422, "not_a_photo", "只能上传 JPEG、PNG、WebP 或 GIF 格式的照片")
    if not data:
        raise ApiError(422, "empty_photo", "照片是空的，请重新选择")
    kind = kind or image_type(bytes(data))
    if kind is None:
        raise ApiError(422, "not_a_photo", "只能上传 JPEG、PNG、WebP 或 GIF 格式的照片")
    return bytes(data), kind


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The picture written afresh without EXIF or other metadata, turned upright."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ApiError(422, "photo_too_big", "照片像素过大，请压缩后再上传")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if kind == "image/gif":
                image.seek(0)  # an animated GIF keeps its first frame only
            upright = ImageOps.exif_transpose(image)
            if kind == "image/jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, _FORMATS[kind], **({"quality": 90} if kind == "image/jpeg" else {}))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError):
        raise ApiError(422, "broken_photo", "照片文件已损坏，无法打开，请重新选择") from None
    return out.getvalue()


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_photo(platform: Platform, chunks: AsyncIterator[bytes], max_bytes: int) -> Photo:
    """Check, clean and store a photo in a short transaction of its own.

    The slow part (a phone's upload) happens before the blob row's INSERT, so
    it does not hold SQLite's single write lock; decoding runs in a thread.
    """
    # Not yet: the photo is held in memory while it is cleaned (at most
    # photo_max_bytes, 8 MB by default); acceptable for phone photos.
    data, kind = await read_photo(chunks, max_bytes)
    clean = await anyio.to_thread.run_sync(strip_metadata, data, kind)
    async with platform.db.session() as session, session.begin():
        # Re-encoding may grow a tiny picture a little; the limit was met on upload.
        info = await save_blob(session, platform.blobs, _one(clean),
                               max_size=max(max_bytes, len(clean)), content_type=kind)
    return Photo(info.sha256, info.size, kind)
