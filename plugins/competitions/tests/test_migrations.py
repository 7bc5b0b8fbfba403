"""The competitions Alembic branch builds exactly the tables the models describe."""

from __future__ import annotations

from typing import Any

import bangyaer_competitions.plugin
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from bangyaer.db._migrate import upgrade


async def test_the_branch_upgrades_to_the_models_tables(make_platform):
    platform = await make_platform(plugins=[bangyaer_competitions.plugin], schema=False)

    await upgrade(platform)

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        changes = compare_metadata(context, platform.enabled_metadata())
        return [c for c in changes if "competitions_" in repr(c)]

    async with platform.db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
