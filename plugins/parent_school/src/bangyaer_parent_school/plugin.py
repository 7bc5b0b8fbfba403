"""The parent school plugin's hooks; the work is done in the modules they name."""

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
from bangyaer.identity import Actor, Organisation, PersonKind
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Route

from . import models as parent_school_models
from ._guardian import MANAGE

MB = 1024 * 1024


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="parent_school", title_zh="家长学校", title_en="Parent school",
        requires_core=">=0.1,<0.2", icon="book",
        description_zh="家庭教育课程、结业测验与讲座",
        description_en="Courses, quizzes and lectures for parents",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [parent_school_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission(MANAGE, "管理家长学校课程与讲座", "Manage parent-school courses",
                       ("district_admin", "district_staff"))]


@hookimpl
def routes() -> Routes:
    from . import _api as family
    from . import _api_staff as staff
    from . import _pages as pages

    return Routes(
        pages=[
            Route("/", pages.index, name="index"),
            Route("/courses/{id:int}", pages.course_page, name="course"),
            Route("/courses/{id:int}/quiz", pages.quiz_page, methods=["GET", "POST"],
                  name="quiz"),
            Route("/courses/{id:int}/certificate", pages.certificate, name="certificate"),
            Route("/lessons/{id:int}", pages.lesson_page, methods=["GET", "POST"],
                  name="lesson"),
            Route("/lessons/{id:int}/video", pages.video, name="video"),
            Route("/lectures/{id:int}", pages.lecture_page, methods=["GET", "POST"],
                  name="lecture"),
        ],
        api=[
            Route("/courses", family.list_courses, name="courses"),
            Route("/courses/new", staff.create_course, methods=["POST"], name="create_course"),
            Route("/courses/{id:int}", family.get_course, name="course"),
            Route("/courses/{id:int}/quiz", family.get_quiz, name="quiz"),
            Route("/courses/{id:int}/quiz", family.submit_quiz, methods=["POST"],
                  name="submit_quiz"),
            Route("/lessons/{id:int}", family.get_lesson, name="lesson"),
            Route("/lessons/{id:int}/done", family.finish_lesson, methods=["POST"],
                  name="finish_lesson"),
            Route("/lessons/{id:int}/video", staff.upload_video, methods=["POST"],
                  name="upload_video"),
            Route("/lectures", family.list_lectures, name="lectures"),
            Route("/lectures/new", staff.create_lecture, methods=["POST"],
                  name="create_lecture"),
            Route("/lectures/{id:int}/registration", family.register, methods=["POST"],
                  name="register"),
            Route("/lectures/{id:int}/registration", family.cancel, methods=["DELETE"],
                  name="cancel"),
        ],
    )


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    if actor.person is None or actor.person.kind != PersonKind.guardian:
        return []
    return [
        NavItem("parent_school", "家长学校", "Parent school", "/parent_school/", icon="book",
                order=60, description_zh="家庭教育课程与讲座",
                description_en="Courses and lectures for parents"),
        NavItem("parent_school", "我的家长学校", "My parent school", "/parent_school/",
                icon="book", order=60, placement="me"),
    ]


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import widgets

    return widgets()


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [SettingSpec("video_max_bytes", "int", 500 * MB,
                        "largest lesson video uploaded, in bytes")]


@hookimpl
def demo_data(session: AsyncSession, district: Organisation) -> Awaitable[None]:
    from ._demo import add_demo_parent_school

    return add_demo_parent_school(session)
