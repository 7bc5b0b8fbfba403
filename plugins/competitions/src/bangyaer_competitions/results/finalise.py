"""Finalising: the results become final, families are told, growth and certificates follow.

Everything happens in one transaction with the final publication, and a
repeated request finds that publication and does nothing more, so each
guardian hears once and each entry's event is emitted once. Messages
carry a key per entry as well, for the same guarantee at the inbox.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.certificates import CertificateItem, CertificateTemplate, issue_for_many
from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, audit
from bangyaer.notifications import notify
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import lifecycle
from ..models import Activity
from ..types import types_of
from ._common import (
    SOURCE,
    TARGET,
    Line,
    channels,
    guardians_of,
    latest_version,
    publication,
    results_of,
)
from .appeals import OPEN
from .models import Appeal, Publication

log = logging.getLogger("bangyaer.competitions")
RESULT_FINAL = "competitions.result_final"


def _message(activity: Activity, line: Line) -> str:
    if line.award:
        return _("%(name)s 在“%(title)s”（%(group)s，参赛编号 %(code)s）中荣获%(award)s，"
                 "电子奖状稍后可在成长记录中查看。", name=line.student_name, title=activity.title,
                 group=line.group_name, code=line.code, award=line.award)
    if line.rank is None:
        return _("%(name)s 的作品（%(code)s）未完成评审，未参与“%(title)s”的评奖。",
                 name=line.student_name, code=line.code, title=activity.title)
    return _("“%(title)s”（%(group)s）评审结果已确定：%(name)s（%(code)s）名列第 %(rank)s 名，"
             "感谢参与。", title=activity.title, group=line.group_name, name=line.student_name,
             code=line.code, rank=line.rank)


async def _refusal(session: AsyncSession, activity: Activity, pub: Publication | None
                   ) -> str | None:
    if pub is None:
        return _("结果尚未公示，公示期满后才能确定")
    if pub.appeal_until and utcnow() < pub.appeal_until:
        return _("公示期尚未结束")
    open_count = await session.scalar(select(func.count(Appeal.id)).where(
        Appeal.activity_id == activity.id, Appeal.status.in_(OPEN)))
    if open_count:
        return _("还有 %(n)s 件申诉未处理完", n=int(open_count))
    return None


async def finalise(session: AsyncSession, platform: Any, actor: Actor, activity: Activity,
                   *, override: str = "") -> tuple[Publication, bool]:
    """Make the latest version final; refused inside the window or with open appeals."""
    existing = await publication(session, activity.id, "final")
    if existing is not None:
        return existing, False
    if activity.status != "results":
        raise ApiError(409, "not_results", _("只有已公示结果的活动才能确定最终结果"))
    pub = await publication(session, activity.id, "publicised")
    problem = await _refusal(session, activity, pub)
    override = override.strip()
    if problem and (not override or pub is None):
        message = _("%(problem)s。如确需提前确定，请填写理由后强制确定。", problem=problem) \
            if pub else problem
        raise ApiError(409, "cannot_finalise", message)
    if len(override) > 500:
        raise ApiError(422, "invalid_field", _("强制确定的理由最多 500 字"),
                       detail={"field": "override_reason"})
    version = await latest_version(session, activity.id)
    assert version is not None  # a publication has a version
    final = Publication(activity_id=activity.id, version=version, kind="final",
                        published_by=actor.account_id, published_at=utcnow())
    session.add(final)
    await session.flush()
    if problem:
        await audit(session, actor, "competitions.finalise_override", TARGET, activity.id,
                    reason=override, problem=problem)
    await lifecycle.move(session, activity, "finished", actor, step="finalise")
    rows = await results_of(session, activity.id, version)
    await _tell_and_record(session, platform, actor, activity, rows)
    batches = await _certificates(session, platform, activity, rows)
    await audit(session, actor, "competitions.results_final", TARGET, activity.id,
                version=version, publication_id=final.id, entries=len(rows),
                certificate_batches=batches)
    log.info("activity %s: version %s final, %d entries", activity.id, version, len(rows))
    return final, True


async def _tell_and_record(session: AsyncSession, platform: Any, actor: Actor,
                           activity: Activity, rows: list[Line]) -> None:
    guardians = await guardians_of(session, [line.student_id for line in rows])
    via = channels(platform)
    title = _("“%(title)s”评审结果", title=activity.title)
    for line in rows:
        url = f"/competitions/entries/{line.code}"
        await notify(session, guardians[line.student_id], source=SOURCE, topic="result",
                     title=title[:200], body=_message(activity, line), url=url,
                     channels=via, key=f"competitions:result_final:{line.entry_id}")
        await emit(session, RESULT_FINAL, subject_id=line.student_id,
                   actor_account_id=actor.account_id, activity_title=activity.title,
                   group=line.group_name, code=line.code, entry_code=line.code,
                   award=line.award, score=line.score, rank=line.rank, url=url)


async def _certificates(session: AsyncSession, platform: Any, activity: Activity,
                        rows: list[Line]) -> list[int]:
    """One batch per group: the group's name is part of the type's wording."""
    kind = types_of(platform).get(activity.type_id)
    wording = getattr(kind, "certificate_zh", "") or CertificateTemplate().wording
    by_group: dict[int, list[CertificateItem]] = defaultdict(list)
    names: dict[int, str] = {}
    for line in rows:
        if line.award:
            names[line.group_id] = line.group_name
            by_group[line.group_id].append(CertificateItem(line.student_id, f"entry:{line.code}",
                                                           line.award))
    today = utcnow().astimezone(ZoneInfo(platform.settings.timezone)).date()
    made: list[int] = []
    for group_id, items in by_group.items():
        # Not yet: English certificates (certificate_en); a template holds one wording.
        template = CertificateTemplate(wording=wording.replace("{group}", names[group_id]))
        batch = await issue_for_many(
            session, source=(SOURCE, f"activity:{activity.id}:group:{group_id}"),
            activity_title=activity.title, template=template, items=items, issued_on=today)
        made.append(batch.id)
    return made
