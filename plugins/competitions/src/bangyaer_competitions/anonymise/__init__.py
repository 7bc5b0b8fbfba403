"""Anonymised judging copies: files with their metadata removed.

``anonymise_file`` writes the copy a judge receives; ``residual_metadata``
reads any file back and lists what identifying metadata it still carries,
so a copy can be checked independently of how it was made. The kind of a
file is confirmed from its first bytes, never taken from its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..sniff import SNIFF_BYTES, sniff
from ._common import AnonymiseError, Cleaned

__all__ = ["AnonymiseError", "Cleaned", "anonymise_file", "copy_name", "residual_metadata"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_IMAGES = ("image/jpeg", "image/png", "image/webp", "image/heic")
_MEDIA = ("video/mp4", "video/quicktime", "audio/mp4")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,40}$")
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,5}$")


def anonymise_file(src: Path, dst: Path, content_type: str) -> Cleaned:
    """Write an anonymised copy of ``src`` to ``dst``; AnonymiseError if it cannot be made safe."""
    _check_kind(src, content_type)
    cleaner = _cleaner(content_type)
    return cleaner(src, dst, content_type)


def residual_metadata(path: Path, content_type: str) -> list[str]:
    """The identifying metadata ``path`` still carries, e.g. ["exif", "gps"]; [] when clean."""
    _check_kind(path, content_type)
    if content_type in _IMAGES:
        from ._images import image_findings

        return image_findings(path.read_bytes(), content_type)
    if content_type == "application/pdf":
        from ._pdf import pdf_residual

        return pdf_residual(path)
    if content_type in _MEDIA:
        from ._isobmff import media_findings

        return media_findings(path)
    if content_type == "audio/mpeg":
        from ._audio import mp3_findings

        return mp3_findings(path)
    if content_type == "audio/wav":
        from ._audio import wav_findings

        return wav_findings(path)
    raise _unsupported()


def copy_name(entry_code: str, position: int, extension: str) -> str:
    """The name a judge sees: entry code and the file's place, e.g. "K2026-03-00017-1.jpg"."""
    if not _CODE.match(entry_code) or position < 1 or not _EXTENSION.match(extension):
        raise ValueError(f"bad copy name parts: {entry_code!r}, {position!r}, {extension!r}")
    return f"{entry_code}-{position}{extension}"


def _cleaner(content_type: str) -> Callable[[Path, Path, str], Cleaned]:
    if content_type in _IMAGES:
        from ._images import clean_image

        return clean_image
    if content_type == "application/pdf":
        from ._pdf import clean_pdf

        return lambda src, dst, _type: clean_pdf(src, dst)
    if content_type in _MEDIA:
        from ._isobmff import clean_media

        return clean_media
    if content_type == "audio/mpeg":
        from ._audio import clean_mp3

        return lambda src, dst, _type: clean_mp3(src, dst)
    if content_type == "audio/wav":
        from ._audio import clean_wav

        return lambda src, dst, _type: clean_wav(src, dst)
    raise _unsupported()


def _check_kind(path: Path, content_type: str) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as exc:
        raise AnonymiseError("unreadable_file", "文件无法读取，无法生成评审副本") from exc
    found = sniff(head)
    if found is None or found.content_type != content_type:
        raise AnonymiseError("kind_mismatch", "文件内容与登记的类型不符，无法生成评审副本")


def _unsupported() -> AnonymiseError:
    return AnonymiseError("unsupported_kind", "暂不支持为这种文件生成评审副本")
