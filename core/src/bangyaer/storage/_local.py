"""Blobs as files on a local disk (or a shared mount), named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import anyio

from ._blobs import HEAD_BYTES, BlobInfo, BlobNotFound, BlobTooLarge

CHUNK = 256 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
T = TypeVar("T")


async def _run(func: Callable[..., T], *args: object) -> T:
    # Every file-system call goes to a worker thread: a slow disk or a
    # network mount must not stall the event loop serving other families.
    return await anyio.to_thread.run_sync(func, *args)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    with memoryview(data) as view:
        while view:
            written = os.write(fd, view)
            view = view[written:]


def _sync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:  # already closed by _sync_and_close before it failed
        return


class LocalBlobStore:
    """Blobs as files under ``root/ab/cd/<sha256>``.

    A write streams into a temporary file under ``root/tmp`` (the same file
    system, so the final rename is atomic) and is moved into place with
    ``os.replace`` only once the whole stream was read, hashed and synced.
    A reader never sees half a blob; a failed or cancelled upload leaves
    nothing behind.
    """

    # Not yet: sweeping root/tmp of files left by a process killed mid-upload;
    # acceptable because they are never read and can be deleted at any time.

    def __init__(self, root: str | Path, *, chunk_size: int = CHUNK) -> None:
        self.root = Path(root)
        self.chunk_size = chunk_size
        self._tmp = self.root / "tmp"

    def path(self, sha256: str) -> Path:
        """Where a blob lives; refuses anything but 64 lower-case hex digits."""
        # fullmatch, not match with "$": "$" also matches before a final "\n".
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise BlobNotFound(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, chunks: AsyncIterable[bytes], *, max_size: int) -> BlobInfo:
        if max_size < 0:
            raise ValueError(f"max_size must be 0 or more, got {max_size}")
        fd, tmp = await _run(self._new_temp)
        try:
            try:
                info = await self._write(chunks, fd, max_size)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await _run(_close_quietly, fd)
                raise
            await _run(_sync_and_close, fd)
            await _run(self._place, tmp, info.sha256)
        except BaseException:
            # Shielded: a cancelled upload must still remove its temp file.
            with anyio.CancelScope(shield=True):
                await _run(lambda: tmp.unlink(missing_ok=True))
            raise
        return info

    def _new_temp(self) -> tuple[int, Path]:
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="upload-")
        return fd, Path(name)

    async def _write(self, chunks: AsyncIterable[bytes], fd: int, max_size: int) -> BlobInfo:
        digest = hashlib.sha256()
        size = 0
        head = bytearray()
        buffer = bytearray()
        async for chunk in chunks:
            size += len(chunk)
            # Checked before anything of this chunk is kept, and before the
            # next one is pulled: an oversized upload stops right here.
            if size > max_size:
                raise BlobTooLarge(max_size)
            digest.update(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            if not buffer and len(chunk) >= self.chunk_size:
                await _run(_write_all, fd, chunk)
                continue
            # Small chunks (a browser's 64 KiB) are gathered so that each
            # trip to a worker thread writes a useful amount.
            buffer += chunk
            if len(buffer) >= self.chunk_size:
                await _run(_write_all, fd, buffer)
                buffer.clear()
        if buffer:
            await _run(_write_all, fd, buffer)
        return BlobInfo(digest.hexdigest(), size, bytes(head))

    def _place(self, tmp: Path, sha256: str) -> None:
        final = self.path(sha256)
        if final.exists():
            # Same bytes, same name: keep the copy readers may have open.
            tmp.unlink()
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        # The rename is durable only once the directory itself is synced.
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    async def open(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        if start < 0:
            raise ValueError(f"start must be 0 or more, got {start}")
        if end is not None and end < start:
            raise ValueError(f"end {end} is before start {start}")
        path = self.path(sha256)
        try:
            fh = await anyio.open_file(path, "rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {sha256}") from None
        async with fh:
            await fh.seek(start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                want = self.chunk_size if remaining is None else min(self.chunk_size, remaining)
                data = await fh.read(want)
                if not data:
                    break
                if remaining is not None:
                    remaining -= len(data)
                yield data

    async def size(self, sha256: str) -> int:
        path = self.path(sha256)
        try:
            stat = await _run(os.stat, path)
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {sha256}") from None
        return stat.st_size

    async def exists(self, sha256: str) -> bool:
        try:
            path = self.path(sha256)
        except BlobNotFound:
            return False
        return await _run(path.is_file)

    async def delete(self, sha256: str) -> None:
        path = self.path(sha256)
        await _run(lambda: path.unlink(missing_ok=True))
