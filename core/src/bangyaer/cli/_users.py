from __future__ import annotations

import click
from sqlalchemy import select

from ..identity import (
    ROLES,
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
from . import State, main, pass_state, run

SCHOOL_ROLES = {"school_admin", "teacher"}


@main.group()
def users() -> None:
    """Staff, judge and admin accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, help="At least 8 characters, letters and digits.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--school", "school_code", default=None, metavar="CODE",
              help="School code; required for school_admin and teacher.")
@click.option("--name", default=None, help="Display name (default: the username).")
@pass_state
def users_create(state: State, username: str, password: str, role: str,
                 school_code: str | None, name: str | None) -> None:
    """Create an account with a password and one role."""
    problem = check_password_strength(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if role in SCHOOL_ROLES and not school_code:
        raise click.BadParameter(f"role {role} needs --school CODE", param_hint="--school")
    platform = state.platform()

    async def go() -> None:
        try:
            async with platform.db.transaction() as session:
                district = await district_of(session)
                if district is None:
                    raise click.ClickException(
                        "no district yet: import a roster or run `bangyaer demo` first")
                scope = district
                if school_code:
                    school = await session.scalar(select(Organisation).where(
                        Organisation.kind == OrgKind.school, Organisation.code == school_code))
                    if school is None:
                        raise click.ClickException(f"no school with code {school_code!r}")
                    scope = school
                if await session.scalar(select(Account.id).where(Account.username == username)):
                    raise click.ClickException(f"username {username!r} is taken")
                person = Person(kind=PersonKind.staff, name=name or username,
                                school_id=scope.id if school_code else None,
                                org_path=scope.path)
                session.add(person)
                await session.flush()
                await create_account(session, person, username=username, password=password,
                                     roles=[(role, scope)])
        finally:
            await platform.close()

    run(go())
    click.echo(f"created {username} ({role})")


@users.command("set-password")
@click.option("--username", required=True)
@click.option("--password", required=True)
@pass_state
def users_set_password(state: State, username: str, password: str) -> None:
    """Set a new password for an account."""
    problem = check_password_strength(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    platform = state.platform()

    async def go() -> None:
        try:
            async with platform.db.transaction() as session:
                account = await session.scalar(select(Account).where(Account.username == username))
                if account is None:
                    raise click.ClickException(f"no account {username!r}")
                account.password_hash = hash_password(password)
        finally:
            await platform.close()

    run(go())
    click.echo(f"password changed for {username}")


@users.command("grant")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--school", "school_code", default=None, metavar="CODE")
@pass_state
def users_grant(state: State, username: str, role: str, school_code: str | None) -> None:
    """Give an existing account another role (over the district, or one school)."""
    platform = state.platform()

    async def go() -> None:
        try:
            async with platform.db.transaction() as session:
                account = await session.scalar(select(Account).where(Account.username == username))
                if account is None:
                    raise click.ClickException(f"no account {username!r}")
                scope = await district_of(session)
                if school_code:
                    scope = await session.scalar(select(Organisation).where(
                        Organisation.kind == OrgKind.school, Organisation.code == school_code))
                if scope is None:
                    raise click.ClickException(f"no school with code {school_code!r}")
                exists = await session.scalar(select(RoleGrant.id).where(
                    RoleGrant.account_id == account.id, RoleGrant.role == role,
                    RoleGrant.org_id == scope.id))
                if not exists:
                    session.add(RoleGrant(account_id=account.id, role=role, org_id=scope.id))
        finally:
            await platform.close()

    run(go())
    click.echo(f"{username}: {role}")
