"""Small SQL helpers that differ between SQLite and PostgreSQL, kept here so no query needs to care."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def _insert_for(session: AsyncSession, table: Any):
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(table)


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """Insert rows, skipping any that would break the unique key ``unique``; returns how many were new.

    Several rows are counted by what the insert returns: asyncpg reports no row count for a batch."""
    if not rows:
        return 0
    stmt = _insert_for(session, table).on_conflict_do_nothing(index_elements=list(unique))
    if len(rows) == 1:
        return max((await session.exec(stmt, params=list(rows))).rowcount, 0)
    returning = stmt.returning(*table.primary_key.columns)
    return len((await session.exec(returning, params=list(rows))).all())


async def upsert(
    session: AsyncSession, table: Any, row: dict[str, Any], unique: Sequence[str], update: Sequence[str]
) -> None:
    stmt = _insert_for(session, table).values(**row)
    stmt = stmt.on_conflict_do_update(index_elements=list(unique), set_={c: stmt.excluded[c] for c in update})
    await session.exec(stmt)


def locked(stmt: Select, *, skip_locked: bool = False) -> Select:
    """Row locks on PostgreSQL; SQLite's writer already holds the database lock, so nothing to add there."""
    return stmt.with_for_update(skip_locked=skip_locked)
