"""The activity lifecycle: draft → open → submissions_closed → judging → results → finished."""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from sqlalchemy.ext.asyncio import AsyncSession

from .judging import freeze
from .models import Activity, Transition

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


def allowed_moves(status: str) -> tuple[str, ...]:
    return MOVES.get(status, ())


async def move(session: AsyncSession, activity: Activity, to: str, actor: Actor) -> Transition:
    """Move ``activity`` to ``to`` and record who did it; a refused move is a 409."""
    if to not in STATUSES:
        raise ApiError(422, "unknown_status", f"未知状态 {to}，可选：{'、'.join(STATUSES)}")
    if to not in allowed_moves(activity.status):
        allowed = "、".join(STATUS_TITLES[s] for s in allowed_moves(activity.status)) or "无"
        raise ApiError(
            409, "transition_refused",
            f"活动处于“{STATUS_TITLES[activity.status]}”，不能改为“{STATUS_TITLES[to]}”"
            f"（可改为：{allowed}）",
        )
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
