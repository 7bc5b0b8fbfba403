"""What an uploaded file really is, what it may be called, and how it is sent back.

The type is read from the first bytes of the content, never from the name
or the Content-Type the browser claims: an ``.exe`` renamed ``.pdf`` still
starts with ``MZ``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class FileKind:
    label: str                 # said to people in messages
    content_type: str          # sent back on download
    extensions: frozenset[str]  # the names a file of this kind may carry
    image: bool = False


PDF = FileKind("PDF 文档", "application/pdf", frozenset({".pdf"}))
PNG = FileKind("PNG 图片", "image/png", frozenset({".png"}), image=True)
JPEG = FileKind("JPEG 图片", "image/jpeg", frozenset({".jpg", ".jpeg"}), image=True)
GIF = FileKind("GIF 图片", "image/gif", frozenset({".gif"}), image=True)
WEBP = FileKind("WebP 图片", "image/webp", frozenset({".webp"}), image=True)
OOXML = FileKind("Office 文档", "application/octet-stream",
                 frozenset({".docx", ".xlsx", ".pptx"}))
OLE = FileKind("Office 97-2003 文档", "application/octet-stream",
               frozenset({".doc", ".xls", ".ppt"}))

ATTACHMENT_KINDS = (PDF, PNG, JPEG, GIF, WEBP, OOXML, OLE)
COVER_KINDS = (PNG, JPEG, GIF, WEBP)

_OOXML_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
              ".ppt": "application/vnd.ms-powerpoint"}

# Signatures of things people try to pass off as documents, to name them
# in the refusal instead of saying only "unknown".
_REFUSED = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"#!", "脚本"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
)
# OOXML packages are zip files whose first entry is one of these (Office,
# WPS and LibreOffice all write [Content_Types].xml first).
_OOXML_FIRST = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"word/", b"xl/", b"ppt/")

SNIFF_BYTES = 512


class FileRefused(ValueError):
    """An upload that is not a kind this place accepts; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sniff(head: bytes) -> FileKind | str:
    """The kind the first bytes show, or a description of what they are instead."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        # Local file header: the name starts at byte 30 (APPNOTE.TXT 4.3.7).
        name_length = int.from_bytes(head[26:28], "little")
        first = head[30:30 + name_length]
        return OOXML if first.startswith(_OOXML_FIRST) else "zip 压缩包"
    for signature, label in _REFUSED:
        if head.startswith(signature):
            return label
    return "无法识别的文件"


def check_kind(head: bytes, filename: str, allowed: tuple[FileKind, ...]) -> tuple[FileKind, str]:
    """The kind and download Content-Type of an upload; FileRefused if it is not allowed."""
    found = sniff(head)
    accepted = "、".join(dict.fromkeys(k.label for k in allowed))
    if isinstance(found, str) or found not in allowed:
        what = found if isinstance(found, str) else found.label
        raise FileRefused(f"不支持的文件类型（{what}）；只接受 {accepted}")
    extension = _extension(filename)
    if extension not in found.extensions:
        expected = "、".join(sorted(found.extensions))
        raise FileRefused(
            f"文件内容是 {found.label}，文件名却是“{extension or '无扩展名'}”；"
            f"请改用 {expected} 扩展名后再上传"
        )
    content_type = _OOXML_TYPES.get(extension) or _OLE_TYPES.get(extension) or found.content_type
    return found, content_type


def _extension(filename: str) -> str:
    _, dot, ext = filename.rpartition(".")
    return f".{ext.lower()}" if dot and ext else ""


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
MAX_NAME = 120


def clean_filename(raw: str) -> str:
    """A file name fit to show and to send back: no path, no control characters.

    Markup in a name (``<img onerror=…>.pdf``) is kept as text; templates
    escape it and Content-Disposition percent-encodes it.
    """
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:  # shorten the stem, keep the extension
            name = f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}"
        else:
            name = name[:MAX_NAME]
    return name or "附件"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 header that carries a Chinese name intact.

    ``filename*`` (RFC 5987: UTF-8, percent-encoded) is what browsers use;
    the plain ``filename`` is an ASCII stand-in for the few that do not.
    """
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%;'
                       else "_" for c in filename)
    encoded = quote(filename, safe="")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
