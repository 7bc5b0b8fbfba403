"""Alembic: one branch per plugin plus the core's, matching the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from bangyaer.db._migrate import MigrationError, current_heads, upgrade
from bangyaer.testing import build_plugin, installed_plugin_ids, write_files
from sqlalchemy import inspect

# The core's own revisions, oldest first.
CORE = ["core_0001", "core_0002", "core_0003", "core_0004"]

INIT = """
from pathlib import Path
from bangyaer import PluginInfo, hookimpl
from . import models as _models

@hookimpl
def plugin_info():
    return PluginInfo("{id}", "便签", "Notes", ">=0.1")

@hookimpl
def models():
    return [_models]

@hookimpl
def migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
"""
MODELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from bangyaer.db import Base

class Note(Base):
    __tablename__ = "{id}_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))
"""
REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = None
branch_labels = {labels}
depends_on = {depends_on}


def upgrade():
    op.create_table(
        "{id}_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["core_person.id"],
                                name=op.f("fk_{id}_note_person_id_core_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_{id}_note")),
    )
    op.create_index(op.f("ix_{id}_note_person_id"), "{id}_note", ["person_id"])


def downgrade():
    op.drop_table("{id}_note")
"""


def write_notes_plugin(root, plugin_id, *, revision=None, labels=None, depends_on=None):
    package = f"bangyaer_{plugin_id}"
    revision = revision or f"{plugin_id}_0001"
    labels = labels if labels is not None else (plugin_id,)
    return write_files(root, {
        f"{package}/__init__.py": INIT.format(id=plugin_id),
        f"{package}/models.py": MODELS.format(id=plugin_id),
        f"{package}/migrations/versions/{revision}_notes.py": REVISION.format(
            id=plugin_id, revision=revision, labels=repr(labels), depends_on=repr(depends_on)),
    })


@pytest.fixture
def notes(tmp_path, install_plugin):
    """Install a notes plugin by id; returns the ids installed so far."""
    def install(plugin_id, **kwargs):
        root = write_notes_plugin(tmp_path / plugin_id, plugin_id, **kwargs)
        install_plugin(plugin_id, f"bangyaer_{plugin_id}", path=root)

    return install


async def build(make_platform, *enabled):
    disabled = tuple(sorted(installed_plugin_ids() - set(enabled)))
    return await make_platform(discover=True, schema=False, disabled_plugins=disabled)


async def differences(platform):
    def compare(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, platform.enabled_metadata())

    async with platform.db.engine.connect() as conn:
        return await conn.run_sync(compare)


async def tables(platform):
    async with platform.db.engine.connect() as conn:
        return await conn.run_sync(lambda c: sorted(inspect(c).get_table_names()))


async def test_fresh_database_migrated_has_exactly_the_schema_of_the_models(make_platform):
    platform = await build(make_platform)
    await upgrade(platform)
    assert await differences(platform) == []


async def test_upgrading_twice_applies_nothing_the_second_time(make_platform):
    platform = await build(make_platform)
    first = await upgrade(platform)
    before = await tables(platform)
    second = await upgrade(platform)
    assert (first.applied, second.applied) == (CORE, [])
    assert second.heads == {"core": [CORE[-1]]}
    assert await tables(platform) == before


async def test_hook_migrations_branch_is_brought_to_head_with_the_core(notes, make_platform):
    notes("memo")
    platform = await build(make_platform, "memo")
    result = await upgrade(platform)
    assert result.applied == [*CORE, "memo_0001"]
    assert result.heads == {"core": [CORE[-1]], "memo": ["memo_0001"]}
    assert await differences(platform) == []


async def test_two_plugin_branches_are_independent(notes, make_platform):
    notes("memo")
    notes("diary")
    await upgrade(await build(make_platform, "memo"))
    later = await upgrade(await build(make_platform, "memo", "diary"))
    assert later.applied == ["diary_0001"]
    assert await current_heads(await build(make_platform)) == [
        CORE[-1], "diary_0001", "memo_0001"]


async def test_disabled_plugins_applied_branch_is_left_alone(notes, make_platform):
    notes("memo")
    await upgrade(await build(make_platform, "memo"))
    platform = await build(make_platform)
    result = await upgrade(platform)
    assert (result.applied, result.left_alone) == ([], ["memo_0001"])
    assert "memo_note" in await tables(platform)
    again = await upgrade(await build(make_platform, "memo"))
    assert (again.applied, again.left_alone) == ([], [])


async def test_uninstalled_plugins_applied_branch_does_not_break_upgrade(
        notes, make_platform, install_plugin):
    notes("memo")
    await upgrade(await build(make_platform, "memo"))
    install_plugin.uninstall()
    notes("diary")
    result = await upgrade(await build(make_platform, "diary"))
    assert (result.applied, result.left_alone) == (["diary_0001"], ["memo_0001"])


async def test_revision_without_the_plugin_prefix_is_refused(notes, make_platform):
    notes("memo", revision="0001")
    platform = await build(make_platform, "memo")
    with pytest.raises(MigrationError, match=r"^plugin 'memo': revision '0001' in .*0001_notes"
                                             r"\.py must have an id starting with 'memo_', "
                                             r"e\.g\. 'memo_0001'$"):
        await upgrade(platform)
    assert await tables(platform) == []


async def test_first_revision_without_the_branch_label_is_refused(notes, make_platform):
    notes("memo", labels=())
    platform = await build(make_platform, "memo")
    with pytest.raises(MigrationError, match=r"^plugin 'memo': first revision 'memo_0001' in "
                                             r".* must have branch_labels = \('memo',\), "
                                             r"found \(\)$"):
        await upgrade(platform)


async def test_branch_depending_on_the_core_survives_being_disabled(notes, make_platform):
    notes("memo", depends_on="core_0001")
    await upgrade(await build(make_platform, "memo"))
    without = await upgrade(await build(make_platform))
    again = await upgrade(await build(make_platform, "memo"))
    assert (without.applied, without.left_alone, without.heads) == (
        [], ["memo_0001"], {"core": [CORE[-1]]})
    assert (again.applied, again.heads) == (
        [], {"core": [CORE[-1]], "memo": ["memo_0001"]})


SECOND_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{id}_0002"
down_revision = "{id}_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("{id}_note", sa.Column("done", sa.Boolean(), nullable=True))
"""


