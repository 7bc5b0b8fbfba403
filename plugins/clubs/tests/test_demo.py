"""Demo content from the demo_data hook: a choir, a robotics team, a dance troupe."""

from __future__ import annotations

from bangyaer.identity import Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_clubs.models import Club
from sqlalchemy import select

from .conftest import ClientFor


async def run_demo(platform: Platform, district: TinyDistrict) -> list[Club]:
    async with platform.db.transaction() as session:
        org = await session.get(Organisation, district.ids["district"])
        await platform.host.acall("demo_data", session=session, district=org)
    async with platform.db.session() as session:
        return list(await session.scalars(select(Club).order_by(Club.id)))


async def test_demo_adds_three_recruiting_clubs(platform: Platform, district: TinyDistrict,
                                                client_for: ClientFor) -> None:
    clubs = await run_demo(platform, district)
    anonymous = await client_for(None)

    assert [c.name for c in clubs] == ["棒伢儿童声合唱团", "少年宫机器人战队", "彩虹舞蹈团"]
    page = await anonymous.get(f"/clubs/{clubs[0].id}")
    assert "本学期招新" in page.text and "合唱团招新开始啦" in page.text


async def test_demo_added_twice_leaves_one_copy(platform: Platform,
                                               district: TinyDistrict) -> None:
    first = await run_demo(platform, district)
    second = await run_demo(platform, district)

    assert [c.id for c in first] == [c.id for c in second]
