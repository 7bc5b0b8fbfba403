"""Photos and scans: pixels decoded, turned upright, and encoded again without metadata.

Re-encoding is the only way to be sure nothing rides along: EXIF, XMP,
IPTC, comments, PNG text chunks and trailers (a second image after the
JPEG's end marker, as phones write) all stay behind. The colour profile is
applied to the pixels (converted to sRGB) and then dropped, since a profile
can carry a device or owner description.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import IO

import pillow_heif
from bangyaer.web import N_
from PIL import Image, ImageCms, UnidentifiedImageError

from . import _imgmeta
from ._common import AnonymiseError, Cleaned, broken, writing

pillow_heif.register_heif_opener()

JPEG_QUALITY = 92
_FORMATS = {
    "image/jpeg": ("JPEG", "image/jpeg", ".jpg"),
    "image/png": ("PNG", "image/png", ".png"),
    "image/webp": ("WEBP", "image/webp", ".webp"),
    # Browsers outside Safari cannot show HEIC; judges get a JPEG.
    "image/heic": ("JPEG", "image/jpeg", ".jpg"),
}
_SRGB = ImageCms.createProfile("sRGB")
# EXIF orientation -> the turn that makes the pixels upright (CIPA DC-008, 4.6.4 A).
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}


def _orientation(img: Image.Image) -> int:
    # Read, never rewritten: turning the pixels ourselves spares Pillow
    # re-serialising an EXIF block that may be damaged.
    try:
        value = img.getexif().get(0x0112, 1)
    except (SyntaxError, ValueError, OSError, struct.error):
        return 1
    return value if isinstance(value, int) else 1


def clean_image(src: Path, dst: Path, content_type: str) -> Cleaned:
    fmt, out_type, extension = _FORMATS[content_type]
    data = src.read_bytes()  # bounded: uploads of images are limited to 20 MB
    removed = image_findings(data, content_type)
    try:
        with Image.open(io.BytesIO(data)) as img:
            # An MPO (a JPEG followed by depth or preview pictures, as some
            # phones write) is a still photo: its first picture is the photo.
            # Not yet: animated WebP and APNG are refused, not re-encoded frame by frame.
            if getattr(img, "n_frames", 1) > 1 and img.format != "MPO":
                raise AnonymiseError("animated_image", N_("暂不支持动图，请改用静态图片"))
            orientation = _orientation(img)
            img.load()
            upright = img.transpose(_TURNS[orientation]) if orientation in _TURNS else img
            pixels = _to_srgb(upright, img.info.get("icc_profile"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error,
            Image.DecompressionBombError) as exc:
        raise broken("image") from exc
    with writing(dst) as out:
        _save(pixels, out, fmt, lossless=fmt == "WEBP" and _imgmeta.webp_is_lossless(data))
    if orientation != 1:
        removed.append("orientation")
    return Cleaned(out_type, extension, removed)


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if img.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(img, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError):
            converted = None  # an unreadable profile: the pixels are used as they are
        if converted is not None:
            img = converted
    if img.mode == "CMYK":
        img = img.convert("RGB")
    return img


def _save(img: Image.Image, out: IO[bytes], fmt: str, *, lossless: bool) -> None:
    # A fresh info dict: Pillow's writers fall back to it for comments and
    # profiles. Only transparency, which is part of the picture, is kept.
    img.info = {k: v for k, v in img.info.items() if k == "transparency"}
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L"):
            img = _flatten(img)
        img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=False)
    else:
        img.save(out, "WEBP", lossless=lossless, quality=100 if lossless else JPEG_QUALITY,
                 exif=b"", xmp=b"", icc_profile=b"")


def _flatten(img: Image.Image) -> Image.Image:
    # JPEG has no alpha: composite on white, as a viewer would show it.
    rgba = img.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, (255, 255, 255))
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def image_findings(data: bytes, content_type: str) -> list[str]:
    try:
        if content_type == "image/jpeg":
            return _imgmeta.jpeg_findings(data)
        if content_type == "image/png":
            return _imgmeta.png_findings(data)
        if content_type == "image/webp":
            return _imgmeta.webp_findings(data)
    except _imgmeta.Malformed as exc:
        raise broken("image") from exc
    return _heic_findings(data)


def _heic_findings(data: bytes) -> list[str]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            info = dict(img.info)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise broken("image") from exc
    found: list[str] = []
    if info.get("exif"):
        found += _imgmeta.exif_findings(info["exif"])
    if info.get("xmp"):
        found.append("xmp")
    if info.get("icc_profile"):
        found.append("icc")
    return found


def clean(src: Path, dst: Path, content_type: str) -> Cleaned:
    return clean_image(src, dst, content_type)


def findings(path: Path, content_type: str) -> list[str]:
    return image_findings(path.read_bytes(), content_type)
