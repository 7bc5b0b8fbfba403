"""Judging copies of MP4, MOV and M4A: metadata boxes blanked in place, the movie intact."""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import pytest
from bangyaer_competitions.anonymise import (
    AnonymiseError,
    anonymise_file,
    residual_metadata,
    samples,
)

NEEDLES = samples.needles(samples.NAME, samples.SCHOOL, samples.LOCATION)
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf"}


def _tree(data: bytes, start: int = 0, end: int | None = None) -> list[tuple]:
    """(type, start, size, children) of every box, read independently of the code under test."""
    end = len(data) if end is None else end
    boxes, pos = [], start
    while pos < end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8:pos + 16])
            header = 16
        assert header <= size and pos + size <= end, f"{kind!r} at {pos} overruns"
        children = _tree(data, pos + header, pos + size) if kind in CONTAINERS else []
        boxes.append((kind, pos, size, children))
        pos += size
    return boxes


def _types(tree: list[tuple]) -> list:
    return [(kind, start, size, _types(children)) for kind, start, size, children in tree]


def _find(tree: list[tuple], *path: bytes) -> list[tuple]:
    found = [b for b in tree if b[0] == path[0]]
    if len(path) == 1:
        return found
    return [x for b in found for x in _find(b[3], *path[1:])]


def _mdat(data: bytes) -> bytes:
    (box,) = _find(_tree(data), b"mdat")
    return data[box[1] + 8:box[1] + box[2]]


