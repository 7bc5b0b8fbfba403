"""The lottery's life in the database: freeze the list, draw, publish, notify."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Guardianship
from bangyaer.jobs import enqueue
from bangyaer.notifications import notify
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import _draw
from ._orders import OrderInput, open_orders, order_inputs
from ._rules import slot
from ._seats import SHANGHAI, grant_seat, guardians_of
from .models import Enrollment, Mode, Move, State, Term, TrainingClass

log = logging.getLogger("bangyaer.training")

# Kept for sweeps queued by draws made before seats had orders; the ledger
# expires unpaid orders now (see _seats.expire_if_due).
SWEEP_JOB = "training.sweep"
NOTIFY_JOB = "training.notify_draw"
NOTIFY_BATCH = 500
CHUNK = 5000


def new_seed() -> tuple[str, str]:
    """A fresh secret seed and the commitment published at once."""
    seed = secrets.token_hex(32)
    return seed, _draw.seed_commitment(seed)


def _token(secret: str, label: str) -> str:
    # Opaque but stable: the published list must show which applications
    # are the same child or family without naming anyone (PIPL).
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()[:16]


async def _families(session: AsyncSession, child_ids: set[int]) -> dict[int, int]:
    """Each child's family: the smallest child id among those sharing a guardian."""
    rows = await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id)
        .where(Guardianship.guardian_id.in_(
            select(Guardianship.guardian_id).where(Guardianship.student_id.in_(child_ids))))
    )
    by_guardian: dict[int, set[int]] = {}
    for guardian, student in rows:
        by_guardian.setdefault(guardian, set()).add(student)
    root = {cid: cid for cid in child_ids}
    for kids in by_guardian.values():
        low = min(kids)
        for kid in kids:
            if kid in root:
                root[kid] = min(root[kid], low)
    return root


async def freeze(session: AsyncSession, term: Term, *, secret: str, admission_limit: int,
                 sibling_priority: bool) -> str:
    """Freeze the term's applications into the canonical list; returns its SHA-256."""
    if term.frozen_at is not None:
        assert term.list_sha256 is not None
        return term.list_sha256
    classes = list(await session.scalars(
        select(TrainingClass).where(TrainingClass.term_id == term.id,
                                    TrainingClass.mode == Mode.lottery)
        .order_by(TrainingClass.id)))
    apps = list(await session.execute(
        select(Enrollment.id, Enrollment.class_id, Enrollment.child_id, Enrollment.tier)
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Enrollment.term_id == term.id, Enrollment.state == State.applied,
               TrainingClass.mode == Mode.lottery)
        .order_by(Enrollment.id)))
    families = await _families(session, {a[2] for a in apps}) if apps else {}
    document = {
        "format": _draw.FORMAT,
        "term": {"id": term.id, "code": term.code},
        "admission_limit": admission_limit,
        "sibling_priority": sibling_priority,
        "classes": [{"id": c.id, "seats": c.capacity - c.taken, **slot(c)} for c in classes],
        "applications": [
            {"id": app_id, "class_id": class_id, "tier": tier,
             "child": _token(secret, f"child:{term.id}:{child_id}"),
             "family": _token(secret, f"family:{term.id}:{families[child_id]}")}
            for app_id, class_id, child_id, tier in apps
        ],
    }
    text = _draw.canonical_json(document)
    term.frozen_list = text
    term.list_sha256 = _draw.sha256_hex(text)
    term.frozen_at = utcnow()
    log.info("term %s: %d applications frozen, list %s", term.id, len(apps), term.list_sha256)
    return term.list_sha256


