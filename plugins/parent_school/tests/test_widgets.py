"""Cockpit widgets: guardians learning and completions by school, inside the scope."""

from __future__ import annotations

from typing import Any

from bangyaer import Scope
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_parent_school._widgets import completions_by_school, guardians_learning

from .conftest import RIGHT, ClientFor, answers, finish_lessons


def scope(district: TinyDistrict, key: str) -> Scope:
    return Scope("district" if key == "district" else "school", district.ids[key],
                 district.paths[key])


async def test_guardians_learning_counts_each_guardian_once_within_the_scope(
        client_for: ClientFor, course: dict[str, Any], platform: Platform,
        district: TinyDistrict) -> None:
    await finish_lessons(await client_for("parent"), course)
    await finish_lessons(await client_for("parent_b"), course)

    async with platform.db.session() as session:
        everyone = await guardians_learning(session, scope(district, "district"))
        school_b = await guardians_learning(session, scope(district, "school_b"))

    assert (everyone.value, school_b.value) == (2, 1)


async def test_completions_by_school(client_for: ClientFor, course: dict[str, Any],
                                     platform: Platform, district: TinyDistrict) -> None:
    parent = await client_for("parent")
    await finish_lessons(parent, course)
    await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                      json=answers(course, *RIGHT))

    async with platform.db.session() as session:
        data = await completions_by_school(session, scope(district, "district"))

    assert [tuple(r) for r in data.rows] == [("甲小学", 1, 1), ("乙中学", 0, 0)]
