"""Identity and access: who people are, what they may do, and where."""

from ._access import (
    ROLE_TITLES,
    ROLES,
    Actor,
    Grant,
    PermissionRegistry,
    UnknownPermission,
    authorize,
)
from ._passwords import check_password_strength, hash_password, verify_password
from ._service import (
    add_organisation,
    audit,
    create_account,
    district_of,
    load_actor,
    place_person,
)
from .models import (
    Account,
    AuditEntry,
    ExternalIdentity,
    Guardianship,
    LoginAttempt,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
    Stage,
)

__all__ = [
    "ROLES",
    "ROLE_TITLES",
    "Account",
    "Actor",
    "AuditEntry",
    "ExternalIdentity",
    "Grant",
    "Guardianship",
    "LoginAttempt",
    "OrgKind",
    "Organisation",
    "PermissionRegistry",
    "Person",
    "PersonKind",
    "RoleGrant",
    "Stage",
    "UnknownPermission",
    "add_organisation",
    "audit",
    "authorize",
    "check_password_strength",
    "create_account",
    "district_of",
    "hash_password",
    "load_actor",
    "place_person",
    "verify_password",
]