async def apply_draw(session: AsyncSession, term: Term, *, payment_hours: int) -> dict[str, Any]:
    """Run the draw on the frozen list and give the seats; idempotent once drawn."""
    if term.result is not None:
        return dict(json.loads(term.result))
    if term.frozen_list is None:
        raise ValueError(f"term {term.id}: freeze the list before the draw")
    document = json.loads(term.frozen_list)
    result = _draw.run_draw(document, term.seed)
    now = utcnow()
    classes = {c.id: c for c in await session.scalars(
        select(TrainingClass).where(TrainingClass.term_id == term.id,
                                    TrainingClass.mode == Mode.lottery))}
    admitted = set(result["admitted"])
    await _settle_losers(session, result, now)
    ids = sorted(admitted)
    rows: list[Enrollment] = []
    inputs: dict[int, OrderInput] = {}
    for start in range(0, len(ids), CHUNK):  # a driver takes at most 32,767 parameters
        rows += await session.scalars(
            select(Enrollment).where(Enrollment.id.in_(ids[start:start + CHUNK])))
        inputs.update(await order_inputs(session, ids[start:start + CHUNK]))
    # Every seat first, then every order in one batch: a few statements for
    # the draw instead of a few a seat.
    to_pay: list[tuple[Enrollment, TrainingClass]] = []
    for enrollment in rows:
        klass = classes[enrollment.class_id]
        klass.taken += 1
        if await grant_seat(session, enrollment, klass, payment_hours=payment_hours,
                            reason="drawn", now=now):
            to_pay.append((enrollment, klass))
    await open_orders(session, to_pay, inputs)
    term.result = _draw.canonical_json(result)
    term.drawn_at = now
    await enqueue(session, NOTIFY_JOB, {"term_id": term.id, "after": 0},
                  key=f"{NOTIFY_JOB}:{term.id}:0")
    log.info("term %s drawn: %d admitted of %d", term.id, len(admitted),
             len(document["applications"]))
    return result


async def _settle_losers(session: AsyncSession, result: dict[str, Any], now: dt.datetime
                         ) -> None:
    """Waiting list and refusals in bulk: a large draw writes them in a few statements."""
    values: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for ids in result["waitlist"].values():
        for position, app_id in enumerate(ids, start=1):
            values.append({"id": app_id, "state": State.waitlisted,
                           "waitlist_position": position, "updated_at": now})
            moves.append({"enrollment_id": app_id, "from_state": State.applied,
                          "to_state": State.waitlisted, "reason": "drawn_waitlisted", "at": now})
    for app_id in result["not_admitted"]:
        values.append({"id": app_id, "state": State.expired, "waitlist_position": None,
                       "updated_at": now})
        moves.append({"enrollment_id": app_id, "from_state": State.applied,
                      "to_state": State.expired, "reason": "drawn_refused", "at": now})
    if values:
        await session.execute(update(Enrollment), values)
        await session.execute(insert(Move), moves)


def published(term: Term) -> dict[str, Any]:
    """Everything anyone needs to verify the draw; the seed only once drawn."""
    return {
        "term": {"id": term.id, "code": term.code, "name": term.name},
        "seed_sha256": term.seed_sha256,
        "list_sha256": term.list_sha256,
        "frozen_at": term.frozen_at.isoformat() if term.frozen_at else None,
        "list": json.loads(term.frozen_list) if term.frozen_list else None,
        "seed": term.seed if term.drawn_at is not None else None,
        "drawn_at": term.drawn_at.isoformat() if term.drawn_at else None,
        "result": json.loads(term.result) if term.result else None,
    }


def admission_rates(result: dict[str, Any]) -> list[dict[str, Any]]:
    """中签率 per class, as a percentage with one decimal (display only)."""
    return [{**c, "rate_percent": round(100 * c["admitted"] / c["applications"], 1)
             if c["applications"] else None} for c in result["classes"]]


async def notify_batch(session: AsyncSession, term: Term, after: int) -> int | None:
    """Tell one batch of families their draw result; the id to continue after, if any."""
    rows = list(await session.execute(
        select(Enrollment, TrainingClass)
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Enrollment.term_id == term.id, Enrollment.id > after,
               TrainingClass.mode == Mode.lottery)
        .order_by(Enrollment.id).limit(NOTIFY_BATCH)))
    for enrollment, klass in rows:
        await notify(session, await guardians_of(session, enrollment.child_id),
                     source="training", topic="draw", title="培训班摇号结果",
                     body=_draw_text(enrollment, klass), url="/training/mine",
                     key=f"training:draw:{enrollment.id}")
    return rows[-1][0].id if len(rows) == NOTIFY_BATCH else None


def _draw_text(e: Enrollment, klass: TrainingClass) -> str:
    if e.state == State.awaiting_payment and e.deadline_at is not None:
        return (f"恭喜，孩子已在{klass.name}摇号中录取，请在 "
                f"{e.deadline_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 前缴费。")
    if e.state in (State.confirmed, State.admitted):
        return f"恭喜，孩子已在{klass.name}摇号中录取。"
    if e.state == State.waitlisted:
        return (f"孩子未在{klass.name}摇号中录取，现为候补第 {e.waitlist_position} 位，"
                "有空位时按顺序递补。")
    return f"孩子未在{klass.name}摇号中录取。"
