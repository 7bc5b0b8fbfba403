"""What guardians see of activities and entries, shared by the JSON API and the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Person
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import eligibility
from .files import file_json
from .lifecycle import STATUS_TITLES
from .models import Activity, Entry, Group, WorkFile

PUBLIC_STATUSES = ("open", "submissions_closed", "judging", "results", "finished")
STEPS = (("registered", "已报名"), ("submitted", "已提交"), ("judging", "评审中"),
         ("results", "已出结果"))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


async def visible_activities(session: AsyncSession) -> list[tuple[Activity, list[Group]]]:
    activities = list(await session.scalars(
        select(Activity).where(Activity.status.in_(PUBLIC_STATUSES))
        .order_by(Activity.registration_closes_at.desc(), Activity.id)))
    groups = list(await session.scalars(
        select(Group).where(Group.activity_id.in_([a.id for a in activities]))))
    return [(a, [g for g in groups if g.activity_id == a.id]) for a in activities]


def activity_json(activity: Activity, groups: Sequence[Group], child: Person | None,
                  entries: Sequence[Entry] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": activity.id, "title": activity.title, "category": activity.category,
        "type": activity.type_id, "status": activity.status,
        "status_title": STATUS_TITLES[activity.status],
        "registration_opens_at": _iso(activity.registration_opens_at),
        "registration_closes_at": _iso(activity.registration_closes_at),
        "submission_deadline": _iso(activity.submission_deadline),
        "online_submission": activity.online_submission,
        "groups": [{"number": g.number, "name": g.name} for g in groups],
    }
    if child is not None:
        verdict = eligibility.check(activity, groups, child)
        problem = eligibility.window_problem(activity, utcnow())
        out["eligibility"] = {
            "eligible": verdict.eligible, "reason": verdict.reason,
            "group": verdict.group.name if verdict.group else None,
            "can_register": verdict.eligible and problem is None,
            "window": problem[1] if problem else "",
        }
        out["entries"] = [e.code for e in entries if e.activity_id == activity.id]
    return out


def timeline(entry: Entry, activity: Activity) -> list[dict[str, Any]]:
    """The four steps a guardian follows: 已报名 → 已提交 → 评审中 → 已出结果."""
    reached = {
        "registered": True,
        "submitted": entry.submitted_at is not None,
        "judging": activity.status in ("judging", "results", "finished"),
        "results": activity.status in ("results", "finished"),
    }
    at = {"registered": _iso(entry.created_at), "submitted": _iso(entry.submitted_at)}
    return [{"step": key, "title": title, "done": reached[key], "at": at.get(key)}
            for key, title in STEPS]


def entry_status_title(entry: Entry, activity: Activity) -> str:
    if entry.status == "cancelled":
        return "已取消"
    done = [s for s in timeline(entry, activity) if s["done"]]
    return str(done[-1]["title"])


def entry_json(entry: Entry, activity: Activity, group: Group | None,
               current_files: Sequence[WorkFile] = (), fields: dict[str, Any] | None = None,
               staged: Sequence[WorkFile] = ()) -> dict[str, Any]:
    return {
        "code": entry.code, "status": entry.status,
        "status_title": entry_status_title(entry, activity),
        "activity": {"id": activity.id, "title": activity.title, "status": activity.status},
        "group": group.name if group else None,
        "student": {"name": entry.student_name, "school": entry.school_name,
                    "class": entry.class_name, "grade": entry.grade},
        "registered_at": _iso(entry.created_at), "submitted_at": _iso(entry.submitted_at),
        "cancelled_at": _iso(entry.cancelled_at),
        "timeline": timeline(entry, activity),
        "work": {"fields": fields or {}, "files": [file_json(f) for f in current_files]}
        if fields is not None else None,
        "staged_files": [file_json(f) for f in staged],
    }
