"""Durable jobs: expiry, waiting-list promotion, freezing, the draw and its notices."""

from __future__ import annotations

import logging
from typing import Any

from bangyaer.db import utcnow
from bangyaer.jobs import JobContext, PermanentJobError, enqueue

from . import _lottery
from ._api_staff import DRAW_JOB, FREEZE_JOB
from ._seats import EXPIRE_JOB, PROMOTE_JOB, expire_if_due, promote, sweep_class
from .models import Term

log = logging.getLogger("bangyaer.training")


def _hours(ctx: JobContext) -> int:
    return int(ctx.platform.config("training").get("payment_hours", 48))


async def _promote(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.platform.db.transaction() as session:
        await promote(session, int(payload["class_id"]), payment_hours=_hours(ctx))


async def _expire(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.platform.db.transaction() as session:
        await expire_if_due(session, int(payload["enrollment_id"]))


async def _sweep(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.platform.db.transaction() as session:
        if await sweep_class(session, int(payload["class_id"])):
            await promote(session, int(payload["class_id"]), payment_hours=_hours(ctx))


async def _load_term(session: Any, payload: dict[str, Any]) -> Term:
    term: Term | None = await session.get(Term, int(payload["term_id"]), with_for_update=True)
    if term is None:
        raise PermanentJobError(f"term {payload['term_id']} does not exist")
    return term


async def _freeze(ctx: JobContext, payload: dict[str, Any]) -> None:
    config = ctx.platform.config("training")
    async with ctx.platform.db.transaction() as session:
        term = await _load_term(session, payload)
        if utcnow() < term.closes_at:
            # The close moved later since this job was queued: come back then.
            await enqueue(session, FREEZE_JOB, payload, run_at=term.closes_at,
                          key=f"{FREEZE_JOB}:{term.id}:{term.closes_at.isoformat()}")
            return
        await _lottery.freeze(session, term, secret=ctx.platform.settings.secret_key,
                              admission_limit=int(config.get("admission_limit", 2)),
                              sibling_priority=bool(config.get("sibling_priority", True)))


async def _draw(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.platform.db.transaction() as session:
        term = await _load_term(session, payload)
        if term.frozen_list is None:
            raise PermanentJobError(f"term {term.id}: the list is not frozen")
        await _lottery.apply_draw(session, term, payment_hours=_hours(ctx))


async def _notify(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.platform.db.transaction() as session:
        term = await _load_term(session, payload)
        after = await _lottery.notify_batch(session, term, int(payload["after"]))
        if after is not None:
            await enqueue(session, _lottery.NOTIFY_JOB, {"term_id": term.id, "after": after},
                          key=f"{_lottery.NOTIFY_JOB}:{term.id}:{after}")


HANDLERS = {
    PROMOTE_JOB: _promote, EXPIRE_JOB: _expire, _lottery.SWEEP_JOB: _sweep,
    FREEZE_JOB: _freeze, DRAW_JOB: _draw, _lottery.NOTIFY_JOB: _notify,
}
