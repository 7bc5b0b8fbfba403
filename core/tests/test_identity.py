"""Identity against the database: actors loaded from accounts, accounts, passwords."""

from __future__ import annotations

import pytest
from bangyaer.identity import (
    Account,
    Organisation,
    Person,
    authorize,
    check_password_strength,
    create_account,
    hash_password,
    load_actor,
    verify_password,
)
from sqlalchemy import select


async def actor_of(platform, district, username, child=None):
    async with platform.db.session() as session:
        account_id = await session.scalar(select(Account.id).where(Account.username == username))
        return await load_actor(session, platform.permissions, account_id, child)


async def org(platform, district, key):
    async with platform.db.session() as session:
        return await session.get(Organisation, district.ids[key])


async def test_loaded_school_admin_sees_own_school_students_only(platform, district):
    head = await actor_of(platform, district, "head_a")
    async with platform.db.session() as session:
        own = await session.get(Person, district.ids["child_1"])
        other = await session.get(Person, district.ids["child_b"])
    assert authorize(head, "core.people.view", own)
    assert not authorize(head, "core.people.view", other)
    assert not authorize(head, "core.cockpit.district")


async def test_loaded_district_admin_holds_district_permissions_everywhere(platform, district):
    admin = await actor_of(platform, district, "admin")
    assert authorize(admin, "core.cockpit.district",
                     await org(platform, district, "school_b"))
    assert authorize(admin, "core.roles.manage")


async def test_guardian_acts_for_the_child_chosen_among_their_own(platform, district):
    parent = await actor_of(platform, district, "parent", district.ids["child_2"])
    assert {c.id for c in parent.children} == {district.ids["child_1"], district.ids["child_2"]}
    assert parent.acting_child.id == district.ids["child_2"]
    assert parent.is_guardian_of(district.ids["child_1"])
    assert not parent.is_guardian_of(district.ids["child_b"])


async def test_guardian_cannot_act_for_someone_elses_child(platform, district):
    parent = await actor_of(platform, district, "parent", district.ids["child_b"])
    assert parent.acting_child is None


async def test_guardian_with_one_child_acts_for_that_child(platform, district):
    parent_b = await actor_of(platform, district, "parent_b")
    assert parent_b.acting_child.id == district.ids["child_b"]


async def test_deactivated_account_loads_as_anonymous(platform, district):
    async with platform.db.transaction() as session:
        account = await session.scalar(select(Account).where(Account.username == "head_a"))
        account.active = False
    head = await actor_of(platform, district, "head_a")
    assert not head.is_authenticated
    assert head.grants == ()


async def test_create_account_refuses_an_unknown_role_and_adds_nothing(platform, district):
    async with platform.db.transaction() as session:
        person = await session.get(Person, district.ids["teacher_a"])
        school = await session.get(Organisation, district.ids["school_a"])
        with pytest.raises(ValueError, match=r"^unknown role\(s\) \['principal'\]; expected"):
            await create_account(session, person, username="new", roles=[("principal", school)])
        assert await session.scalar(select(Account.id).where(Account.username == "new")) is None


@pytest.mark.parametrize(("password", "problem"), [
    pytest.param("Ab1", "密码至少需要 8 位 (at least 8 characters)", id="short"),
    pytest.param("abcdefgh", "密码需同时包含字母和数字 (letters and digits)", id="letters"),
    pytest.param("12345678", "密码需同时包含字母和数字 (letters and digits)", id="digits"),
    pytest.param("a1" * 65, "密码不能超过 128 位 (at most 128 characters)", id="long"),
    pytest.param("Secret-2026", None, id="good"),
])
def test_password_strength(password, problem):
    assert check_password_strength(password) == problem


def test_password_verifies_only_against_its_own_hash():
    hashed = hash_password("Secret-2026")
    assert verify_password(hashed, "Secret-2026")
    assert not verify_password(hashed, "Secret-2027")


def test_unknown_account_never_verifies():
    # The dummy hash is checked so that timing does not reveal whether it exists.
    assert not verify_password(None, "bangyaer-timing-equaliser")
    assert not verify_password("not-a-hash", "anything")
