"""Loading and writing many rows at once: the importer never queries per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ..db import Base

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
M = TypeVar("M", bound=Base)
# Rows per statement: well inside SQLite's and asyncpg's limits on bound parameters.
BATCH = 1000
Progress = Callable[[int], None]
AnyRow = Row[*tuple[Any, ...]]


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def select_in(
    session: AsyncSession,
    stmt: Select[*Ts],
    column: InstrumentedAttribute[Any],
    values: Iterable[object],
) -> list[Row[*Ts]]:
    """``stmt`` restricted to ``column IN values``, one query per batch of values."""
    # Core execution: plain rows, without the ORM's per-row result processing.
    conn = await session.connection()
    found: list[Row[*Ts]] = []
    for part in chunks(sorted(set(values), key=str)):
        found.extend((await conn.execute(stmt.where(column.in_(part)))).all())
    return found


async def load_in(
    session: AsyncSession,
    stmt: Select[M],
    column: InstrumentedAttribute[Any],
    values: Iterable[object],
) -> list[M]:
    """ORM objects ``stmt`` selects, restricted to ``column IN values`` batch by batch."""
    found: list[M] = []
    for part in chunks(sorted(set(values), key=str)):
        found.extend(await session.scalars(stmt.where(column.in_(part))))
    return found


async def insert_rows(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    returning: Sequence[InstrumentedAttribute[Any]] = (),
    progress: Progress | None = None,
) -> list[AnyRow]:
    """Insert ``rows`` in batches; returns the ``returning`` columns of every new row, unordered.
    """
    made: list[AnyRow] = []
    for part in chunks(rows):
        stmt = insert(model)
        if returning:
            stmt = stmt.returning(*returning)
            made.extend((await session.execute(stmt, list(part))).all())
        else:
            await session.execute(stmt, list(part))
        if progress:
            progress(len(part))
    return made


async def update_rows(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    progress: Progress | None = None,
) -> None:
    """Update by primary key in batches; each dict holds ``id`` and the new values."""
    for part in chunks(rows):
        await session.execute(update(model), list(part))
        if progress:
            progress(len(part))
