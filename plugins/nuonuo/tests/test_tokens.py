"""The access token is kept in the database: every process of a deployment shares one."""

from __future__ import annotations

import bangyaer_nuonuo.plugin as nuonuo_plugin
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from bangyaer.db._migrate import upgrade
from bangyaer_nuonuo import NuonuoInvoices
from bangyaer_nuonuo.models import StoredToken
from bangyaer_nuonuo.sandbox import DEMO_APP
from sqlalchemy import select, update

provider = NuonuoInvoices()


async def test_a_second_process_uses_the_token_the_first_one_took(
        nuonuo_platform, sandbox, person):
    web, worker = await nuonuo_platform(), await nuonuo_platform()  # one database
    await provider.issue(web, person())
    await provider.query(worker, sandbox.invoices()[0].serial)
    assert sandbox.token_requests == {DEMO_APP.app_key: 1}
    async with worker.db.session() as session:
        [row] = await session.scalars(select(StoredToken))
    assert row.app_key == DEMO_APP.app_key


async def test_a_stored_token_near_its_expiry_is_replaced(nuonuo_platform, sandbox, person):
    web = await nuonuo_platform()
    await provider.issue(web, person())
    worker = await nuonuo_platform()
    async with worker.db.transaction() as session:
        row = await session.get(StoredToken, DEMO_APP.app_key)
        stale = row.expires_at.replace(year=row.expires_at.year - 1)
        await session.execute(update(StoredToken).values(expires_at=stale))
    await provider.issue(worker, person("INV0009"))
    assert sandbox.token_requests == {DEMO_APP.app_key: 2}


async def test_a_token_the_platform_no_longer_takes_is_forgotten_everywhere(
        nuonuo_platform, sandbox, person):
    web = await nuonuo_platform()
    await provider.issue(web, person())
    async with web.db.session() as session:
        first = (await session.get(StoredToken, DEMO_APP.app_key)).token
    with sandbox.state.lock:
        sandbox.state.tokens.pop(first)  # revoked, as when the app's secret is reset

    await provider.issue(web, person("INV0010"))
    async with web.db.session() as session:
        now = (await session.get(StoredToken, DEMO_APP.app_key)).token
    assert now != first
    assert sandbox.token_requests == {DEMO_APP.app_key: 2}


async def test_upgrading_leaves_no_difference_from_the_models(make_platform):
    platform = await make_platform(plugins=[nuonuo_plugin], schema=False)
    await upgrade(platform)
    target = platform.enabled_metadata()

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, target) if "nuonuo_" in repr(d)]

    async with platform.db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
