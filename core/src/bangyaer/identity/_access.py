"""Roles, the permission registry, the acting person and ``authorize``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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

    def __init__(self, name: str) -> None:
        super().__init__(f"no enabled plugin defines permission {name!r}")
        self.name = name


class PermissionConflict(ValueError):
    """A plugin defined a permission twice, or gave it a role that does not exist."""


PERMISSION_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class PermissionRegistry:
    """Every permission the enabled plugins define, and which roles hold it."""

    def __init__(self) -> None:
        self._permissions: dict[str, Permission] = {}
        self._owners: dict[str, str] = {}
        self._by_role: dict[str, set[str]] = {role: set() for role in ROLES}

    def check(self, permission: Permission, *, owner: str) -> None:
        """Raise PermissionConflict if ``owner`` may not add ``permission``."""
        if not isinstance(permission, Permission):
            raise PermissionConflict(f"{permission!r} is not a bangyaer.Permission")
        if not PERMISSION_NAME.match(permission.name) or not permission.name.startswith(
                f"{owner}."):
            raise PermissionConflict(
                f"permission {permission.name!r} must be named '{owner}.<what>' "
                "in lower case, e.g. 'notices.publish'")
        if permission.name in self._permissions:
            raise PermissionConflict(
                f"permission {permission.name!r} is already defined by "
                f"{self._owners[permission.name]!r}")
        unknown = sorted(set(permission.default_roles) - set(ROLES))
        if unknown:
            raise PermissionConflict(
                f"permission {permission.name!r} names unknown role(s) {unknown}; "
                f"expected some of {list(ROLES)}")

    def add(self, permission: Permission, *, owner: str) -> None:
        self.check(permission, owner=owner)
        self._permissions[permission.name] = permission
        self._owners[permission.name] = owner
        for role in permission.default_roles:
            self._by_role[role].add(permission.name)

    def add_all(self, permissions: Iterable[Permission], *, owner: str) -> None:
        """Add all of them or, if one is refused, none."""
        batch = list(permissions)
        seen: set[str] = set()
        for permission in batch:
            self.check(permission, owner=owner)
            if permission.name in seen:
                raise PermissionConflict(
                    f"permission {permission.name!r} is defined twice by {owner!r}")
            seen.add(permission.name)
        for permission in batch:
            self.add(permission, owner=owner)

    def __contains__(self, name: object) -> bool:
        return name in self._permissions

    def __iter__(self) -> Iterator[Permission]:
        return iter(self._permissions.values())

    def __len__(self) -> int:
        return len(self._permissions)

    def get(self, name: str) -> Permission:
        if name not in self._permissions:
            raise UnknownPermission(name)
        return self._permissions[name]

    def owner(self, name: str) -> str:
        self.get(name)
        return self._owners[name]

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


ORG_PATH = re.compile(r"^/(\d+/)*$")


def resource_path(resource: object) -> str | None:
    """Where ``resource`` sits in the organisation tree, as a path like ``/1/4/``."""
    if resource is None:
        return None
    if isinstance(resource, Organisation):
        path: object = resource.path
    elif isinstance(resource, Person):
        path = resource.org_path
    else:
        path = resource if isinstance(resource, str) else getattr(resource, "org_path", None)
        if not isinstance(path, str):
            raise TypeError(
                f"authorize() cannot place {type(resource).__name__} in the organisation "
                "tree; pass an Organisation, a Person, a path string or an object with "
                ".org_path")
    # An unplaced person has the empty path, which no grant covers. A path
    # without its closing slash would let /1/4 match /1/40/: refuse it.
    if path and not ORG_PATH.match(str(path)):
        raise ValueError(f"organisation path {path!r} must look like '/1/4/'")
    return str(path)


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
