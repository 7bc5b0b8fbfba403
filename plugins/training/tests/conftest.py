"""Fixtures for the training plugin: a platform with it, terms and classes made directly."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_training.plugin
import httpx
import pytest
from bangyaer import PluginInfo, hookimpl
from bangyaer.db import utcnow
from bangyaer.identity import Account, Guardianship, Person, PersonKind, RoleGrant
from bangyaer.jobs import Job
from bangyaer.payments import GatewayTrade, Order, get_order, order_view, record_payment
from bangyaer.payments._gateway_jobs import note_checkout
from bangyaer.payments.testing import MemoryGateway
from bangyaer.platform import Platform
from bangyaer.testing import drain
from bangyaer.web._middleware import SESSION_COOKIE
from bangyaer_training._lottery import new_seed
from bangyaer_training.models import Campus, Course, Enrollment, Mode, Term, TrainingClass
from itsdangerous import TimestampSigner
from sqlalchemy import update


@pytest.fixture
async def platform(make_platform: Callable[..., Awaitable[Platform]]) -> Platform:
    return await make_platform(plugins=[bangyaer_training.plugin])


def window(phase: str) -> dict[str, dt.datetime]:
    """Term windows placed so that now falls in ``phase``."""
    now = utcnow()
    hour = dt.timedelta(hours=1)
    starts = {"continuing": now - hour, "open": now - 3 * hour, "closed": now - 5 * hour,
              "not_open": now + hour}[phase]
    return {"continuing_opens_at": starts, "continuing_closes_at": starts + 2 * hour,
            "opens_at": starts + 2 * hour, "closes_at": starts + 4 * hour}


MakeTerm = Callable[..., Awaitable[Term]]
MakeClass = Callable[..., Awaitable[TrainingClass]]


@pytest.fixture
def make_term(platform: Platform) -> MakeTerm:
    async def factory(code: str = "2027S", phase: str = "open", **kw: Any) -> Term:
        seed, commitment = new_seed()
        async with platform.db.transaction() as s:
            term = Term(code=code, name=kw.pop("name", f"{code} 学期"),
                        starts_on=kw.pop("starts_on", dt.date(2027, 3, 1)),
                        seed=seed, seed_sha256=commitment, **{**window(phase), **kw})
            s.add(term)
        return term

    return factory


@pytest.fixture
def make_class(platform: Platform) -> MakeClass:
    counter = iter(range(1, 10_000))

    async def factory(term: Term, **kw: Any) -> TrainingClass:
        n = next(counter)
        async with platform.db.transaction() as s:
            course_code = kw.pop("course_code", f"C{n}")
            course = await s.scalar(Course.__table__.select().where(Course.code == course_code))
            if course is None:
                c = Course(code=course_code, name=kw.pop("course_name", "少儿美术"),
                           category=kw.pop("category", "美术"), level=kw.pop("level", 1),
                           follows_id=kw.pop("follows_id", None))
                s.add(c)
                await s.flush()
                course_id = c.id
            else:
                course_id = course
            campus = Campus(code=f"P{n}", name=kw.pop("campus_name", "少年宫本部"))
            s.add(campus)
            await s.flush()
            values: dict[str, Any] = {
                "code": f"K{n}", "name": f"美术{n}班", "mode": Mode.first_come,
                "fee_fen": 120_000, "lessons": 16, "weekday": 6,
                "start_time": dt.time(9, 0), "end_time": dt.time(10, 30), "capacity": 10,
                "teacher": "张老师", "room": "201",
            }
            values.update(kw)
            klass = TrainingClass(term_id=term.id, course_id=course_id, campus_id=campus.id,
                                  taken=0, **values)
            s.add(klass)
        return klass

    return factory


# Many families at once for rush tests: guardians with one child each,
# signed in by cookie. Signing in through /api/v1/auth/login costs an
# Argon2 hash per guardian; the rush under test starts after sign-in, so the
# session cookie is made the way the session middleware makes it.


def session_cookie(secret_key: str, data: dict[str, object]) -> str:
    payload = base64.b64encode(json.dumps(data).encode("utf-8"))
    return TimestampSigner(str(secret_key)).sign(payload).decode("utf-8")


async def _make_families(platform: Platform, count: int, district_id: int, school_path: str,
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


def _family_client(app: object, secret_key: str, account_id: int, child_id: int,
                  base_url: str = "http://testserver", transport: object = None,
                  ) -> httpx.AsyncClient:
    csrf = secrets.token_urlsafe(16)
    cookie = session_cookie(secret_key, {"account_id": account_id, "child_id": child_id,
                                         "csrf": csrf})
    return httpx.AsyncClient(
        transport=transport or httpx.ASGITransport(app=app), base_url=base_url,
        cookies={SESSION_COOKIE: cookie}, headers={"X-CSRF-Token": csrf})


@pytest.fixture
def make_families() -> Callable[..., Awaitable[list[tuple[int, int]]]]:
    return _make_families


@pytest.fixture
def family_client() -> Callable[..., httpx.AsyncClient]:
    return _family_client


# -- payments: the ledger with an in-memory gateway -----------------------------


class GatewayPlugin:
    """A test plugin offering one payment provider, as the alipay plugin would."""

    def __init__(self, gateway: MemoryGateway) -> None:
        self.gateway = gateway

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="testpay", title_zh="测试支付", title_en="Test payments",
                          requires_core=">=0.1")

    @hookimpl
    def payment_providers(self) -> list[MemoryGateway]:
        return [self.gateway]


class Ledger:
    """What a gateway plugin and the passing of time do to orders, done by hand."""

    def __init__(self, platform: Platform, gateway: MemoryGateway) -> None:
        self.platform = platform
        self.gateway = gateway

    async def order_of(self, enrollment_id: int) -> Order:
        async with self.platform.db.session() as s:
            enrollment = await s.get(Enrollment, enrollment_id)
            assert enrollment is not None and enrollment.order_no, "the seat has no order"
            order = await get_order(s, enrollment.order_no)
            assert order is not None
            return order

    async def checkout(self, order_no: str) -> None:
        """The family opens the cashier: the gateway now has a trade waiting."""
        async with self.platform.db.transaction() as s:
            order = await get_order(s, order_no)
            assert order is not None
            await note_checkout(s, order, self.gateway.id)
        await self.gateway.checkout(self.platform, order_view(order), device="phone",
                                    return_url="http://testserver/")

    async def notify(self, trade: GatewayTrade) -> None:
        """The gateway's notification reaches the plugin, which records it; jobs run."""
        async with self.platform.db.transaction() as s:
            await record_payment(s, provider=self.gateway.id, trade=trade)
        await drain(self.platform)

    async def pay(self, order_no: str) -> GatewayTrade:
        await self.checkout(order_no)
        trade = self.gateway.pay(order_no)
        await self.notify(trade)
        return trade

    async def reach_deadline(self, order_no: str) -> None:
        """The order's expiry job comes due (the ledger asks the gateway first); jobs run."""
        async with self.platform.db.transaction() as s:
            await s.execute(update(Job).where(Job.idempotency_key == f"payments:expire:{order_no}")
                            .values(run_at=utcnow() - dt.timedelta(seconds=1)))
        await drain(self.platform)


@pytest.fixture
def gateway() -> MemoryGateway:
    return MemoryGateway()


@pytest.fixture
async def paying_platform(make_platform: Callable[..., Awaitable[Platform]],
                          gateway: MemoryGateway) -> Platform:
    return await make_platform(plugins=[bangyaer_training.plugin, GatewayPlugin(gateway)])


@pytest.fixture
def ledger(platform: Platform, gateway: MemoryGateway) -> Ledger:
    return Ledger(platform, gateway)
