"""HTTP byte ranges (RFC 9110 §14) for streaming a stored video to a phone's player.

Players ask for ``bytes=a-b``, ``bytes=a-`` (from a point on) and
``bytes=-n`` (the last n bytes: where MP4 keeps its index when it was not
written "fast start"). One range per request is served; a request for
several is answered with the whole file, which RFC 9110 §14.2 allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"([0-9]*)-([0-9]*)")


class Unsatisfiable(ValueError):
    """The Range header is malformed or lies outside the file: answer 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse_range(header: str, size: int) -> ByteRange | None:
    """The one range ``header`` asks for within ``size`` bytes; None for the whole file.

    Raises Unsatisfiable for a header that is not a byte range, or for one
    that starts at or past the end of the file.
    """
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise Unsatisfiable(header)
    parts = [p.strip() for p in specs.split(",")]
    if len(parts) > 1 and all(_SPEC.fullmatch(p) for p in parts):
        return None
    match = _SPEC.fullmatch(parts[0])
    if match is None or parts[0] == "-":
        raise Unsatisfiable(header)
    first, last = match.groups()
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(header)
        return ByteRange(max(size - suffix, 0), size)
    start = int(first)
    end = size if not last else int(last) + 1
    if last and int(last) < start:
        raise Unsatisfiable(header)
    if start >= size:
        raise Unsatisfiable(header)
    return ByteRange(start, min(end, size))
