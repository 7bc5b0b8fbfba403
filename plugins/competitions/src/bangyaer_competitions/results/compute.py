"""Draft results: scores → aggregate → rank within each group → awards, as a new version.

Every computation writes a whole new version of the results in one
transaction, so a published version is never changed under the families
who read it. An entry whose appeal was accepted counts only its re-judging
(the appeal round): the fresh blind panel replaces the one appealed against.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..judging.models import Assignment, JudgingSetup
from ..models import Activity, Entry, Group
from ..scoring.aggregate import Aggregate, JudgeScore, aggregate
from ..scoring.awards import give_awards
from ..scoring.rank import Ranked, rank_group, rank_measured
from . import appeals
from ._common import TARGET, is_measured, latest_version
from .measure import measurements
from .models import Appeal, Result
from .settings import award_rule

log = logging.getLogger("bangyaer.competitions")
REJUDGED = ("accepted", "resolved")


@dataclass
class Computed:
    version: int
    entries: int
    unscored: dict[str, int] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)
    resolved_appeals: list[int] = field(default_factory=list)


def jsonable(value: Any) -> Any:
    """Fractions and decimals as strings: exact, and readable back with Fraction()."""
    if isinstance(value, Fraction | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class Considered(NamedTuple):
    id: int
    group_id: int
    code: str


async def considered(session: AsyncSession, activity: Activity, *, measured: bool
                     ) -> list[Considered]:
    """The entries results are for: not cancelled and, where a panel judges works handed
    in online, with a work; a measured result needs no work, only its measurement."""
    query = select(Entry.id, Entry.group_id, Entry.code).where(
        Entry.activity_id == activity.id, Entry.status != "cancelled")
    if activity.online_submission and not measured:
        query = query.where(Entry.submitted_at.is_not(None))
    return [Considered(*row) for row in await session.execute(query.order_by(Entry.id))]


async def _rejudged(session: AsyncSession, activity_id: int) -> set[int]:
    rows = await session.scalars(select(Appeal.entry_id).where(
        Appeal.activity_id == activity_id, Appeal.status.in_(REJUDGED)))
    return set(rows)


async def _scored(session: AsyncSession, activity_id: int, rejudged: set[int]
                  ) -> dict[int, list[JudgeScore]]:
    """The rows judging.service.scored gives (scored, not withdrawn), read as plain columns
    because an activity holds tens of thousands; a re-judged entry keeps its appeal round."""
    out: dict[int, list[JudgeScore]] = defaultdict(list)
    rows = await session.execute(
        select(Assignment.entry_id, Assignment.judge_account_id, Assignment.total,
               Assignment.scores, Assignment.round)
        .where(Assignment.activity_id == activity_id, Assignment.status == "scored")
        .order_by(Assignment.entry_id, Assignment.id))
    for entry_id, judge, total, criteria, round_ in rows:
        if entry_id not in rejudged or round_ == "appeal":
            out[entry_id].append(JudgeScore(judge, int(total or 0), dict(criteria or {})))
    return out


async def panel_scores(session: AsyncSession, activity: Activity,
                       entries: Sequence[Considered]
                       ) -> tuple[dict[int, list[JudgeScore]], set[int]]:
    """Each complete entry's judge scores, and the ids of entries still waiting for some."""
    scored = await _scored(session, activity.id, await _rejudged(session, activity.id))
    pending = set(await session.scalars(select(Assignment.entry_id).where(
        Assignment.activity_id == activity.id, Assignment.status == "assigned")))
    out: dict[int, list[JudgeScore]] = {}
    waiting: set[int] = set()
    for entry in entries:
        given = scored.get(entry.id)
        if entry.id in pending or not given:
            waiting.add(entry.id)
        else:
            out[entry.id] = given
    return out, waiting


def _refusal(waiting: set[int], entries: Sequence[Considered], groups: Mapping[int, Group]
             ) -> ApiError:
    per_group: dict[int, int] = defaultdict(int)
    for entry in entries:
        if entry.id in waiting:
            per_group[entry.group_id] += 1
    listed = [(groups[g].number, groups[g].name, n) for g, n in per_group.items()]
    listed.sort()
    text = "、".join(f"{name} {n} 个" for _n, name, n in listed)
    return ApiError(
        409, "entries_unscored",
        _("还有 %(n)s 个作品未评完（%(groups)s）。如确需先出结果，请选择“仍然计算”："
          "未评完的作品不参与排名和评奖。", n=len(waiting), groups=text),
        detail={"groups": [{"group": name, "unscored": n} for _n, name, n in listed]})


