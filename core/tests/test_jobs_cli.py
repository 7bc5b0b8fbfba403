"""``bangyaer worker --once``: runs what is ready, reports it, exits."""

from __future__ import annotations

import asyncio

from bangyaer.events import DISPATCH_JOB, emit
from bangyaer.jobs import Job, enqueue
from bangyaer.notifications import SEND_JOB
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.testing import installed_plugin_ids, write_config
from sqlalchemy import select


def test_worker_once_runs_the_ready_jobs_and_exits(bangyaer_home, bangyaer_database_url,
                                                   run_cli):
    # Only the core: the installed plugins' tables are not part of this test.
    write_config(bangyaer_home, secret_key="cli-test-secret-0123456789",
                 database_url=bangyaer_database_url, embedded_worker=False,
                 disabled=installed_plugin_ids())
    platform = Platform(load_settings(bangyaer_home, environ={}), discover=False)

    async def prepare() -> None:
        await platform.create_schema()
        async with platform.db.transaction() as session:
            await emit(session, "clitest.something_happened")
            await enqueue(session, SEND_JOB, {"batch": "b", "channel": "nowhere"})
        await platform.close()

    async def statuses() -> dict[str, str]:
        async with platform.db.session() as session:
            rows = (await session.execute(select(Job.kind, Job.status))).all()
        await platform.close()
        return dict(rows)

    asyncio.run(prepare())

    result = run_cli("worker", "--once")

    assert result.exit_code == 0, result.output
    assert result.stdout == "ran 2 jobs\n"
    assert asyncio.run(statuses()) == {DISPATCH_JOB: "done", SEND_JOB: "dead"}


def test_worker_once_with_nothing_ready_says_so(bangyaer_home, bangyaer_database_url, run_cli):
    write_config(bangyaer_home, secret_key="cli-test-secret-0123456789",
                 database_url=bangyaer_database_url, embedded_worker=False,
                 disabled=installed_plugin_ids())
    platform = Platform(load_settings(bangyaer_home, environ={}), discover=False)

    async def prepare() -> None:
        await platform.create_schema()
        await platform.close()

    asyncio.run(prepare())

    result = run_cli("worker", "--once")

    assert (result.exit_code, result.stdout) == (0, "ran 0 jobs\n")
