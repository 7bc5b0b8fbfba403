"""``seed_demo``: the demo district, its accounts, and the plugins' demo content."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer import hookimpl
from bangyaer.contrib import PluginInfo
from bangyaer.demo import DISTRICT_CODE, seed_demo
from bangyaer.demo._district import build_demo_roster
from bangyaer.identity import (
    ROLES,
    Account,
    Guardianship,
    Organisation,
    Person,
    add_organisation,
    hash_password,
    verify_password,
)
from sqlalchemy import func, select

TODAY = dt.date(2025, 10, 8)
CORE_VERSION = ">=0.1"


class DemoPlugin:
    """A plugin whose demo content is one extra class, so its effect can be seen."""

    def __init__(self, plugin_id: str = "demoplug", fail: bool = False) -> None:
        self.id, self.fail, self.calls = plugin_id, fail, []

    @hookimpl
    def plugin_info(self):
        return PluginInfo(self.id, "演示插件", "Demo plugin", CORE_VERSION)

    @hookimpl
    async def demo_data(self, session, district):
        self.calls.append(district.code)
        await add_organisation(session, kind="school", code=f"X-{self.id}", name="插件学校",
                               parent=district)
        if self.fail:
            raise RuntimeError("demo content broke")


async def count(platform, model, *where):
    async with platform.db.session() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_demo_has_a_dozen_schools_of_each_stage(platform):
    await seed_demo(platform, TODAY)
    async with platform.db.session() as s:
        stages = list(await s.scalars(select(Organisation.stage)
                                      .where(Organisation.kind == "school")))
    assert sorted(stages).count("kindergarten") == 2
    assert (stages.count("primary"), stages.count("middle"), len(stages)) == (7, 3, 12)


async def test_demo_has_about_two_thousand_students_with_guardians(platform):
    result = await seed_demo(platform, TODAY)
    assert 1800 <= result.counts["students"] <= 2300
    assert result.counts["students"] < result.counts["guardians"] < 2 * result.counts["students"]
    assert await count(platform, Person, Person.kind == "student") == result.counts["students"]


async def test_some_demo_guardians_have_two_children(platform):
    await seed_demo(platform, TODAY)
    async with platform.db.session() as s:
        per_guardian = (await s.execute(
            select(Guardianship.guardian_id, func.count())
            .group_by(Guardianship.guardian_id))).all()
    assert 50 <= sum(1 for _, n in per_guardian if n == 2) <= 200


async def test_demo_children_are_as_old_as_their_grade(platform):
    await seed_demo(platform, TODAY)
    async with platform.db.session() as s:
        first_graders = list(await s.scalars(select(Person.birth_date).where(
            Person.kind == "student", Person.stage == "primary", Person.grade == 1)))
    # Six on 1 September 2025: born from September 2018 to August 2019.
    assert min(first_graders) >= dt.date(2018, 9, 1)
    assert max(first_graders) <= dt.date(2019, 8, 31)


async def test_printed_accounts_cover_every_role_and_their_passwords_verify(platform):
    result = await seed_demo(platform, TODAY)
    assert {a.role for a in result.accounts} == set(ROLES)
    async with platform.db.session() as s:
        for account in result.accounts:
            stored = await s.scalar(select(Account).where(Account.username == account.username))
            assert verify_password(stored.password_hash, account.password), account.username


async def test_the_printed_guardian_parent_has_two_children(platform):
    result = await seed_demo(platform, TODAY)
    parent = next(a for a in result.accounts if a.username == "parent")
    async with platform.db.session() as s:
        person_id = await s.scalar(select(Account.person_id)
                                   .where(Account.username == "parent"))
        children = await s.scalar(select(func.count()).select_from(Guardianship)
                                  .where(Guardianship.guardian_id == person_id))
    assert (parent.role, children) == ("guardian", 2)


async def test_only_printed_accounts_have_passwords(platform):
    result = await seed_demo(platform, TODAY)
    with_password = await count(platform, Account, Account.password_hash.is_not(None))
    guardians = await count(platform, Account, Account.username.is_(None))
    assert with_password == len(result.accounts)
    assert guardians == result.counts["guardians"] - 2


async def test_seeding_again_adds_nothing_and_prints_the_same_accounts(platform):
    first = await seed_demo(platform, TODAY)
    people = await count(platform, Person)
    second = await seed_demo(platform, TODAY)
    assert (first.seeded, second.seeded) == (True, False)
    assert second.accounts == first.accounts
    assert await count(platform, Person) == people


async def test_a_password_changed_since_is_not_printed(platform):
    await seed_demo(platform, TODAY)
    async with platform.db.transaction() as s:
        account = await s.scalar(select(Account).where(Account.username == "staff"))
        account.password_hash = hash_password("Changed-2025")
    again = await seed_demo(platform, TODAY)
    assert next(a for a in again.accounts if a.username == "staff").password is None


async def test_passwords_depend_on_the_secret_key(platform, make_platform):
    first = await seed_demo(platform, TODAY)
    other = await make_platform(secret_key="another-secret-key-0123456789", schema=False)
    again = await seed_demo(other, TODAY)
    assert [a.password for a in again.accounts] == [None] * len(first.accounts)


def test_the_demo_roster_is_the_same_every_time():
    first, second = build_demo_roster(TODAY), build_demo_roster(TODAY)
    assert first.roster.students == second.roster.students
    assert first.roster.links == second.roster.links
    assert (first.parent_of_two, first.parent_of_one) == (second.parent_of_two,
                                                          second.parent_of_one)


async def test_a_real_district_is_left_alone(platform, district):
    result = await seed_demo(platform, TODAY)
    assert (result.seeded, result.other_district, result.accounts) == (False, "测试区", [])
    assert await count(platform, Organisation, Organisation.kind == "school") == 2


async def test_every_enabled_plugin_adds_its_demo_content_in_the_transaction(make_platform):
    plugin = DemoPlugin()
    platform = await make_platform([plugin])
    result = await seed_demo(platform, TODAY)
    assert (plugin.calls, result.plugin_failures) == ([DISTRICT_CODE], [])
    assert await count(platform, Organisation, Organisation.code == "X-demoplug") == 1


async def test_plugin_demo_content_is_added_only_once(make_platform):
    plugin = DemoPlugin()
    platform = await make_platform([plugin])
    await seed_demo(platform, TODAY)
    await seed_demo(platform, TODAY)
    assert plugin.calls == [DISTRICT_CODE]


async def test_a_failing_plugin_loses_only_its_own_demo_content(make_platform):
    broken, working = DemoPlugin("broken", fail=True), DemoPlugin("working")
    platform = await make_platform([broken, working])
    result = await seed_demo(platform, TODAY)
    assert result.plugin_failures == [("broken", "RuntimeError: demo content broke")]
    assert await count(platform, Organisation, Organisation.code == "X-broken") == 0
    assert await count(platform, Organisation, Organisation.code == "X-working") == 1
    assert result.counts["schools"] == 13


async def test_a_disabled_plugin_adds_no_demo_content(make_platform):
    plugin = DemoPlugin()
    platform = await make_platform([plugin], disabled_plugins=("demoplug",))
    await seed_demo(platform, TODAY)
    assert plugin.calls == []


@pytest.mark.parametrize("username", ["admin", "p01-admin", "p01-t1", "judge1", "parent2"])
async def test_printed_accounts_name_their_school(platform, username):
    result = await seed_demo(platform, TODAY)
    school = {a.username: a.school for a in result.accounts}[username]
    assert school == {"admin": "", "p01-admin": "湖滨实验小学", "p01-t1": "湖滨实验小学",
                      "judge1": "", "parent2": "湖滨实验小学"}[username]