def _rank(activity_groups: Mapping[int, list[Considered]], setup: JudgingSetup,
          scores: Mapping[int, Sequence[JudgeScore]], aggs: Mapping[int, Aggregate],
          values: Mapping[int, Decimal] | None) -> dict[int, Ranked]:
    out: dict[int, Ranked] = {}
    for members in activity_groups.values():
        if values is not None:
            group_values = {e.id: values[e.id] for e in members if e.id in values}
            ranked = rank_measured(group_values, lower_is_better=setup.lower_is_better)
        else:
            ranked = rank_group([aggs[e.id] for e in members if e.id in aggs], scores,
                                tie_break=list(setup.tie_break))
        out.update({r.entry_id: r for r in ranked})
    return out


def _rows(activity: Activity, version: int, entries: Sequence[Considered],
          ranked: Mapping[int, Ranked], awards: Mapping[int, str | None],
          aggs: Mapping[int, Aggregate], values: Mapping[int, Decimal] | None
          ) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        r = ranked.get(entry.id)
        agg = aggs.get(entry.id)
        details: dict[str, Any] = dict(jsonable(agg.details)) if agg else {}
        if values is not None and entry.id in values:
            details["value"] = str(values[entry.id])
        if r is None:
            details["unscored"] = True
        else:
            details["keys"] = jsonable(r.keys)
            if isinstance(r.score, Fraction):
                details["exact"] = str(r.score)
        rows.append({
            "activity_id": activity.id, "version": version, "entry_id": entry.id,
            "group_id": entry.group_id,
            "score": float(r.score) if r is not None and r.score is not None else None,
            "rank": r.rank if r else None, "award": awards.get(entry.id) if r else None,
            "flagged": bool(agg.flagged) if agg else False, "details": details,
        })
    return rows


async def compute(session: AsyncSession, platform: Any, actor: Actor, activity: Activity,
                  setup: JudgingSetup, *, force: bool = False) -> Computed:
    """Write a new version of the activity's results; refused while entries lack scores."""
    if activity.status not in ("judging", "results"):
        raise ApiError(409, "not_judging", _("只有评审中或已出结果的活动才能计算结果"))
    try:
        rule = award_rule(setup)
    except ValueError as exc:
        raise ApiError(409, "invalid_award_rule", str(exc)) from None
    if rule is None:
        raise ApiError(409, "award_rule_missing", _("请先设置评奖规则"))
    groups = {g.id: g for g in await session.scalars(
        select(Group).where(Group.activity_id == activity.id))}
    measured = is_measured(platform, activity)
    entries = await considered(session, activity, measured=measured)
    values: dict[int, Decimal] | None = None
    scores: dict[int, list[JudgeScore]] = {}
    if measured:
        values = await measurements(session, [e.id for e in entries])
        waiting = {e.id for e in entries if e.id not in values}
    else:
        scores, waiting = await panel_scores(session, activity, entries)
    if waiting and not force:
        raise _refusal(waiting, entries, groups)

    aggs = {} if measured else aggregate(
        scores, method=setup.aggregation, trim_min_scores=setup.trim_min_scores,
        disagreement_threshold=setup.disagreement_threshold)
    by_group: dict[int, list[Considered]] = defaultdict(list)
    for entry in entries:
        by_group[entry.group_id].append(entry)
    ranked = _rank(by_group, setup, scores, aggs, values)
    awards: dict[int, str | None] = {}
    for members in by_group.values():
        ranked_group = sorted((ranked[e.id] for e in members if e.id in ranked),
                              key=lambda r: r.rank)
        awards.update(give_awards(ranked_group, rule))

    version = (await latest_version(session, activity.id) or 0) + 1
    rows = _rows(activity, version, entries, ranked, awards, aggs, values)
    if rows:
        # render_nulls: otherwise the ORM splits the batch wherever an award or rank is
        # None, which made one executemany into thousands of statements.
        await session.execute(insert(Result).execution_options(render_nulls=True), rows)
    done = Computed(version, len(rows))
    done.unscored = {g["group"]: g["unscored"]
                     for g in _refusal(waiting, entries, groups).detail["groups"]}
    codes = {e.id: e.code for e in entries}
    done.flagged = [codes[row["entry_id"]] for row in rows if row["flagged"]]
    done.resolved_appeals = await appeals.resolve_rejudged(session, platform, actor, activity,
                                                           version, waiting)
    await audit(session, actor, "competitions.results_computed", TARGET, activity.id,
                version=version, forced=bool(force and waiting), unscored=len(waiting),
                flagged=len(done.flagged))
    log.info("activity %s: results version %s computed (%d entries, %d unscored)",
             activity.id, version, len(rows), len(waiting))
    return done

