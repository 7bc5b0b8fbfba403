"""``bangyaer demo``: a believable district to try the platform with.

``seed_demo`` fills an empty database with the demo district (a dozen
schools, about 2,000 children and their families, staff, judges), lets
every enabled plugin add its own demo content, and returns the accounts to
print. Run again, it adds nothing and returns the same accounts.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..identity import Organisation, OrgKind, Person, add_organisation, district_of
from ..roster import apply_roster
from ._accounts import (
    GUARDIAN_USERNAMES,
    DemoAccount,
    add_guardian_accounts,
    add_staff,
    demo_password,
    printed_accounts,
)
from ._district import build_demo_roster
from ._names import DISTRICT_CODE, DISTRICT_NAME

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["DISTRICT_CODE", "DemoAccount", "DemoResult", "demo_password", "seed_demo"]

log = logging.getLogger("bangyaer.demo")


@dataclass
class DemoResult:
    seeded: bool
    accounts: list[DemoAccount] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # The name of a district that is not the demo's: the demo leaves it alone.
    other_district: str | None = None
    # (plugin id, error) for plugins whose demo content failed and was rolled back.
    plugin_failures: list[tuple[str, str]] = field(default_factory=list)


async def seed_demo(platform: Platform, today: dt.date | None = None) -> DemoResult:
    """Seed the demo district once, in one transaction; report its printed accounts."""
    secret = platform.settings.secret_key
    today = today or dt.datetime.now(ZoneInfo(platform.settings.timezone)).date()
    async with platform.db.transaction() as session:
        district = await district_of(session)
        if district is not None and district.code != DISTRICT_CODE:
            return DemoResult(seeded=False, other_district=district.name)
        result = DemoResult(seeded=district is None)
        if district is None:
            district = await _seed(session, secret, today)
            # Not yet: a plugin enabled after the first run adds no demo content;
            # acceptable because a fresh data directory gives the whole demo in seconds.
            result.plugin_failures = await _plugin_demo_data(platform, session, district)
        result.accounts = await printed_accounts(session, secret, check=not result.seeded)
        result.counts = await _counts(session)
    return result


async def _seed(session: AsyncSession, secret: str, today: dt.date) -> Organisation:
    district = await add_organisation(session, kind=OrgKind.district, code=DISTRICT_CODE,
                                      name=DISTRICT_NAME)
    demo = build_demo_roster(today)
    await apply_roster(session, demo.roster)
    schools = {org.code: org for org in await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.parent_id == district.id))}
    await add_staff(session, secret, district, schools)
    await add_guardian_accounts(session, secret, district, dict(zip(
        (demo.parent_of_two, demo.parent_of_one), GUARDIAN_USERNAMES, strict=True)))
    log.info("demo district seeded: %d schools, %d students", len(schools),
             len(demo.roster.students))
    return district


async def _plugin_demo_data(platform: Platform, session: AsyncSession,
                            district: Organisation) -> list[tuple[str, str]]:
    """Every enabled plugin's demo_data, each in a savepoint of its own.

    A plugin whose demo fails loses only its own content: the district and
    the other plugins' content are kept, and the failure is reported.
    """
    failures: list[tuple[str, str]] = []
    for plugin_id in platform.host.implementers("demo_data"):
        try:
            async with session.begin_nested():
                outcome = platform.host.call_one(plugin_id, "demo_data", session=session,
                                                 district=district, platform=platform)
                if inspect.isawaitable(outcome):
                    await outcome
        except Exception as exc:  # any plugin bug; reported, and the rest goes on
            log.error("plugin %r: demo_data failed; its demo content is left out",
                      plugin_id, exc_info=exc)
            failures.append((plugin_id, f"{type(exc).__name__}: {exc}"))
    return failures


async def _counts(session: AsyncSession) -> dict[str, int]:
    schools = await session.scalar(select(func.count()).select_from(Organisation)
                                   .where(Organisation.kind == OrgKind.school))
    rows = await session.execute(select(Person.kind, func.count())
                                 .where(Person.active.is_(True)).group_by(Person.kind))
    people = {str(kind): int(n) for kind, n in rows}
    return {"schools": int(schools or 0), "students": people.get("student", 0),
            "guardians": people.get("guardian", 0), "staff": people.get("staff", 0)}
