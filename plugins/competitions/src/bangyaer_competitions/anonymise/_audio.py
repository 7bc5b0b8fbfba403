"""MP3 and WAV recordings: tags cut away in a streaming copy, the audio untouched."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO

from bangyaer.web import N_

from ..sniff import SNIFF_BYTES, sniff
from ._common import AnonymiseError, Cleaned, broken, copy_range, writing

_FRAME_SEARCH = 64 * 1024
# WAV chunks that carry sound or how to play it; the rest (LIST/INFO, bext,
# iXML, id3, _PMX XMP, cart …) is who made it, where and with what.
_WAV_KEEP = {b"fmt ", b"data", b"fact", b"cue ", b"smpl", b"inst"}
_WAV_PADDING = {b"JUNK", b"junk", b"PAD ", b"FLLR"}
_WAV_NAMES = {b"LIST": "wav:list", b"id3 ": "wav:id3", b"ID3 ": "wav:id3", b"bext": "wav:bext",
              b"iXML": "wav:ixml", b"_PMX": "wav:xmp", b"cart": "wav:cart"}


# --- MP3 ----------------------------------------------------------------

def _mp3_bounds(f: IO[bytes]) -> tuple[int, int, list[str]]:
    """Where the audio frames start and end, and which tags lie outside them."""
    size = f.seek(0, 2)
    found: list[str] = []
    start = 0
    while True:
        f.seek(start)
        head = f.read(10)
        if len(head) < 10 or not head.startswith(b"ID3"):
            break
        if any(b >= 0x80 for b in head[6:10]):
            raise broken("audio")
        start += 10 + _syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0)
        found.append("id3v2")
    if start >= size:
        raise broken("audio")  # a tag larger than the file, or no audio after it
    end = size
    while end > start:
        cut = _trailing_tag(f, start, end)
        if cut is None:
            break
        end, what = cut
        found.append(what)
    start = _first_frame(f, start, end)
    return start, end, list(dict.fromkeys(found))


def _syncsafe(raw: bytes) -> int:
    return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]


def _trailing_tag(f: IO[bytes], start: int, end: int) -> tuple[int, str] | None:
    def at(offset: int, length: int) -> bytes:
        if offset < start:
            return b""
        f.seek(offset)
        return f.read(length)

    if at(end - 128, 3) == b"TAG":
        extended = at(end - 128 - 227, 4) == b"TAG+"
        return end - 128 - (227 if extended else 0), "id3v1"
    footer = at(end - 32, 32)
    if footer.startswith(b"APETAGEX"):
        tag_size, _count, flags = struct.unpack("<III", footer[12:24])
        return end - tag_size - (32 if flags & 0x80000000 else 0), "ape"
    lyrics = at(end - 15, 15)
    if lyrics.endswith(b"LYRICS200") and lyrics[:6].isdigit():
        return end - 15 - int(lyrics[:6]), "lyrics3"
    id3_footer = at(end - 10, 10)
    if id3_footer.startswith(b"3DI"):
        return end - 20 - _syncsafe(id3_footer[6:10]), "id3v2"
    return None


def _first_frame(f: IO[bytes], start: int, end: int) -> int:
    # Some writers pad beyond the tag's stated size; zeros before the first
    # frame are skipped, anything else means the file is not an MP3.
    f.seek(start)
    window = f.read(min(_FRAME_SEARCH, end - start))
    for i in range(len(window) - 1):
        if window[i] == 0xFF and window[i + 1] & 0xE0 == 0xE0:
            found = sniff(window[i:i + SNIFF_BYTES])
            if found is None or found.content_type != "audio/mpeg":
                # Not yet: frames the upload check does not know (CRC-protected,
                # MPEG 2.5); the copy must pass the same check as the upload.
                raise AnonymiseError("unsupported_kind", N_("暂不支持为这种文件生成评审副本"))
            return start + i
        if window[i]:
            break
    raise broken("audio")


def clean_mp3(src: Path, dst: Path) -> Cleaned:
    with open(src, "rb") as f:
        start, end, found = _mp3_bounds(f)
        with writing(dst) as out:
            copy_range(f, out, start, end - start)
    return Cleaned("audio/mpeg", ".mp3", found)


def mp3_findings(path: Path) -> list[str]:
    with open(path, "rb") as f:
        return _mp3_bounds(f)[2]


# --- WAV ----------------------------------------------------------------

def _wav_chunks(f: IO[bytes]) -> tuple[list[tuple[bytes, int, int]], list[str]]:
    """(id, payload start, payload size) of the chunks to keep, and what the rest was."""
    size = f.seek(0, 2)
    f.seek(0)
    head = f.read(12)
    if head[:4] in (b"RF64", b"BW64"):
        # Not yet: WAV over 4 GB (RF64); uploads are far smaller.
        raise AnonymiseError("unsupported_kind", N_("暂不支持为这种文件生成评审副本"))
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise broken("audio")
    kept: list[tuple[bytes, int, int]] = []
    found: list[str] = []
    pos = 12
    while pos + 8 <= size:
        f.seek(pos)
        cid, length = struct.unpack("<4sI", f.read(8))
        if pos + 8 + length > size:
            if cid != b"data":
                raise broken("audio")
            length = size - pos - 8  # a recorder stopped before fixing the header
        if cid in _WAV_KEEP:
            kept.append((cid, pos + 8, length))
        elif cid not in _WAV_PADDING:
            found.append(_WAV_NAMES.get(cid, f"wav:{cid.decode('latin-1').strip()}"))
        pos += 8 + length + (length & 1)
    ids = [cid for cid, _, _ in kept]
    if b"fmt " not in ids or b"data" not in ids:
        raise broken("audio")
    return kept, list(dict.fromkeys(found))


def clean_wav(src: Path, dst: Path) -> Cleaned:
    with open(src, "rb") as f:
        kept, found = _wav_chunks(f)
        riff_size = 4 + sum(8 + n + (n & 1) for _, _, n in kept)
        with writing(dst) as out:
            out.write(struct.pack("<4sI4s", b"RIFF", riff_size, b"WAVE"))
            for cid, start, length in kept:
                out.write(struct.pack("<4sI", cid, length))
                copy_range(f, out, start, length)
                if length & 1:
                    out.write(b"\x00")
    return Cleaned("audio/wav", ".wav", found)


def wav_findings(path: Path) -> list[str]:
    with open(path, "rb") as f:
        return _wav_chunks(f)[1]


def clean(src: Path, dst: Path, content_type: str) -> Cleaned:
    return clean_mp3(src, dst) if content_type == "audio/mpeg" else clean_wav(src, dst)


def findings(path: Path, content_type: str) -> list[str]:
    return mp3_findings(path) if content_type == "audio/mpeg" else wav_findings(path)
