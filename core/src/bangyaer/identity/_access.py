"""Roles, the permission registry, the acting person and ``authorize``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..contrib import Permission
from .models import Organisation, Person

ROLES: tuple[str, ...] = (
    "district_admin",
    "district_staff",
    "school_admin",
    "teacher",
    "judge",
    "guardian",
)

ROLE_TITLES: dict[str, tuple[str, str]] = {
    "district_admin": ("区管理员", "District admin"),
    "district_staff": ("区少年宫工作人员", "District staff"),
    "school_admin": ("学校管理员", "School admin"),
    "teacher": ("教师", "Teacher"),
    "judge": ("评委", "Judge"),
    "guardian": ("家长", "Guardian"),
}


class UnknownPermission(LookupError):
    """A permission name that no enabled plugin defines: a programming error."""


class PermissionRegistry:
    """Every permission the enabled plugins define, and which roles hold it."""

    def __init__(self) -> None:
        self._permissions: dict[str, Permission] = {}
        self._by_role: dict[str, set[str]] = {role: set() for role in ROLES}

    def add(self, permission: Permission, *, owner: str) -> None:
        if permission.name in self._permissions:
            raise ValueError(
                f"plugin {owner!r} defines permission {permission.name!r}, "
                "which another plugin already defined"
            )
        unknown = set(permission.default_roles) - set(ROLES)
        if unknown:
            raise ValueError(
                f"plugin {owner!r}: permission {permission.name!r} names unknown "
                f"roles {sorted(unknown)}; expected some of {list(ROLES)}"
            )
        self._permissions[permission.name] = permission
        for role in permission.default_roles:
            self._by_role[role].add(permission.name)

    def __contains__(self, name: object) -> bool:
        return name in self._permissions

    def __iter__(self) -> Any:
        return iter(self._permissions.values())

    def for_role(self, role: str) -> frozenset[str]:
        return frozenset(self._by_role.get(role, ()))


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    org_path: str


@dataclass
class Actor:
    """Who is asking: an account with its person, grants and children, or nobody."""

    registry: PermissionRegistry
    account_id: int | None = None
    person: Person | None = None
    grants: tuple[Grant, ...] = ()
    children: tuple[Person, ...] = ()
    acting_child: Person | None = None
    _held: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        held: dict[str, list[str]] = {}
        for grant in self.grants:
            for name in self.registry.for_role(grant.role):
                held.setdefault(name, []).append(grant.org_path)
        self._held = {name: tuple(paths) for name, paths in held.items()}

    @property
    def is_authenticated(self) -> bool:
        return self.account_id is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def is_guardian_of(self, student_id: int) -> bool:
        return any(child.id == student_id for child in self.children)

    def scopes(self, permission: str) -> tuple[str, ...]:
        """The organisation paths under which the actor holds ``permission``."""
        if permission not in self.registry:
            raise UnknownPermission(permission)
        return self._held.get(permission, ())


def resource_path(resource: object) -> str | None:
    if resource is None:
        return None
    if isinstance(resource, str):
        return resource
    if isinstance(resource, Organisation):
        return resource.path
    if isinstance(resource, Person):
        return resource.org_path
    path = getattr(resource, "org_path", None)
    if isinstance(path, str):
        return path
    raise TypeError(
        f"authorize() cannot place {type(resource).__name__} in the organisation tree; "
        "pass an Organisation, a Person, a path string or an object with .org_path"
    )


def authorize(actor: Actor, permission: str, resource: object = None) -> bool:
    """True when ``actor`` holds ``permission`` over ``resource`` (anywhere if None).

    A grant covers its organisation and everything below it, so a district
    grant covers every school and a school grant covers its classes.
    """
    scopes = actor.scopes(permission)
    path = resource_path(resource)
    if path is None:
        return bool(scopes)
    return any(path.startswith(scope) for scope in scopes)


def register_permissions(
    registry: PermissionRegistry, owner: str, permissions: Iterable[Permission]
) -> None:
    for permission in permissions:
        registry.add(permission, owner=owner)
