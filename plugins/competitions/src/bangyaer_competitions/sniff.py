"""What a file really is, read from its first bytes (magic numbers), never its name."""

from __future__ import annotations

from dataclasses import dataclass

# ISO base media (ftyp) brands: HEIF images and MP4/QuickTime/3GP video or M4A audio.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AUDIO_BRANDS = {b"M4A ", b"M4B "}
SNIFF_BYTES = 64


@dataclass(frozen=True)
class Sniffed:
    kind: str  # image, video, audio, document
    content_type: str
    # A zip is only a DOCX if it holds word/document.xml, which the stream
    # check confirms once it has seen the member names.
    needs_docx_check: bool = False


def sniff(head: bytes) -> Sniffed | None:
    """The kind and type of a file from its first ``SNIFF_BYTES`` bytes; None if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav")
    if head[4:8] == b"ftyp":
        return _ftyp(head[8:12])
    if head.startswith(b"%PDF-"):
        return Sniffed("document", "application/pdf")
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("document", "application/vnd.openxmlformats-officedocument."
                       "wordprocessingml.document", needs_docx_check=True)
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                    and head[1] in (0xFB, 0xF3, 0xF2)):
        return Sniffed("audio", "audio/mpeg")
    return None


def _ftyp(brand: bytes) -> Sniffed:
    if brand in _HEIF_BRANDS:
        return Sniffed("image", "image/heic")
    if brand in _AUDIO_BRANDS:
        return Sniffed("audio", "audio/mp4")
    if brand == b"qt  ":
        return Sniffed("video", "video/quicktime")
    return Sniffed("video", "video/mp4")
