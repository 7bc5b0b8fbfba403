"""Anonymised judging copies: files with their metadata removed.

``anonymise_file`` writes the copy a judge receives; ``residual_metadata``
reads any file back and lists what identifying metadata it still carries,
so a copy can be checked independently of how it was made. The kind of a
file is confirmed from its first bytes, never taken from its name.

Images are decoded and encoded again (HEIC becomes JPEG); PDFs and Word
documents are rewritten whole; videos and recordings, which can be 2 GB,
are copied in chunks with their metadata blanked or cut away.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

from bangyaer.web import N_

from ..sniff import SNIFF_BYTES, sniff
from ._common import AnonymiseError, Cleaned

__all__ = ["DOCX", "AnonymiseError", "Cleaned", "anonymise_file", "copy_name",
           "residual_metadata"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# content type -> module that cleans it; each has clean(src, dst, type) and findings(path, type).
_MODULES = {
    "image/jpeg": "_images", "image/png": "_images", "image/webp": "_images",
    "image/heic": "_images",
    "application/pdf": "_pdf",
    DOCX: "_docx",
    "video/mp4": "_isobmff", "video/quicktime": "_isobmff", "audio/mp4": "_isobmff",
    "audio/mpeg": "_audio", "audio/wav": "_audio",
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,40}$")
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,5}$")


def anonymise_file(src: Path, dst: Path, content_type: str) -> Cleaned:
    """Write an anonymised copy of ``src`` to ``dst``; AnonymiseError if it cannot be made safe.

    ``dst`` appears only when the copy is complete. ``Cleaned`` tells the
    copy's type and extension (they differ from the source's for HEIC) and
    what was removed.
    """
    module = _module(src, content_type)
    cleaned: Cleaned = module.clean(src, dst, content_type)
    return cleaned


def residual_metadata(path: Path, content_type: str) -> list[str]:
    """The identifying metadata ``path`` still carries, e.g. ["exif", "gps"]; [] when clean."""
    module = _module(path, content_type)
    found: list[str] = module.findings(path, content_type)
    return found


def copy_name(entry_code: str, position: int, extension: str) -> str:
    """The name a judge sees: entry code and the file's place, e.g. "K2026-03-00017-1.jpg"."""
    if not _CODE.match(entry_code) or position < 1 or not _EXTENSION.match(extension):
        raise ValueError(f"bad copy name parts: {entry_code!r}, {position!r}, {extension!r}")
    return f"{entry_code}-{position}{extension}"


def _module(path: Path, content_type: str) -> ModuleType:
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as exc:
        raise AnonymiseError("unreadable_file", N_("文件无法读取，无法生成评审副本")) from exc
    found = sniff(head)
    if found is None or found.content_type != content_type:
        raise AnonymiseError("kind_mismatch", N_("文件内容与登记的类型不符，无法生成评审副本"))
    name = _MODULES.get(content_type)
    if name is None:
        raise AnonymiseError("unsupported_kind", N_("暂不支持为这种文件生成评审副本"))
    return importlib.import_module(f"{__name__}.{name}")
