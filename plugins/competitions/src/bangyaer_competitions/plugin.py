"""The competitions plugin's hook implementations; the work lives in the modules beside it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from bangyaer import hookimpl
from bangyaer.contrib import (
    NavItem,
    Permission,
    PluginInfo,
    Routes,
    Scope,
    SettingSpec,
    Widget,
)
from bangyaer.identity import Actor, Organisation, authorize
from bangyaer.platform import Platform
from sqlalchemy.ext.asyncio import AsyncSession

from . import models as _models
from . import routes as _routes
from . import widgets as _widgets
from .access import MANAGE
from .demo import add_demo_competitions
from .judging import hooks as _judging
from .judging import models as _judging_models
from .results import hooks as _results
from .results import models as _results_models
from .types import builtin_types

PLUGIN_ID = "competitions"
CATEGORIES = ["科技", "艺术", "体育", "文学", "综合"]


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id=PLUGIN_ID, title_zh="竞赛活动", title_en="Competitions", requires_core=">=0.1,<0.2",
        icon="trophy", description_zh="竞赛报名、作品提交",
        description_en="Enter competitions and submit works",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [_models, _judging_models, _results_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def routes() -> Routes:
    return _routes.build()


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission(MANAGE, "举办与管理竞赛活动", "Run competitions",
                       ("district_admin", "district_staff", "school_admin")),
            *_judging.permissions(), *_results.permissions()]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    if not actor.is_authenticated:
        return []
    items = [NavItem(PLUGIN_ID, "竞赛活动", "Competitions", "/competitions/", icon="trophy",
                     order=20, description_zh="报名参赛、提交作品")]
    if actor.children:
        items.append(NavItem(PLUGIN_ID, "我的报名", "My entries", "/competitions/mine",
                             placement="me", order=20))
    if authorize(actor, MANAGE):
        items.append(NavItem(PLUGIN_ID, "竞赛管理", "Manage competitions",
                             "/competitions/manage", icon="trophy", order=21))
    items.extend(_judging.nav_items(actor))
    items.extend(_results.nav_items(actor))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    return _widgets.widgets()


@hookimpl
def activity_types() -> Iterable[Any]:
    # The built-in types use the same hook as any other plugin's.
    return builtin_types()


@hookimpl
def job_handlers() -> dict[str, Any]:
    return {**_judging.job_handlers(), **_results.job_handlers()}


@hookimpl
def demo_data(session: AsyncSession, district: Organisation, platform: Platform) -> Any:
    return add_demo_competitions(session, district, platform)


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [SettingSpec("categories", "list", CATEGORIES,
                        help="活动类别 (activity categories), in display order")]
