"""Alembic environment: always handed a live connection by bangyaer.db._migrate."""

from __future__ import annotations

from typing import Any

from alembic import context
from bangyaer.db._base import UTCDateTime

config = context.config
connection = config.attributes.get("connection")
platform = config.attributes.get("platform")
if connection is None or platform is None:
    raise RuntimeError("run migrations with `bangyaer db upgrade`, not the alembic command")


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions must not import the application: UTCDateTime is stored as a
    # plain timezone-aware DATETIME / TIMESTAMPTZ.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


callback = config.attributes.get("on_version_apply")
context.configure(
    connection=connection,
    render_item=render_item,  # type: ignore[arg-type]
    target_metadata=platform.enabled_metadata(),
    # SQLite alters a table by copying it; batch mode makes Alembic do that.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    on_version_apply=callback,
)
with context.begin_transaction():
    context.run_migrations()
