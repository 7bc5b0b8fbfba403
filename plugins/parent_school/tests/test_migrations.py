"""The parent_school branch of migrations builds exactly the tables the models describe."""

from __future__ import annotations

from typing import Any

import bangyaer_parent_school.plugin
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from bangyaer.db._migrate import upgrade


async def test_upgrade_creates_the_tables_the_models_describe(make_platform: Any) -> None:
    platform = await make_platform(plugins=[bangyaer_parent_school.plugin], schema=False)

    result = await upgrade(platform)

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, platform.enabled_metadata())
                if "parent_school_" in repr(d)]

    async with platform.db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
    assert result.heads["parent_school"] == ["parent_school_0001"]
