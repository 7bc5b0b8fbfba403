"""A judge's side: their queue, one entry as they may see it, and saving a score.

A judge reaches an entry only through a live assignment of their own in an
activity being judged; anything else is the same 404 as a missing entry, so
codes and ids reveal nothing. What they see is built here and nowhere else:
the entry code, the group, the anonymised copies and the rubric.
"""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Entry, Group
from ..results.models import Result
from .models import Assignment, JudgeInvite, JudgingCopy, JudgingSetup

VISIBLE_STATUSES = ("judging", "results")
LIVE = ("assigned", "scored")
MAX_COMMENT = 1000
NOT_FOUND = "找不到该作品"


def _live(account_id: int) -> Any:
    """The judge's assignments they may see: live, in an activity being judged, still invited."""
    invited = exists().where(
        JudgeInvite.activity_id == Assignment.activity_id,
        JudgeInvite.group_id == Assignment.group_id,
        JudgeInvite.account_id == Assignment.judge_account_id,
        JudgeInvite.status == "active")
    return (select(Assignment, Entry.code)
            .join(Entry, Entry.id == Assignment.entry_id)
            .join(Activity, Activity.id == Assignment.activity_id)
            .where(Assignment.judge_account_id == account_id, Assignment.status.in_(LIVE),
                   Activity.status.in_(VISIBLE_STATUSES), invited))


async def queue(session: AsyncSession, account_id: int) -> list[dict[str, Any]]:
    """Per activity: how many entries the judge has, how many are scored, the next one."""
    rows = list(await session.execute(_live(account_id).order_by(Assignment.activity_id,
                                                                  Entry.code)))
    activities = {a.id: a for a in await session.scalars(
        select(Activity).where(Activity.id.in_({r[0].activity_id for r in rows})))}
    groups = {g.id: g.name for g in await session.scalars(
        select(Group).where(Group.activity_id.in_(activities)))}
    out: dict[int, dict[str, Any]] = {}
    for assignment, code in rows:
        item = out.setdefault(assignment.activity_id, {
            "activity_id": assignment.activity_id,
            "title": activities[assignment.activity_id].title,
            "groups": [], "assigned": 0, "scored": 0, "next": None, "entries": []})
        name = groups.get(assignment.group_id, "")
        if name not in item["groups"]:
            item["groups"].append(name)
        item["assigned"] += 1
        done = assignment.status == "scored"
        item["scored"] += int(done)
        if not done and item["next"] is None:
            item["next"] = code
        item["entries"].append({"code": code, "group": name, "scored": done,
                                "total": assignment.total})
    return list(out.values())


async def assignment_of(session: AsyncSession, actor: Actor, code: str
                        ) -> tuple[Assignment, Entry, Activity]:
    """The judge's own live assignment for the entry with this code, else a 404."""
    if actor.account_id is None:
        raise ApiError(404, "entry_not_found", _(NOT_FOUND))
    found = (await session.execute(_live(actor.account_id).where(Entry.code == code))).first()
    if found is None:
        raise ApiError(404, "entry_not_found", _(NOT_FOUND))
    assignment = found[0]
    entry = await session.get(Entry, assignment.entry_id)
    activity = await session.get(Activity, assignment.activity_id)
    assert entry is not None and activity is not None  # foreign keys
    return assignment, entry, activity


async def next_code(session: AsyncSession, account_id: int, activity_id: int,
                    after: str | None = None) -> str | None:
    """The judge's next unscored entry in the activity, after ``after`` in code order first."""
    open_ones = (_live(account_id).where(Assignment.activity_id == activity_id,
                                         Assignment.status == "assigned")
                 .order_by(Entry.code))
    codes: list[str] = [code for _, code in await session.execute(open_ones)]
    later = [c for c in codes if after is None or c > after]
    return (later or codes)[0] if codes else None


