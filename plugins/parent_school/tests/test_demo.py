"""Demo content from the demo_data hook: a Chinese course per stage and lectures, added once."""

from __future__ import annotations

from bangyaer.identity import Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_parent_school.models import Course, Lecture, Question
from sqlalchemy import func, select


async def run_demo(platform: Platform, district: TinyDistrict) -> dict[str, int]:
    async with platform.db.transaction() as session:
        org = await session.get(Organisation, district.ids["district"])
        await platform.host.acall("demo_data", session=session, district=org)
    async with platform.db.session() as session:
        return {m.__name__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Course, Question, Lecture)}


async def test_demo_adds_a_course_for_every_stage_and_two_lectures(
        platform: Platform, district: TinyDistrict) -> None:
    assert await run_demo(platform, district) == {"Course": 3, "Question": 7, "Lecture": 2}
    async with platform.db.session() as session:
        stages = set(await session.scalars(select(Course.stage)))
    assert stages == {"kindergarten", "primary", "middle"}


async def test_demo_added_twice_leaves_one_copy(platform: Platform,
                                               district: TinyDistrict) -> None:
    first = await run_demo(platform, district)

    assert await run_demo(platform, district) == first
