"""The core's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import events, hookimpl, notifications
from ._host import core_version
from .certificates import ISSUE_JOB, run_batch
from .certificates import models as certificate_models
from .contrib import NavItem, Permission, PluginInfo, Scope, Widget, WidgetData
from .identity import Account, Actor, Organisation, OrgKind, Person, PersonKind
from .identity import models as identity_models
from .jobs import JobContext
from .jobs import _models as job_models
from .payments import MANAGE as PAYMENTS_MANAGE
from .payments import models as payment_models
from .payments._handlers import JOB_HANDLERS as PAYMENT_JOBS
from .storage import _blobs

STAGE_TITLES = {"kindergarten": "幼儿园", "primary": "小学", "middle": "初中"}


@hookimpl
def plugin_info() -> PluginInfo:
    version = core_version()
    return PluginInfo(
        id="core", title_zh="平台核心", title_en="Core", category="core", icon="home",
        requires_core=f"=={version}",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [identity_models, events, job_models, notifications, _blobs, certificate_models,
            payment_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def permissions() -> Iterable[Permission]:
    district = ("district_admin", "district_staff")
    return [
        Permission("core.cockpit.district", "查看区级驾驶舱", "View the district cockpit",
                   district),
        Permission("core.cockpit.school", "查看学校驾驶舱", "View a school's cockpit",
                   (*district, "school_admin")),
        Permission("core.people.view", "查看学生与家长信息", "View students and guardians",
                   (*district, "school_admin", "teacher")),
        Permission("core.roles.manage", "管理角色与授权", "Manage roles", ("district_admin",)),
        Permission("core.audit.view", "查看审计日志", "Read the audit log", ("district_admin",)),
        Permission("core.certificates.revoke", "撤销电子奖状", "Revoke e-certificates", district),
        Permission(PAYMENTS_MANAGE, "管理缴费、退费与对账", "Manage payments, refunds and "
                   "reconciliation", district),
    ]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    from .identity import authorize

    items = []
    if authorize(actor, "core.cockpit.school"):
        items.append(NavItem("core", "数据驾驶舱", "Cockpit", "/dashboard", icon="chart",
                             order=900))
    if authorize(actor, PAYMENTS_MANAGE):
        items.append(NavItem("core", "订单、退费与对账", "Orders, refunds and reconciliation",
                             "/payments/manage", icon="wallet", order=901, placement="me"))
    return items


async def _students_by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    school = Organisation
    rows = await session.execute(
        select(school.name, Person.stage, func.count(Person.id))
        .join(school, school.id == Person.school_id)
        .where(Person.kind == PersonKind.student, Person.active.is_(True),
               Person.org_path.startswith(scope.org_path))
        .group_by(school.name, Person.stage)
        .order_by(func.count(Person.id).desc(), school.name)
    )
    return WidgetData(
        columns=("学校", "学段", "学生数"),
        rows=[(name, STAGE_TITLES.get(stage or "", stage or "—"), n) for name, stage, n in rows],
    )


async def _active_accounts(session: AsyncSession, scope: Scope) -> WidgetData:
    count = await session.scalar(
        select(func.count(Account.id))
        .join(Person, Person.id == Account.person_id)
        .where(Account.active.is_(True), Account.last_login_at.is_not(None),
               Person.org_path.startswith(scope.org_path))
    )
    total = await session.scalar(
        select(func.count(Account.id))
        .join(Person, Person.id == Account.person_id)
        .where(Account.active.is_(True), Person.org_path.startswith(scope.org_path))
    )
    return WidgetData(value=int(count or 0), note=f"/ {int(total or 0)}")


async def _schools(session: AsyncSession, scope: Scope) -> WidgetData:
    count = await session.scalar(
        select(func.count(Organisation.id))
        .where(Organisation.kind == OrgKind.school, Organisation.active.is_(True),
               Organisation.path.startswith(scope.org_path))
    )
    return WidgetData(value=int(count or 0))


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    widgets = [
        Widget("core.active_accounts", "已登录过的账号", "Accounts that have signed in",
               "number", _active_accounts, order=10),
        Widget("core.students_by_school", "各校学生数（按学段）", "Students by school and stage",
               "table", _students_by_school, order=20),
    ]
    if scope.kind == "district":
        widgets.insert(0, Widget("core.schools", "学校数", "Schools", "number", _schools, order=5))
    return widgets


async def _dispatch_event(ctx: JobContext, payload: dict[str, Any]) -> None:
    await events.dispatch(ctx, payload)


async def _deliver_event(ctx: JobContext, payload: dict[str, Any]) -> None:
    await events.deliver(ctx, payload)


async def _send_notification(ctx: JobContext, payload: dict[str, Any]) -> None:
    await notifications.send(ctx, payload)


@hookimpl
def job_handlers() -> dict[str, Any]:
    return {
        events.DISPATCH_JOB: _dispatch_event,
        events.DELIVER_JOB: _deliver_event,
        notifications.SEND_JOB: _send_notification,
        ISSUE_JOB: run_batch,
        **PAYMENT_JOBS,
    }
