"""The activity lifecycle: draft → open → submissions_closed → judging → results → finished."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import N_, ApiError
from bangyaer.web import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from .judging import freeze
from .models import Activity, Transition
from .types import types_of

STATUSES = ("draft", "open", "submissions_closed", "judging", "results", "finished")
STATUS_TITLES = {
    "draft": "草稿", "open": "报名中", "submissions_closed": "已截止提交",
    "judging": "评审中", "results": "已出结果", "finished": "已结束",
}
# Only forward moves, one step at a time: each later stage relies on the
# earlier one having happened (works are frozen before judges see them).
MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("open",),
    "open": ("submissions_closed",),
    "submissions_closed": ("judging",),
    "judging": ("results",),
    "results": ("finished",),
    "finished": (),
}


@dataclass(frozen=True)
class Step:
    """The desk action that alone makes a move, because the move is only part of it."""

    action: str   # "draw" | "publish" | "finalise": what the caller passes to ``move``
    desk: str     # the staff desk page it is on, under /competitions/manage/{id}/
    title: str
    refusal: str


# Judging starts with the draw (every entry has its judges), results with the 公示
# (families see the awards and may appeal), the end with finalising (families are
# told, certificates issued): a bare status change would skip what makes each fair.
STEPS: dict[tuple[str, str], Step] = {
    ("submissions_closed", "judging"): Step(
        "draw", "judging", N_("分配评委"),
        N_("请在评审管理页分配评委，分配完成后活动自动进入“评审中”")),
    ("judging", "results"): Step(
        "publish", "results", N_("发布公示"),
        N_("请在评审结果页发布公示，发布后活动自动进入“已出结果”")),
    ("results", "finished"): Step(
        "finalise", "results", N_("确定最终结果"),
        N_("请在评审结果页确定最终结果，确定后活动自动结束")),
}


def allowed_moves(status: str) -> tuple[str, ...]:
    return MOVES.get(status, ())


def judged_by_panel(platform: Any, activity: Activity) -> bool:
    """Whether judges score the activity (measured results have no judges to draw)."""
    kind = types_of(platform).get(activity.type_id)
    return getattr(kind, "judging", "panel") != "measured"


def step_for(status: str, to: str, *, panel: bool = True) -> Step | None:
    """The desk step that owns the move from ``status`` to ``to``, if one does."""
    if not panel and (status, to) == ("submissions_closed", "judging"):
        return None  # staff enter measurements in judging; nothing to draw first
    return STEPS.get((status, to))


def plain_moves(status: str, *, panel: bool = True) -> list[str]:
    """The moves staff may make with the plain transition."""
    return [to for to in allowed_moves(status) if step_for(status, to, panel=panel) is None]


def desk_moves(activity: Activity, *, panel: bool = True) -> list[dict[str, str]]:
    """The moves only a desk step makes, with where that step is."""
    out = []
    for to in allowed_moves(activity.status):
        step = step_for(activity.status, to, panel=panel)
        if step is not None:
            out.append({"to": to, "action": step.action, "title": step.title,
                        "url": f"/competitions/manage/{activity.id}/{step.desk}"})
    return out


async def move(session: AsyncSession, activity: Activity, to: str, actor: Actor, *,
               step: str | None = None, panel: bool = True) -> Transition:
    """Move ``activity`` to ``to`` and record who did it; a refused move is a 409.

    A move that belongs to a desk step (``STEPS``) is made only when that step
    passes its name as ``step``; ``panel`` is false for measured-result activities.
    """
    if to not in STATUSES:
        raise ApiError(422, "unknown_status", f"未知状态 {to}，可选：{'、'.join(STATUSES)}")
    if to not in allowed_moves(activity.status):
        allowed = "、".join(STATUS_TITLES[s] for s in allowed_moves(activity.status)) or "无"
        raise ApiError(
            409, "transition_refused",
            f"活动处于“{STATUS_TITLES[activity.status]}”，不能改为“{STATUS_TITLES[to]}”"
            f"（可改为：{allowed}）",
        )
    owner = step_for(activity.status, to, panel=panel)
    if owner is not None and owner.action != step:
        raise ApiError(409, "transition_needs_step", _(owner.refusal),
                       detail={"action": owner.action,
                               "url": f"/competitions/manage/{activity.id}/{owner.desk}"})
    record = Transition(activity_id=activity.id, from_status=activity.status, to_status=to,
                        account_id=actor.account_id, at=utcnow())
    activity.status = to
    session.add(record)
    await audit(session, actor, "competitions.activity_status", "competitions_activity",
                activity.id, from_status=record.from_status, to_status=to)
    if to == "submissions_closed":
        # Works are frozen now; judges get anonymised copies made from them.
        await freeze.start(session, activity)
    return record
