"""Who may run a club: district staff run every club, a leader runs their own."""

from __future__ import annotations

from bangyaer.identity import Actor, authorize
from bangyaer.web import ApiError

from .models import Club

MANAGE = "clubs.manage"
LEAD = "clubs.lead"


def can_manage(actor: Actor) -> bool:
    return authorize(actor, MANAGE)


def can_run(actor: Actor, club: Club) -> bool:
    """District staff, or the club's own leader (who must still hold clubs.lead)."""
    if can_manage(actor):
        return True
    return (club.leader_account_id is not None and club.leader_account_id == actor.account_id
            and authorize(actor, LEAD))


def is_runner(actor: Actor) -> bool:
    """Whether the actor may run any club at all (to show the 管理 link)."""
    return can_manage(actor) or (actor.is_authenticated and authorize(actor, LEAD))


def check_run(actor: Actor, club: Club) -> None:
    if not can_run(actor, club):
        raise ApiError(403, "forbidden", "只有本社团的负责老师或区少年宫工作人员可以操作")
