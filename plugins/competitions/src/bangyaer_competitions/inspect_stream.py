"""Checks that run while an upload's bytes arrive, so a bad file is never kept.

``Inspector.wrap`` sits between the request stream and the blob store: it
sniffs the first bytes, refuses a kind the activity type does not take,
looks for ``word/`` inside a DOCX, and keeps an image's bytes (bounded by
the type's size limit) so Pillow can check the real pixels when the stream
ends. Raising inside the stream makes the blob store drop its temp file.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bangyaer.storage import BlobTooLarge
from PIL import Image, UnidentifiedImageError

from .sniff import SNIFF_BYTES, Sniffed, sniff
from .types import KIND_TITLES

THUMB_SIZE = (480, 480)
# Pillow refuses images over this many pixels anyway; saying so is clearer.
Image.MAX_IMAGE_PIXELS = 100_000_000


class FileRefused(Exception):
    """The file is not what the activity type accepts; ``message`` is for families."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Inspector:
    kinds: dict[str, Any]  # kind -> FileRule of the activity type
    # Files of each kind already staged for the entry, for the count limit.
    staged: dict[str, int] = field(default_factory=dict)
    size: int = 0
    sniffed: Sniffed | None = None
    rule: Any = None
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    _image: bytearray = field(default_factory=bytearray)
    _tail: bytes = b""
    _docx_seen: bool = False

    async def wrap(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        head = b""
        async for chunk in chunks:
            if not chunk:
                continue
            if self.sniffed is None:
                head += chunk
                if len(head) < SNIFF_BYTES:
                    continue
                self.identify(head)
                chunk, head = head, b""
            self._observe(chunk)
            yield chunk
        if self.sniffed is None:
            self.identify(head)
            if head:
                self._observe(head)
                yield head
        self._finish()

    def identify(self, head: bytes) -> None:
        found = sniff(head)
        allowed = "、".join(KIND_TITLES.get(k, k) for k in self.kinds)
        if found is None or found.kind not in self.kinds:
            raise FileRefused("unsupported_file_type",
                              f"文件类型不符：本活动只接受{allowed}文件")
        rule = self.kinds[found.kind]
        if self.staged.get(found.kind, 0) >= rule.max_count:
            raise FileRefused("too_many_files",
                              f"最多上传 {rule.max_count} 个{KIND_TITLES[found.kind]}文件，"
                              "请先删除多余的文件")
        self.sniffed, self.rule = found, rule

    def _observe(self, chunk: bytes) -> None:
        assert self.sniffed is not None  # identified first
        self.size += len(chunk)
        if self.size > self.rule.max_bytes:
            # The kind's own limit, which may be below the stream's overall one.
            raise BlobTooLarge(self.rule.max_bytes)
        if self.sniffed.kind == "image":
            # Bounded by the kind's max_bytes (20 MB for artwork), checked above.
            self._image += chunk
        if self.sniffed.needs_docx_check and not self._docx_seen:
            window = self._tail + chunk
            self._docx_seen = b"word/" in window
            self._tail = window[-8:]

    def _finish(self) -> None:
        assert self.sniffed is not None  # identified first
        if self.sniffed.needs_docx_check and not self._docx_seen:
            raise FileRefused("unsupported_file_type", "文件类型不符：压缩包不是 Word 文档")
        # Not yet: HEIC pixels are not checked and get no thumbnail; Pillow needs
        # pillow-heif for them, and iPhones send JPEG to web pages by default.
        if self.sniffed.kind == "image" and self.sniffed.content_type != "image/heic":
            self._check_image(bytes(self._image))
        self._image = bytearray()

    def _check_image(self, data: bytes) -> None:
        try:
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > self.rule.max_pixels:
                    raise FileRefused("image_too_large", "图片像素过大，请缩小后再上传")
                # JPEGs decode at a reduced scale (DCT scaling): a 48-megapixel
                # photo then needs a few MB, not 150. The whole stream is still
                # decoded, so a truncated or forged image fails here.
                img.draft("RGB", (THUMB_SIZE[0] * 2, THUMB_SIZE[1] * 2))
                img.load()
                self.width, self.height = width, height
                self.thumbnail = _thumbnail(img)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise FileRefused("invalid_image", "图片已损坏或无法识别，请重新拍摄或选择") from exc
        if width < self.rule.min_width or height < self.rule.min_height:
            raise FileRefused(
                "image_too_small",
                f"图片尺寸太小（{width}×{height}），至少需要 "
                f"{self.rule.min_width}×{self.rule.min_height} 像素",
            )


def _thumbnail(img: Image.Image) -> bytes:
    thumb = img.convert("RGB")
    thumb.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    # Re-encoding also drops the photo's EXIF (location, device) from the thumbnail.
    thumb.save(out, "JPEG", quality=82)
    return out.getvalue()
