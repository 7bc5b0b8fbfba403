"""``bangyaer users create|set-password|grant``."""

from __future__ import annotations

import asyncio

import pytest
from bangyaer.cli import main
from bangyaer.identity import Account, Organisation, Person, RoleGrant, verify_password
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.testing import TinyDistrict, installed_plugin_ids, write_config
from click.testing import CliRunner
from sqlalchemy import select

SECRET = "test-secret-key-0123456789"


@pytest.fixture
def home(bangyaer_home, bangyaer_database_url):
    write_config(bangyaer_home, secret_key=SECRET, database_url=bangyaer_database_url,
                 disabled=installed_plugin_ids())
    assert invoke(bangyaer_home, "db", "upgrade").exit_code == 0
    return bangyaer_home


@pytest.fixture
def district(home):
    async def build():
        platform = Platform(load_settings(home, environ={}), discover=False)
        try:
            await TinyDistrict().build(platform)
        finally:
            await platform.close()

    asyncio.run(build())
    return home


def invoke(home, *args):
    return CliRunner().invoke(main, ["--data-dir", str(home), *args], catch_exceptions=False)


def query(home, work):
    async def go():
        platform = Platform(load_settings(home, environ={}), discover=False)
        try:
            async with platform.db.session() as session:
                return await work(session)
        finally:
            await platform.close()

    return asyncio.run(go())


def account_of(home, username):
    async def work(session):
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            return None
        person = await session.get(Person, account.person_id)
        grants = (await session.execute(
            select(RoleGrant.role, Organisation.code)
            .join(Organisation, Organisation.id == RoleGrant.org_id)
            .where(RoleGrant.account_id == account.id))).all()
        return account, person, sorted(tuple(g) for g in grants)

    return query(home, work)


def test_users_create_makes_a_school_admin_of_that_school(district):
    result = invoke(district, "users", "create", "--username", "head_c", "--password",
                    "Secret-2026", "--role", "school_admin", "--school", "A", "--name", "丙校长")
    account, person, grants = account_of(district, "head_c")
    assert result.output == "created head_c (school_admin at A)\n"
    assert verify_password(account.password_hash, "Secret-2026")
    assert (person.name, person.kind, grants) == ("丙校长", "staff", [("school_admin", "A")])


def test_users_create_makes_a_district_role_over_the_district(district):
    invoke(district, "users", "create", "--username", "judge2", "--password", "Secret-2026",
           "--role", "judge")
    assert account_of(district, "judge2")[2] == [("judge", "D")]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--password", "short1"],
                 "Invalid value for --password: 密码至少需要 8 位 (at least 8 characters)",
                 id="short"),
    pytest.param(["--password", "onlyletters"],
                 "Invalid value for --password: 密码需同时包含字母和数字 (letters and digits)",
                 id="letters-only"),
    pytest.param(["--password", "Secret-2026", "--role", "teacher", "--school", ""],
                 "Invalid value for --school: role teacher needs --school CODE",
                 id="school-missing"),
    pytest.param(["--password", "Secret-2026", "--role", "district_staff", "--school", "A"],
                 "Invalid value for --school: role district_staff is held over the whole "
                 "district; --school is only for school_admin and teacher", id="district-role"),
])
def test_users_create_refuses_bad_options_before_touching_the_database(district, args, message):
    base = {"--role": "school_admin", "--school": "A"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    merged = [x for pair in {**base, **given}.items() for x in pair]
    result = invoke(district, "users", "create", "--username", "newbie", *merged)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"
    assert account_of(district, "newbie") is None


def test_users_create_names_a_school_that_does_not_exist(district):
    result = invoke(district, "users", "create", "--username", "newbie", "--password",
                    "Secret-2026", "--role", "teacher", "--school", "Z")
    assert (result.exit_code, result.output) == (1, "Error: no school with code 'Z'\n")


def test_users_create_refuses_a_taken_username_and_keeps_the_old_account(district):
    before = account_of(district, "admin")
    result = invoke(district, "users", "create", "--username", "admin", "--password",
                    "Secret-2026", "--role", "judge")
    assert (result.exit_code, result.output) == (1, "Error: username 'admin' is taken\n")
    assert verify_password(account_of(district, "admin")[0].password_hash, TinyDistrict.PASSWORD)
    assert account_of(district, "admin")[2] == before[2]


def test_users_create_before_any_district_says_what_to_do(home):
    result = invoke(home, "users", "create", "--username", "first", "--password",
                    "Secret-2026", "--role", "district_admin")
    assert (result.exit_code, result.output) == (
        1, "Error: no district yet: import a roster or run `bangyaer demo` first\n")


def test_users_set_password_replaces_the_password(district):
    result = invoke(district, "users", "set-password", "--username", "judge", "--password",
                    "New-pass-42")
    hash_ = account_of(district, "judge")[0].password_hash
    assert result.output == "password changed for judge\n"
    assert verify_password(hash_, "New-pass-42")
    assert not verify_password(hash_, TinyDistrict.PASSWORD)


def test_users_set_password_refuses_a_weak_password_and_keeps_the_old_one(district):
    result = invoke(district, "users", "set-password", "--username", "judge", "--password",
                    "12345678")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --password: 密码需同时包含字母和数字 (letters and digits)")
    assert verify_password(account_of(district, "judge")[0].password_hash,
                           TinyDistrict.PASSWORD)


def test_users_set_password_of_an_unknown_account(district):
    result = invoke(district, "users", "set-password", "--username", "nobody", "--password",
                    "New-pass-42")
    assert (result.exit_code, result.output) == (1, "Error: no account 'nobody'\n")


def test_users_grant_adds_a_role_once(district):
    for _ in range(2):
        result = invoke(district, "users", "grant", "--username", "teacher_a", "--role",
                        "school_admin", "--school", "A")
    assert result.output == "teacher_a: school_admin at A\n"
    assert account_of(district, "teacher_a")[2] == [("school_admin", "A"), ("teacher", "A")]
