"""Image metadata read from the container itself, and removed without re-encoding.

Reading the segments and chunks (not what Pillow chooses to expose) is what
makes ``residual_metadata`` a real check: a tag Pillow ignores is still found.
The lossless strip is for images inside documents, whose pixel size the
document's layout depends on.
"""

from __future__ import annotations

import struct

from PIL import Image

# Tags that say nothing about who or where: kept so a photo stays upright.
_HARMLESS_EXIF = {0x0112}  # Orientation
_GPS_IFD = 0x8825
_XMP_SIGS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
# PNG chunks that only describe pixels; anything else ancillary is treated as metadata.
_PNG_PIXEL_CHUNKS = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT",
    b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}
_WEBP_PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


class Malformed(ValueError):
    """The bytes do not follow the container's structure."""


def exif_findings(payload: bytes) -> list[str]:
    """What an EXIF block (starting with ``Exif\\0\\0`` or the TIFF header) reveals."""
    exif = Image.Exif()
    try:
        exif.load(payload)
        gps = exif.get_ifd(_GPS_IFD)
    except (SyntaxError, ValueError, struct.error, OSError):
        return ["exif"]  # unreadable EXIF is still EXIF
    found = []
    if set(exif) - _HARMLESS_EXIF:
        found.append("exif")
    if gps:
        found.append("gps")
    return found


def minimal_exif(payload: bytes) -> bytes | None:
    """An EXIF block holding only the orientation of ``payload``, or None if upright."""
    exif = Image.Exif()
    try:
        exif.load(payload)
    except (SyntaxError, ValueError, struct.error, OSError):
        return None
    orientation = exif.get(0x0112)
    if orientation in (None, 1):
        return None
    kept = Image.Exif()
    kept[0x0112] = orientation
    return kept.tobytes()


# --- JPEG ---------------------------------------------------------------

