"""Appeals (申诉): a guardian asks during the 公示; staff accept or reject with a reason.

An accepted appeal sends the entry to fresh judges (the appeal round, who
have never had it); when they have scored and staff recompute, the
entry's score, rank and award before and after are kept on the appeal.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Account, Actor, audit
from bangyaer.notifications import notify
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Entry
from ._common import SOURCE, TARGET, channels, publication, result_json
from .models import Appeal, Publication, Result

log = logging.getLogger("bangyaer.competitions")
MAX_REASON = 1000
OPEN = ("submitted", "accepted")
STATUS_TITLES = {"submitted": "待处理", "rejected": "未予受理", "accepted": "复核中",
                 "resolved": "复核完成"}


def _reason(raw: Any, *, missing: str, too_long: str) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise ApiError(422, "missing_field", missing, detail={"field": "reason"})
    if len(text) > MAX_REASON:
        raise ApiError(422, "invalid_field", too_long, detail={"field": "reason"})
    return text


async def submit(db: Any, actor: Actor, entry: Entry, raw_reason: Any) -> tuple[Appeal, bool]:
    """The guardian's appeal against the 公示; once per publication, so a repeat returns it."""
    reason = _reason(raw_reason, missing=_("请填写申诉理由"),
                     too_long=_("申诉理由最多 %(n)s 字", n=MAX_REASON))
    try:
        async with db.transaction() as session:
            return await _submit(session, actor, entry, reason)
    except IntegrityError:
        # A concurrent repeat committed first; its appeal is the answer.
        async with db.transaction() as session:
            return await _submit(session, actor, entry, reason)


async def _submit(session: AsyncSession, actor: Actor, entry: Entry, reason: str
                  ) -> tuple[Appeal, bool]:
    activity = await session.get(Activity, entry.activity_id)
    assert activity is not None  # foreign key
    pub = await publication(session, activity.id, "publicised")
    if pub is None:
        raise ApiError(409, "not_publicised", _("结果尚未公示；公示期内才能申诉"))
    existing = await session.scalar(select(Appeal).where(
        Appeal.activity_id == activity.id, Appeal.entry_id == entry.id,
        Appeal.publication_id == pub.id))
    if existing is not None:
        return existing, False
    now = utcnow()
    if activity.status == "finished" or (pub.appeal_until and now >= pub.appeal_until):
        raise ApiError(409, "appeal_window_closed", _("公示期已结束，不能再申诉"))
    appeal = Appeal(activity_id=activity.id, publication_id=pub.id, entry_id=entry.id,
                    account_id=actor.account_id, reason=reason, status="submitted",
                    created_at=now)
    session.add(appeal)
    await session.flush()
    await audit(session, actor, "competitions.appeal_submitted", TARGET, activity.id,
                appeal_id=appeal.id, entry_id=entry.id, entry_code=entry.code)
    return appeal, True


async def _tell(session: AsyncSession, platform: Any, appeal: Appeal, entry: Entry,
                title: str, body: str, step: str) -> None:
    if appeal.account_id is None:
        return
    account = await session.get(Account, appeal.account_id)
    if account is None:
        return
    await notify(session, [account.person_id], source=SOURCE, topic="appeal", title=title,
                 body=body, url=f"/competitions/entries/{entry.code}",
                 channels=channels(platform), key=f"competitions:appeal:{appeal.id}:{step}")


