"""Many guardians at once: entry codes stay unique and gapless per group."""

from __future__ import annotations

import asyncio

from bangyaer.identity import (
    Guardianship,
    Organisation,
    Person,
    PersonKind,
    load_actor,
    place_person,
)
from bangyaer_competitions import registration
from bangyaer_competitions.models import Entry
from bangyaer_competitions.testing import create_activity
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

PUPILS = 30


async def _pupils(platform, district, n: int) -> list[int]:
    async with platform.db.transaction() as session:
        klass = await session.get(Organisation, district.ids["class_a1"])
        kids = []
        for i in range(n):
            kid = Person(kind=PersonKind.student, name=f"学生{i}", external_no=f"X{i:03d}")
            place_person(kid, klass)
            session.add(kid)
            kids.append(kid)
        await session.flush()
        for kid in kids:
            session.add(Guardianship(guardian_id=district.ids["parent"], student_id=kid.id))
        return [k.id for k in kids]


async def _register(platform, account_id: int, child_id: int, activity_id: int) -> str:
    async with platform.db.session() as session:
        actor = await load_actor(session, platform.permissions, account_id, child_id)
    assert actor.acting_child is not None
    for _ in range(2):
        try:
            result = await registration.register(platform.db, actor, actor.acting_child,
                                                 activity_id)
            return result.entry.code
        except IntegrityError:
            continue  # a concurrent duplicate committed first; the retry returns it
    raise AssertionError("registration did not settle")


async def _parent_account(platform, district) -> int:
    from bangyaer.identity import Account

    async with platform.db.session() as session:
        return int(await session.scalar(select(Account.id).where(
            Account.person_id == district.ids["parent"])))


async def test_concurrent_registrations_get_unique_gapless_codes(staff, platform, district):
    activity_id = await create_activity(staff, code_prefix="K2026")
    kids = await _pupils(platform, district, PUPILS)
    account = await _parent_account(platform, district)

    codes = await asyncio.gather(*[_register(platform, account, k, activity_id) for k in kids])

    assert sorted(codes) == [f"K2026-01-{n:05d}" for n in range(1, PUPILS + 1)]


async def test_concurrent_taps_for_one_child_make_one_entry(staff, platform, district):
    activity_id = await create_activity(staff)
    account = await _parent_account(platform, district)

    codes = await asyncio.gather(*[
        _register(platform, account, district.ids["child_1"], activity_id) for _ in range(8)])

    assert len(set(codes)) == 1
    async with platform.db.session() as session:
        entries = list(await session.scalars(select(Entry)))
    assert [(e.seq, e.code) for e in entries] == [(1, codes[0])]
