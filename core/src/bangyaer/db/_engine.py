from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers proceed while one writer commits; NORMAL sync is
        # durable across application crashes in WAL mode.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    # A deferred BEGIN that later writes must upgrade its read lock, and two
    # such transactions fail at once with "database is locked" whatever the
    # busy timeout. Write transactions therefore take the lock up front with
    # IMMEDIATE and queue on busy_timeout; reads stay deferred and concurrent.
    if conn.get_execution_options().get("bangyaer_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


class Database:
    """The engine and session factory of one app instance."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            sync_engine = self.engine.sync_engine
            event.listen(sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))

            @event.listens_for(sync_engine, "connect")
            def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None

            event.listen(sync_engine, "begin", _sqlite_begin)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(bangyaer_write=True)
        self.write_sessionmaker = async_sessionmaker(writer, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing is committed unless the caller commits."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error."""
        async with self.write_sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
