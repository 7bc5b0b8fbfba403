"""Judging copies of photos: no EXIF, GPS, XMP, IPTC, comments or text chunks; upright pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bangyaer_competitions.anonymise import (
    AnonymiseError,
    anonymise_file,
    copy_name,
    residual_metadata,
    samples,
)
from PIL import Image, ImageCms

NEEDLES = samples.needles(samples.NAME, samples.SCHOOL)


def _is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 150 and pixel[1] < 90 and pixel[2] < 90


def _write(tmp_path: Path, data: bytes, name: str = "src") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CASES = [
    pytest.param(samples.jpeg, "image/jpeg", "image/jpeg", ".jpg", (480, 640), id="jpeg"),
    pytest.param(samples.png, "image/png", "image/png", ".png", (640, 480), id="png"),
    pytest.param(samples.webp, "image/webp", "image/webp", ".webp", (640, 480), id="webp"),
    pytest.param(samples.heic, "image/heic", "image/jpeg", ".jpg", (640, 480), id="heic"),
]


@pytest.mark.parametrize(("build", "ctype", "out_type", "ext", "size"), CASES)
def test_copy_carries_no_name_school_or_location(
    tmp_path: Path, build, ctype: str, out_type: str, ext: str, size: tuple[int, int]
) -> None:
    src = _write(tmp_path, build())
    dst = tmp_path / "copy"
    assert any(n in src.read_bytes() for n in NEEDLES)

    cleaned = anonymise_file(src, dst, ctype)

    assert (cleaned.content_type, cleaned.extension) == (out_type, ext)
    raw = dst.read_bytes()
    assert [n for n in NEEDLES if n in raw] == []
    assert residual_metadata(dst, out_type) == []
    with Image.open(dst) as img:
        assert img.size == size
        assert not img.getexif().get_ifd(0x8825)
        assert "icc_profile" not in img.info


@pytest.mark.parametrize(("build", "ctype", "out_type", "ext", "size"), CASES)
def test_original_is_reported_with_what_the_copy_lost(
    tmp_path: Path, build, ctype: str, out_type: str, ext: str, size: tuple[int, int]
) -> None:
    src = _write(tmp_path, build())

    found = residual_metadata(src, ctype)
    cleaned = anonymise_file(src, tmp_path / "copy", ctype)

    assert {"exif", "gps", "xmp"} <= set(found)
    assert set(found) <= set(cleaned.removed)


def test_jpeg_report_names_iptc_comment_and_trailer(tmp_path: Path) -> None:
    found = residual_metadata(_write(tmp_path, samples.jpeg()), "image/jpeg")

    assert {"iptc", "comment", "jpeg:trailing-data"} <= set(found)


def test_png_text_chunks_are_reported(tmp_path: Path) -> None:
    assert "png:text" in residual_metadata(_write(tmp_path, samples.png()), "image/png")


def test_orientation_is_applied_to_the_pixels(tmp_path: Path) -> None:
    # Orientation 6: the camera was turned, the stored top-left shows at the top right.
    src = _write(tmp_path, samples.jpeg(orientation=6))
    cleaned = anonymise_file(src, tmp_path / "copy", "image/jpeg")

    with Image.open(tmp_path / "copy") as img:
        rgb = img.convert("RGB")
        assert rgb.size == (480, 640)
        assert _is_red(rgb.getpixel((470, 10)))
        assert not _is_red(rgb.getpixel((10, 10)))
        assert 0x0112 not in img.getexif()
    assert "orientation" in cleaned.removed


def test_upright_photo_keeps_its_size_and_colours(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.jpeg(orientation=1))
    anonymise_file(src, tmp_path / "copy", "image/jpeg")

    with Image.open(tmp_path / "copy") as img:
        assert img.size == (640, 480)
        assert _is_red(img.convert("RGB").getpixel((20, 20)))


def test_colour_profile_is_applied_then_dropped(tmp_path: Path) -> None:
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    samples.picture().save(out, "JPEG", icc_profile=profile)
    src = _write(tmp_path, out.getvalue())
    assert residual_metadata(src, "image/jpeg") == ["icc"]

    anonymise_file(src, tmp_path / "copy", "image/jpeg")

    assert residual_metadata(tmp_path / "copy", "image/jpeg") == []


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    out = io.BytesIO()
    samples.picture(mode="CMYK").save(out, "JPEG", exif=samples.exif_block())
    anonymise_file(_write(tmp_path, out.getvalue()), tmp_path / "copy", "image/jpeg")

    with Image.open(tmp_path / "copy") as img:
        assert img.mode == "RGB" and img.size == (640, 480)


def test_png_keeps_transparency(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.png())
    anonymise_file(src, tmp_path / "copy", "image/png")

    with Image.open(tmp_path / "copy") as img:
        assert img.mode == "RGBA"


def test_lossless_webp_stays_lossless(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.webp(lossless=True))
    anonymise_file(src, tmp_path / "copy", "image/webp")

    assert b"VP8L" in (tmp_path / "copy").read_bytes()[:64]
    with Image.open(src) as a, Image.open(tmp_path / "copy") as b:
        # Orientation 3 is a half turn: the copy is the original turned round.
        assert a.rotate(180).convert("RGB").tobytes() == b.convert("RGB").tobytes()


def test_truncated_image_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    data = samples.jpeg()
    src = _write(tmp_path, data[: len(data) // 3])
    dst = tmp_path / "copy"

    with pytest.raises(AnonymiseError, match="图片文件已损坏") as caught:
        anonymise_file(src, dst, "image/jpeg")

    assert caught.value.code == "broken_file"
    assert list(tmp_path.iterdir()) == [src]


def test_declared_type_must_match_the_bytes(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.png())

    with pytest.raises(AnonymiseError, match="文件内容与登记的类型不符") as caught:
        anonymise_file(src, tmp_path / "copy", "image/jpeg")

    assert caught.value.code == "kind_mismatch"


def test_unknown_bytes_are_refused(tmp_path: Path) -> None:
    src = _write(tmp_path, "王小明的作文".encode() * 20)

    with pytest.raises(AnonymiseError) as caught:
        anonymise_file(src, tmp_path / "copy", "text/plain")

    assert caught.value.code == "kind_mismatch"
    with pytest.raises(AnonymiseError):
        residual_metadata(src, "text/plain")


def test_animated_image_is_refused_rather_than_cut_to_one_frame(tmp_path: Path) -> None:
    out = io.BytesIO()
    frames = [samples.picture(), samples.picture().rotate(90)]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    src = _write(tmp_path, out.getvalue())

    with pytest.raises(AnonymiseError, match="暂不支持动图") as caught:
        anonymise_file(src, tmp_path / "copy", "image/png")

    assert caught.value.code == "animated_image"


def test_copy_name_is_the_entry_code_and_position() -> None:
    assert copy_name("K2026-03-00017", 1, ".jpg") == "K2026-03-00017-1.jpg"
    assert copy_name("K2026-03-00017", 3, ".pdf") == "K2026-03-00017-3.pdf"


@pytest.mark.parametrize(("code", "position", "ext"), [
    pytest.param("../etc", 1, ".jpg", id="path"),
    pytest.param("K2026", 0, ".jpg", id="position"),
    pytest.param("K2026", 1, "jpg", id="no-dot"),
    pytest.param("王小明", 1, ".jpg", id="name"),
])
def test_copy_name_refuses_parts_that_are_not_codes(code: str, position: int, ext: str) -> None:
    with pytest.raises(ValueError):
        copy_name(code, position, ext)


def test_turned_heic_becomes_an_upright_jpeg(tmp_path: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    samples.picture().save(out, "HEIF", exif=samples.exif_block(orientation=6))
    anonymise_file(_write(tmp_path, out.getvalue()), tmp_path / "copy", "image/heic")

    with Image.open(tmp_path / "copy") as img:
        assert img.format == "JPEG" and img.size == (480, 640)
        assert _is_red(img.convert("RGB").getpixel((470, 10)))


def test_every_refusal_has_an_english_text() -> None:
    import bangyaer_competitions
    from babel.messages.extract import DEFAULT_KEYWORDS, extract
    from babel.messages.pofile import read_po

    root = Path(bangyaer_competitions.__file__).parent
    with open(root / "locale/en/LC_MESSAGES/messages.po", "rb") as f:
        english = {m.id: m.string for m in read_po(f, locale="en") if m.id and m.string}
    messages = []
    for module in sorted((root / "anonymise").glob("*.py")):
        with module.open("rb") as f:
            messages += [m for _, m, _, _ in extract("python", f, DEFAULT_KEYWORDS)]

    assert len(messages) >= 12  # the extraction itself works
    assert [m for m in messages if m not in english] == []


def test_jpeg_copy_stays_close_to_the_original(tmp_path: Path) -> None:
    from PIL import ImageChops, ImageStat

    src = _write(tmp_path, samples.jpeg(orientation=1, size=(800, 600)))
    anonymise_file(src, tmp_path / "copy", "image/jpeg")

    with Image.open(src) as a, Image.open(tmp_path / "copy") as b:
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
        # Re-encoding at quality 92 moves a pixel by a level or two on average.
        assert max(ImageStat.Stat(diff).mean) < 2.0


def test_multi_picture_jpeg_is_a_still_photo(tmp_path: Path) -> None:
    out = io.BytesIO()
    samples.picture().save(out, "MPO", save_all=True, append_images=[samples.picture((320, 240))],
                           exif=samples.exif_block())
    src = _write(tmp_path, out.getvalue())
    assert "jpeg:trailing-data" in residual_metadata(src, "image/jpeg")

    cleaned = anonymise_file(src, tmp_path / "copy", "image/jpeg")

    assert cleaned.content_type == "image/jpeg"
    assert residual_metadata(tmp_path / "copy", "image/jpeg") == []
    with Image.open(tmp_path / "copy") as img:
        assert img.format == "JPEG" and img.size == (640, 480)
