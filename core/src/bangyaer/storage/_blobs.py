from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio
from sqlalchemy import String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow

CHUNK = 256 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobTooLarge(Exception):
    """The stream went past its size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload exceeds the limit of {limit} bytes")
        self.limit = limit


class BlobNotFound(LookupError):
    pass


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing the real file type


class BlobStore(Protocol):
    """What every blob store offers; an S3-compatible one implements the same."""

    async def put(self, chunks: AsyncIterable[bytes], *, max_size: int) -> BlobInfo: ...

    def open(self, sha256: str, *, start: int = 0, end: int | None = None
             ) -> AsyncIterator[bytes]: ...

    async def size(self, sha256: str) -> int: ...

    async def exists(self, sha256: str) -> bool: ...

    async def delete(self, sha256: str) -> None: ...


class LocalBlobStore:
    """Blobs as files named by their SHA-256 under ``root/ab/cd/<hash>``.

    A write goes to a temporary file in the same directory tree and is moved
    into place with an atomic rename, so a reader never sees half a blob and
    a crash leaves only a temporary file behind.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise BlobNotFound(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, chunks: AsyncIterable[bytes], *, max_size: int) -> BlobInfo:
        self._tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    # Checked before the chunk is written: an oversized upload
                    # stops here, with at most one chunk past the limit read.
                    if size > max_size:
                        raise BlobTooLarge(max_size)
                    if len(head) < 512:
                        head += chunk[: 512 - len(head)]
                    digest.update(chunk)
                    await anyio.to_thread.run_sync(out.write, chunk)
                await anyio.to_thread.run_sync(os.fsync, out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return BlobInfo(sha, size, head)

    async def open(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Stream bytes ``start`` to ``end`` (exclusive) of a blob."""
        path = self.path(sha256)
        if not path.exists():
            raise BlobNotFound(sha256)
        async with await anyio.open_file(path, "rb") as fh:
            await fh.seek(start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                want = CHUNK if remaining is None else min(CHUNK, remaining)
                data = await fh.read(want)
                if not data:
                    break
                if remaining is not None:
                    remaining -= len(data)
                yield data

    async def size(self, sha256: str) -> int:
        path = self.path(sha256)
        if not path.exists():
            raise BlobNotFound(sha256)
        return path.stat().st_size

    async def exists(self, sha256: str) -> bool:
        try:
            return self.path(sha256).exists()
        except BlobNotFound:
            return False

    async def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


class BlobRecord(Base):
    """One row per stored blob: what the database knows of the files."""

    __tablename__ = "core_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


async def save_blob(
    session: AsyncSession,
    store: BlobStore,
    chunks: AsyncIterable[bytes],
    *,
    max_size: int,
    content_type: str = "application/octet-stream",
) -> BlobInfo:
    """Store a stream and record it; storing the same bytes twice keeps one copy."""
    info = await store.put(chunks, max_size=max_size)
    values = {"sha256": info.sha256, "size": info.size, "content_type": content_type,
              "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(BlobRecord).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    )
    return info
