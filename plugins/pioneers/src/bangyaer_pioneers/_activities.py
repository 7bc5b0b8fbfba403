"""Online activities: opened by counsellors, handed in by families, reviewed by counsellors.

Every function works in the caller's transaction, so a review, its event
for the growth record and the family's message commit together.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, Organisation, Person, audit
from bangyaer.notifications import notify
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import Reach
from ._common import iso
from ._photos import Photo
from .models import KIND_TITLES, STATE_TITLES, Activity, Kind, State, Submission

log = logging.getLogger("bangyaer.pioneers")

CATEGORY = "少先队"
TEXT_LIMIT = 800
COMMENT_LIMIT = 500
PHASE_TITLES = {"upcoming": "未开始", "open": "进行中", "closed": "已结束"}


def ancestors(path: str) -> list[str]:
    """"/1/4/9/" → ["/1/", "/1/4/", "/1/4/9/"]: the organisations a path lies under."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def phase(activity: Activity, now: dt.datetime) -> str:
    if now < activity.opens_at:
        return "upcoming"
    return "open" if now < activity.closes_at else "closed"


def activity_json(activity: Activity, now: dt.datetime) -> dict[str, Any]:
    state = phase(activity, now)
    return {
        "id": activity.id, "title": activity.title, "theme": activity.theme,
        "kind": str(activity.kind), "kind_title": KIND_TITLES[Kind(activity.kind)],
        "opens_at": iso(activity.opens_at), "closes_at": iso(activity.closes_at),
        "phase": state, "phase_title": PHASE_TITLES[state],
        "url": f"/pioneers/activities/{activity.id}",
    }


def submission_json(sub: Submission) -> dict[str, Any]:
    return {
        "id": sub.id, "activity_id": sub.activity_id, "child_id": sub.child_id,
        "state": str(sub.state), "state_title": STATE_TITLES[State(sub.state)],
        "text": sub.text, "comment": sub.comment,
        "photo_url": f"/pioneers/submissions/{sub.id}/photo" if sub.photo_sha256 else None,
        "submitted_at": iso(sub.submitted_at), "reviewed_at": iso(sub.reviewed_at),
    }


async def open_activity(session: AsyncSession, actor: Actor, org: Organisation,
                        fields: dict[str, Any]) -> Activity:
    if fields["closes_at"] <= fields["opens_at"]:
        raise ApiError(422, "invalid_window", "结束时间须晚于开始时间",
                       detail={"field": "closes_at"})
    activity = Activity(org_path=org.path, created_by=actor.account_id, **fields)
    session.add(activity)
    await session.flush()
    await audit(session, actor, "pioneers.activity_opened", "pioneers_activity", activity.id,
                org_id=org.id)
    log.info("activity %s opened for org %s", activity.id, org.id)
    return activity


async def for_child(session: AsyncSession, child: Person
                    ) -> list[tuple[Activity, Submission | None]]:
    """Activities the child's squadron, brigade or district opened, newest first."""
    rows = await session.execute(
        select(Activity, Submission)
        .outerjoin(Submission, (Submission.activity_id == Activity.id)
                   & (Submission.child_id == child.id))
        .where(Activity.org_path.in_(ancestors(child.org_path)))
        .order_by(Activity.closes_at.desc(), Activity.id.desc()))
    return [(a, s) for a, s in rows]


def reaches(activity: Activity, child: Person) -> bool:
    return bool(child.org_path) and child.org_path.startswith(activity.org_path)


async def load_activity(session: AsyncSession, activity_id: int) -> Activity:
    activity = await session.get(Activity, activity_id)
    if activity is None:
        raise ApiError(404, "not_found", "没有这个活动")
    return activity


async def mine(session: AsyncSession, activity_id: int, child_id: int) -> Submission | None:
    found: Submission | None = await session.scalar(select(Submission).where(
        Submission.activity_id == activity_id, Submission.child_id == child_id))
    return found


