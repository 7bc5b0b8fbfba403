"""The training branch's migrations build exactly the tables the models describe."""

from __future__ import annotations

import bangyaer_training.plugin
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from bangyaer.db._migrate import upgrade


async def test_upgrading_leaves_no_difference_from_the_models(make_platform):
    platform = await make_platform(plugins=[bangyaer_training.plugin], schema=False)
    await upgrade(platform)
    target = platform.enabled_metadata()

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, target)
                if "training_" in repr(d)]

    async with platform.db.engine.connect() as conn:
        found = await conn.run_sync(diff)

    assert found == []