def _jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of every segment, entropy-coded data included as marker 0."""
    if not data.startswith(b"\xff\xd8"):
        raise Malformed("no SOI")
    out: list[tuple[int, int, int]] = [(0xD8, 0, 2)]
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise Malformed(f"marker expected at {pos}")
        while pos + 1 < len(data) and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= len(data):
            raise Malformed("truncated marker")
        marker = data[pos + 1]
        if marker == 0xD9:
            out.append((marker, pos, pos + 2))
            if data[pos + 2:].strip(b"\x00"):
                out.append((-1, pos + 2, len(data)))  # bytes after the end of the image
            return out
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append((marker, pos, pos + 2))
            pos += 2
            continue
        if pos + 4 > len(data):
            raise Malformed("truncated segment")
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise Malformed(f"segment {marker:#x} overruns the file")
        out.append((marker, pos, end))
        pos = end
        if marker == 0xDA:
            pos = _entropy_end(data, pos)
            out.append((0, end, pos))
    if not any(m == 0xDA for m, _, _ in out):
        raise Malformed("no image data")
    return out


def _entropy_end(data: bytes, pos: int) -> int:
    # In scan data 0xFF is always followed by 0x00 (stuffing) or a restart
    # marker (ITU T.81, B.1.1.5); any other follower starts the next segment.
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)  # no end marker: a truncated image, judged by its decoder
        follower = data[pos + 1]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            pos += 2
            continue
        return pos


def _jpeg_app_finding(marker: int, body: bytes) -> list[str]:
    if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
        return exif_findings(body)
    if marker == 0xE1 and body.startswith(_XMP_SIGS):
        return ["xmp"]
    if marker == 0xE2 and body.startswith(b"ICC_PROFILE\x00"):
        return ["icc"]
    if marker == 0xED:
        return ["iptc"]
    if marker == 0xFE:
        return ["comment"]
    if marker == 0xE0 and body.startswith(b"JFIF\x00"):
        return []
    if marker == 0xEE and body.startswith(b"Adobe"):
        return []  # colour transform flag, needed to decode CMYK/YCCK
    if 0xE0 <= marker <= 0xEF:
        return [f"jpeg:app{marker - 0xE0}"]
    return []


def jpeg_findings(data: bytes) -> list[str]:
    found: list[str] = []
    for marker, start, end in _jpeg_segments(data):
        if marker == -1:
            found.append("jpeg:trailing-data")
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            found += _jpeg_app_finding(marker, data[start + 4:end])
    return _unique(found)


def strip_jpeg(data: bytes) -> bytes:
    """The same JPEG with only JFIF, Adobe and an orientation-only EXIF kept."""
    segments = _jpeg_segments(data)
    orientation: bytes | None = None
    parts: list[bytes] = []
    for marker, start, end in segments:
        body = data[start + 4:end]
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            orientation = orientation or minimal_exif(body)
            continue
        if marker == -1 or ((0xE0 <= marker <= 0xEF or marker == 0xFE)
                            and _jpeg_app_finding(marker, body)):
            continue
        parts.append(data[start:end])
    if orientation is not None:
        app1 = b"\xff\xe1" + struct.pack(">H", len(orientation) + 2) + orientation
        parts.insert(1, app1)
    return b"".join(parts)


# --- PNG ----------------------------------------------------------------

def _png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Malformed("no PNG signature")
    out, pos = [], 8
    while pos < len(data):
        if pos + 12 > len(data):
            raise Malformed("truncated chunk")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise Malformed("chunk overruns the file")
        out.append((ctype, pos, end))
        pos = end
        if ctype == b"IEND":
            if data[pos:].strip(b"\x00"):
                out.append((b"", pos, len(data)))
            return out
    raise Malformed("no IEND")


def _png_finding(ctype: bytes, body: bytes) -> list[str]:
    if ctype in _PNG_PIXEL_CHUNKS:
        return []
    if ctype == b"eXIf":
        return exif_findings(b"Exif\x00\x00" + body)
    if ctype == b"iTXt" and body.startswith(b"XML:com.adobe.xmp\x00"):
        return ["xmp"]
    if ctype in (b"tEXt", b"zTXt", b"iTXt"):
        return ["png:text"]
    if ctype == b"iCCP":
        return ["icc"]
    if ctype == b"":
        return ["png:trailing-data"]
    return [f"png:{ctype.decode('latin-1')}"]


def png_findings(data: bytes) -> list[str]:
    found: list[str] = []
    for ctype, start, end in _png_chunks(data):
        found += _png_finding(ctype, data[start + 8:end - 4])
    return _unique(found)


def strip_png(data: bytes) -> bytes:
    """The same PNG with only the chunks that describe pixels."""
    kept = [data[:8]]
    for ctype, start, end in _png_chunks(data):
        if ctype in _PNG_PIXEL_CHUNKS:
            kept.append(data[start:end])
    return b"".join(kept)


# --- WebP ---------------------------------------------------------------

def _riff_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    out, pos = [], 12
    while pos + 8 <= len(data):
        cid, size = struct.unpack("<4sI", data[pos:pos + 8])
        end = pos + 8 + size
        if end > len(data):
            raise Malformed("chunk overruns the file")
        out.append((cid, pos + 8, end))
        pos = end + (size & 1)
    return out


def webp_findings(data: bytes) -> list[str]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise Malformed("not a WebP")
    found: list[str] = []
    for cid, start, end in _riff_chunks(data):
        if cid == b"EXIF":
            body = data[start:end]
            found += exif_findings(body if body.startswith(b"Exif") else b"Exif\x00\x00" + body)
        elif cid == b"XMP ":
            found.append("xmp")
        elif cid == b"ICCP":
            found.append("icc")
        elif cid not in _WEBP_PIXEL_CHUNKS:
            found.append(f"webp:{cid.decode('latin-1').strip()}")
    return _unique(found)


def webp_is_lossless(data: bytes) -> bool:
    return any(cid == b"VP8L" for cid, _, _ in _riff_chunks(data))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


__all__ = [
    "Malformed", "exif_findings", "jpeg_findings", "minimal_exif", "png_findings",
    "strip_jpeg", "strip_png", "webp_findings", "webp_is_lossless",
]