async def test_new_revision_of_a_branch_another_depended_on_applies_once_it_is_set_aside(
        notes, make_platform, tmp_path):
    # "origin" stands in for the core: "dep" depends on its first revision.
    notes("origin")
    notes("dep", depends_on="origin_0001")
    await upgrade(await build(make_platform, "origin", "dep"))
    write_files(tmp_path / "origin", {
        "bangyaer_origin/migrations/versions/origin_0002_done.py":
            SECOND_REVISION.format(id="origin")})
    result = await upgrade(await build(make_platform, "origin"))
    assert (result.applied, result.left_alone) == (["origin_0002"], ["dep_0001"])
    assert result.heads == {"core": [CORE[-1]], "origin": ["origin_0002"]}


async def test_hook_migrations_directory_that_does_not_exist_breaks_the_plugin(
        make_platform, tmp_path):
    platform = await make_platform(
        [build_plugin("ghost", migrations=lambda: str(tmp_path / "nowhere"))], schema=False)
    record = platform.host.records["ghost"]
    assert (record.status, record.reason) == (
        "broken", f"migrations() returned {str(tmp_path / 'nowhere')!r}, which is not a "
                  "directory")
    assert list(platform.migration_dirs) == ["core"]


async def test_broken_plugins_branch_is_not_migrated(notes, make_platform):
    notes("memo")
    platform = await build(make_platform, "memo")
    platform.host.mark_broken("memo", "routes() raised RuntimeError: boom")
    result = await upgrade(platform)
    assert result.applied == CORE
    assert "memo_note" not in await tables(platform)
