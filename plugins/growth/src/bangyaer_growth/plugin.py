"""The growth plugin's hooks; the work is done in the modules they name."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from bangyaer import NavItem, Permission, PluginInfo, Routes, Scope, Widget, hookimpl
from bangyaer.events import Event
from bangyaer.identity import Actor
from sqlalchemy.ext.asyncio import AsyncSession

from . import models as growth_models
from ._access import VIEW, is_staff_reader


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="growth", title_zh="成长记录", title_en="Growth record", requires_core=">=0.1,<0.2",
        icon="sprout", description_zh="活动、获奖、培训与证书，一目了然",
        description_en="Activities, awards, classes and certificates in one place",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [growth_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def routes() -> Routes:
    from . import api, pages

    return Routes(pages=pages.routes, api=api.routes)


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission(VIEW, "查看学生成长记录", "View students' growth records",
                       ("district_admin", "district_staff", "school_admin"))]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    if not (actor.children or is_staff_reader(actor)):
        return []
    return [
        NavItem("growth", "成长记录", "Growth record", "/growth/", icon="sprout", order=50,
                description_zh="活动、获奖与证书",
                description_en="Activities, awards and certificates"),
        NavItem("growth", "成长记录与证书", "Growth record and certificates", "/growth/",
                icon="sprout", order=50, placement="me"),
    ]


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import by_category, by_school

    widgets = [Widget("growth.by_category", "各类别参与情况", "Participation by category",
                      "table", by_category, order=60)]
    if scope.kind == "district":
        widgets.insert(0, Widget("growth.by_school", "各校参与情况", "Participation by school",
                                 "table", by_school, order=55))
    return widgets


@hookimpl
def on_event(event: Event, session: AsyncSession) -> object:
    from ._record import record_event

    return record_event(session, event)