def _content(activity: Activity, text: str, photo: Photo | None) -> dict[str, Any]:
    text = text.strip()
    if len(text) > TEXT_LIMIT:
        raise ApiError(422, "invalid_field", f"文字最多 {TEXT_LIMIT} 字", detail={"field": "text"})
    if activity.kind == Kind.photo and photo is None:
        raise ApiError(422, "photo_required", "这个活动需要上传一张照片")
    if activity.kind == Kind.text and not text:
        raise ApiError(422, "text_required", "这个活动需要写一段文字", detail={"field": "text"})
    if activity.kind != Kind.photo and photo is not None:
        raise ApiError(422, "photo_not_wanted", "这个活动不需要上传照片")
    return {"text": text, "photo_sha256": photo.sha256 if photo else None,
            "photo_type": photo.content_type if photo else None}


async def hand_in(session: AsyncSession, activity: Activity, child: Person,
                  guardian_id: int | None, *, text: str = "",
                  photo: Photo | None = None) -> Submission:
    """Hand in (or hand in again) for the child while the window is open."""
    if not reaches(activity, child):
        raise ApiError(404, "not_found", "没有这个活动")
    now = utcnow()
    state = phase(activity, now)
    if state == "upcoming":
        raise ApiError(409, "not_open_yet", "活动尚未开始，请在开始后再提交")
    if state == "closed":
        raise ApiError(409, "activity_closed", "活动已结束，不能再提交")
    content = _content(activity, text, photo)
    fields = {**content, "state": State.submitted, "guardian_id": guardian_id,
              "org_path": child.org_path, "submitted_at": now,
              "reviewed_by": None, "reviewed_at": None}
    existing = await mine(session, activity.id, child.id)
    if existing is None:
        try:
            # A savepoint: a double tap that raced this one is updated instead.
            async with session.begin_nested():
                existing = Submission(activity_id=activity.id, child_id=child.id, **fields)
                session.add(existing)
                await session.flush()
            return existing
        except IntegrityError:
            existing = await mine(session, activity.id, child.id)
            if existing is None:
                raise
    if existing.state == State.approved:
        raise ApiError(409, "already_approved", "已通过审核，无需再次提交")
    for name, value in fields.items():
        setattr(existing, name, value)
    await session.flush()
    return existing


async def review(session: AsyncSession, actor: Actor, reach: Reach, sub: Submission,
                 *, approve: bool, comment: str) -> Submission:
    if not reach.covers(sub.org_path):
        raise ApiError(403, "not_your_pioneers", "只能审核本人担任辅导员的大队或中队的提交")
    if sub.state != State.submitted:
        raise ApiError(409, "not_pending", "这份提交已审核过，等待家长重新提交")
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise ApiError(422, "invalid_field", f"评语最多 {COMMENT_LIMIT} 字",
                       detail={"field": "comment"})
    if not approve and not comment:
        raise ApiError(422, "comment_required", "退回时请写明原因，方便家长修改后重新提交",
                       detail={"field": "comment"})
    activity = await load_activity(session, sub.activity_id)
    now = utcnow()
    sub.state = State.approved if approve else State.returned
    sub.comment, sub.reviewed_by, sub.reviewed_at = comment, actor.account_id, now
    url = f"/pioneers/activities/{activity.id}"
    if approve:
        await emit(session, "pioneers.took_part", subject_id=sub.child_id,
                   actor_account_id=actor.account_id, title=activity.title, category=CATEGORY,
                   occurred_at=now.isoformat(), url=url, activity_id=activity.id,
                   submission_id=sub.id)
    if sub.guardian_id is not None:
        verdict = "已通过审核" if approve else "被退回，请修改后重新提交"
        await notify(session, [sub.guardian_id], source="pioneers", topic="review",
                     title=f"“{activity.title}”{verdict}"[:200], body=comment, url=url)
    await audit(session, actor, "pioneers.submission_reviewed", "pioneers_submission", sub.id,
                decision="approve" if approve else "return")
    return sub
