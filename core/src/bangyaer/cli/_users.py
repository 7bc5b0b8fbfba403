"""``bangyaer users``: staff, judge and admin accounts with local passwords.

Guardians and students come from the roster and sign in through an identity
provider, so they are not created here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..identity import (
    Account,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
    check_password_strength,
    create_account,
    district_of,
    hash_password,
)
from ..platform import Platform
from . import State, main, pass_state, run

STAFF_ROLES = ("district_admin", "district_staff", "school_admin", "teacher", "judge")
SCHOOL_ROLES = frozenset({"school_admin", "teacher"})


@main.group()
def users() -> None:
    """Staff, judge and admin accounts."""


def _check_password(password: str) -> None:
    problem = check_password_strength(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")


def _check_scope(role: str, school_code: str | None) -> None:
    if role in SCHOOL_ROLES and not school_code:
        raise click.BadParameter(f"role {role} needs --school CODE", param_hint="--school")
    if role not in SCHOOL_ROLES and school_code:
        raise click.BadParameter(
            f"role {role} is held over the whole district; --school is only for "
            f"{' and '.join(sorted(SCHOOL_ROLES))}", param_hint="--school")


async def _scope(session: AsyncSession, school_code: str | None) -> Organisation:
    district = await district_of(session)
    if district is None:
        raise click.ClickException(
            "no district yet: import a roster or run `bangyaer demo` first")
    if not school_code:
        return district
    school = await session.scalar(select(Organisation).where(
        Organisation.kind == OrgKind.school, Organisation.code == school_code))
    if school is None:
        raise click.ClickException(f"no school with code {school_code!r}")
    return school


async def _account(session: AsyncSession, username: str) -> Account:
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    return account


def _run(state: State, work: Callable[[Platform], Awaitable[None]]) -> None:
    """Run ``work(platform)`` and close the platform whatever happens."""
    platform = state.platform()

    async def go() -> None:
        try:
            await work(platform)
        finally:
            await platform.close()

    run(go())


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, help="At least 8 characters, letters and digits.")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--school", "school_code", default=None, metavar="CODE",
              help="School code; required for school_admin and teacher.")
@click.option("--name", default=None, help="Display name (default: the username).")
@pass_state
def users_create(state: State, username: str, password: str, role: str,
                 school_code: str | None, name: str | None) -> None:
    """Create an account with a password and one role."""
    _check_password(password)
    _check_scope(role, school_code)

    async def work(platform: Platform) -> None:
        try:
            async with platform.db.transaction() as session:
                scope = await _scope(session, school_code)
                if await session.scalar(select(Account.id).where(Account.username == username)):
                    raise click.ClickException(f"username {username!r} is taken")
                person = Person(kind=PersonKind.staff, name=name or username,
                                school_id=scope.id if school_code else None,
                                org_path=scope.path)
                session.add(person)
                await session.flush()
                await create_account(session, person, username=username, password=password,
                                     roles=[(role, scope)])
        except IntegrityError:  # taken between our check and the insert
            raise click.ClickException(f"username {username!r} is taken") from None

    _run(state, work)
    click.echo(f"created {username} ({role}{f' at {school_code}' if school_code else ''})")


@users.command("set-password")
@click.option("--username", required=True)
@click.option("--password", required=True, help="At least 8 characters, letters and digits.")
@pass_state
def users_set_password(state: State, username: str, password: str) -> None:
    """Set a new password for an account."""
    _check_password(password)

    async def work(platform: Platform) -> None:
        async with platform.db.transaction() as session:
            account = await _account(session, username)
            account.password_hash = hash_password(password)

    _run(state, work)
    click.echo(f"password changed for {username}")


@users.command("grant")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--school", "school_code", default=None, metavar="CODE",
              help="School code; required for school_admin and teacher.")
@pass_state
def users_grant(state: State, username: str, role: str, school_code: str | None) -> None:
    """Give an existing account another role (over the district, or one school)."""
    _check_scope(role, school_code)

    async def work(platform: Platform) -> None:
        async with platform.db.transaction() as session:
            account = await _account(session, username)
            scope = await _scope(session, school_code)
            exists = await session.scalar(select(RoleGrant.id).where(
                RoleGrant.account_id == account.id, RoleGrant.role == role,
                RoleGrant.org_id == scope.id))
            if not exists:
                session.add(RoleGrant(account_id=account.id, role=role, org_id=scope.id))

    _run(state, work)
    click.echo(f"{username}: {role}{f' at {school_code}' if school_code else ''}")
