"""Upgrading a database that holds data, from every earlier revision, on SQLite and PostgreSQL.

At each revision one row is written into every table that exists then (values made from the
reflected column types, foreign keys pointing at the parent rows), then the database is upgraded
to head: every row must survive and the bot must answer on it. Downgrading one step and upgrading
again must work with data present."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, MetaData, Numeric, String, Text, func, select

from bot.app import App
from bot.types import Identity
from commands import build_registry
from storage import migrate
from storage.db import Database
from tests.support import make_config

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
DROPPED = {"readinessanswered"}  # dropped on purpose: what its rows said is recomputed from other rows
KNOWN = {("member", "name"): "Maria Seed", ("memberidentity", "platform"): "console",
         ("memberidentity", "user_id"): "maria", ("worksite", "name"): "Escalante Elementary",
         ("readinesspoll", "choices"): ["Yes", "No"]}


def _value(column, parents: dict[str, dict]) -> object:
    if (column.table.name, column.name) in KNOWN:
        return KNOWN[(column.table.name, column.name)]
    for fk in column.foreign_keys:
        parent = parents.get(fk.column.table.name)
        if parent is not None:
            return parent[fk.column.name]
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, (Integer, Numeric)):
        return 1
    if isinstance(kind, Date):
        return NOW.date()
    if isinstance(kind, DateTime) or "datetime" in type(kind).__name__.lower():
        return NOW
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, (String, Text)):
        length = getattr(kind, "length", None) or 20
        return f"{column.table.name[:6]}-{column.name}"[:length]
    return None


def _seed(sync_conn) -> dict[str, int]:
    """One row in every table; returns the row count per table."""
    meta = MetaData()
    meta.reflect(sync_conn)
    parents: dict[str, dict] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        row = {}
        for column in table.columns:
            if column.primary_key and isinstance(column.type, Integer) and not column.foreign_keys \
                    and len(table.primary_key.columns) == 1:
                continue  # autoincrement
            if column.nullable and not column.foreign_keys and not column.primary_key:
                continue
            row[column.name] = _value(column, parents)
        if sync_conn.dialect.name == "sqlite":
            row = {k: (v.replace(tzinfo=None) if isinstance(v, datetime) else v) for k, v in row.items()}
        result = sync_conn.execute(table.insert().values(**row))
        key = dict(row)
        if result.inserted_primary_key:
            key.update({c.name: v for c, v in zip(table.primary_key.columns, result.inserted_primary_key, strict=False)
                        if v is not None})
        parents[table.name] = key
    return {t.name: sync_conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in meta.sorted_tables if t.name != "alembic_version"}


def _counts(sync_conn, names) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(sync_conn, only=list(names))
    return {t.name: sync_conn.execute(select(func.count()).select_from(t)).scalar_one() for t in meta.sorted_tables}


@pytest.mark.parametrize("start", migrate.revisions()[:-1])
async def test_upgrading_from_an_earlier_revision_keeps_every_row(db_url, start):
    db = Database(db_url)
    try:
        await migrate.upgrade(db, start)
        async with db._write_engine.begin() as conn:
            seeded = await conn.run_sync(_seed)
        await migrate.upgrade(db)
        async with db.engine.connect() as conn:
            after = await conn.run_sync(lambda c: _counts(c, set(seeded) - DROPPED))
        assert after == {name: n for name, n in seeded.items() if name not in DROPPED}
        app = App(make_config(), build_registry(), db=db, clock=lambda: NOW)
        reply = await app.run_line(Identity("console", "maria"), "/member me")
        assert not reply.error, reply.message.text
        assert "Maria Seed" in reply.message.text  # the member seeded at the old revision
    finally:
        await db.close()


async def test_downgrading_one_step_with_data_and_upgrading_again(db_url):
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        async with db._write_engine.begin() as conn:
            seeded = await conn.run_sync(_seed)
        await migrate.downgrade(db, "-1")
        assert await migrate.current(db) == migrate.revisions()[-2]
        await migrate.upgrade(db)
        async with db.engine.connect() as conn:
            after = await conn.run_sync(lambda c: _counts(c, seeded))
        kept = {name: count for name, count in after.items() if count}
        assert kept["member"] == seeded["member"] and kept["worksite"] == seeded["worksite"]
    finally:
        await db.close()


def test_head_names_the_newest_migration():
    """A new migration must move ``storage.migrate.HEAD`` too: it is what lets a start skip Alembic."""
    assert migrate.HEAD == migrate.head() == migrate.revisions()[-1]


def test_a_start_on_an_up_to_date_database_does_not_load_alembic(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "bot.db"
    probe = ("import asyncio, sys; from storage import migrate; from storage.db import Database\n"
             "async def start():\n"
             "    db = Database(sys.argv[1]); await migrate.upgrade(db); await db.close()\n"
             "asyncio.run(start()); print('alembic' in sys.modules)")
    loads = [subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True,
                            check=True).stdout.strip() for _ in range(2)]
    assert loads == ["True", "False"]  # the first start migrates a new file; the second finds it at head
