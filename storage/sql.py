"""Small SQL helpers that differ between SQLite and PostgreSQL, kept here so no query needs to care."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Float, Table, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement, GenericFunction
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

S = TypeVar("S", bound=GenerativeSelect)
T = TypeVar("T")


class Stored(Protocol):
    id: int | None


def id_of(row: Stored) -> int:
    """A stored row's id: SQLModel types it ``int | None`` for a row not yet flushed."""
    assert row.id is not None, "the row has not been flushed"
    return row.id


def nonnull(column: T | None) -> InstrumentedAttribute[T]:
    """A column read where it is never NULL: a primary key (SQLModel types it ``int | None`` for rows not yet
    flushed), or a column the query's WHERE keeps to rows that have it."""
    return cast("InstrumentedAttribute[T]", column)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's table: SQLAlchemy sets ``__table__`` on the class, SQLModel's types do not declare it."""
    table = model.__dict__["__table__"]
    assert isinstance(table, Table)
    return table


def _insert_for(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    assert session.bind is not None
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(table)


async def insert_ignoring_duplicates(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """Insert rows, skipping any that would break the unique key ``unique``; returns how many were new.

    Several rows are counted by what the insert returns: asyncpg reports no row count for a batch."""
    if not rows:
        return 0
    if len(rows) == 1:
        stmt = _insert_for(session, table_of(model)).on_conflict_do_nothing(index_elements=list(unique))
        return max((await session.exec(stmt, params=list(rows))).rowcount, 0)
    return len(await inserted_keys(session, model, rows, unique))


async def inserted_keys(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> list[tuple[Any, ...]]:
    """:func:`insert_ignoring_duplicates` in one statement, telling which rows were new: their primary keys."""
    if not rows:
        return []
    table = table_of(model)
    stmt = (_insert_for(session, table).on_conflict_do_nothing(index_elements=list(unique))
            .returning(*table.primary_key.columns))
    return [tuple(row) for row in (await session.exec(stmt, params=list(rows))).all()]


async def insert_ids(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement; returns their new ids in the rows' order. PostgreSQL returns them
    in order; SQLite cannot say which RETURNING row is which (SQLAlchemy would insert one row at a time),
    but under its write lock no one else inserts and one executemany takes increasing ids, so they are
    read back after the largest id there was."""
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list((await session.exec(stmt, params=list(rows))).scalars())
    before = (await session.exec(select(func.max(model.id)))).one() or 0
    await session.exec(insert(table_of(model)), params=list(rows))
    return list(await session.exec(select(model.id).where(model.id > before).order_by(model.id)))


async def upsert(
    session: AsyncSession, model: type[SQLModel], row: dict[str, Any], unique: Sequence[str], update: Sequence[str]
) -> None:
    stmt = _insert_for(session, table_of(model)).values(**row)
    stmt = stmt.on_conflict_do_update(index_elements=list(unique), set_={c: stmt.excluded[c] for c in update})
    await session.exec(stmt)


def locked(stmt: S, *, skip_locked: bool = False) -> S:
    """Row locks on PostgreSQL; SQLite's writer already holds the database lock, so nothing to add there."""
    return stmt.with_for_update(skip_locked=skip_locked)


class greatest(GenericFunction[Any]):
    """The larger of its arguments (GREATEST on PostgreSQL, the two-argument MAX on SQLite); give ``type_``."""

    inherit_cache = True


class least(GenericFunction[Any]):
    """The smaller of its arguments (LEAST on PostgreSQL, the two-argument MIN on SQLite); give ``type_``."""

    inherit_cache = True


class seconds_between(FunctionElement[float]):
    """Seconds from the first moment to the second (negative when it is earlier)."""

    type = Float()
    inherit_cache = True


@compiles(greatest)
def _greatest(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"MAX({compiler.process(element.clauses, **kw)})"  # stored as ISO text, which sorts as time does


@compiles(least)
def _least(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"MIN({compiler.process(element.clauses, **kw)})"


@compiles(seconds_between)
def _seconds(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"
