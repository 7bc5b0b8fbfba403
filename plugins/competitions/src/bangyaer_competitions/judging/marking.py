"""A judge's side: their queue, one entry as they may see it, and saving a score.

A judge reaches an entry only through a live assignment of their own in an
activity being judged; anything else is the same 404 as a missing entry, so
codes and ids reveal nothing. What they see is built here and nowhere else:
the entry code, the group, the anonymised copies and the rubric. An
assignment made once a 公示 exists is named by its alias instead of the
entry code everywhere a judge looks (see ``aliases``), and the entry code
no longer reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Entry, Group
from ..results.models import Result
from . import aliases
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


@dataclass(frozen=True)
class Held:
    """A judge's live assignment and the name the judge knows it by."""

    assignment: Assignment
    code: str        # the entry code: shown only when not aliased
    aliased: bool

    @property
    def handle(self) -> str:
        """What the judge sees and puts in URLs: the entry code or the alias."""
        return aliases.alias(self.assignment.id) if self.aliased else self.code

    def order(self) -> tuple[int, bool, str, int]:
        # Aliased entries come after the others, by assignment id: placed among the
        # codes, they would show which codes they lie between.
        if self.aliased:
            return (self.assignment.activity_id, True, "", self.assignment.id)
        return (self.assignment.activity_id, False, self.code, 0)


async def _held(session: AsyncSession, query: Any) -> list[Held]:
    rows = list(await session.execute(query))
    published = await aliases.first_publications(session, {a.activity_id for a, _ in rows})
    found = [Held(a, code, aliases.is_aliased(a, published.get(a.activity_id)))
             for a, code in rows]
    return sorted(found, key=Held.order)


async def queue(session: AsyncSession, account_id: int) -> list[dict[str, Any]]:
    """Per activity: how many entries the judge has, how many are scored, the next one."""
    rows = await _held(session, _live(account_id))
    activities = {a.id: a for a in await session.scalars(
        select(Activity).where(Activity.id.in_({h.assignment.activity_id for h in rows})))}
    groups = {g.id: g.name for g in await session.scalars(
        select(Group).where(Group.activity_id.in_(activities)))}
    out: dict[int, dict[str, Any]] = {}
    for held in rows:
        assignment = held.assignment
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
            item["next"] = held.handle
        item["entries"].append({"code": held.handle, "group": name, "scored": done,
                                "total": assignment.total, "review": held.aliased})
    return list(out.values())


async def assignment_of(session: AsyncSession, actor: Actor, handle: str
                        ) -> tuple[Held, Entry, Activity]:
    """The judge's own live assignment named by ``handle``, else a 404.

    An entry code never reaches an aliased assignment, nor an alias a plain one:
    trying the codes of the 公示 must tell an appeal judge nothing.
    """
    if actor.account_id is None:
        raise ApiError(404, "entry_not_found", _(NOT_FOUND))
    assignment_id = aliases.parse(handle)
    query = _live(actor.account_id)
    query = query.where(Entry.code == handle) if assignment_id is None \
        else query.where(Assignment.id == assignment_id)
    found = await _held(session, query)
    if not found or found[0].aliased != (assignment_id is not None):
        raise ApiError(404, "entry_not_found", _(NOT_FOUND))
    held = found[0]
    entry = await session.get(Entry, held.assignment.entry_id)
    activity = await session.get(Activity, held.assignment.activity_id)
    assert entry is not None and activity is not None  # foreign keys
    return held, entry, activity


async def next_code(session: AsyncSession, account_id: int, activity_id: int,
                    after: str | None = None) -> str | None:
    """The handle of the judge's next unscored entry in the activity, after ``after``
    in the queue's order first."""
    rows = await _held(session, _live(account_id).where(Assignment.activity_id == activity_id))
    handles = [h.handle for h in rows]
    start = handles.index(after) + 1 if after in handles else 0
    open_ones = [h.handle for h in rows if h.assignment.status == "assigned"]
    later = [h.handle for h in rows[start:] if h.assignment.status == "assigned"]
    return (later or open_ones)[0] if open_ones else None


async def entry_view(session: AsyncSession, held: Held, entry: Entry, activity: Activity
                     ) -> dict[str, Any]:
    """All a judge is shown of an entry. Add nothing here that names a person or a place."""
    assignment = held.assignment
    setup = await session.get(JudgingSetup, activity.id)
    group = await session.get(Group, entry.group_id)
    assert setup is not None and group is not None
    copies = await session.scalars(select(JudgingCopy).where(
        JudgingCopy.entry_id == entry.id).order_by(JudgingCopy.position))
    return {
        "code": held.handle, "review": held.aliased, "group": group.name,
        "activity": activity.title, "activity_id": activity.id,
        "copies": [_copy_json(held, c) for c in copies],
        "rubric": [{"key": c["key"], "title_zh": c["title_zh"], "title_en": c["title_en"],
                    "max_score": c["max_score"]} for c in setup.rubric],
        "max_total": sum(int(c["max_score"]) for c in setup.rubric),
        "score": {"scores": assignment.scores, "total": assignment.total,
                  "comment": assignment.comment} if assignment.status == "scored" else None,
        "editable": await may_change(session, assignment, activity) is None,
    }


def _copy_json(held: Held, copy: JudgingCopy) -> dict[str, Any]:
    thumb = copy.thumb_sha256 is not None
    if held.aliased:
        # By alias and position: a copy id would place the entry among the judge's others.
        url = f"/api/v1/competitions/judging/entries/{quote(held.handle)}/copies/{copy.position}"
        return {"position": copy.position, "kind": copy.kind,
                "content_type": copy.content_type, "size": copy.size,
                "name": aliases.file_name(held.assignment.id, copy.position, copy.name),
                "url": url, "thumbnail_url": f"{url}/thumbnail" if thumb else None}
    url = f"/api/v1/competitions/judging/copies/{copy.id}"
    return {"id": copy.id, "position": copy.position, "kind": copy.kind,
            "content_type": copy.content_type, "name": copy.name, "size": copy.size,
            "url": url, "thumbnail_url": f"{url}/thumbnail" if thumb else None}


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


async def copy_for(session: AsyncSession, actor: Actor, copy_id: int
                   ) -> tuple[JudgingCopy, str]:
    """A judging copy by id, with its name, for a judge holding the entry unaliased, else a 404."""
    copy = await session.get(JudgingCopy, copy_id)
    if copy is None or actor.account_id is None:
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    held = await _held(session, _live(actor.account_id).where(
        Assignment.entry_id == copy.entry_id))
    if not held or held[0].aliased:
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    return copy, copy.name


async def copy_at(session: AsyncSession, actor: Actor, handle: str, position: int
                  ) -> tuple[JudgingCopy, str]:
    """The copy at ``position`` of the entry the judge knows as ``handle``, with the name
    they know it by, else a 404."""
    try:
        held, entry, _activity = await assignment_of(session, actor, handle)
    except ApiError:
        raise ApiError(404, "file_not_found", _("找不到该文件")) from None
    copy = await session.scalar(select(JudgingCopy).where(
        JudgingCopy.entry_id == entry.id, JudgingCopy.position == position))
    if copy is None:
        raise ApiError(404, "file_not_found", _("找不到该文件"))
    name = aliases.file_name(held.assignment.id, position, copy.name) if held.aliased \
        else copy.name
    return copy, name
