"""A whole activity's certificates, issued by the job ``core.issue_certificates``.

The batch row holds the list and the count done; the job issues a chunk per
transaction and moves ``done`` forward in the same transaction. A job that
dies mid-way (its lease runs out) is run again from ``done``, and issuing is
idempotent by source anyway, so a re-run never makes a second certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..identity import Person
from ..jobs import JobContext, PermanentJobError, enqueue
from ._service import CertificateError, _check_source, _check_text, prepare, record, store_pdf
from ._template import CertificateTemplate
from .models import BatchStatus, Certificate, CertificateBatch

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["ISSUE_JOB", "CertificateItem", "issue_for_many", "run_batch"]

log = logging.getLogger("bangyaer.certificates")

ISSUE_JOB = "core.issue_certificates"
CHUNK = 25  # certificates per transaction: progress a family can watch, few commits
MAX_ITEMS = 50_000


@dataclass(frozen=True)
class CertificateItem:
    """One certificate of a batch: for whom, for what (its own source key), which award."""

    holder_id: int
    source_key: str
    award: str


async def issue_for_many(
    session: AsyncSession,
    *,
    source: tuple[str, object],
    activity_title: str,
    template: CertificateTemplate,
    items: Sequence[CertificateItem],
    issued_on: dt.date,
) -> CertificateBatch:
    """Queue the certificates of a whole activity; the batch row shows progress.

    ``source`` names the batch (e.g. ``("competitions", "activity:12")``) and
    each item's ``source_key`` its certificate. Asking again for the same
    batch returns the first one and queues nothing.
    """
    plugin, key = _check_source(source)
    activity_title = _check_text("activity title", activity_title, 200)
    existing = await session.scalar(select(CertificateBatch).where(
        CertificateBatch.source_plugin == plugin, CertificateBatch.source_key == key))
    if existing is not None:
        # Not yet: adding late winners to a batch already made; acceptable
        # because issue_certificate covers one more holder at a time.
        return existing
    rows = _checked_items(items)
    holders = {row["holder_id"] for row in rows}
    known = await session.scalar(select(func.count(Person.id)).where(Person.id.in_(holders)))
    if known != len(holders):
        found = set(await session.scalars(select(Person.id).where(Person.id.in_(holders))))
        missing = sorted(holders - found)[:10]
        raise CertificateError(f"holders {missing}: no such person")
    batch = CertificateBatch(
        source_plugin=plugin, source_key=key, activity_title=activity_title,
        issued_on=issued_on, template=template.to_json(), items=rows, total=len(rows),
        done=0, status=BatchStatus.queued, created_at=utcnow(),
    )
    session.add(batch)
    await session.flush()
    await enqueue(session, ISSUE_JOB, {"batch_id": batch.id}, key=f"certificates:{batch.id}")
    log.info("certificate batch %s queued: %d certificates", batch.id, len(rows))
    return batch


def _checked_items(items: Sequence[CertificateItem]) -> list[dict[str, Any]]:
    if not 1 <= len(items) <= MAX_ITEMS:
        raise CertificateError(f"a batch holds 1 to {MAX_ITEMS} certificates, got {len(items)}")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = _check_text("source key", str(item.source_key), 64)
        if key in seen:
            raise CertificateError(f"source key {key!r} appears twice in the batch")
        seen.add(key)
        rows.append({"holder_id": int(item.holder_id), "source_key": key,
                     "award": _check_text("award", item.award, 100)})
    return rows


async def _issue_items(session: AsyncSession, platform: Platform, batch: CertificateBatch,
                       chunk: list[dict[str, Any]]) -> None:
    """Issue a chunk: lay out every PDF, store them all at once, record them in order."""
    keys = [item["source_key"] for item in chunk]
    issued = set(await session.scalars(select(Certificate.source_key).where(
        Certificate.source_plugin == batch.source_plugin, Certificate.source_key.in_(keys))))
    todo = [item for item in chunk if item["source_key"] not in issued]
    holders = {p.id: p for p in await session.scalars(
        select(Person).where(Person.id.in_({item["holder_id"] for item in todo})))}
    missing = [item["holder_id"] for item in todo if item["holder_id"] not in holders]
    if missing:  # removed from the roster since the batch was queued
        raise PermanentJobError(f"certificate batch {batch.id}: holders {missing} are gone")
    template = CertificateTemplate.from_json(batch.template)
    drafts = [await prepare(platform, holders[item["holder_id"]], template, item["award"],
                            batch.activity_title, batch.issued_on) for item in todo]
    # Each blob write waits for two fsyncs; side by side their waits overlap.
    infos = await asyncio.gather(*(store_pdf(platform, d.pdf) for d in drafts))
    for item, draft, info in zip(todo, drafts, infos, strict=True):
        await record(session, draft, info, source=(batch.source_plugin, item["source_key"]),
                     batch_id=batch.id)


async def _issue_chunk(platform: Platform, batch_id: int) -> bool:
    """Issue the next chunk; True while more remain."""
    async with platform.db.transaction() as session:
        batch = await session.get(CertificateBatch, batch_id)
        if batch is None:
            raise PermanentJobError(f"certificate batch {batch_id} does not exist")
        if batch.status == BatchStatus.done:
            return False
        chunk = batch.items[batch.done:batch.done + CHUNK]
        await _issue_items(session, platform, batch, chunk)
        batch.done += len(chunk)
        more = batch.done < batch.total
        batch.status = BatchStatus.running if more else BatchStatus.done
        if not more:
            batch.finished_at = utcnow()
        return more


async def run_batch(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.issue_certificates``."""
    batch_id = payload.get("batch_id")
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        raise PermanentJobError(f"payload {payload!r}: expected an integer 'batch_id'")
    while await _issue_chunk(ctx.platform, batch_id):
        pass
    log.info("certificate batch %s done", batch_id)
