"""Alembic environment: always handed a live connection by bangyaer.db._migrate."""

from __future__ import annotations

from typing import Any

from alembic import context

from bangyaer.db import metadata
from bangyaer.db._base import UTCDateTime

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `bangyaer db upgrade`, not the alembic command")



def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions must not import the application: UTCDateTime is stored as a
    # plain timezone-aware DATETIME / TIMESTAMPTZ.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    render_item=render_item,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
