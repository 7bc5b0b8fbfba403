"""Organisations, people, guardianships, accounts and role grants."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, utcnow


class OrgKind(enum.StrEnum):
    district = "district"
    school = "school"
    grade = "grade"
    klass = "class"


class Stage(enum.StrEnum):
    """School stage (学段) of a school, a grade or a class."""

    kindergarten = "kindergarten"
    primary = "primary"
    middle = "middle"


class PersonKind(enum.StrEnum):
    student = "student"
    guardian = "guardian"
    staff = "staff"


class Organisation(Base, TimestampMixin):
    """District → schools → grades → classes, one tree per deployment."""

    __tablename__ = "core_organisation"
    __table_args__ = (UniqueConstraint("parent_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[Stage | None] = mapped_column(String(16))
    # Grade number within the stage: 1–3 for kindergarten (小/中/大班),
    # 1–6 primary, 1–3 middle. Set on grades and classes.
    grade: Mapped[int | None]
    # Materialised path of ids, "/1/4/17/": a grant on an organisation
    # covers everything whose path starts with the organisation's.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="raise")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.code}>"


class Person(Base, TimestampMixin):
    """A student, guardian or member of staff. Most are minors: keep it minimal."""

    __tablename__ = "core_person"
    __table_args__ = (
        Index("ix_core_person_school_kind", "school_id", "kind"),
        UniqueConstraint("kind", "external_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PersonKind] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None]
    # The roster's own key: a student number, or a guardian's or teacher's
    # number in the school system. Unique per kind so re-imports match.
    external_no: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    stage: Mapped[Stage | None] = mapped_column(String(16))
    grade: Mapped[int | None]
    # Path of the class (or school) the person belongs to, kept in step with
    # class_id so access checks need no join.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.kind}>"


class Guardianship(Base):
    __tablename__ = "core_guardianship"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    # Relation code as DingTalk's home-school roster spells it: F, M, GF, GM,
    # WGF, WGM, O (other).
    relation: Mapped[str] = mapped_column(String(8), default="O")


class Account(Base, TimestampMixin):
    """A way in: a local username and password, external identities, or both."""

    __tablename__ = "core_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[dt.datetime | None]


class ExternalIdentity(Base):
    """An identity at another system, e.g. DingTalk's (corp_id, userid)."""

    __tablename__ = "core_external_identity"
    __table_args__ = (UniqueConstraint("provider", "tenant", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("core_account.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(128))


class RoleGrant(Base):
    """A role held over one organisation and everything below it."""

    __tablename__ = "core_role_grant"
    __table_args__ = (UniqueConstraint("account_id", "role", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("core_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginAttempt(Base):
    """Failed and successful sign-ins, for the rate limit and for operators."""

    __tablename__ = "core_login_attempt"
    __table_args__ = (Index("ix_core_login_attempt_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did or saw what. Staff access to a person's records lands here."""

    __tablename__ = "core_audit"
    __table_args__ = (Index("ix_core_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