@pytest.fixture
def movie(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(samples.mp4())
    return path


def test_fixture_really_carries_the_names(movie: Path) -> None:
    raw = movie.read_bytes()

    assert all(any(n in raw for n in samples.needles(text)) for text in
               (samples.NAME, samples.SCHOOL, samples.LOCATION))


def test_copy_carries_no_name_school_or_place(movie: Path, tmp_path: Path) -> None:
    anonymise_file(movie, tmp_path / "copy.mp4", "video/mp4")

    raw = (tmp_path / "copy.mp4").read_bytes()
    assert [n for n in NEEDLES if n in raw] == []


def test_residual_lists_the_boxes_for_the_original_and_nothing_for_the_copy(
    movie: Path, tmp_path: Path
) -> None:
    before = residual_metadata(movie, "video/mp4")
    cleaned = anonymise_file(movie, tmp_path / "copy.mp4", "video/mp4")

    assert set(before) == {"mp4:udta", "mp4:meta", "mp4:uuid", "mp4:metadata-track",
                           "mp4:dates", "mp4:free-space"}
    assert cleaned.removed == before
    assert (cleaned.content_type, cleaned.extension) == ("video/mp4", ".mp4")
    assert residual_metadata(tmp_path / "copy.mp4", "video/mp4") == []


def test_boxes_keep_their_places_and_metadata_becomes_free(movie: Path, tmp_path: Path) -> None:
    anonymise_file(movie, tmp_path / "copy.mp4", "video/mp4")

    original, copy = movie.read_bytes(), (tmp_path / "copy.mp4").read_bytes()
    assert len(copy) == len(original)
    before, after = _tree(original), _tree(copy)
    assert [b[0] for b in after] == [b"ftyp", b"moov", b"free", b"free", b"mdat"]
    assert [(b[1], b[2]) for b in after] == [(b[1], b[2]) for b in before]
    moov = _find(after, b"moov")[0][3]
    assert [b[0] for b in moov] == [b"mvhd", b"trak", b"free", b"free", b"free"]
    assert _find(after, b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stco")


def test_video_samples_are_unchanged_and_metadata_samples_zeroed(
    movie: Path, tmp_path: Path
) -> None:
    anonymise_file(movie, tmp_path / "copy.mp4", "video/mp4")

    copy = (tmp_path / "copy.mp4").read_bytes()
    video = b"".join(samples.VIDEO_SAMPLES)
    assert _mdat(copy) == video + bytes(len(_mdat(movie.read_bytes())) - len(video))
    (stco,) = _find(_tree(copy), b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stco")
    first, second = struct.unpack(">II", copy[stco[1] + 16:stco[1] + 24])
    assert copy[first:first + 20] == samples.VIDEO_SAMPLES[0]
    assert copy[second:second + 20] == samples.VIDEO_SAMPLES[1]


def test_movie_without_metadata_has_mdat_byte_for_byte(tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    src.write_bytes(samples.mp4(metadata_track=False))

    anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")

    assert _mdat((tmp_path / "copy.mp4").read_bytes()) == _mdat(src.read_bytes())


@pytest.mark.parametrize(("brand", "ctype", "ext"), [
    pytest.param(b"qt  ", "video/quicktime", ".mov", id="mov"),
    pytest.param(b"M4A ", "audio/mp4", ".m4a", id="m4a"),
])
def test_quicktime_and_m4a_are_cleaned_the_same_way(
    tmp_path: Path, brand: bytes, ctype: str, ext: str
) -> None:
    src = tmp_path / "src"
    src.write_bytes(samples.mp4(brand=brand))

    cleaned = anonymise_file(src, tmp_path / "copy", ctype)

    assert (cleaned.content_type, cleaned.extension) == (ctype, ext)
    raw = (tmp_path / "copy").read_bytes()
    assert [n for n in NEEDLES if n in raw] == []
    assert residual_metadata(tmp_path / "copy", ctype) == []


def test_bytes_after_the_movie_are_dropped(tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    src.write_bytes(samples.mp4() + b"SEFT" + samples.NAME.encode())

    assert "mp4:trailing-data" in residual_metadata(src, "video/mp4")
    anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")

    assert len((tmp_path / "copy.mp4").read_bytes()) == len(samples.mp4())


@pytest.mark.parametrize("damage", [
    pytest.param(lambda d: d[:300], id="truncated-moov"),
    pytest.param(lambda d: d[:24] + b"\xff\xff\xff\xffmoov" + d[32:], id="moov-overruns"),
    pytest.param(lambda d: samples.box(b"ftyp", b"isom", bytes(4)) + samples.box(b"mdat", d),
                 id="no-moov"),
])
def test_broken_movie_is_refused_and_leaves_nothing(tmp_path: Path, damage) -> None:
    src = tmp_path / "clip.mp4"
    src.write_bytes(damage(samples.mp4()))

    with pytest.raises(AnonymiseError, match="视频或音频文件已损坏") as caught:
        anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")

    assert caught.value.code == "broken_file"
    assert not (tmp_path / "copy.mp4").exists()


def test_metadata_samples_pointing_outside_the_file_are_refused(tmp_path: Path) -> None:
    data = bytearray(samples.mp4())
    traks = _find(_tree(bytes(data)), b"moov", b"trak")
    (stco,) = _find([traks[1]], b"trak", b"mdia", b"minf", b"stbl", b"stco")
    data[stco[1] + 16:stco[1] + 20] = struct.pack(">I", len(data) + 10)
    src = tmp_path / "clip.mp4"
    src.write_bytes(bytes(data))

    with pytest.raises(AnonymiseError) as caught:
        anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")

    assert caught.value.code == "broken_file"


def test_big_video_is_streamed_not_read_whole(tmp_path: Path) -> None:
    total = 200 * 1024 * 1024
    header, payload_at = samples.mp4_frame(total)
    src = tmp_path / "big.mp4"
    with open(src, "wb") as f:
        f.write(header)
        f.truncate(total)  # sparse: the sample's bytes read back as zeros
    assert payload_at == len(header)

    tracemalloc.start()
    try:
        anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 16 * 1024 * 1024, peak
    assert (tmp_path / "copy.mp4").stat().st_size == total
    assert residual_metadata(tmp_path / "copy.mp4", "video/mp4") == []


def test_moov_after_a_big_mdat_is_blanked_in_the_right_place(tmp_path: Path) -> None:
    payload = bytes(range(256)) * (12 * 1024)  # 3 MB: copied by the kernel, not in Python
    src = tmp_path / "phone.mp4"
    src.write_bytes(samples.mp4_moov_last(payload))

    anonymise_file(src, tmp_path / "copy.mp4", "video/mp4")

    copy = (tmp_path / "copy.mp4").read_bytes()
    assert len(copy) == src.stat().st_size
    assert _mdat(copy) == payload
    assert [b[0] for b in _find(_tree(copy), b"moov")[0][3]] == [b"mvhd", b"trak", b"free"]
    assert [n for n in NEEDLES if n in copy] == []


def test_compressed_movie_header_is_refused(tmp_path: Path) -> None:
    moov = samples.box(b"moov", samples.box(b"cmov", samples.box(b"dcom", b"zlib")))
    src = tmp_path / "old.mov"
    src.write_bytes(samples.box(b"ftyp", b"qt  ", bytes(4), b"qt  ") + moov
                    + samples.box(b"mdat", b"x" * 32))

    with pytest.raises(AnonymiseError) as caught:
        anonymise_file(src, tmp_path / "copy.mov", "video/quicktime")

    assert caught.value.code == "unsupported_kind"
