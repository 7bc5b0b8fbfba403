"""Roster sync: read each school's corp, apply it in one transaction, report the counts.

Run by ``bangyaer dingtalk sync`` and by the ``dingtalk.sync`` job, which
queues its own next run every ``sync_interval_hours``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bangyaer.db import utcnow
from bangyaer.identity import district_of
from bangyaer.jobs import JobContext, PermanentJobError, enqueue

from ._apply import Applier
from ._config import PLUGIN_ID, CorpConfig
from ._runtime import runtime
from ._snapshot import Progress, read_roster
from .models import SyncRun

if TYPE_CHECKING:
    from bangyaer.platform import Platform

log = logging.getLogger("bangyaer.dingtalk")
SYNC_JOB = f"{PLUGIN_ID}.sync"


class SyncError(Exception):
    """The sync cannot start: the message says what to do."""


@dataclass
class SyncReport:
    corp_id: str
    school_code: str
    status: str = "ok"  # ok; partial when parts of the roster could not be read
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    errors: int = 0
    error_details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def sync_corp(platform: Platform, corp: CorpConfig,
                    progress: Progress | None = None) -> SyncReport:
    rt = await runtime(platform)
    report = SyncReport(corp.corp_id, corp.school_code)
    started = utcnow()
    async with rt.http() as http:
        snapshot = await read_roster(rt.client(corp, http), progress)
    report.errors = len(snapshot.errors)
    report.error_details = snapshot.errors
    report.notes = [f"skipped {s}" for s in snapshot.skipped]
    if not snapshot.complete:
        report.status = "partial"
    async with platform.db.transaction() as session:
        district = await district_of(session)
        if district is None:
            raise SyncError("no district yet: import a roster or run `bangyaer demo` first")
        counts = await Applier(session, corp, snapshot, district).run()
        report.added, report.updated = counts.added, counts.updated
        report.deactivated = counts.deactivated
        report.notes += counts.notes
        session.add(SyncRun(
            corp_id=corp.corp_id, started_at=started, finished_at=utcnow(),
            status=report.status, added=report.added, updated=report.updated,
            deactivated=report.deactivated, errors=report.errors,
            detail={"errors": report.error_details[:50], "notes": report.notes[:50]}))
    log.info("corp %s (%s) synced: %s, added %d, updated %d, deactivated %d, errors %d",
             corp.corp_id, corp.school_code, report.status, report.added, report.updated,
             report.deactivated, report.errors)
    return report


async def sync(platform: Platform, corp_ids: Sequence[str] = (),
               progress: Progress | None = None) -> list[SyncReport]:
    """Sync the given corps (all configured ones when empty), one after another."""
    config = (await runtime(platform)).config
    unknown = [c for c in corp_ids if config.corp(c) is None]
    if unknown:
        known = ", ".join(c.corp_id for c in config.corps) or "none"
        raise SyncError(f"corp {', '.join(unknown)} is not configured in [plugins.dingtalk] "
                        f"corps (configured: {known})")
    corps = [c for c in config.corps if not corp_ids or c.corp_id in corp_ids]
    if not corps:
        raise SyncError("no corps configured in [plugins.dingtalk] corps")
    return [await sync_corp(platform, corp, progress) for corp in corps]


async def sync_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    try:
        reports = await sync(ctx.platform, list(payload.get("corp_ids") or ()))
    except SyncError as exc:
        raise PermanentJobError(str(exc)) from None
    hours = (await runtime(ctx.platform)).config.sync_interval_hours
    if hours > 0 and payload.get("repeat", True):
        await schedule(ctx.platform, hours=hours)
    if any(r.status != "ok" for r in reports):
        log.warning("roster sync finished with errors: %s",
                    "; ".join(f"{r.corp_id}: {r.errors}" for r in reports if r.errors))


async def schedule(platform: Platform, *, hours: int, repeat: bool = True) -> int | None:
    """Queue the next sync ``hours`` from now; one job per slot however often asked."""
    run_at = utcnow() + dt.timedelta(hours=hours)
    slot = run_at.replace(minute=0, second=0, microsecond=0).isoformat()
    async with platform.db.transaction() as session:
        return await enqueue(session, SYNC_JOB, {"repeat": repeat}, run_at=run_at,
                             key=f"{SYNC_JOB}:{slot}", max_attempts=3)
