"""The second-classroom plugin's hooks; the work is done in the modules they name."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from bangyaer import NavItem, Permission, PluginInfo, Routes, Scope, SettingSpec, Widget, hookimpl
from bangyaer.identity import Actor, Organisation, authorize
from sqlalchemy.ext.asyncio import AsyncSession

from . import models as classroom_models
from ._courses import MANAGE

MB = 1024 * 1024


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="classroom", title_zh="第二课堂", title_en="Second classroom",
        requires_core=">=0.1,<0.2", icon="play", description_zh="免费云课堂",
        description_en="Free cloud classes",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [classroom_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def routes() -> Routes:
    from . import _api_family, _api_staff, _pages, _pages_manage

    return Routes(pages=[*_pages_manage.routes, *_pages.routes],
                  api=[*_api_family.routes, *_api_staff.routes])


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission(MANAGE, "管理第二课堂课程", "Manage second-classroom courses",
                       ("district_admin", "district_staff"))]


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    items = [NavItem("classroom", "第二课堂", "Second classroom", "/classroom/", icon="play",
                     order=30, description_zh="免费云课堂，随时学",
                     description_en="Free cloud classes, any time")]
    if actor.acting_child is not None:
        items.append(NavItem("classroom", "我的云课堂", "My cloud classes", "/classroom/mine",
                             icon="play", order=30, placement="me"))
    if authorize(actor, MANAGE):
        items.append(NavItem("classroom", "管理云课堂", "Manage cloud classes",
                             "/classroom/manage", icon="play", order=31, placement="me"))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import by_course, by_school_and_grade

    return [
        Widget("classroom.by_course", "云课堂：各课程学习与学完人数",
               "Cloud classes: learners and completions by course", "table", by_course,
               order=60),
        Widget("classroom.by_school", "云课堂：各校各年级学习情况",
               "Cloud classes by school and grade", "table", by_school_and_grade, order=61),
    ]


@hookimpl
def job_handlers() -> dict[str, Any]:
    from ._certificates import ISSUE_JOB, issue

    return {ISSUE_JOB: issue}


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [
        SettingSpec("video_max_bytes", "int", 500 * MB, "largest lesson video, in bytes"),
        SettingSpec("document_max_bytes", "int", 20 * MB, "largest lesson PDF, in bytes"),
    ]


@hookimpl
def demo_data(session: AsyncSession, district: Organisation) -> object:
    from ._demo import add_demo_courses

    return add_demo_courses(session)
