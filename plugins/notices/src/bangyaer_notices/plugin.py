"""The notices plugin's hooks; the work is done in the modules they name."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from pathlib import Path
from types import ModuleType

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
from bangyaer.identity import Actor, Organisation
from sqlalchemy.ext.asyncio import AsyncSession

from . import models as notices_models
from ._access import PUBLISH, PUBLISH_SCHOOL, READ_SCHOOL, is_editor

MB = 1024 * 1024


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="notices", title_zh="通知公告", title_en="Notices", requires_core=">=0.1,<0.2",
        icon="megaphone", description_zh="通知、公示与新闻",
        description_en="Notices, public notice periods and news",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [notices_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def routes() -> Routes:
    from .routes import api_routes, page_routes

    return Routes(pages=page_routes, api=api_routes)


@hookimpl
def permissions() -> Iterable[Permission]:
    district = ("district_admin", "district_staff")
    return [
        Permission(PUBLISH, "发布全区通知公告", "Publish notices for the district", district),
        Permission(PUBLISH_SCHOOL, "发布本校通知公告", "Publish notices for one's school",
                   ("school_admin",)),
        Permission(READ_SCHOOL, "阅读面向本校的通知", "Read notices meant for one's school",
                   (*district, "school_admin", "teacher")),
    ]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    items = [NavItem("notices", "通知公告", "Notices", "/notices/", icon="megaphone", order=10,
                     description_zh="通知、公示与新闻",
                     description_en="Notices, public notice periods and news")]
    if is_editor(actor):
        items.append(NavItem("notices", "发布通知", "Publish notices", "/notices/manage",
                             icon="megaphone", order=10, placement="me"))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import this_month

    return [Widget("notices.this_month", "本月通知发布与阅读",
                   "Notices published and read this month", "table", this_month, order=40)]


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [
        SettingSpec("attachment_max_bytes", "int", 20 * MB, "largest attachment, in bytes"),
        SettingSpec("cover_max_bytes", "int", 5 * MB, "largest cover image, in bytes"),
        SettingSpec("max_attachments", "int", 10, "attachments per item"),
        SettingSpec("page_size", "int", 20, "items per page in lists and the API"),
        SettingSpec("feed_size", "int", 20, "entries in each Atom feed"),
    ]


@hookimpl
def demo_data(session: AsyncSession, district: Organisation) -> Awaitable[None]:
    from ._demo import add_demo_notices

    return add_demo_notices(session, district)
