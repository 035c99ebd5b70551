"""Alembic, driven from code: ``organizer-bot db upgrade`` and the bot's own start both call :func:`upgrade`.

Alembic itself (~90 ms and ~11 MB to import) is loaded only when a database is not at :data:`HEAD`:
most starts find the schema up to date and skip it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0035"  # the newest revision in storage/migrations/versions (tests/test_migrations.py checks it)


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and await _recorded_revision(db) == HEAD:
        return
    from alembic import command

    await _migrating(db, lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(db: Database, revision: str) -> None:
    from alembic import command

    await _migrating(db, lambda sync: command.downgrade(alembic_config(sync), revision))


async def _migrating(db: Database, step: Callable[[Connection], object]) -> None:
    """Run ``step`` in one transaction. On SQLite foreign keys are off meanwhile (SQLite's own recipe for
    changing a table): a migration that recreates a table drops the old one, which with foreign keys on
    deletes every row pointing at it. They are checked before the transaction commits."""
    async with db._write_engine.connect() as conn:
        if db.is_sqlite:
            await conn.run_sync(lambda sync: _pragma(sync, "foreign_keys=OFF"))  # before BEGIN, or it is ignored
        try:
            async with conn.begin():
                await conn.run_sync(step)
                if db.is_sqlite and (await conn.exec_driver_sql("PRAGMA foreign_key_check")).first():
                    raise RuntimeError("a migration left rows pointing at missing rows; nothing was changed")
        finally:
            if db.is_sqlite:
                await conn.run_sync(lambda sync: _pragma(sync, "foreign_keys=ON"))


def _pragma(sync: Connection, pragma: str) -> None:
    dbapi = sync.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def current(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def _recorded_revision(db: Database) -> str | None:
    """The revision Alembic recorded, read with plain SQL; None before the first migration."""
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()
    except DBAPIError:  # no alembic_version table yet
        return None


def head() -> str:
    from alembic.script import ScriptDirectory

    current = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current is not None, "no migrations"
    return current


def revisions() -> list[str]:
    """All revisions, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]
