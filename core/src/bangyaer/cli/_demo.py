from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import click
import tomlkit

from ..db._migrate import MigrationError, upgrade
from ..demo import DemoResult, seed_demo
from ..identity import ROLE_TITLES
from ..settings import CONFIG_FILE, DEFAULT_DATA_DIR
from . import State, main, pass_state, run, write_default_config
from ._roster import display_cell


@main.command()
@click.option("--no-serve", is_flag=True, help="Seed and print the accounts, then exit.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the accounts as JSON: [{username, password, role, name, school}].")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_state
def demo(state: State, no_serve: bool, as_json: bool, host: str, port: int) -> None:
    """Set up a demo district with accounts for every role, then serve it.

    Creates bangyaer.toml if missing, migrates the database and, the first
    time only, seeds the district and every enabled plugin's demo content.
    """
    # With --json, stdout carries the JSON alone; everything else goes to stderr.
    def say(text: str) -> None:
        click.echo(text, err=as_json)

    data_dir = Path(state.data_dir_option or DEFAULT_DATA_DIR)
    if write_default_config(data_dir):
        _write_demo_settings(State(state.data_dir_option), f"http://{host}:{port}")
        say(f"created {data_dir / CONFIG_FILE}")
    # Settings are read after the file exists, so the new secret key is in them.
    state = State(state.data_dir_option)
    platform = state.platform()

    async def go() -> DemoResult:
        try:
            await upgrade(platform)
            return await seed_demo(platform)
        except MigrationError as exc:
            raise click.ClickException(f"数据库迁移失败 (migration failed): {exc}") from None
        finally:
            await platform.close()

    # Seeding logs one line per demo notice, class and club; the accounts
    # table is what a newcomer needs to see, so only warnings pass meanwhile.
    package_log = logging.getLogger("bangyaer")
    level = package_log.level
    package_log.setLevel(max(level, logging.WARNING))
    try:
        result = run(go())
    finally:
        package_log.setLevel(level)
    if result.other_district is not None:
        raise click.ClickException(
            f"数据库中已有“{result.other_district}”的真实数据，演示未写入任何内容 "
            "(this database holds a real district; use an empty data directory for the demo)")
    _report(result, as_json, say)
    if not no_serve:
        say(f"serving on http://{host}:{port}/ — Ctrl+C to stop")
        from ._serve import serve_app

        serve_app(state, host, port, 1)


def _write_demo_settings(state: State, base_url: str) -> None:
    """Put each plugin's demo values (SettingSpec.demo) into a new demo bangyaer.toml.

    This is how an integration runs offline in the demo — DingTalk turns on
    its sandbox — without the core knowing any plugin by name.
    """
    platform = state.platform()
    path = state.data_dir / CONFIG_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["bangyaer"]["base_url"] = base_url  # type: ignore[index]
    plugins = doc.setdefault("plugins", tomlkit.table())
    for plugin_id, specs in platform.host.call("settings_schema"):
        values = {spec.key: spec.demo for spec in specs if spec.demo is not None}
        if values:
            table = tomlkit.table()
            table.update(values)
            plugins[plugin_id] = table
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    run(platform.close())


def _report(result: DemoResult, as_json: bool, say: Callable[[str], None]) -> None:
    counts = result.counts
    say(("已创建演示数据 (demo seeded)" if result.seeded
         else "演示数据已存在，未重复创建 (demo already seeded)")
        + f"：{counts['schools']} 所学校，{counts['students']} 名学生，"
          f"{counts['guardians']} 名家长")
    for plugin_id, error in result.plugin_failures:
        say(f"插件 {plugin_id} 的演示数据未能创建 (plugin demo data failed): {error}")
    if as_json:
        click.echo(json.dumps([a.as_dict() for a in result.accounts], ensure_ascii=False,
                              indent=2))
        return
    widths = (18, 14, 12, 12)
    click.echo("".join(display_cell(h, w, left=True) for h, w in zip(
        ("角色 (role)", "用户名", "密码", "姓名"), widths, strict=True)) + "学校")
    for account in result.accounts:
        cells = (ROLE_TITLES[account.role][0], account.username,
                 account.password or "（已修改）", account.name)
        click.echo("".join(display_cell(c, w, left=True) for c, w in zip(
            cells, widths, strict=True)) + (account.school or "—"))
