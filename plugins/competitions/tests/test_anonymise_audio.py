"""Judging copies of MP3 and WAV recordings: ID3, APE, LIST/INFO and bext gone, sound intact."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import pytest
from bangyaer_competitions.anonymise import (
    AnonymiseError,
    anonymise_file,
    residual_metadata,
    samples,
)

NEEDLES = samples.needles(samples.NAME, samples.SCHOOL)


def _write(tmp_path: Path, data: bytes, name: str = "src") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_mp3_copy_is_the_frames_alone(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.mp3())
    assert any(n in src.read_bytes() for n in NEEDLES)

    cleaned = anonymise_file(src, tmp_path / "copy", "audio/mpeg")

    raw = (tmp_path / "copy").read_bytes()
    assert raw == samples.MP3_FRAME * 3
    assert [n for n in NEEDLES if n in raw] == []
    assert (cleaned.content_type, cleaned.extension) == ("audio/mpeg", ".mp3")
    assert cleaned.removed == ["id3v2", "id3v1"]


def test_mp3_residual_names_the_tags(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.mp3())
    anonymise_file(src, tmp_path / "copy", "audio/mpeg")

    assert residual_metadata(src, "audio/mpeg") == ["id3v2", "id3v1"]
    assert residual_metadata(tmp_path / "copy", "audio/mpeg") == []


def test_mp3_ape_tag_and_padding_after_id3_are_handled(tmp_path: Path) -> None:
    item = struct.pack("<II", 9, 0) + b"Artist\x00" + samples.NAME.encode()[:9]
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, len(item) + 32, 1, 0) + bytes(8)
    data = samples.mp3()
    # An ID3v2 tag followed by zero padding it does not declare, then an APE tag.
    tag_end = data.index(samples.MP3_FRAME)
    padded = data[:tag_end] + bytes(100) + data[tag_end:-128] + item + footer + data[-128:]
    src = _write(tmp_path, padded)

    assert residual_metadata(src, "audio/mpeg") == ["id3v2", "id3v1", "ape"]
    anonymise_file(src, tmp_path / "copy", "audio/mpeg")

    assert (tmp_path / "copy").read_bytes() == samples.MP3_FRAME * 3


def test_mp3_without_frames_is_refused(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.mp3(frames=0)[:-128] + "不是音频".encode() * 10)

    with pytest.raises(AnonymiseError, match="音频文件已损坏") as caught:
        anonymise_file(src, tmp_path / "copy", "audio/mpeg")

    assert caught.value.code == "broken_file"
    assert not (tmp_path / "copy").exists()


def test_wav_copy_keeps_the_sound_without_info_chunks(tmp_path: Path) -> None:
    src = _write(tmp_path, samples.wav())
    assert any(n in src.read_bytes() for n in NEEDLES)

    cleaned = anonymise_file(src, tmp_path / "copy", "audio/wav")

    raw = (tmp_path / "copy").read_bytes()
    assert [n for n in NEEDLES if n in raw] == []
    assert cleaned.removed == ["wav:list", "wav:bext", "wav:id3"]
    assert residual_metadata(src, "audio/wav") == cleaned.removed
    assert residual_metadata(tmp_path / "copy", "audio/wav") == []
    with wave.open(str(tmp_path / "copy")) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 1, 8000)
        assert w.readframes(w.getnframes()) == samples.WAV_SOUND
    (riff_size,) = struct.unpack("<I", raw[4:8])
    assert riff_size == len(raw) - 8


def test_wav_whose_recorder_never_fixed_the_data_size_is_kept_whole(tmp_path: Path) -> None:
    data = bytearray(samples.wav())
    at = data.index(b"data")
    data[at + 4:at + 8] = struct.pack("<I", 0xFFFFFFF0)
    src = _write(tmp_path, bytes(data[:at + 8 + len(samples.WAV_SOUND)]))

    anonymise_file(src, tmp_path / "copy", "audio/wav")

    with wave.open(str(tmp_path / "copy")) as w:
        assert w.readframes(w.getnframes()) == samples.WAV_SOUND


@pytest.mark.parametrize("data", [
    pytest.param(b"RIFF" + struct.pack("<I", 100) + b"WAVE" + b"LIST" + struct.pack("<I", 9999),
                 id="chunk-overruns"),
    pytest.param(b"RIFF" + struct.pack("<I", 4) + b"WAVE", id="no-fmt"),
])
def test_broken_wav_is_refused(tmp_path: Path, data: bytes) -> None:
    src = _write(tmp_path, data.ljust(64, b"\x00"))

    with pytest.raises(AnonymiseError) as caught:
        anonymise_file(src, tmp_path / "copy", "audio/wav")

    assert caught.value.code == "broken_file"


def test_rf64_is_refused(tmp_path: Path) -> None:
    # Uploads never accept RF64 (the sniffer does not know it), so it cannot pass as WAV.
    src = _write(tmp_path, b"RF64" + b"\xff" * 4 + b"WAVE" + bytes(52))

    with pytest.raises(AnonymiseError) as caught:
        anonymise_file(src, tmp_path / "copy", "audio/wav")

    assert caught.value.code == "kind_mismatch"
