"""MP4, MOV and M4A (ISO base media files): metadata boxes blanked in a streaming copy.

Only box headers and the small sample tables are read; everything else is
copied in chunks, so a 2 GB video needs a few MB. A blanked box keeps its
size and becomes ``free`` (ISO/IEC 14496-12, 8.1.2), so no byte moves and
the chunk offsets in ``stco``/``co64`` stay valid. Timed metadata tracks
(GPS, camera telemetry) are blanked too, and their samples inside ``mdat``
overwritten with zeros.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bangyaer.web import N_

from ._common import CHUNK, AnonymiseError, Cleaned, broken, copy_range, write_zeros, writing

# Boxes whose children are boxes, on the way to the metadata.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex",
               b"moof", b"traf", b"mfra"}
_BLANK = {b"udta": "mp4:udta", b"meta": "mp4:meta", b"XMP_": "mp4:xmp", b"uuid": "mp4:uuid",
          b"ID32": "mp4:id3"}
# Full boxes that start with creation and modification times (14496-12, 8.2.2, 8.3.2, 8.4.2).
_DATED = {b"mvhd", b"tkhd", b"mdhd"}
_METADATA_FORMATS = {b"mebx", b"gpmd", b"camm", b"mett", b"metx", b"rtmd"}
# Top-level boxes players need; any other one (a vendor's) is blanked.
_TOP_LEVEL = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"moof",
              b"mfra", b"sidx", b"styp", b"emsg", b"prft", b"ssix"} | set(_BLANK)
# Editors leave stale bytes (an old moov with its udta) in free space.
_FREE = {b"free", b"skip"}
TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "audio/mp4": ".m4a"}


class Malformed(ValueError):
    """The box structure is broken."""


@dataclass(frozen=True)
class Box:
    type: bytes
    start: int
    size: int
    header: int  # bytes before the payload: size, type, largesize, uuid usertype

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def body(self) -> int:
        return self.start + self.header


@dataclass(frozen=True)
class Edit:
    start: int
    length: int
    head: bytes = b""  # written first; the rest of ``length`` becomes zeros


@dataclass
class Plan:
    keep: int  # bytes of the source that belong to the file (a trailer beyond is dropped)
    edits: list[Edit] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def found(self, what: str) -> None:
        if what not in self.findings:
            self.findings.append(what)

    def blank(self, box: Box, what: str) -> None:
        self.found(what)
        if box.size < 1 << 32:
            head = struct.pack(">I4s", box.size, b"free")
        else:
            head = struct.pack(">I4sQ", 1, b"free", box.size)
        self.edits.append(Edit(box.start, box.size, head))


def clean_media(src: Path, dst: Path, content_type: str) -> Cleaned:
    with open(src, "rb") as f:
        plan = _plan(f)
        with writing(dst) as out:
            try:
                _copy(f, out, plan)
            except EOFError as exc:
                raise broken("media") from exc
    return Cleaned(content_type, TYPES[content_type], plan.findings)


def media_findings(path: Path) -> list[str]:
    with open(path, "rb") as f:
        return _plan(f).findings


def _plan(f: IO[bytes]) -> Plan:
    size = f.seek(0, 2)
    try:
        top, keep = _top_level(f, size)
        plan = Plan(keep)
        if keep < size:
            plan.found("mp4:trailing-data")
        for box in top:
            _visit(f, box, plan, b"")
    except (Malformed, struct.error) as exc:
        raise broken("media") from exc
    plan.edits.sort(key=lambda e: e.start)
    return plan


def _top_level(f: IO[bytes], size: int) -> tuple[list[Box], int]:
    boxes: list[Box] = []
    pos = 0
    while pos < size:
        try:
            box = _box_at(f, pos, size)
        except Malformed:
            box = None
        if box is None:
            # Bytes after the movie that are no box (some phones append their
            # own trailer) are dropped; nothing in the movie points at them.
            if {b"moov", b"mdat"} <= {b.type for b in boxes}:
                return boxes, pos
            raise Malformed(f"no box at {pos}")
        boxes.append(box)
        pos = box.end
    if b"moov" not in {b.type for b in boxes}:
        raise Malformed("no moov")
    return boxes, size


def _box_at(f: IO[bytes], pos: int, end: int) -> Box:
    if pos + 8 > end:
        raise Malformed(f"truncated box header at {pos}")
    f.seek(pos)
    size, kind = struct.unpack(">I4s", f.read(8))
    header = 8
    if size == 1:
        raw = f.read(8)
        if len(raw) < 8:
            raise Malformed("truncated largesize")
        (size,) = struct.unpack(">Q", raw)
        header = 16
    elif size == 0:
        size = end - pos  # the box runs to the end of its container
    if kind == b"uuid":
        header += 16
    if size < header or pos + size > end:
        raise Malformed(f"box {kind!r} at {pos} overruns its container")
    return Box(kind, pos, size, header)


def _children(f: IO[bytes], box: Box) -> Iterator[Box]:
    pos = box.body
    while pos + 8 <= box.end:
        child = _box_at(f, pos, box.end)
        yield child
        pos = child.end
    # QuickTime may end a list with a 32-bit zero; anything else left over is damage.
    f.seek(pos)
    if f.read(box.end - pos).strip(b"\x00"):
        raise Malformed(f"stray bytes in {box.type!r}")


def _visit(f: IO[bytes], box: Box, plan: Plan, parent: bytes) -> None:
    # A uuid inside a fragment carries timing for streaming players (PIFF), not metadata.
    if box.type in _BLANK and not (box.type == b"uuid" and parent == b"traf"):
        plan.blank(box, _BLANK[box.type])
        return
    if box.type == b"trak" and _is_metadata_track(f, box):
        plan.blank(box, "mp4:metadata-track")
        for start, length in _sample_ranges(f, box):
            plan.edits.append(Edit(start, length))
        return
    if not parent and box.type not in _TOP_LEVEL:
        plan.blank(box, "mp4:vendor-box")
        return
    if box.type in _FREE:
        _clear_free(f, box, plan)
        return
    if box.type == b"cmov":
        # Not yet: zlib-compressed movie headers (QuickTime before 2000) hide their udta.
        raise AnonymiseError("unsupported_kind", N_("暂不支持为这种文件生成评审副本"))
    if box.type in _DATED:
        _clear_dates(f, box, plan)
    if box.type == b"moov" and _has(f, box, b"mvex") and _has_metadata_track(f, box):
        raise _fragmented()
    if box.type in _CONTAINERS:
        for child in _children(f, box):
            _visit(f, child, plan, box.type)


def _fragmented() -> AnonymiseError:
    # Not yet: metadata samples of fragmented files live in each fragment's
    # runs; phones and cameras write plain files, so this is refused for now.
    return AnonymiseError("fragmented_metadata", N_("该视频为分段格式并带有元数据轨道，"
                          "暂无法生成评审副本，请导出为普通 MP4 后重新上传"))


def _clear_free(f: IO[bytes], box: Box, plan: Plan) -> None:
    f.seek(box.body)
    left = box.size - box.header
    while left > 0:
        chunk = f.read(min(CHUNK, left))
        if not chunk:
            raise Malformed(f"short {box.type!r}")
        if chunk.strip(b"\x00"):
            plan.found("mp4:free-space")
            plan.edits.append(Edit(box.body, box.size - box.header))
            return
        left -= len(chunk)


def _clear_dates(f: IO[bytes], box: Box, plan: Plan) -> None:
    f.seek(box.body)
    version = f.read(1)
    width = 8 if version == b"\x01" else 4
    f.seek(box.body + 4)
    dates = f.read(2 * width)
    if len(dates) < 2 * width:
        raise Malformed(f"short {box.type!r}")
    if dates.strip(b"\x00"):
        plan.found("mp4:dates")
        plan.edits.append(Edit(box.body + 4, 2 * width))


def _find(f: IO[bytes], box: Box, path: tuple[bytes, ...]) -> Box | None:
    for child in _children(f, box):
        if child.type == path[0]:
            return child if len(path) == 1 else _find(f, child, path[1:])
    return None


def _has(f: IO[bytes], box: Box, kind: bytes) -> bool:
    return any(child.type == kind for child in _children(f, box))


def _has_metadata_track(f: IO[bytes], moov: Box) -> bool:
    return any(c.type == b"trak" and _is_metadata_track(f, c) for c in _children(f, moov))


def _is_metadata_track(f: IO[bytes], trak: Box) -> bool:
    hdlr = _find(f, trak, (b"mdia", b"hdlr"))
    if hdlr is not None:
        f.seek(hdlr.body + 8)
        if f.read(4) == b"meta":
            return True
    stsd = _find(f, trak, (b"mdia", b"minf", b"stbl", b"stsd"))
    if stsd is None:
        return False
    f.seek(stsd.body + 12)  # version/flags, entry count, first entry's size
    return f.read(4) in _METADATA_FORMATS


def _sample_ranges(f: IO[bytes], trak: Box) -> list[tuple[int, int]]:
    stbl = _find(f, trak, (b"mdia", b"minf", b"stbl"))
    if stbl is None:
        return []
    tables = {c.type: c for c in _children(f, stbl)}
    if b"stz2" in tables:
        # Not yet: compact sample sizes (stz2) in metadata tracks; no camera seen writes them.
        raise AnonymiseError("unsupported_kind", N_("暂不支持为这种文件生成评审副本"))
    offsets_box = tables.get(b"stco") or tables.get(b"co64")
    if b"stsz" not in tables or b"stsc" not in tables or offsets_box is None:
        return []
    uniform, count, sizes = _stsz(f, tables[b"stsz"])
    runs = sorted(_table(f, tables[b"stsc"], ">III"))
    firsts = [first for first, _, _ in runs]
    wide = offsets_box.type == b"co64"
    offsets = [o for (o,) in _table(f, offsets_box, ">Q" if wide else ">I")]
    ranges, sample = [], 0
    for i, offset in enumerate(offsets):
        run = bisect.bisect_right(firsts, i + 1) - 1  # the run this chunk (1-based) is in
        per_chunk = min(runs[run][1] if run >= 0 else 0, count - sample)
        length = uniform * per_chunk or sum(sizes[sample:sample + per_chunk])
        sample += per_chunk
        if length:
            ranges.append((offset, length))
    return _merged(ranges)


def _stsz(f: IO[bytes], box: Box) -> tuple[int, int, list[int]]:
    """(size of every sample or 0, sample count, sizes when they differ)."""
    f.seek(box.body + 4)
    uniform, count = struct.unpack(">II", f.read(8))
    if uniform:
        return uniform, count, []
    if box.body + 12 + 4 * count > box.end:
        raise Malformed("short stsz")  # checked before reading: the count is the file's word
    return 0, count, list(struct.unpack(f">{count}I", f.read(4 * count)))


def _table(f: IO[bytes], box: Box, fmt: str) -> list[tuple[int, ...]]:
    f.seek(box.body + 4)
    (count,) = struct.unpack(">I", f.read(4))
    width = struct.calcsize(fmt)
    if box.body + 8 + width * count > box.end:
        raise Malformed(f"short {box.type!r}")
    return list(struct.iter_unpack(fmt, f.read(width * count)))


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, length in sorted(ranges):
        if out and start <= out[-1][0] + out[-1][1]:
            last_start, last_len = out[-1]
            out[-1] = (last_start, max(last_len, start + length - last_start))
        else:
            out.append((start, length))
    return out


def _copy(f: IO[bytes], out: IO[bytes], plan: Plan) -> None:
    pos = 0
    for edit in plan.edits:
        if edit.start < pos or edit.start + edit.length > plan.keep:
            raise broken("media")  # samples pointing outside the file or into each other
        copy_range(f, out, pos, edit.start - pos)
        out.write(edit.head)
        write_zeros(out, edit.length - len(edit.head))
        pos = edit.start + edit.length
    copy_range(f, out, pos, plan.keep - pos)


def clean(src: Path, dst: Path, content_type: str) -> Cleaned:
    return clean_media(src, dst, content_type)


def findings(path: Path, content_type: str) -> list[str]:
    return media_findings(path)
