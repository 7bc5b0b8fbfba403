"""Demo content from the demo_data hook: believable, Chinese, and added once."""

from __future__ import annotations

from bangyaer.identity import Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_notices.models import Column, Item
from sqlalchemy import select

from .conftest import ClientFor


async def run_demo(platform: Platform, district: TinyDistrict) -> list[Item]:
    async with platform.db.transaction() as session:
        org = await session.get(Organisation, district.ids["district"])
        await platform.host.acall("demo_data", session=session, district=org)
    async with platform.db.session() as session:
        return list(await session.scalars(select(Item).order_by(Item.id)))


async def test_demo_fills_all_three_columns(platform: Platform, district: TinyDistrict) -> None:
    items = await run_demo(platform, district)

    assert {i.column for i in items} == set(Column)
    assert all(i.status == "published" for i in items)


async def test_demo_award_list_masks_the_childrens_names(platform: Platform,
                                                        district: TinyDistrict) -> None:
    items = await run_demo(platform, district)

    award = next(i for i in items if i.title == "第十二届区青少年科技创新大赛获奖名单公示")
    assert "| 王*明 |" in award.body
    assert award.period_start is not None and award.objection_contact


async def test_demo_added_twice_leaves_one_copy(platform: Platform,
                                               district: TinyDistrict) -> None:
    first = await run_demo(platform, district)
    second = await run_demo(platform, district)

    assert [i.id for i in first] == [i.id for i in second]


async def test_demo_school_notice_is_for_signed_in_families_of_that_school(
        platform: Platform, district: TinyDistrict, client_for: ClientFor) -> None:
    items = await run_demo(platform, district)
    school_item = next(i for i in items if not i.public)

    parent = await client_for("parent")
    parent_b = await client_for("parent_b")

    assert school_item.title == "甲小学：第二课堂选课提醒"
    assert (await parent.get(f"/notices/{school_item.id}")).status_code == 200
    assert (await parent_b.get(f"/notices/{school_item.id}")).status_code == 403
