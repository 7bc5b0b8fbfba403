"""Demo content from the demo_data hook: Chinese badges, activities and news, added once."""

from __future__ import annotations

from bangyaer.identity import Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import Activity, Badge, News
from sqlalchemy import func, select


async def run_demo(platform: Platform, district: TinyDistrict) -> dict[str, int]:
    async with platform.db.transaction() as session:
        org = await session.get(Organisation, district.ids["district"])
        await platform.host.acall("demo_data", session=session, district=org)
    async with platform.db.session() as session:
        return {model.__name__: int(await session.scalar(
            select(func.count()).select_from(model)) or 0) for model in (Badge, Activity, News)}


async def test_demo_adds_badges_activities_and_news_for_every_school(
        platform: Platform, district: TinyDistrict) -> None:
    counts = await run_demo(platform, district)

    assert counts == {"Badge": 6, "Activity": 3, "News": 2}
    async with platform.db.session() as session:
        titles = list(await session.scalars(select(News.title).order_by(News.id)))
    assert titles == ["甲小学大队举行新队员入队仪式", "乙中学大队举行新队员入队仪式"]


async def test_demo_added_twice_leaves_one_copy(platform: Platform,
                                               district: TinyDistrict) -> None:
    first = await run_demo(platform, district)

    assert await run_demo(platform, district) == first
