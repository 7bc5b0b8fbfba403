"""A plugin author's first plugin, written here and installed only for the test.

It adds a page with its own templates, a model with its Alembic branch, a
cockpit widget and a CLI command. ``db upgrade`` creates its table, the
widget shows on /dashboard and the command runs. A second plugin that raises
in routes() is reported by ``plugins list`` and does not take the app down.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from bangyaer.cli import main
from bangyaer.db._migrate import upgrade
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.testing import TinyDistrict, installed_plugin_ids, login, write_config, write_files
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

SECRET = "test-secret-key-0123456789"

PLUGIN = {
    "bangyaer_authoring/__init__.py": '''
        """便签: the smallest useful module."""

        from pathlib import Path

        import click
        from sqlalchemy import func, select
        from starlette.routing import Route

        from bangyaer import PluginInfo, Routes, Widget, WidgetData, hookimpl
        from bangyaer.cli import pass_platform
        from bangyaer.web import get_platform, render

        from . import models as _models
        from .models import Note

        @hookimpl
        def plugin_info():
            return PluginInfo(id="authoring", title_zh="便签", title_en="Notes",
                              requires_core=">=0.1,<0.2", icon="note")

        @hookimpl
        def models():
            return [_models]

        @hookimpl
        def migrations():
            return str(Path(__file__).parent / "migrations" / "versions")

        async def notes_page(request):
            async with get_platform(request).db.session() as session:
                notes = list(await session.scalars(select(Note).order_by(Note.id)))
            return await render(request, "authoring/notes.html", {"notes": notes})

        @hookimpl
        def routes():
            return Routes(pages=[Route("/", notes_page, name="notes")])

        async def count_notes(session, scope):
            return WidgetData(value=await session.scalar(select(func.count(Note.id))))

        @hookimpl
        def dashboard_widgets(scope):
            return [Widget("authoring.count", "便签总数", "Notes written", "number",
                           count_notes)]

        @hookimpl
        def commands(cli):
            @cli.group("authoring")
            def group():
                """便签 (notes)."""

            @group.command("add")
            @click.argument("text")
            @pass_platform
            async def add(platform, text):
                async with platform.db.transaction() as session:
                    note = Note(text=text)
                    session.add(note)
                    await session.flush()
                    click.echo(f"added note {note.id}")
    ''',
    "bangyaer_authoring/models.py": '''
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        from bangyaer.db import Base

        class Note(Base):
            __tablename__ = "authoring_note"

            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(String(200))
    ''',
    "bangyaer_authoring/templates/notes.html": '''
        {% extends "base.html" %}
        {% block title %}便签{% endblock %}
        {% block content %}
        <h1>便签</h1>
        <ul class="notes">{% for note in notes %}<li>{{ note.text }}</li>{% endfor %}</ul>
        {% endblock %}
    ''',
    "bangyaer_authoring/migrations/versions/authoring_0001_notes.py": '''
        """notes"""

        import sqlalchemy as sa
        from alembic import op

        revision = "authoring_0001"
        down_revision = None
        branch_labels = ("authoring",)
        depends_on = None


        def upgrade():
            op.create_table(
                "authoring_note",
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("text", sa.String(length=200), nullable=False),
                sa.PrimaryKeyConstraint("id", name=op.f("pk_authoring_note")),
            )


        def downgrade():
            op.drop_table("authoring_note")
    ''',
    "bangyaer_authoring_broken/__init__.py": '''
        from bangyaer import PluginInfo, hookimpl

        @hookimpl
        def plugin_info():
            return PluginInfo("authoring_broken", "坏插件", "Broken", ">=0.1")

        @hookimpl
        def routes():
            raise RuntimeError("template directory missing")
    ''',
}
OURS = {"authoring", "authoring_broken"}


@pytest.fixture
def home(tmp_path, install_plugin, bangyaer_home, bangyaer_database_url):
    """The data directory of a deployment with the two plugins and nothing else."""
    src = write_files(tmp_path / "src", PLUGIN)
    install_plugin("authoring", "bangyaer_authoring", path=src)
    install_plugin("authoring_broken", "bangyaer_authoring_broken", path=src)
    write_config(bangyaer_home, secret_key=SECRET, database_url=bangyaer_database_url,
                 embedded_worker=False, disabled=installed_plugin_ids() - OURS)
    return bangyaer_home


def cli(home, *args):
    return CliRunner().invoke(main, ["--data-dir", str(home), *args], catch_exceptions=False)


def in_platform(home, work):
    async def go():
        platform = Platform(load_settings(home, environ={}))
        try:
            return await work(platform)
        finally:
            await platform.close()

    return asyncio.run(go())


async def table_names(platform):
    async with platform.db.engine.connect() as conn:
        return await conn.run_sync(lambda c: set(inspect(c).get_table_names()))


def test_db_upgrade_creates_the_plugins_table(home):
    result = cli(home, "db", "upgrade")
    assert result.output == (
        "core: core_0004 (applied core_0001, core_0002, core_0003, core_0004)\n"
        "authoring: authoring_0001 (applied authoring_0001)\n")
    assert "authoring_note" in in_platform(home, table_names)


def test_plugin_command_runs_with_the_platform(home):
    cli(home, "db", "upgrade")
    first = cli(home, "authoring", "add", "带水彩笔")
    second = cli(home, "authoring", "add", "交表")

    async def count(platform):
        from bangyaer_authoring.models import Note

        async with platform.db.session() as session:
            return await session.scalar(select(func.count(Note.id)))

    assert (first.output, second.output) == ("added note 1\n", "added note 2\n")
    assert in_platform(home, count) == 2


def test_broken_plugin_is_reported_in_plugins_list(home):
    rows = {r["id"]: r for r in json.loads(cli(home, "plugins", "list", "--json").output)}
    assert (rows["authoring_broken"]["status"], rows["authoring_broken"]["reason"]) == (
        "broken", "routes() raised RuntimeError: template directory missing")
    assert rows["authoring"]["status"] == "enabled"


@pytest.fixture
async def platform(home):
    platform = Platform(load_settings(home, environ={}))
    await upgrade(platform)
    yield platform
    await platform.close()


async def test_plugin_page_renders_its_own_template_in_the_core_layout(platform, make_client):
    from bangyaer_authoring.models import Note

    async with platform.db.transaction() as session:
        session.add(Note(text="周五带水彩笔"))
    async with make_client(platform) as client:
        response = await client.get("/authoring/")
    assert response.status_code == 200
    assert "<li>周五带水彩笔</li>" in response.text
    assert "<title>便签 · 棒伢儿</title>" in response.text


async def test_plugin_widget_appears_on_the_dashboard(platform, make_client):
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        await login(client, "admin", TinyDistrict.PASSWORD)
        page = await client.get("/dashboard")
        api = await client.get("/api/v1/dashboard")
    assert page.status_code == 200
    assert "便签总数" in page.text
    widget = next(w for w in api.json()["widgets"] if w["id"] == "authoring.count")
    assert widget["data"]["value"] == 0


async def test_broken_plugin_does_not_take_the_app_down(platform, make_client):
    async with make_client(platform) as client:
        home_page = await client.get("/")
        notes = await client.get("/authoring/")
        broken = await client.get("/authoring_broken/")
    assert (home_page.status_code, notes.status_code, broken.status_code) == (200, 200, 404)
    assert platform.host.records["authoring_broken"].status == "broken"
