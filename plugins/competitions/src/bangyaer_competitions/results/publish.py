"""The 公示: the award list shown to everyone signed in, with a window for appeals."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from .. import lifecycle
from ..judging.models import JudgingSetup
from ..models import Activity
from ..scoring.awards import describe_rule
from ..scoring.mask import mask_name
from ._common import SOURCE, TARGET, latest_version, no_results, publication, results_of
from .models import Publication
from .settings import award_rule

log = logging.getLogger("bangyaer.competitions")
DEFAULT_WINDOW = dt.timedelta(days=5)
MAX_WINDOW = dt.timedelta(days=30)


def window(days: Any, hours: Any) -> dt.timedelta:
    """The appeal window from days and hours (both optional: five days when neither is given)."""
    if days is None and hours is None:
        return DEFAULT_WINDOW
    span = dt.timedelta(days=days or 0, hours=hours or 0)
    negative = (days or 0) < 0 or (hours or 0) < 0
    if negative or not dt.timedelta(hours=1) <= span <= MAX_WINDOW:
        raise ApiError(422, "invalid_window", _("申诉期应在 1 小时到 30 天之间"),
                       detail={"field": "appeal_days"})
    return span


async def award_list(session: AsyncSession, activity: Activity, version: int
                     ) -> list[dict[str, Any]]:
    """Groups with their awarded entries: code, masked name, school, award; nothing more."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in await results_of(session, activity.id, version):
        rows = groups.setdefault(line.group_name, [])
        if line.award:
            rows.append({"code": line.code, "name": mask_name(line.student_name),
                         "school": line.school_name, "award": line.award})
    return [{"group": name, "awards": rows} for name, rows in groups.items()]


def _markdown(activity: Activity, listed: list[dict[str, Any]], rule_text: str,
              until: dt.datetime, zone: ZoneInfo) -> str:
    lines = [f"“{activity.title}”评审结果现予公示。{rule_text}", "",
             f"公示期至 {until.astimezone(zone):%Y-%m-%d %H:%M}，"
             "对结果有异议的家长可在报名详情页提出申诉。", ""]
    for block in listed:
        lines += [f"### {block['group']}", "", "| 参赛编号 | 姓名 | 学校 | 奖项 |",
                  "|---|---|---|---|"]
        lines += [f"| {r['code']} | {r['name']} | {r['school']} | {r['award']} |"
                  for r in block["awards"]]
        lines.append("")
    return "\n".join(lines)


async def _notice(session: AsyncSession, platform: Any, activity: Activity,
                  listed: list[dict[str, Any]], rule_text: str, start: dt.datetime,
                  until: dt.datetime) -> int | None:
    if not platform.host.is_enabled("notices"):
        return None
    from bangyaer_notices import api as notices  # lazily: the plugin is optional

    try:
        item_id: int = await notices.publish_notice(
            session, column="公示", title=f"“{activity.title}”获奖名单公示",
            body=_markdown(activity, listed, rule_text, until,
                           ZoneInfo(platform.settings.timezone)),
            source=(SOURCE, f"activity:{activity.id}:publicity"), period=(start, until),
            objection_url=f"/competitions/activities/{activity.id}")
    except notices.NoticeError as exc:
        raise ApiError(409, "notice_refused",
                       _("公示通知发布失败：%(reason)s", reason=str(exc))) from None
    return item_id


async def publicise(session: AsyncSession, platform: Any, actor: Actor, activity: Activity,
                    setup: JudgingSetup, span: dt.timedelta) -> tuple[Publication, bool]:
    """Publish the latest version as a 公示 and move to results; a repeat returns the first."""
    existing = await publication(session, activity.id, "publicised")
    if existing is not None:
        return existing, False
    if activity.status != "judging":
        raise ApiError(409, "not_judging", _("只有评审中的活动才能公示结果"))
    version = await latest_version(session, activity.id)
    if version is None:
        raise no_results()
    rule = award_rule(setup)
    rule_text = describe_rule(rule) if rule else ""
    now = utcnow()
    pub = Publication(activity_id=activity.id, version=version, kind="publicised",
                      published_by=actor.account_id, published_at=now, appeal_until=now + span)
    listed = await award_list(session, activity, version)
    pub.notice_id = await _notice(session, platform, activity, listed, rule_text, now,
                                  now + span)
    session.add(pub)
    await session.flush()
    await lifecycle.move(session, activity, "results", actor, step="publish")
    await audit(session, actor, "competitions.results_publicised", TARGET, activity.id,
                version=version, publication_id=pub.id,
                appeal_until=pub.appeal_until.isoformat() if pub.appeal_until else None,
                notice_id=pub.notice_id)
    log.info("activity %s: version %s publicised", activity.id, version)
    return pub, True


def publication_json(pub: Publication | None) -> dict[str, Any] | None:
    if pub is None:
        return None
    return {"id": pub.id, "version": pub.version, "kind": pub.kind,
            "published_at": pub.published_at.isoformat(),
            "appeal_until": pub.appeal_until.isoformat() if pub.appeal_until else None,
            "notice_id": pub.notice_id}
