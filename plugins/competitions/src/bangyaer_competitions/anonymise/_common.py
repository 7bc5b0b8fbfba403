"""What every cleaner shares: the error, the result and how a copy is written."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bangyaer.web import N_

CHUNK = 1024 * 1024


class AnonymiseError(Exception):
    """A file that cannot be made safe for judges; ``message`` is for staff, in zh-CN.

    The message is a catalogue id: ``gettext(error.message)`` shows it in the
    reader's language. ``code`` is stable for programs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Cleaned:
    content_type: str
    extension: str
    removed: list[str] = field(default_factory=list)


_BROKEN = {
    "image": N_("图片文件已损坏，无法生成评审副本"),
    "pdf": N_("PDF 文件已损坏，无法生成评审副本"),
    "docx": N_("Word 文件已损坏，无法生成评审副本"),
    "media": N_("视频或音频文件已损坏，无法生成评审副本"),
    "audio": N_("音频文件已损坏，无法生成评审副本"),
}


def broken(kind: str) -> AnonymiseError:
    return AnonymiseError("broken_file", _BROKEN[kind])


@contextmanager
def writing(dst: Path) -> Iterator[IO[bytes]]:
    """A file that becomes ``dst`` only when the block succeeds, so a failure leaves nothing."""
    tmp = dst.with_name(f".{dst.name}.part")
    try:
        with open(tmp, "wb") as out:
            yield out
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def copy_range(src: IO[bytes], out: IO[bytes], start: int, length: int) -> None:
    """Copy ``length`` bytes from ``start`` in chunks: big media is never read whole."""
    src.seek(start)
    left = length
    while left > 0:
        chunk = src.read(min(CHUNK, left))
        if not chunk:
            raise EOFError(start + length - left)
        out.write(chunk)
        left -= len(chunk)


def write_zeros(out: IO[bytes], length: int) -> None:
    block = bytes(min(CHUNK, length))
    while length > 0:
        n = min(len(block), length)
        out.write(block[:n])
        length -= n


def copy_file(src: Path, out: IO[bytes]) -> None:
    with open(src, "rb") as f:
        shutil.copyfileobj(f, out, CHUNK)
