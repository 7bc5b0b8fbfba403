"""Demo content from the demo_data hook: published courses, added once."""

from __future__ import annotations

from bangyaer.identity import Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_classroom.models import Course, Lesson
from sqlalchemy import func, select


async def run_demo(platform: Platform, district: TinyDistrict) -> list[Course]:
    async with platform.db.transaction() as session:
        org = await session.get(Organisation, district.ids["district"])
        await platform.host.acall("demo_data", session=session, district=org)
    async with platform.db.session() as session:
        return list(await session.scalars(select(Course).order_by(Course.id)))


async def test_demo_adds_published_courses_with_lessons(platform: Platform,
                                                        district: TinyDistrict) -> None:
    courses = await run_demo(platform, district)

    async with platform.db.session() as session:
        lessons = await session.scalar(select(func.count(Lesson.id)))
    assert [c.title for c in courses] == ["跟着节气学古诗", "少儿编程入门：用积木讲故事",
                                          "居家安全小课堂"]
    assert all(c.published for c in courses)
    assert lessons == 7


async def test_demo_added_twice_leaves_one_copy(platform: Platform,
                                               district: TinyDistrict) -> None:
    first = await run_demo(platform, district)
    second = await run_demo(platform, district)

    assert [c.id for c in first] == [c.id for c in second]
