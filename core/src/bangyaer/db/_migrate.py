"""Alembic, one branch per plugin plus the core's, driven from the platform.

Every installed plugin's version directory is on the path so that a branch
applied before a plugin was disabled can still be located; only enabled
branches are upgraded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from ..platform import Platform

SCRIPT_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _locations(platform: Platform) -> dict[str, str]:
    found: dict[str, str] = {}
    for record in platform.host.records.values():
        if record.obj is None or not hasattr(record.obj, "migrations"):
            continue
        if record.status not in ("enabled", "disabled"):
            continue
        try:
            location = record.obj.migrations()
        except Exception:  # reported when the plugin is enabled; not our concern here
            continue
        if location:
            found[record.id] = str(location)
    return found


def alembic_config(platform: Platform, connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    cfg.set_main_option("version_locations", " ".join(_locations(platform).values()))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["connection"] = connection
    cfg.attributes["platform"] = platform
    return cfg


def enabled_branches(platform: Platform) -> list[str]:
    locations = _locations(platform)
    return [r.id for r in platform.host.enabled() if r.id in locations]


async def upgrade(platform: Platform) -> dict[str, list[str]]:
    """Upgrade every enabled branch to its head; returns each branch's heads after."""
    branches = enabled_branches(platform)

    def go(connection: Any) -> None:
        cfg = alembic_config(platform, connection)
        for branch in branches:
            command.upgrade(cfg, f"{branch}@head")

    async with platform.db.engine.begin() as conn:
        await conn.run_sync(go)
    return {b: [h for h in await current_heads(platform) if h.startswith(f"{b}_")]
            for b in branches}


async def current_heads(platform: Platform) -> list[str]:
    def read(connection: Any) -> list[str]:
        return sorted(MigrationContext.configure(connection).get_current_heads())

    async with platform.db.engine.connect() as conn:
        return await conn.run_sync(read)


def script_directory(platform: Platform) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(platform))
