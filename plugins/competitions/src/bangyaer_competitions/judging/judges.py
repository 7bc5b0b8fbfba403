"""Judges of an activity: invited per group, made on the spot if new, listed with progress."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from bangyaer.identity import (
    Account,
    Actor,
    Organisation,
    Person,
    PersonKind,
    RoleGrant,
    audit,
    check_password_strength,
    create_account,
)
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Group
from .models import Assignment, JudgeInvite

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
TARGET = "competitions_activity"


async def group_by_number(session: AsyncSession, activity: Activity, number: Any) -> Group:
    group = None
    if isinstance(number, int) and not isinstance(number, bool):
        group = (await session.scalars(select(Group).where(
            Group.activity_id == activity.id, Group.number == number))).first()
    if group is None:
        raise ApiError(422, "unknown_group", _("该活动没有这个组别"), detail={"field": "group"})
    return group


async def _account_by_username(session: AsyncSession, username: str) -> Account:
    account = (await session.scalars(select(Account).where(
        Account.username == username))).first()
    if account is None or not account.active:
        raise ApiError(404, "account_not_found",
                       _("找不到用户名为 %(username)s 的账号", username=username),
                       detail={"field": "username"})
    return account


async def _new_judge(session: AsyncSession, activity: Activity, data: dict[str, Any]
                     ) -> Account:
    name = str(data.get("name") or "").strip()
    username = str(data.get("username") or "").strip()
    password = data.get("password")
    if not name or len(name) > 100:
        raise ApiError(422, "invalid_field", _("请填写评委姓名（最多 100 字）"),
                       detail={"field": "name"})
    if not USERNAME.match(username):
        raise ApiError(422, "invalid_field", _("用户名应为 3–64 位字母、数字、下划线、点或横线"),
                       detail={"field": "username"})
    if not isinstance(password, str):
        raise ApiError(422, "invalid_field", _("请设置初始密码"), detail={"field": "password"})
    problem = check_password_strength(password)
    if problem:
        raise ApiError(422, "weak_password", problem, detail={"field": "password"})
    taken = await session.scalar(select(func.count(Account.id)).where(
        Account.username == username))
    if taken:
        raise ApiError(409, "username_taken", _("用户名 %(username)s 已被使用", username=username),
                       detail={"field": "username"})
    # Not placed in any school: a judge from outside has no conflicts until they are.
    person = Person(kind=PersonKind.staff, name=name)
    session.add(person)
    await session.flush()
    org = await session.get(Organisation, activity.org_id)
    assert org is not None  # foreign key
    return await create_account(session, person, username=username, password=password,
                                roles=[("judge", org)])


async def _ensure_judge_role(session: AsyncSession, account: Account, activity: Activity
                             ) -> None:
    has = await session.scalar(select(func.count(RoleGrant.id)).where(
        RoleGrant.account_id == account.id, RoleGrant.role == "judge"))
    if not has:
        session.add(RoleGrant(account_id=account.id, role="judge", org_id=activity.org_id))


async def invite(session: AsyncSession, actor: Actor, activity: Activity, data: dict[str, Any]
                 ) -> tuple[JudgeInvite, bool]:
    """Invite an account (by username) or a new judge to a group. (invite, created)."""
    group = await group_by_number(session, activity, data.get("group"))
    if data.get("password") is not None or data.get("name") is not None:
        account = await _new_judge(session, activity, data)
        made = True
    else:
        username = str(data.get("username") or "").strip()
        if not username:
            raise ApiError(422, "missing_field", _("请填写评委的用户名"),
                           detail={"field": "username"})
        account = await _account_by_username(session, username)
        await _ensure_judge_role(session, account, activity)
        made = False
    found = (await session.scalars(select(JudgeInvite).where(
        JudgeInvite.activity_id == activity.id, JudgeInvite.group_id == group.id,
        JudgeInvite.account_id == account.id))).first()
    if found is not None:
        if found.status == "dropped":
            raise ApiError(409, "judge_dropped", _("该评委已退出本组评审，不能再次邀请"))
        return found, False
    row = JudgeInvite(activity_id=activity.id, group_id=group.id, account_id=account.id,
                      status="active", invited_by=actor.account_id)
    session.add(row)
    await session.flush()
    await audit(session, actor, "competitions.judge_invited", TARGET, activity.id,
                judge=account.id, group_id=group.id, new_account=made)
    return row, True


async def judges_json(session: AsyncSession, activity: Activity) -> list[dict[str, Any]]:
    """Every invited judge with their group and progress (scored / assigned)."""
    rows = list(await session.execute(
        select(JudgeInvite, Account.username, Person.name, Group.name, Group.number)
        .join(Account, Account.id == JudgeInvite.account_id)
        .join(Person, Person.id == Account.person_id)
        .join(Group, Group.id == JudgeInvite.group_id)
        .where(JudgeInvite.activity_id == activity.id)
        .order_by(Group.number, JudgeInvite.id)))
    counts = await _counts(session, activity.id, Assignment.group_id,
                           Assignment.judge_account_id)
    return [{"id": inv.id, "account_id": inv.account_id, "username": username, "name": name,
             "group": number, "group_name": group_name, "status": inv.status,
             **counts.get((inv.group_id, inv.account_id), {"assigned": 0, "scored": 0})}
            for inv, username, name, group_name, number in rows]


async def _counts(session: AsyncSession, activity_id: int, *keys: Any
                  ) -> dict[tuple[Any, ...], dict[str, int]]:
    rows = await session.execute(
        select(*keys, func.count(Assignment.id),
               func.sum(case((Assignment.status == "scored", 1), else_=0)))
        .where(Assignment.activity_id == activity_id, Assignment.status != "withdrawn")
        .group_by(*keys))
    return {tuple(r[:-2]): {"assigned": int(r[-2]), "scored": int(r[-1] or 0)} for r in rows}


async def progress(session: AsyncSession, activity: Activity) -> dict[str, Any]:
    """Scored over assigned, per judge and per panel of each group."""
    names = {g.id: (g.number, g.name) for g in await session.scalars(
        select(Group).where(Group.activity_id == activity.id))}
    panels = await _counts(session, activity.id, Assignment.group_id, Assignment.panel)
    by_group: dict[int, dict[str, int]] = defaultdict(lambda: {"assigned": 0, "scored": 0})
    for (group_id, _panel), c in panels.items():
        by_group[group_id]["assigned"] += c["assigned"]
        by_group[group_id]["scored"] += c["scored"]
    return {
        "judges": await judges_json(session, activity),
        "panels": [{"group": names[g][0], "group_name": names[g][1], "panel": p, **c}
                   for (g, p), c in sorted(panels.items(),
                                           key=lambda i: (names[i[0][0]], i[0][1]))],
        "groups": [{"group": names[g][0], "group_name": names[g][1], **c}
                   for g, c in sorted(by_group.items(), key=lambda i: names[i[0]])],
        "assigned": sum(c["assigned"] for c in by_group.values()),
        "scored": sum(c["scored"] for c in by_group.values()),
    }
