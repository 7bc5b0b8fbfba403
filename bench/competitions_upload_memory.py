"""Server memory while a large work streams in: one-shot and resumable (tus) uploads.

    python bench/competitions_upload_memory.py [--megabytes 1024]

Starts the platform with the competitions plugin under uvicorn on
127.0.0.1, registers one child in a performance-video activity, then streams
a generated MP4-shaped file of the given size (never held in memory by the
client either) twice: as one POST …/entries/{code}/files body, and as one
tus PATCH of the same size. The server's resident set size (VmRSS from
/proc) is sampled every 100 ms; the figure that matters is its growth over
the idle server, which must stay under 50 MB whatever the file size.
Linux only (reads /proc). Bounded in time by --time-limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform as host
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import competitions_registration as reg  # a sibling script, not a package

CHUNK = 256 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def body(size: int) -> Any:
    block = os.urandom(CHUNK)  # incompressible, like real video
    sent = 0
    first = MP4_HEAD + block[len(MP4_HEAD):]
    while sent < size:
        piece = (first if sent == 0 else block)[: size - sent]
        sent += len(piece)
        yield piece


async def sample(pid: int, stop: asyncio.Event, into: list[float]) -> None:
    while not stop.is_set():
        into.append(rss_mb(pid))
        await asyncio.sleep(0.1)


async def measured(pid: int, send: Any) -> dict[str, Any]:
    samples: list[float] = []
    stop = asyncio.Event()
    idle = rss_mb(pid)
    watcher = asyncio.create_task(sample(pid, stop, samples))
    started = time.perf_counter()
    try:
        status = await send()
    finally:
        stop.set()
        await watcher
    elapsed = time.perf_counter() - started
    peak = max([*samples, rss_mb(pid)])
    return {"status": status, "seconds": round(elapsed, 1), "idle_rss_mb": round(idle, 1),
            "peak_rss_mb": round(peak, 1), "growth_mb": round(peak - idle, 1)}


async def main(args: argparse.Namespace) -> None:
    data_dir = tempfile.mkdtemp(prefix="bangyaer-bench-upload-")
    url = f"sqlite+aiosqlite:///{data_dir}/bench.db"
    activity, _, families = await reg.build(url, data_dir, 1)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text(
            "UPDATE competitions_activity SET type_id = 'performance_video'"))
    await engine.dispose()
    size = args.megabytes * 1024 * 1024
    port = reg.free_port()
    # Started once, before anything is measured; blocking here is harmless.
    proc = subprocess.Popen([sys.executable, reg.__file__, "--serve", "platform",  # noqa: ASYNC220
                             "--db", url, "--port", str(port), "--data-dir", data_dir],
                            cwd=reg.ROOT)
    cookie, csrf = reg.cookie_for(*families[0])
    headers = {"Cookie": f"bangyaer_session={cookie}", "X-CSRF-Token": csrf}
    try:
        await reg.wait_ready(port, proc)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers,
                                     timeout=args.time_limit) as client:
            entry = await client.post(f"/api/v1/competitions/activities/{activity}/entries")
            code = entry.json()["code"]

            async def one_shot() -> int:
                r = await client.post(f"/api/v1/competitions/entries/{code}/files",
                                      content=body(size))
                return r.status_code

            async def resumable() -> int:
                tus = {"Tus-Resumable": "1.0.0"}
                created = await client.post(f"/api/v1/competitions/entries/{code}/uploads",
                                            headers={**tus, "Upload-Length": str(size)})
                patch = {**tus, "Upload-Offset": "0",
                         "Content-Type": "application/offset+octet-stream"}
                r = await client.patch(created.headers["Location"], content=body(size),
                                       headers=patch)
                return r.status_code

            reg.say(f"machine: {host.platform()}, {os.cpu_count()} cores, Python "
                    f"{host.python_version()}; file {args.megabytes} MB")
            first = await asyncio.wait_for(measured(proc.pid, one_shot), args.time_limit)
            reg.say(f"one-shot POST  {first}")
            # The first upload is staged; remove it so the count limit allows the second.
            staged = (await client.get(f"/api/v1/competitions/entries/{code}")).json()
            for f in staged["staged_files"]:
                await client.delete(f"/api/v1/competitions/files/{f['id']}")
            second = await asyncio.wait_for(measured(proc.pid, resumable), args.time_limit)
            reg.say(f"tus PATCH      {second}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--time-limit", type=float, default=600.0)
    asyncio.run(main(parser.parse_args()))
