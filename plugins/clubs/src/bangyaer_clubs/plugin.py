"""The clubs plugin's hooks; the work is done in the modules they name."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from bangyaer import NavItem, Permission, PluginInfo, Routes, Scope, SettingSpec, Widget, hookimpl
from bangyaer.identity import Actor, Organisation
from sqlalchemy.ext.asyncio import AsyncSession

from . import models as clubs_models
from ._access import LEAD, MANAGE, is_runner

MB = 1024 * 1024


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="clubs", title_zh="棒伢儿社团", title_en="Clubs", requires_core=">=0.1,<0.2",
        icon="users", description_zh="社团招新、活动与点名",
        description_en="Club recruitment, sessions and attendance",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [clubs_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def routes() -> Routes:
    from . import _api, _pages_family, _pages_staff, _photos

    return Routes(pages=[*_pages_staff.routes, *_photos.page_routes, *_pages_family.routes],
                  api=[*_api.routes, *_photos.api_routes])


@hookimpl
def permissions() -> Iterable[Permission]:
    return [
        Permission(MANAGE, "管理全部社团", "Manage every club",
                   ("district_admin", "district_staff")),
        Permission(LEAD, "带领所负责的社团", "Lead the clubs one is assigned",
                   ("district_staff", "school_admin", "teacher")),
    ]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    items = [NavItem("clubs", "棒伢儿社团", "Clubs", "/clubs/", icon="users", order=20,
                     description_zh="合唱、机器人、舞蹈……",
                     description_en="Choir, robotics, dance…")]
    if actor.acting_child is not None:
        items.append(NavItem("clubs", "我的社团", "My clubs", "/clubs/mine", icon="users",
                             order=20, placement="me"))
    if is_runner(actor):
        items.append(NavItem("clubs", "管理社团", "Run clubs", "/clubs/manage", icon="users",
                             order=21, placement="me"))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import attendance_rate, members_by_school

    return [
        Widget("clubs.members", "社团成员：按学校与类别", "Club members by school and category",
               "table", members_by_school, order=50),
        Widget("clubs.attendance", "社团出勤率（%）", "Club attendance rate (%)", "number",
               attendance_rate, order=51),
    ]


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [SettingSpec("photo_max_bytes", "int", 5 * MB, "largest club photo, in bytes")]


@hookimpl
def demo_data(session: AsyncSession, district: Organisation) -> object:
    from ._demo import add_demo_clubs

    return add_demo_clubs(session)
