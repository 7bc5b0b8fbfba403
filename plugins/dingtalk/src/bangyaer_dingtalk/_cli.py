"""``bangyaer dingtalk …``: roster sync and the sandbox server."""

from __future__ import annotations

import asyncio
import json
import sys

import click
from bangyaer.cli import State, pass_state
from bangyaer.settings import ConfigError

from ._client import DingTalkError
from ._runtime import runtime
from ._sync import SyncError, SyncReport, schedule, sync


@click.group()
def dingtalk() -> None:
    """DingTalk (钉钉): roster sync, and a sandbox for development."""


def _progress(corp_id: str, done: int, total: int) -> None:
    click.echo(f"\r{corp_id}: {done}/{total} 个班级", nl=done == total, err=True)


def _print(report: SyncReport) -> None:
    click.echo(f"{report.school_code} ({report.corp_id}): {report.status} — 新增 "
               f"{report.added}，更新 {report.updated}，停用 {report.deactivated}，"
               f"错误 {report.errors}")
    for line in report.error_details[:20]:
        click.echo(f"  ! {line}")
    for line in report.notes[:20]:
        click.echo(f"  · {line}")


@dingtalk.command("sync")
@click.option("--corp", "corp_ids", multiple=True, metavar="CORP_ID",
              help="Only this corp (repeatable); default: every configured corp.")
@click.option("--queue", is_flag=True,
              help="Queue the sync as a job for the worker; it then repeats every "
                   "sync_interval_hours.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@pass_state
def sync_command(state: State, corp_ids: tuple[str, ...], queue: bool, as_json: bool) -> None:
    """Sync schools, classes, students and guardians from the home-school roster."""
    platform = state.platform()

    async def go() -> list[SyncReport] | int | None:
        try:
            if queue:
                await runtime(platform)  # check the configuration before queueing
                return await schedule(platform, hours=0)
            return await sync(platform, corp_ids, progress=None if as_json else _progress)
        finally:
            await platform.close()

    try:
        result = asyncio.run(go())
    except (SyncError, ConfigError, DingTalkError) as exc:
        raise click.ClickException(str(exc)) from None
    if queue:
        click.echo("已加入队列 (queued): the worker runs the sync"
                   if result is not None else "a sync is already queued")
        return
    reports = result if isinstance(result, list) else []
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print(report)
    if any(r.status != "ok" for r in reports):
        sys.exit(1)


@dingtalk.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8600, show_default=True, type=int)
@click.option("--fixture", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Directory JSON (default: the packaged demo directory).")
def sandbox_command(host: str, port: int, fixture: str | None) -> None:
    """Serve a DingTalk sandbox speaking DingTalk's protocol; never for production."""
    import uvicorn

    from .sandbox import DEMO_FIXTURE, FixtureError, Sandbox, load_fixture_file

    try:
        sandbox = Sandbox(load_fixture_file(fixture or DEMO_FIXTURE))
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    for corp in sandbox.corps():
        click.echo(f"corp {corp.corp_id} ({corp.name}): app_key {corp.app_key}, "
                   f"agent_id {corp.agent_id}")
    click.echo(f"sign-in codes: POST http://{host}:{port}/_sandbox/auth-codes "
               '{"corp_id": …, "userid": …}')
    uvicorn.run(sandbox.app, host=host, port=port, log_level="info")
