"""Pytest fixtures for Bangyaer and its plugins (loaded through ``pytest11``).

``bangyaer_settings`` gives a fresh data directory and database per test
(SQLite, or PostgreSQL when ``BANGYAER_TEST_DATABASE_URL`` is set);
``make_platform`` and ``make_app`` build instances with extra plugins that
exist only for the test, and always close them; ``client`` is an httpx
client talking to the app in-process. Use ``await drain(platform)`` to run
the jobs a request queued.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from ._plugin_fixtures import (  # noqa: F401  (fixtures, registered by import)
    bangyaer_home,
    build_plugin,
    install_plugin,
    installed_plugin_ids,
    run_cli,
    write_config,
    write_files,
)
from .platform import Platform
from .settings import Settings, load_settings
from .web import create_app

TEST_DB_ENV = "BANGYAER_TEST_DATABASE_URL"

__all__ = [
    "TEST_DB_ENV",
    "build_plugin",
    "drain",
    "installed_plugin_ids",
    "login",
    "write_config",
    "write_files",
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Argon2 is slow on purpose (half a second a hash on a busy machine) and
    # every TinyDistrict hashes eight passwords. Tests use its cheapest
    # parameters; a hash records its own, so verification is unchanged.
    from argon2 import PasswordHasher

    from .identity import _passwords

    monkeypatch.setattr(_passwords, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _postgres_database(base_url: str) -> Iterator[str]:
    """A throw-away database on the test server, dropped afterwards."""
    import asyncio

    import asyncpg

    name = f"bangyaer_test_{uuid.uuid4().hex[:12]}"
    admin = base_url.replace("postgresql+asyncpg://", "postgresql://")

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def run(sql: str) -> None:
        # A thread of its own: the caller may already be inside an event loop
        # (Playwright's sync API runs one), where asyncio.run() is refused.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, execute(sql)).result()

    run(f'CREATE DATABASE "{name}"')
    head, _, _ = base_url.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def bangyaer_database_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get(TEST_DB_ENV)
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'bangyaer.db'}"


@pytest.fixture
def bangyaer_settings(tmp_path: Path, bangyaer_database_url: str) -> Settings:
    return load_settings(
        tmp_path / "data", environ={},
        secret_key="test-secret-key-0123456789", database_url=bangyaer_database_url,
        embedded_worker=False,
    )


PlatformFactory = Callable[..., Awaitable[Platform]]


@pytest.fixture
async def make_platform(bangyaer_settings: Settings) -> AsyncIterator[PlatformFactory]:
    """Build platforms with extra plugin objects; schemas created, closed afterwards."""
    made: list[Platform] = []

    async def factory(
        plugins: Sequence[object] = (), *, discover: bool = False, schema: bool = True,
        **overrides: Any,
    ) -> Platform:
        settings = bangyaer_settings.replace(**overrides) if overrides else bangyaer_settings
        platform = Platform(settings, plugins=plugins, discover=discover)
        if schema:
            await platform.create_schema()
        made.append(platform)
        return platform

    yield factory
    for platform in made:
        await platform.close()


@pytest.fixture
async def platform(make_platform: PlatformFactory) -> Platform:
    return await make_platform()


@pytest.fixture
def make_client() -> Iterator[Callable[[Platform], httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []

    def factory(platform: Platform) -> httpx.AsyncClient:
        app = create_app(platform=platform)
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        client.app = app  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield factory


@pytest.fixture
async def client(platform: Platform, make_client: Callable[[Platform], httpx.AsyncClient]
                 ) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(platform) as c:
        yield c


async def drain(platform: Platform) -> int:
    """Run every ready job, including those the jobs enqueue."""
    return await platform.worker().drain()


async def login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    """Sign in through the API; sets the CSRF header for later unsafe requests."""
    response = await client.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return body


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    # Every coroutine test runs under anyio, so plugin authors need no marker.
    # The mark goes on at collection, before anyio's own hook looks for it: added
    # to items afterwards, anyio re-creates them and drops their parametrize ids.
    import inspect

    if inspect.iscoroutinefunction(obj) and name.startswith("test"):
        pytest.mark.anyio(obj)


class TinyDistrict:
    """A known district for tests: two schools, classes, students, guardians, staff.

    Every account's password is ``PASSWORD``. Usernames: ``admin`` (district
    admin), ``staff`` (district staff), ``head_a``/``head_b`` (school admins),
    ``teacher_a``, ``judge``, ``parent`` (guardian of two children at
    school A, one in each class), ``parent_b`` (guardian of one child at B).
    """

    PASSWORD = "Passw0rd-test"

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.paths: dict[str, str] = {}

    async def build(self, platform: Platform) -> TinyDistrict:
        from .identity import (
            Guardianship,
            OrgKind,
            Person,
            PersonKind,
            add_organisation,
            create_account,
            place_person,
        )

        async with platform.db.transaction() as s:
            district = await add_organisation(s, kind=OrgKind.district, code="D", name="测试区")
            school_a = await add_organisation(s, kind=OrgKind.school, code="A", name="甲小学",
                                              parent=district, stage="primary")
            school_b = await add_organisation(s, kind=OrgKind.school, code="B", name="乙中学",
                                              parent=district, stage="middle")
            grade_a = await add_organisation(s, kind=OrgKind.grade, code="G3", name="三年级",
                                             parent=school_a, stage="primary", grade=3)
            class_a1 = await add_organisation(s, kind=OrgKind.klass, code="1", name="三(1)班",
                                              parent=grade_a, stage="primary", grade=3)
            class_a2 = await add_organisation(s, kind=OrgKind.klass, code="2", name="三(2)班",
                                              parent=grade_a, stage="primary", grade=3)
            grade_b = await add_organisation(s, kind=OrgKind.grade, code="G1", name="初一",
                                             parent=school_b, stage="middle", grade=1)
            class_b1 = await add_organisation(s, kind=OrgKind.klass, code="1", name="初一(1)班",
                                              parent=grade_b, stage="middle", grade=1)
            orgs = {"district": district, "school_a": school_a, "school_b": school_b,
                    "class_a1": class_a1, "class_a2": class_a2, "class_b1": class_b1}

            def person(kind: str, name: str, org: Any, no: str) -> Person:
                p = Person(kind=kind, name=name, external_no=no)
                place_person(p, org)
                s.add(p)
                return p

            kids = {
                "child_1": person(PersonKind.student, "王小明", class_a1, "S001"),
                "child_2": person(PersonKind.student, "王小红", class_a2, "S002"),
                "child_b": person(PersonKind.student, "李小华", class_b1, "S003"),
            }
            parent = person(PersonKind.guardian, "王大明", school_a, "G001")
            parent_b = person(PersonKind.guardian, "李大华", school_b, "G002")
            await s.flush()
            for kid in ("child_1", "child_2"):
                s.add(Guardianship(guardian_id=parent.id, student_id=kids[kid].id,
                                   relation="F"))
            s.add(Guardianship(guardian_id=parent_b.id, student_id=kids["child_b"].id,
                               relation="M"))
            accounts = [
                ("admin", "区管理员", district, "district_admin"),
                ("staff", "少年宫老师", district, "district_staff"),
                ("head_a", "甲校管理员", school_a, "school_admin"),
                ("head_b", "乙校管理员", school_b, "school_admin"),
                ("teacher_a", "甲校老师", school_a, "teacher"),
                ("judge", "评委甲", district, "judge"),
            ]
            for username, name, org, role in accounts:
                staff = person(PersonKind.staff, name, org, f"T-{username}")
                await s.flush()
                await create_account(s, staff, username=username, password=self.PASSWORD,
                                     roles=[(role, org)])
                self.ids[username] = staff.id
            for username, guardian in (("parent", parent), ("parent_b", parent_b)):
                await create_account(s, guardian, username=username, password=self.PASSWORD,
                                     roles=[("guardian", district)])
                self.ids[username] = guardian.id
            for key, org in orgs.items():
                self.ids[key] = org.id
                self.paths[key] = org.path
            for key, student in kids.items():
                self.ids[key] = student.id
        return self


@pytest.fixture
async def district(platform: Platform) -> TinyDistrict:
    return await TinyDistrict().build(platform)


ClientFor = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_for(
    platform: Platform,
    make_client: Callable[[Platform], httpx.AsyncClient],
    district: TinyDistrict,
) -> AsyncIterator[ClientFor]:
    """``await client_for(username, child=None)``: a client signed in as a TinyDistrict user.

    ``None`` gives an anonymous client; ``child`` (a TinyDistrict key such as
    ``"child_1"``) makes a guardian act for that child. Clients are closed
    after the test.
    """
    opened: list[httpx.AsyncClient] = []

    async def factory(username: str | None, child: str | None = None) -> httpx.AsyncClient:
        client = make_client(platform)
        opened.append(client)
        if username is not None:
            await login(client, username, TinyDistrict.PASSWORD)
        if child is not None:
            response = await client.post("/api/v1/me/acting-child",
                                         json={"child_id": district.ids[child]})
            response.raise_for_status()
        return client

    yield factory
    for client in opened:
        await client.aclose()
