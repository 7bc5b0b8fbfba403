"""The demo's staff, judges and accounts, and the passwords it prints.

Passwords are derived from the deployment's secret key, so a second run
prints the same ones without storing them, and no two deployments share
them. Only the printed accounts get a password: argon2 is slow on purpose,
and guardians sign in through DingTalk in real life.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..identity import (
    ROLES,
    Account,
    Guardianship,
    Organisation,
    Person,
    PersonKind,
    RoleGrant,
    create_account,
    hash_password,
    place_person,
    verify_password,
)
from ..roster._bulk import insert_rows
from . import _names as names

SEED = 20240902
LETTERS, DIGITS = "abcdefghjkmnpqrstuvwxyz", "23456789"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    # None when someone has changed it since the demo set it.
    password: str | None
    role: str
    name: str
    school: str

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password, "role": self.role,
                "name": self.name, "school": self.school}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    # School code, or None for the district.
    school: str | None
    printed: bool


def demo_password(secret_key: str, username: str) -> str:
    """Five letters and four digits, stable for this deployment's secret key."""
    digest = hmac.new(secret_key.encode(), f"bangyaer-demo:{username}".encode(),
                      hashlib.sha256).digest()
    letters = "".join(LETTERS[b % len(LETTERS)] for b in digest[:5])
    digits = "".join(DIGITS[b % len(DIGITS)] for b in digest[5:9])
    return f"{letters}-{digits}"


# Printed: one of every role, three school admins (one per stage), two
# teachers and three judges; every other school admin and teacher exists
# without a password, as if they signed in through DingTalk.
PRINTED_SCHOOL_STAFF = {("K01", "admin"), ("P01", "admin"), ("M01", "admin"),
                        ("P01", "t1"), ("M01", "t1")}


def staff_specs() -> list[StaffSpec]:
    specs = [
        StaffSpec("admin", "district_admin", None, True),
        StaffSpec("staff", "district_staff", None, True),
        StaffSpec("staff2", "district_staff", None, True),
        StaffSpec("judge1", "judge", None, True),
        StaffSpec("judge2", "judge", None, True),
        StaffSpec("judge3", "judge", None, True),
    ]
    for code, _, _ in names.SCHOOLS:
        for suffix, role in (("admin", "school_admin"), ("t1", "teacher"), ("t2", "teacher")):
            specs.append(StaffSpec(f"{code.lower()}-{suffix}", role, code,
                                   (code, suffix) in PRINTED_SCHOOL_STAFF))
    return specs


async def _hash_all(passwords: list[str]) -> list[str]:
    # Argon2 is slow by design; its C code runs without the GIL, so the
    # machine's cores hash side by side.
    return list(await asyncio.gather(*(asyncio.to_thread(hash_password, p)
                                       for p in passwords)))


async def add_staff(session: AsyncSession, secret_key: str, district: Organisation,
                    schools: dict[str, Organisation]) -> None:
    """Staff people and their accounts, each with its one role."""
    rng = random.Random(SEED)
    specs = staff_specs()
    printed = [s.username for s in specs if s.printed]
    hashes = dict(zip(printed, await _hash_all([demo_password(secret_key, u) for u in printed]),
                      strict=True))
    for spec in specs:
        scope = schools[spec.school] if spec.school else district
        gender = rng.choice("MF")
        person = Person(kind=PersonKind.staff, gender=gender, external_no=f"T-{spec.username}",
                        name=names.adult_name(rng, names.surname(rng), gender))
        place_person(person, scope)
        session.add(person)
        await session.flush()
        account = await create_account(session, person, username=spec.username,
                                       roles=[(spec.role, scope)])
        account.password_hash = hashes.get(spec.username)


async def add_guardian_accounts(session: AsyncSession, secret_key: str,
                                district: Organisation, printed: dict[str, str]) -> None:
    """An account for every guardian, in bulk; only ``printed`` {phone: username} get passwords."""
    rows = (await session.execute(select(Person.id, Person.phone)
                                  .where(Person.kind == PersonKind.guardian))).all()
    made = await insert_rows(session, Account, [
        {"person_id": person_id, "username": printed.get(phone or ""), "password_hash": None}
        for person_id, phone in rows], (Account.id, Account.person_id))
    await insert_rows(session, RoleGrant, [
        {"account_id": account_id, "role": "guardian", "org_id": district.id}
        for account_id, _ in made])
    usernames = list(printed.values())
    hashes = await _hash_all([demo_password(secret_key, u) for u in usernames])
    for username, password_hash in zip(usernames, hashes, strict=True):
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is not None:
            account.password_hash = password_hash


GUARDIAN_USERNAMES = ("parent", "parent2")


def printed_usernames() -> list[str]:
    return [s.username for s in staff_specs() if s.printed] + list(GUARDIAN_USERNAMES)


async def printed_accounts(session: AsyncSession, secret_key: str, *, check: bool = True
                           ) -> list[DemoAccount]:
    """The demo accounts that still exist, with their passwords unless since changed.

    ``check=False`` skips verifying the passwords: right after seeding they
    cannot have changed, and each verification costs as much as a hash.
    """
    found: list[tuple[Account, Person, str, str]] = []
    for username in printed_usernames():
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            continue
        person = await session.get(Person, account.person_id)
        role = await session.scalar(select(RoleGrant.role)
                                    .where(RoleGrant.account_id == account.id)
                                    .order_by(RoleGrant.id).limit(1))
        if person is not None and role is not None:
            found.append((account, person, role, await _schools_of(session, person)))
    passwords = [demo_password(secret_key, a.username or "") for a, *_ in found]
    if check:
        still = await asyncio.gather(*(asyncio.to_thread(verify_password, a.password_hash, p)
                                       for (a, *_), p in zip(found, passwords, strict=True)))
    else:
        still = [True] * len(found)
    accounts = [DemoAccount(account.username or "", password if ok else None, role,
                            person.name, schools)
                for (account, person, role, schools), password, ok
                in zip(found, passwords, still, strict=True)]
    accounts.sort(key=lambda a: (ROLES.index(a.role), a.username))
    return accounts


async def _schools_of(session: AsyncSession, person: Person) -> str:
    """The school a member of staff works at, or the schools of a guardian's children."""
    if person.kind == PersonKind.guardian:
        school_ids = select(Person.school_id).join(
            Guardianship, Guardianship.student_id == Person.id).where(
            Guardianship.guardian_id == person.id)
    else:
        school_ids = select(Person.school_id).where(Person.id == person.id)
    school_names = sorted(set(await session.scalars(
        select(Organisation.name).where(Organisation.id.in_(school_ids)))))
    return "、".join(school_names)
