"""Alembic, one branch per plugin plus the core's, driven from the platform.

Each enabled plugin's ``migrations()`` directory holds its own branch: its
first revision has ``branch_labels = ("<id>",)`` and every revision id starts
with ``<id>_``. ``upgrade`` brings each enabled branch to its head, the core
first, so a plugin's revisions may rely on the core's newest tables; they may
also say so with ``depends_on``.

A branch applied while its plugin was enabled stays in ``alembic_version``
after the plugin is disabled or uninstalled. Alembic refuses to work from a
revision it cannot find, and the disabled plugin's hooks are not called to
find it, so such revisions are set aside and left exactly as they are.

Alembic keeps only the newest revisions in ``alembic_version``: a revision
that ``depends_on`` the core's replaces the core's row. Set aside with its
plugin, it would take the record of the core's schema with it, so after an
upgrade every enabled branch's head is written back as a row of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["MigrationError", "UpgradeResult", "current_heads", "upgrade"]

log = logging.getLogger("bangyaer.db")
SCRIPT_DIR = Path(__file__).resolve().parent.parent / "migrations"


class MigrationError(Exception):
    """A plugin's migrations break the one-branch-per-plugin rules; names plugin and file."""


@dataclass
class UpgradeResult:
    """What ``upgrade`` did: revisions applied, each branch's heads, revisions left alone."""

    applied: list[str] = field(default_factory=list)
    heads: dict[str, list[str]] = field(default_factory=dict)
    left_alone: list[str] = field(default_factory=list)


def alembic_config(platform: Platform) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option(
        "version_locations", "\n".join(str(p) for p in platform.migration_dirs.values()))
    cfg.attributes["platform"] = platform
    return cfg


def script_directory(platform: Platform) -> ScriptDirectory:
    """The revisions of every enabled branch, checked against the branch rules."""
    script = ScriptDirectory.from_config(alembic_config(platform))
    _check_branches(platform, script)
    return script


def _check_branches(platform: Platform, script: ScriptDirectory) -> None:
    owners = {Path(d).resolve(): pid for pid, d in platform.migration_dirs.items()}
    for rev in script.walk_revisions():
        plugin_id = owners.get(Path(rev.path).resolve().parent)
        if plugin_id is None:  # pragma: no cover - Alembic only reads our directories
            continue
        if not rev.revision.startswith(f"{plugin_id}_"):
            raise MigrationError(
                f"plugin {plugin_id!r}: revision {rev.revision!r} in {rev.path} must have an "
                f"id starting with '{plugin_id}_', e.g. '{plugin_id}_0001'")
        if rev.down_revision is None and tuple(rev.branch_labels) != (plugin_id,):
            raise MigrationError(
                f"plugin {plugin_id!r}: first revision {rev.revision!r} in {rev.path} must "
                f"have branch_labels = ({plugin_id!r},), found {tuple(rev.branch_labels)!r}")


async def upgrade(platform: Platform) -> UpgradeResult:
    """Upgrade every enabled branch to its head in one transaction."""
    script = script_directory(platform)
    cfg = alembic_config(platform)
    known = {rev.revision for rev in script.walk_revisions()}
    branches = list(platform.migration_dirs)
    result = UpgradeResult()

    def applied(*, step: Any, **_: Any) -> None:
        result.applied.extend(step.up_revision_ids if step.is_upgrade else ())

    def go(connection: Any) -> None:
        cfg.attributes["connection"] = connection
        cfg.attributes["on_version_apply"] = applied
        for branch in branches:
            _upgrade_branch(cfg, script, branch, known, result)
        _keep_branch_heads(connection, script, branches)

    async with platform.db.engine.begin() as conn:
        await conn.run_sync(go)
    heads = await current_heads(platform)
    result.heads = {b: [h for h in heads if h.startswith(f"{b}_")] for b in branches}
    return result


def _upgrade_branch(
    cfg: Config, script: ScriptDirectory, branch: str, known: set[str], result: UpgradeResult
) -> None:
    target = f"{branch}@head"

    def steps(heads: tuple[str, ...], context: MigrationContext) -> Any:
        mine = _newest(script, [h for h in heads if h in known])
        for head in heads:
            if head not in known and head not in result.left_alone:
                log.info("revision %s belongs to a plugin that is not enabled; left as it is",
                         head)
                result.left_alone.append(head)
        # The same work as alembic.command.upgrade, from the heads we know.
        return script._upgrade_revs(target, mine)  # type: ignore[arg-type]

    with EnvironmentContext(cfg, script, fn=steps, destination_rev=target):
        script.run_env()


def _newest(script: ScriptDirectory, heads: list[str]) -> tuple[str, ...]:
    """``heads`` without those another head descends from (Alembic refuses overlaps)."""
    below: set[str] = set()
    for head in heads:
        below.update(r.revision for r in script.iterate_revisions(head, "base")
                     if r.revision != head)
    return tuple(h for h in heads if h not in below)


def _keep_branch_heads(connection: Any, script: ScriptDirectory, branches: list[str]) -> None:
    version = sa.table("alembic_version", sa.column("version_num", sa.String))
    present = set(connection.scalars(sa.select(version.c.version_num)))
    for branch in branches:
        head = script.get_revision(f"{branch}@head")
        if head is not None and head.revision not in present:
            connection.execute(version.insert().values(version_num=head.revision))


async def current_heads(platform: Platform) -> list[str]:
    """Every revision recorded in ``alembic_version``, enabled or not."""
    def read(connection: Any) -> list[str]:
        return sorted(MigrationContext.configure(connection).get_current_heads())

    async with platform.db.engine.connect() as conn:
        return await conn.run_sync(read)
