"""The pioneers plugin's hooks; the work is done in the modules they name."""

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
from starlette.routing import Route

from . import models as pioneers_models
from ._access import APPOINT, MANAGE, holds_staff_role

MB = 1024 * 1024


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id="pioneers", title_zh="西湖少先队", title_en="Young Pioneers",
        requires_core=">=0.1,<0.2", icon="flag",
        description_zh="大队中队、线上活动与争章", description_en="Brigades, activities, badges",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    return [pioneers_models]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def permissions() -> Iterable[Permission]:
    district = ("district_admin", "district_staff")
    return [
        Permission(MANAGE, "管理全区少先队活动与奖章", "Run Young Pioneers across the district",
                   district),
        Permission(APPOINT, "任命本校少先队辅导员", "Appoint a school's counsellors",
                   (*district, "school_admin")),
    ]


@hookimpl
def routes() -> Routes:
    from . import _api_family as family
    from . import _api_staff as staff
    from . import _pages as pages

    return Routes(
        pages=[
            Route("/", pages.index, name="index"),
            Route("/me", pages.pioneer_page, name="me"),
            Route("/activities/{id:int}", pages.activity_page, methods=["GET", "POST"],
                  name="activity"),
            Route("/activities/{id:int}/photo", pages.photo_upload, methods=["POST"],
                  name="photo_upload"),
            Route("/submissions/{id:int}/photo", pages.photo, name="photo"),
            Route("/review", pages.review_page, name="review"),
            Route("/review/{id:int}", pages.review_post, methods=["POST"], name="review_post"),
        ],
        api=[
            Route("/brigades", staff.list_brigades, name="brigades"),
            Route("/brigades/{id:int}", staff.get_brigade, name="brigade"),
            Route("/brigades/{id:int}/news", staff.post_news, methods=["POST"], name="news"),
            Route("/squadrons/{id:int}", staff.get_squadron, name="squadron"),
            Route("/counsellors", staff.appoint, methods=["POST"], name="appoint"),
            Route("/activities", staff.open_activity, methods=["POST"], name="open_activity"),
            Route("/activities/{id:int}/submissions", staff.list_submissions,
                  name="submissions"),
            Route("/activities/{id:int}/submission", family.hand_in, methods=["POST"],
                  name="hand_in"),
            Route("/submissions/{id:int}/review", staff.review, methods=["POST"],
                  name="review"),
            Route("/badges", staff.list_badges, name="badges"),
            Route("/badges/new", staff.create_badge, methods=["POST"], name="create_badge"),
            Route("/badges/{id:int}/awards", staff.award_badge, methods=["POST"],
                  name="award"),
            Route("/mine/activities", family.my_activities, name="my_activities"),
            Route("/mine/badges", family.my_badges, name="my_badges"),
        ],
    )


@hookimpl
def nav_items(actor: Actor) -> Iterable[NavItem]:
    items = [NavItem("pioneers", "西湖少先队", "Young Pioneers", "/pioneers/", icon="flag",
                     order=50, description_zh="大队动态、线上活动与争章",
                     description_en="Brigade news, online activities and badges")]
    if actor.acting_child is not None:
        items.append(NavItem("pioneers", "我的争章", "My badges", "/pioneers/me", icon="flag",
                             order=50, placement="me"))
    # Whether a teacher really is a counsellor needs the database; the page
    # says so politely when they are not.
    if actor.scopes(MANAGE) or any(holds_staff_role(actor, g.org_path) for g in actor.grants):
        items.append(NavItem("pioneers", "审核少先队员提交", "Review pioneers' hand-ins",
                             "/pioneers/review", icon="flag", order=51, placement="me"))
    return items


@hookimpl
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    from ._widgets import widgets

    return widgets()


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return [SettingSpec("photo_max_bytes", "int", 8 * MB, "largest photo handed in, in bytes")]


@hookimpl
def demo_data(session: AsyncSession, district: Organisation) -> Awaitable[None]:
    from ._demo import add_demo_pioneers

    return add_demo_pioneers(session, district)