async def decide(session: AsyncSession, platform: Any, actor: Actor, activity: Activity,
                 appeal: Appeal, *, accept: bool, raw_reason: Any, judges: int) -> Appeal:
    """Accept (re-judge by new judges) or reject a submitted appeal, with staff's reason."""
    reason = _reason(raw_reason, missing=_("请填写处理意见"),
                     too_long=_("处理意见最多 %(n)s 字", n=MAX_REASON))
    if appeal.status != "submitted":
        raise ApiError(409, "appeal_decided", _("该申诉已处理（%(status)s）",
                                                status=STATUS_TITLES[appeal.status]))
    if activity.status != "results":
        raise ApiError(409, "not_results", _("结果已确定，不能再处理申诉"))
    entry = await session.get(Entry, appeal.entry_id)
    assert entry is not None  # foreign key
    appeal.status = "accepted" if accept else "rejected"
    appeal.decision, appeal.decided_by, appeal.decided_at = reason, actor.account_id, utcnow()
    assigned: list[int] = []
    if accept:
        from ..judging import service as judging

        rows = await judging.add_judges(session, actor, activity, [entry.id], count=judges,
                                        round="appeal")
        if not rows:
            raise ApiError(409, "no_fresh_judges",
                           _("本组没有未评过该作品的评委，请先邀请新的评委"))
        assigned = [a.judge_account_id for a in rows]
    await audit(session, actor, "competitions.appeal_decided", TARGET, activity.id,
                appeal_id=appeal.id, entry_id=entry.id, entry_code=entry.code,
                accepted=accept, reason=reason, judges=assigned)
    if accept:
        body = _("%(code)s 的申诉已受理，作品将由未评过它的评委重新盲评，"
                 "复核结果出来后会再通知您。处理意见：%(reason)s", code=entry.code,
                 reason=reason)
    else:
        body = _("%(code)s 的申诉未予受理。处理意见：%(reason)s", code=entry.code, reason=reason)
    title = _("“%(title)s”申诉处理结果", title=activity.title)
    await _tell(session, platform, appeal, entry, title, body, "decision")
    return appeal


async def resolve_rejudged(session: AsyncSession, platform: Any, actor: Actor,
                           activity: Activity, version: int, waiting: Collection[int]
                           ) -> list[int]:
    """Close accepted appeals whose re-judging is scored: before/after from the versions."""
    open_ = list(await session.scalars(select(Appeal).where(
        Appeal.activity_id == activity.id, Appeal.status == "accepted")))
    done: list[int] = []
    for appeal in open_:
        if appeal.entry_id in waiting:
            continue
        before = await _result(session, activity.id, appeal.publication_id, appeal.entry_id)
        after = await session.scalar(select(Result).where(
            Result.activity_id == activity.id, Result.version == version,
            Result.entry_id == appeal.entry_id))
        appeal.before, appeal.after = before, result_json(after) if after else None
        appeal.status, appeal.resolved_at = "resolved", utcnow()
        entry = await session.get(Entry, appeal.entry_id)
        assert entry is not None  # foreign key
        await audit(session, actor, "competitions.appeal_resolved", TARGET, activity.id,
                    appeal_id=appeal.id, entry_id=entry.id, entry_code=entry.code,
                    before=appeal.before, after=appeal.after, version=version)
        await _tell(session, platform, appeal, entry,
                    _("“%(title)s”申诉复核结果", title=activity.title),
                    _outcome(entry.code, appeal.before, appeal.after), "outcome")
        done.append(appeal.id)
    return done


async def _result(session: AsyncSession, activity_id: int, publication_id: int,
                  entry_id: int) -> dict[str, Any] | None:
    pub = await session.get(Publication, publication_id)
    if pub is None:
        return None
    row = await session.scalar(select(Result).where(
        Result.activity_id == activity_id, Result.version == pub.version,
        Result.entry_id == entry_id))
    return result_json(row) if row else None


def _award(data: dict[str, Any] | None) -> str:
    return str(data.get("award") or "未获奖") if data else "未获奖"


def _outcome(code: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if _award(before) == _award(after):
        return _("%(code)s 已由新的评委重新盲评，奖项不变：%(award)s。", code=code,
                 award=_award(after))
    return _("%(code)s 已由新的评委重新盲评，奖项由“%(before)s”改为“%(after)s”。", code=code,
             before=_award(before), after=_award(after))


def appeal_json(appeal: Appeal, entry: Entry | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": appeal.id, "status": appeal.status, "status_title": STATUS_TITLES[appeal.status],
        "reason": appeal.reason, "decision": appeal.decision,
        "created_at": appeal.created_at.isoformat(),
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
        "before": appeal.before, "after": appeal.after,
    }
    if entry is not None:
        out["code"] = entry.code
    return out
