"""Reading and changing identities inside a caller's session."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ._access import ROLES, Actor, Grant, PermissionRegistry
from ._passwords import hash_password
from .models import (
    Account,
    AuditEntry,
    Guardianship,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
    Stage,
)


async def add_organisation(
    session: AsyncSession,
    *,
    kind: OrgKind | str,
    code: str,
    name: str,
    parent: Organisation | None = None,
    stage: Stage | str | None = None,
    grade: int | None = None,
) -> Organisation:
    org = Organisation(
        kind=str(kind), code=code, name=name, parent_id=parent.id if parent else None,
        stage=str(stage) if stage else None, grade=grade,
    )
    session.add(org)
    await session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


async def district_of(session: AsyncSession) -> Organisation | None:
    result = await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.district).limit(1)
    )
    return result.first()


def place_person(person: Person, org: Organisation) -> None:
    """Put a person in a class or school, keeping the denormalised columns in step."""
    if org.kind == OrgKind.klass:
        person.class_id = org.id
        person.grade = org.grade
    else:
        person.class_id = None
    person.stage = org.stage
    person.org_path = org.path
    # The school is the path's third element: /district/school/…
    parts = [p for p in org.path.split("/") if p]
    person.school_id = int(parts[1]) if len(parts) > 1 else None


async def create_account(
    session: AsyncSession,
    person: Person,
    *,
    username: str | None = None,
    password: str | None = None,
    roles: Sequence[tuple[str, Organisation]] = (),
) -> Account:
    """Add an account for ``person`` with these (role, organisation) grants."""
    unknown = sorted({role for role, _ in roles} - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; expected some of {list(ROLES)}")
    account = Account(
        person_id=person.id, username=username,
        password_hash=hash_password(password) if password else None,
    )
    session.add(account)
    await session.flush()
    for role, org in roles:
        session.add(RoleGrant(account_id=account.id, role=role, org_id=org.id))
    await session.flush()
    return account


async def load_actor(
    session: AsyncSession,
    registry: PermissionRegistry,
    account_id: int | None,
    acting_child_id: int | None = None,
) -> Actor:
    """The actor for a session's account; anonymous when the account is gone or inactive."""
    if account_id is None:
        return Actor(registry=registry)
    account = await session.get(Account, account_id)
    if account is None or not account.active:
        return Actor(registry=registry)
    person = await session.get(Person, account.person_id)
    rows = await session.execute(
        select(RoleGrant.role, RoleGrant.org_id, Organisation.path)
        .join(Organisation, Organisation.id == RoleGrant.org_id)
        .where(RoleGrant.account_id == account.id)
    )
    grants = tuple(Grant(role, org_id, path) for role, org_id, path in rows)
    children: tuple[Person, ...] = ()
    if person is not None and person.kind == PersonKind.guardian:
        kids = await session.scalars(
            select(Person)
            .join(Guardianship, Guardianship.student_id == Person.id)
            .where(Guardianship.guardian_id == person.id, Person.active.is_(True))
            .order_by(Person.birth_date.desc(), Person.id)
        )
        children = tuple(kids)
    acting = next((c for c in children if c.id == acting_child_id), None)
    if acting is None and len(children) == 1:
        acting = children[0]
    return Actor(
        registry=registry, account_id=account.id, person=person, grants=grants,
        children=children, acting_child=acting,
    )


async def audit(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    **detail: object,
) -> None:
    """Record who did or saw what, in the caller's transaction."""
    session.add(AuditEntry(
        at=utcnow(), account_id=actor.account_id if actor else None, action=action,
        target_type=target_type, target_id=str(target_id), detail=dict(detail),
    ))
