"""The training plugin's hook implementations; the work lives in the modules beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from bangyaer import (
    NavItem,
    Permission,
    PluginInfo,
    Routes,
    Scope,
    SettingSpec,
    Widget,
    hookimpl,
)
from bangyaer.events import Event
from bangyaer.identity import Actor, Organisation, authorize
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Route

from . import _api_family as family
from . import _api_refund as refunds
from . import _api_staff as staff
from . import _desk, _export, _pages, _stats
from . import models as model_module
from ._cli import training
from ._demo import add_demo_seat, add_demo_term
from ._enroll import limits_from
from ._jobs import HANDLERS
from ._ledger_events import on_ledger_event


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="training", title_zh="培训班", title_en="Training classes", icon="book",
        requires_core=">=0.1,<0.2",
        description_zh="少年宫培训班报名、摇号与候补",
        description_en="Youth-palace classes: enrollment, lottery, waiting lists",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [model_module]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission(staff.MANAGE, "管理培训班、摇号与缴费确认",
                       "Manage training classes, draws and payments",
                       ("district_admin", "district_staff"))]


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [
        SettingSpec("payment_hours", "int", 48, "hours an admitted family has to pay"),
        SettingSpec("max_applications", "int", 3, "lottery classes a child may apply to a term"),
        SettingSpec("admission_limit", "int", 2, "lottery seats one child may win a term"),
        SettingSpec("sibling_priority", "bool", True,
                    "siblings of children admitted as continuing students go next"),
    ]


@hookimpl
def routes() -> Routes:
    return Routes(
        pages=[
            Route("/", _pages.catalogue, name="catalogue"),
            Route("/classes/{id:int}", _pages.class_page, methods=["GET", "POST"],
                  name="class"),
            Route("/mine", _pages.mine, name="mine"),
            Route("/manage", _desk.manage_page, name="manage"),
            Route("/classes/{id:int}/roster", _desk.roster_page, name="roster"),
            Route("/enrollments/{id:int}/refund", _desk.refund_form, methods=["POST"],
                  name="refund"),
        ],
        api=[
            Route("/classes", family.list_classes, name="classes"),
            Route("/classes/{id:int}", family.get_class, name="class"),
            Route("/classes/{id:int}/enrollments", family.enroll, methods=["POST"],
                  name="enroll"),
            Route("/classes/{id:int}/complete", staff.complete_class, methods=["POST"],
                  name="complete_class"),
            Route("/enrollments/mine", family.mine, name="mine"),
            Route("/enrollments/{id:int}", family.withdraw_enrollment, methods=["DELETE"],
                  name="withdraw"),
            Route("/enrollments/{id:int}/payment", staff.mark_paid, methods=["POST"],
                  name="mark_paid"),
            Route("/enrollments/{id:int}/refund", refunds.refund_enrollment,
                  methods=["POST"], name="refund"),
            Route("/classes/{id:int}/roster", refunds.class_roster, name="roster"),
            Route("/terms", staff.list_terms, name="terms"),
            Route("/terms/new", staff.create_term, methods=["POST"], name="create_term"),
            Route("/terms/{id:int}/catalogue", staff.import_classes, methods=["POST"],
                  name="import_catalogue"),
            Route("/terms/{id:int}/freeze", staff.freeze_term, methods=["POST"], name="freeze"),
            Route("/terms/{id:int}/draw", staff.published_draw, name="published_draw"),
            Route("/terms/{id:int}/draw", staff.start_draw, methods=["POST"], name="draw"),
            Route("/stats.xlsx", _export.export_stats, name="stats_xlsx"),
        ],
    )


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    items = [NavItem("training", "培训班", "Training classes", "/training/", icon="book",
                     order=30, description_zh="少年宫培训班报名与摇号",
                     description_en="Enroll in youth-palace classes")]
    if actor.acting_child is not None:
        items.append(NavItem("training", "我的培训班", "My training classes", "/training/mine",
                             icon="book", order=30, placement="me"))
    if actor.is_authenticated and authorize(actor, staff.MANAGE):
        items.append(NavItem("training", "培训班管理", "Manage training classes",
                             "/training/manage", icon="book", order=31, placement="me"))
        items.append(NavItem("training", "培训班统计", "Training statistics",
                             "/api/v1/training/stats.xlsx", icon="chart", order=31,
                             placement="me"))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    return _stats.widgets(scope)


@hookimpl
async def demo_data(session: AsyncSession, district: Organisation, platform: Any) -> None:
    term = await add_demo_term(session)
    if term is not None:
        await add_demo_seat(session, term, limits_from(platform.config("training")))


@hookimpl
def job_handlers() -> dict[str, Any]:
    return dict(HANDLERS)


@hookimpl
def commands(cli: click.Group) -> None:
    cli.add_command(training)


@hookimpl
def on_event(event: Event, session: AsyncSession) -> Awaitable[None] | None:
    # Only the ledger's events about our own orders concern training.
    if not event.type.startswith("payments."):
        return None
    return on_ledger_event(session, event)
