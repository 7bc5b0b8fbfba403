"""The blob store: streamed, size-limited, atomic, content-addressed."""

from __future__ import annotations

import hashlib
import os
import threading
import tracemalloc
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from bangyaer.storage import (
    BlobNotFound,
    BlobRecord,
    BlobStore,
    BlobTooLarge,
    LocalBlobStore,
    save_blob,
)
from sqlalchemy import func, select

# Marked here as well as by bangyaer.testing: anyio re-creates async tests it
# sees marked only after collection, and drops their parametrize arguments.
pytestmark = pytest.mark.anyio


async def stream(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


class CountingStream:
    """An upload that records how many chunks the store pulled from it."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.pulled = chunk, count, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield self.chunk


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


async def read_all(store: BlobStore, sha: str, **kwargs: int) -> bytes:
    return b"".join([chunk async for chunk in store.open(sha, **kwargs)])


async def test_put_returns_sha256_size_and_head(store):
    data = b"hello " * 200

    info = await store.put(stream([data[:100], data[100:]]), max_size=10_000)

    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert info.head == data[:512]


async def test_put_stores_the_blob_under_its_hash(store, tmp_path):
    info = await store.put(stream([b"abc"]), max_size=10)

    sha = info.sha256
    assert files_under(tmp_path / "blobs") == [tmp_path / "blobs" / sha[:2] / sha[2:4] / sha]
    assert await read_all(store, sha) == b"abc"


async def test_put_accepts_a_stream_exactly_at_the_limit(store):
    info = await store.put(stream([b"x" * 10]), max_size=10)

    assert info.size == 10


async def test_put_accepts_an_empty_stream(store):
    info = await store.put(stream([]), max_size=10)

    assert (info.sha256, info.size, info.head) == (hashlib.sha256(b"").hexdigest(), 0, b"")


async def test_put_refuses_a_negative_limit(store):
    with pytest.raises(ValueError, match=r"^max_size must be 0 or more, got -1$"):
        await store.put(stream([b"x"]), max_size=-1)


async def test_oversized_stream_is_refused_before_the_rest_is_read(store, tmp_path):
    upload = CountingStream(b"x" * 1024, count=100)

    with pytest.raises(BlobTooLarge, match=r"^upload exceeds the limit of 2560 bytes$"):
        await store.put(upload, max_size=2560)

    # The third chunk crosses the limit; nothing after it is pulled.
    assert upload.pulled == 3
    assert files_under(tmp_path / "blobs") == []


async def test_blob_too_large_carries_the_limit(store):
    with pytest.raises(BlobTooLarge) as caught:
        await store.put(stream([b"x" * 11]), max_size=10)

    assert caught.value.limit == 10


async def test_failure_mid_stream_leaves_no_partial_blob_or_temp_file(store, tmp_path):
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 1000
        yield b"b" * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError, match="client went away"):
        await store.put(broken(), max_size=1_000_000)

    assert files_under(tmp_path / "blobs") == []


async def test_cancellation_mid_stream_leaves_no_temp_file(store, tmp_path):
    with anyio.CancelScope() as scope:

        async def cancelled() -> AsyncIterator[bytes]:
            yield b"a" * 1000
            scope.cancel()
            await anyio.lowlevel.checkpoint()  # the cancellation lands here
            yield b"never"

        await store.put(cancelled(), max_size=1_000_000)

    assert scope.cancelled_caught
    assert files_under(tmp_path / "blobs") == []


async def test_streaming_a_large_upload_holds_only_chunks_in_memory(store):
    chunk = os.urandom(64 * 1024)
    total = 32 * 1024 * 1024
    tracemalloc.start()
    try:
        info = await store.put(CountingStream(chunk, total // len(chunk)), max_size=total)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert info.size == total
    # A few chunks of buffer, never the 32 MiB blob.
    assert peak < 4 * 1024 * 1024


async def test_file_system_calls_run_off_the_event_loop_thread(store, monkeypatch):
    loop_thread = threading.get_ident()
    seen: dict[str, set[int]] = {"write": set(), "fsync": set(), "replace": set()}
    for name in seen:
        original = getattr(os, name)

        def spy(*args, _name=name, _original=original):
            seen[_name].add(threading.get_ident())
            return _original(*args)

        monkeypatch.setattr(os, name, spy)

    await store.put(stream([b"a" * 100_000, b"b" * 100_000]), max_size=1_000_000)

    assert all(threads and loop_thread not in threads for threads in seen.values()), seen


async def test_same_bytes_twice_keeps_one_file(store, tmp_path):
    first = await store.put(stream([b"same bytes"]), max_size=100)
    second = await store.put(stream([b"same ", b"bytes"]), max_size=100)

    assert first == second
    assert len(files_under(tmp_path / "blobs")) == 1


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(0, None, b"0123456789", id="whole"),
        pytest.param(3, None, b"3456789", id="from-offset"),
        pytest.param(2, 5, b"234", id="middle"),
        pytest.param(0, 1, b"0", id="first-byte"),
        pytest.param(9, 10, b"9", id="last-byte"),
        pytest.param(5, 5, b"", id="empty-range"),
        pytest.param(8, 100, b"89", id="end-past-size"),
        pytest.param(20, None, b"", id="start-past-size"),
    ],
)
async def test_open_reads_the_requested_range(store, start, end, expected):
    sha = (await store.put(stream([b"0123456789"]), max_size=100)).sha256

    assert await read_all(store, sha, start=start, end=end) == expected


async def test_open_streams_a_large_blob_in_chunks(store):
    data = os.urandom(700 * 1024)
    sha = (await store.put(stream([data]), max_size=len(data))).sha256

    chunks = [chunk async for chunk in store.open(sha, start=1, end=len(data) - 1)]

    assert len(chunks) > 1
    assert b"".join(chunks) == data[1:-1]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        pytest.param(-1, None, r"^start must be 0 or more, got -1$", id="negative-start"),
        pytest.param(5, 4, r"^end 4 is before start 5$", id="end-before-start"),
    ],
)
async def test_open_refuses_a_malformed_range(store, start, end, message):
    sha = (await store.put(stream([b"0123456789"]), max_size=100)).sha256

    with pytest.raises(ValueError, match=message):
        await read_all(store, sha, start=start, end=end)


async def test_missing_blob_is_not_found(store):
    missing = "0" * 64

    with pytest.raises(BlobNotFound, match=f"^no blob {missing}$"):
        await read_all(store, missing)
    with pytest.raises(BlobNotFound, match=f"^no blob {missing}$"):
        await store.size(missing)
    assert await store.exists(missing) is False


async def test_size_exists_and_delete(store):
    sha = (await store.put(stream([b"12345"]), max_size=100)).sha256

    assert await store.size(sha) == 5
    assert await store.exists(sha) is True
    await store.delete(sha)
    assert await store.exists(sha) is False
    await store.delete(sha)  # deleting twice is harmless


BAD_NAMES = [
    pytest.param("../../etc/passwd", id="traversal"),
    pytest.param("a" * 64 + "\n", id="trailing-newline"),
    pytest.param("A" * 64, id="upper-case"),
    pytest.param("g" * 64, id="not-hex"),
    pytest.param("a" * 63, id="too-short"),
    pytest.param("", id="empty"),
    pytest.param("ab/../" + "a" * 58, id="dot-dot-inside"),
]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_names_that_are_not_sha256_hex_are_refused(store, name):
    message = r"^.* is not a SHA-256 hex digest$"
    with pytest.raises(BlobNotFound, match=message):
        store.path(name)
    with pytest.raises(BlobNotFound, match=message):
        await read_all(store, name)
    with pytest.raises(BlobNotFound, match=message):
        await store.size(name)
    with pytest.raises(BlobNotFound, match=message):
        await store.delete(name)
    assert await store.exists(name) is False


async def test_save_blob_records_the_blob(platform, store):
    async with platform.db.transaction() as session:
        info = await save_blob(session, store, stream([b"%PDF-1.7 ..."]), max_size=100,
                               content_type="application/pdf")

    async with platform.db.session() as session:
        record = await session.get(BlobRecord, info.sha256)
    assert (record.size, record.content_type) == (12, "application/pdf")
    assert await store.exists(info.sha256)


async def test_save_blob_twice_keeps_one_record_and_one_file(platform, store, tmp_path):
    for _ in range(2):
        async with platform.db.transaction() as session:
            await save_blob(session, store, stream([b"same"]), max_size=100)

    async with platform.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(BlobRecord)) == 1
    assert len(files_under(tmp_path / "blobs")) == 1


async def test_save_blob_too_large_records_nothing(platform, store):
    with pytest.raises(BlobTooLarge):
        async with platform.db.transaction() as session:
            await save_blob(session, store, stream([b"x" * 101]), max_size=100)

    async with platform.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(BlobRecord)) == 0


def test_local_store_implements_the_blob_store_protocol(store):
    assert isinstance(store, BlobStore)