async def entry_view(session: AsyncSession, assignment: Assignment, entry: Entry,
                     activity: Activity) -> dict[str, Any]:
    """All a judge is shown of an entry. Add nothing here that names a person or a place."""
    setup = await session.get(JudgingSetup, activity.id)
    group = await session.get(Group, entry.group_id)
    assert setup is not None and group is not None
    copies = await session.scalars(select(JudgingCopy).where(
        JudgingCopy.entry_id == entry.id).order_by(JudgingCopy.position))
    base = "/api/v1/competitions/judging/copies"
    return {
        "code": entry.code, "group": group.name, "activity": activity.title,
        "activity_id": activity.id,
        "copies": [{"id": c.id, "position": c.position, "kind": c.kind,
                    "content_type": c.content_type, "name": c.name, "size": c.size,
                    "url": f"{base}/{c.id}",
                    "thumbnail_url": f"{base}/{c.id}/thumbnail" if c.thumb_sha256 else None}
                   for c in copies],
        "rubric": [{"key": c["key"], "title_zh": c["title_zh"], "title_en": c["title_en"],
                    "max_score": c["max_score"]} for c in setup.rubric],
        "max_total": sum(int(c["max_score"]) for c in setup.rubric),
        "score": {"scores": assignment.scores, "total": assignment.total,
                  "comment": assignment.comment} if assignment.status == "scored" else None,
        "editable": await may_change(session, assignment, activity) is None,
    }


async def may_change(session: AsyncSession, assignment: Assignment, activity: Activity
                     ) -> str | None:
    """Why the judge may not save a score now, or None."""
    if activity.status not in VISIBLE_STATUSES:
        return _("评审已结束，不能再修改评分")
    if assignment.status == "scored":
        computed = await session.scalar(select(func.count(Result.id)).where(
            Result.activity_id == activity.id))
        if computed:
            return _("成绩已计算，不能再修改评分")
    return None


def _invalid(message: str, field: str) -> ApiError:
    return ApiError(422, "invalid_score", message, detail={"field": field})


def check_scores(rubric: list[dict[str, Any]], raw: Any) -> dict[str, int]:
    """Every criterion present, an integer from 0 to its maximum, and nothing else."""
    if not isinstance(raw, dict):
        raise _invalid(_("评分应为各评分项的得分"), "scores")
    known = {c["key"] for c in rubric}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _invalid(_("未知评分项 %(keys)s", keys="、".join(unknown)), "scores")
    out: dict[str, int] = {}
    for c in rubric:
        key, title, top = c["key"], c["title_zh"], int(c["max_score"])
        value = raw.get(key)
        if value is None or value == "":
            raise _invalid(_("请为“%(title)s”打分", title=title), key)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())  # a form posts text
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(_("“%(title)s”的得分应为整数", title=title), key)
        if not 0 <= value <= top:
            raise _invalid(_("“%(title)s”的得分应在 0–%(top)s 分之间", title=title, top=top),
                           key)
        out[key] = value
    return out


async def save_score(session: AsyncSession, actor: Actor, assignment: Assignment,
                     activity: Activity, raw_scores: Any, comment: Any) -> bool:
    """Record the judge's score; saving the same score again changes nothing. True if changed."""
    refused = await may_change(session, assignment, activity)
    if refused is not None:
        raise ApiError(409, "scoring_closed", refused)
    setup = await session.get(JudgingSetup, activity.id)
    assert setup is not None
    scores = check_scores(setup.rubric, raw_scores)
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise _invalid(_("评语应为文字，最多 %(n)s 字", n=MAX_COMMENT), "comment")
    comment = comment.strip()
    if assignment.status == "scored" and assignment.scores == scores \
            and assignment.comment == comment:
        return False
    revised = assignment.status == "scored"
    assignment.scores, assignment.total = scores, sum(scores.values())
    assignment.comment, assignment.status, assignment.scored_at = comment, "scored", utcnow()
    await audit(session, actor, "competitions.score_saved", "competitions_activity",
                activity.id, entry_id=assignment.entry_id, assignment_id=assignment.id,
                total=assignment.total, revised=revised)
    return True


async def copy_for(session: AsyncSession, actor: Actor, copy_id: int) -> JudgingCopy:
    """A judging copy the judge holds a live assignment for, else a 404."""
    copy = await session.get(JudgingCopy, copy_id)
    if copy is None or actor.account_id is None:
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    held = (await session.execute(_live(actor.account_id).where(
        Assignment.entry_id == copy.entry_id))).first()
    if held is None:
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    return copy
