"""The blob store interface, its errors, and the table that records stored blobs.

A blob is an uploaded file's bytes, named by their SHA-256. Stores stream:
they never hold a whole file in memory, enforce the size limit while
reading, and make a blob visible only once all of it is stored.
``LocalBlobStore`` keeps files on disk; a store for an S3-compatible service
implements the same ``BlobStore`` protocol (``put`` as a multipart upload to
a temporary key, copied to ``<sha256>`` once the hash is known).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow

HEAD_BYTES = 512


class BlobTooLarge(Exception):
    """The stream went past its size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload exceeds the limit of {limit} bytes")
        self.limit = limit


class BlobNotFound(LookupError):
    """No blob has this name, or the name is not a SHA-256 hex digest at all."""


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    head: bytes  # the first HEAD_BYTES bytes, for sniffing the real file type


@runtime_checkable
class BlobStore(Protocol):
    """What every blob store offers. Names are 64 lower-case hex digits.

    Every other name raises ``BlobNotFound`` (``exists`` answers False),
    which keeps names taken from a URL from ever reaching outside the store.
    """

    async def put(self, chunks: AsyncIterable[bytes], *, max_size: int) -> BlobInfo:
        """Store a stream under its SHA-256; the same bytes twice keep one copy.

        Raises ``BlobTooLarge`` as soon as more than ``max_size`` bytes have
        arrived, without reading further. On any error or cancellation
        nothing is left behind.
        """
        ...

    def open(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Stream bytes ``start`` up to ``end`` (exclusive; None: to the end) in chunks.

        Errors (``BlobNotFound``, ``ValueError`` for a malformed range) are
        raised on first iteration; call ``size`` first to answer 404 or 416
        before a response starts. HTTP's ``bytes=a-b`` is ``start=a, end=b+1``.
        """
        ...

    async def size(self, sha256: str) -> int:
        """The blob's size in bytes; ``BlobNotFound`` if there is none."""
        ...

    async def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        ...

    async def delete(self, sha256: str) -> None:
        """Remove the blob; removing one that is not there is not an error."""
        ...


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
    """Store a stream and record it in ``session``; the same bytes twice keep one copy."""
    info = await store.put(chunks, max_size=max_size)
    # Not yet: a sweep for files whose recording transaction rolled back;
    # acceptable because such an orphan is one upload's bytes, never visible.
    values = {"sha256": info.sha256, "size": info.size, "content_type": content_type,
              "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(BlobRecord).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    )
    return info
