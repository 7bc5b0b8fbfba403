"""A course configured for it gives a completion certificate, once, through a job."""

from __future__ import annotations

import httpx
from bangyaer.certificates import Certificate
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, drain
from sqlalchemy import select

from .conftest import ClientFor, MakeCourse


async def certificates(platform: Platform) -> list[Certificate]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Certificate)))


async def finish(parent: httpx.AsyncClient, course: dict[str, object]) -> None:
    for lesson in course["lessons"]:  # type: ignore[attr-defined]
        await parent.post(f"/api/v1/classroom/lessons/{lesson['id']}/finish")


async def test_completing_a_certificate_course_issues_one(
        make_course: MakeCourse, client_for: ClientFor, platform: Platform,
        district: TinyDistrict) -> None:
    course = await make_course("安全小课堂", certificate=True)
    parent = await client_for("parent")

    await finish(parent, course)
    await drain(platform)

    [certificate] = await certificates(platform)
    assert certificate.holder_id == district.ids["child_1"]
    assert certificate.activity_title == "安全小课堂"
    assert certificate.award == "结业"
    assert certificate.source_plugin == "classroom"


async def test_finishing_again_issues_no_second_certificate(
        make_course: MakeCourse, client_for: ClientFor, platform: Platform) -> None:
    course = await make_course("安全小课堂", certificate=True)
    parent = await client_for("parent")
    await finish(parent, course)
    await drain(platform)

    await finish(parent, course)
    await drain(platform)

    assert len(await certificates(platform)) == 1


async def test_a_course_without_certificates_issues_none(
        make_course: MakeCourse, client_for: ClientFor, platform: Platform) -> None:
    course = await make_course("读书会")
    parent = await client_for("parent")

    await finish(parent, course)
    await drain(platform)

    assert await certificates(platform) == []
