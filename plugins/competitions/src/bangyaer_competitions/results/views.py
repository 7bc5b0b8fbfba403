"""What staff, families and the public see of results; shared by the JSON API and the pages."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..judging.models import JudgingSetup
from ..models import Activity, Entry
from ..scoring.awards import describe_rule
from . import appeals
from ._common import latest_version, publication, results_of
from .models import Appeal, Publication, Result
from .publish import award_list, publication_json
from .settings import award_rule, settings_json


def _rule_text(setup: JudgingSetup | None) -> str:
    try:
        rule = award_rule(setup) if setup else None
    except ValueError:
        return ""
    return describe_rule(rule) if rule else ""


async def draft(session: AsyncSession, activity: Activity, setup: JudgingSetup
                ) -> dict[str, Any]:
    """The latest version for staff review: every entry with score, rank, award and flag."""
    version = await latest_version(session, activity.id)
    groups: dict[str, list[dict[str, Any]]] = {}
    unscored = 0
    if version is not None:
        for line in await results_of(session, activity.id, version):
            unscored += line.rank is None
            groups.setdefault(line.group_name, []).append({
                "code": line.code, "name": line.student_name, "school": line.school_name,
                "score": None if line.score is None else round(line.score, 2),
                "rank": line.rank, "award": line.award, "flagged": line.flagged,
                "unscored": line.rank is None,
            })
    return {
        "activity_id": activity.id, "status": activity.status, "version": version,
        "settings": settings_json(setup), "rule_text": _rule_text(setup),
        "publicised": publication_json(await publication(session, activity.id, "publicised")),
        "final": publication_json(await publication(session, activity.id, "final")),
        "unscored": unscored,
        "flagged": [r["code"] for rows in groups.values() for r in rows if r["flagged"]],
        "groups": [{"group": name, "results": rows} for name, rows in groups.items()],
    }


async def shown(session: AsyncSession, activity: Activity) -> Publication | None:
    """The publication families see: the final one once there is one, else the 公示."""
    return (await publication(session, activity.id, "final")
            or await publication(session, activity.id, "publicised"))


async def public_awards(session: AsyncSession, activity: Activity) -> dict[str, Any] | None:
    """The award list with masked names, or None before any 公示."""
    pub = await shown(session, activity)
    if pub is None:
        return None
    setup = await session.get(JudgingSetup, activity.id)
    return {"activity_id": activity.id, "title": activity.title,
            "publication": publication_json(pub), "rule_text": _rule_text(setup),
            "groups": await award_list(session, activity, pub.version)}


async def entry_result(session: AsyncSession, actor: Actor, entry: Entry,
                       activity: Activity) -> dict[str, Any] | None:
    """An entry's shown result and its appeal, for its guardian and staff; None before 公示."""
    pub = await shown(session, activity)
    if pub is None:
        return None
    result = await session.scalar(select(Result).where(
        Result.activity_id == activity.id, Result.version == pub.version,
        Result.entry_id == entry.id))
    appeal = await session.scalar(select(Appeal).where(
        Appeal.entry_id == entry.id, Appeal.activity_id == activity.id)
        .order_by(Appeal.id.desc()).limit(1))
    publicised = await publication(session, activity.id, "publicised")
    window_open = (pub.kind == "publicised" and publicised is not None
                   and publicised.appeal_until is not None and utcnow() < publicised.appeal_until)
    return {
        "publication": publication_json(pub), "final": pub.kind == "final",
        "score": None if result is None or result.score is None else round(result.score, 2),
        "rank": result.rank if result else None, "award": result.award if result else None,
        "appeal": appeals.appeal_json(appeal) if appeal else None,
        "can_appeal": window_open and appeal is None and actor.is_guardian_of(entry.student_id),
    }
