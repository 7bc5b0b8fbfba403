"""Many families at once for rush tests: guardians with one child each, signed in by cookie.

Signing in through /api/v1/auth/login costs an Argon2 hash per guardian;
the rush under test starts after sign-in, so the session cookie is made
the way the session middleware makes it, with the app's secret key.
"""

from __future__ import annotations

import base64
import json
import secrets

import httpx
from bangyaer.identity import Account, Guardianship, Person, PersonKind, RoleGrant
from bangyaer.platform import Platform
from bangyaer.web._middleware import SESSION_COOKIE
from itsdangerous import TimestampSigner


def session_cookie(secret_key: str, data: dict[str, object]) -> str:
    payload = base64.b64encode(json.dumps(data).encode("utf-8"))
    return TimestampSigner(str(secret_key)).sign(payload).decode("utf-8")


async def make_families(platform: Platform, count: int, district_id: int, school_path: str,
                        ) -> list[tuple[int, int]]:
    """``count`` (account id, child id) pairs, each a guardian with one child."""
    out = []
    async with platform.db.transaction() as s:
        for n in range(count):
            child = Person(kind=PersonKind.student, name=f"学生{n}", external_no=f"RS{n}",
                           org_path=school_path, stage="primary", grade=3)
            guardian = Person(kind=PersonKind.guardian, name=f"家长{n}", external_no=f"RG{n}",
                              org_path=school_path)
            s.add_all([child, guardian])
            await s.flush()
            s.add(Guardianship(guardian_id=guardian.id, student_id=child.id, relation="M"))
            account = Account(person_id=guardian.id)
            s.add(account)
            await s.flush()
            s.add(RoleGrant(account_id=account.id, role="guardian", org_id=district_id))
            out.append((account.id, child.id))
    return out


def family_client(app: object, secret_key: str, account_id: int, child_id: int,
                  base_url: str = "http://testserver", transport: object = None,
                  ) -> httpx.AsyncClient:
    csrf = secrets.token_urlsafe(16)
    cookie = session_cookie(secret_key, {"account_id": account_id, "child_id": child_id,
                                         "csrf": csrf})
    return httpx.AsyncClient(
        transport=transport or httpx.ASGITransport(app=app), base_url=base_url,
        cookies={SESSION_COOKIE: cookie}, headers={"X-CSRF-Token": csrf})
