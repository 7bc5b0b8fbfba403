"""Freezing works when submissions close: an anonymised judging copy of every file.

The copies are made by a job, one entry per transaction, so a crash or a
retry resumes where it stopped and never makes a copy twice; a file the
anonymiser cannot make safe is withheld from judges and listed for staff.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bangyaer.db import utcnow
from bangyaer.jobs import JobContext, PermanentJobError, enqueue
from bangyaer.storage import save_blob
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import anonymise
from ..models import Activity, Entry, Work, WorkFile
from ..types import types_of
from .models import JudgingCopy, JudgingSetup
from .setup import setup_of

log = logging.getLogger("bangyaer.competitions")
JOB = "competitions.judging_copies"
CHUNK = 1024 * 1024
THUMB_SIZE = (480, 480)


async def start(session: AsyncSession, activity: Activity, *, again: bool = False) -> None:
    """Queue the copies in the caller's transaction (the move to submissions_closed)."""
    key = None if again else f"{JOB}:{activity.id}"
    await enqueue(session, JOB, {"activity_id": activity.id}, key=key)


async def make_copies(ctx: JobContext, payload: dict[str, Any]) -> None:
    platform = ctx.platform
    activity_id = int(payload["activity_id"])
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        if activity is None:
            raise PermanentJobError(f"activity {activity_id} does not exist")
        setup = await setup_of(session, activity, types_of(platform).get(activity.type_id))
        # A measured activity may move straight on to judging (it has no draw): until a
        # draw, judges see nothing, so the copies may still be made.
        if activity.status not in ("submissions_closed", "judging") \
                or setup.assigned_at is not None:
            log.info("activity %s: copies not made, judges are drawn", activity_id)
            return
        entry_ids = list(await session.scalars(
            select(Entry.id).where(Entry.activity_id == activity_id,
                                   Entry.status != "cancelled").order_by(Entry.id)))
    withheld: list[dict[str, Any]] = []
    for entry_id in entry_ids:
        async with platform.db.transaction() as session:
            withheld += await _copy_entry(session, platform, entry_id)
    async with platform.db.transaction() as session:
        done = await session.get(JudgingSetup, activity_id)
        assert done is not None  # made above
        done.withheld = withheld
        done.frozen_at = done.frozen_at or utcnow()
    log.info("activity %s: judging copies done, %d file(s) withheld", activity_id,
             len(withheld))


async def _copy_entry(session: AsyncSession, platform: Any, entry_id: int
                      ) -> list[dict[str, Any]]:
    entry = await session.get(Entry, entry_id)
    assert entry is not None
    work = (await session.scalars(select(Work).where(
        Work.entry_id == entry_id, Work.current.is_(True)))).first()
    if work is None:
        return []
    files = list(await session.scalars(
        select(WorkFile).where(WorkFile.work_id == work.id).order_by(WorkFile.id)))
    done = set(await session.scalars(
        select(JudgingCopy.position).where(JudgingCopy.entry_id == entry_id)))
    withheld = []
    for position, source in enumerate(files, start=1):
        if position in done:
            continue
        try:
            await _copy_file(session, platform, entry, work, source, position)
        except anonymise.AnonymiseError as exc:
            log.warning("entry %s file %s withheld from judges: %s", entry_id, source.id,
                        getattr(exc, "code", "unsafe"))
            # The template and its values let the desk show the reason in English too.
            withheld.append({"entry_id": entry_id, "code": entry.code, "position": position,
                             "file_id": source.id, "reason": str(exc),
                             "template": getattr(exc, "template", str(exc)),
                             "params": getattr(exc, "params", {})})
    return withheld


async def _copy_file(session: AsyncSession, platform: Any, entry: Entry, work: Work,
                     source: WorkFile, position: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bangyaer-judging-") as tmp:
        src, dst = Path(tmp) / "original", Path(tmp) / "copy"
        with src.open("wb") as out:
            async for chunk in platform.blobs.open(source.sha256):
                out.write(chunk)
        cleaned = await asyncio.to_thread(anonymise.anonymise_file, src, dst,
                                          source.content_type)
        size = dst.stat().st_size
        info = await save_blob(session, platform.blobs, _read(dst), max_size=size,
                               content_type=cleaned.content_type)
        thumb = None
        if source.kind == "image":
            data = await asyncio.to_thread(_thumbnail, dst)
            if data is not None:
                thumb = (await save_blob(session, platform.blobs, _once(data),
                                         max_size=len(data), content_type="image/jpeg")).sha256
    session.add(JudgingCopy(
        entry_id=entry.id, work_id=work.id, source_file_id=source.id, position=position,
        kind=source.kind, content_type=cleaned.content_type, sha256=info.sha256, size=size,
        name=anonymise.copy_name(entry.code, position, cleaned.extension),
        thumb_sha256=thumb, made_at=utcnow()))
    await session.flush()


def _thumbnail(path: Path) -> bytes | None:
    """A JPEG thumbnail of the anonymised copy (never of the original upload)."""
    try:
        with Image.open(path) as img:
            small = img.convert("RGB")
    except (UnidentifiedImageError, OSError):
        # The score page then shows the copy itself; HEIC arrives here already a JPEG.
        return None
    small.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=82)
    return out.getvalue()


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def progress(session: AsyncSession, activity_id: int) -> dict[str, int]:
    """How far the copies are: files of current works, copies made, files withheld."""
    files = await session.scalar(
        select(func.count(WorkFile.id)).join(Work, Work.id == WorkFile.work_id)
        .join(Entry, Entry.id == Work.entry_id)
        .where(Entry.activity_id == activity_id, Entry.status != "cancelled",
               Work.current.is_(True)))
    copies = await session.scalar(
        select(func.count(JudgingCopy.id)).join(Entry, Entry.id == JudgingCopy.entry_id)
        .where(Entry.activity_id == activity_id))
    setup = await session.get(JudgingSetup, activity_id)
    return {"files": int(files or 0), "copies": int(copies or 0),
            "withheld": len(setup.withheld or []) if setup else 0}
