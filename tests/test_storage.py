"""The session pattern, group commit and migrations, on a fresh SQLite file and a fresh PostgreSQL database."""

import asyncio
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from storage import migrate
from storage.db import Database, once_before_commit
from storage.members import Member, Worksite, ensure_worksite, member_for, merge_members
from storage.tables import metadata


async def _count(db, model):
    return await db.read(lambda s: _scalar(s, select(func.count()).select_from(model)))


async def _scalar(session, stmt):
    return (await session.exec(stmt)).scalar_one()


async def test_round_trip_of_a_member_and_an_aware_timestamp(app):
    async def create(session):
        member = await member_for(session, "slack", "U1", "Maria Álvarez 🌹", app.clock())
        member.worksite_id = (await ensure_worksite(session, "Escalante Elementary", app.clock())).id
        return member.id

    member_id = await app.db.write(create)
    loaded = await app.db.read(lambda s: s.get(Member, member_id))
    assert loaded.name == "Maria Álvarez 🌹"
    assert loaded.created_at.tzinfo is not None
    assert await _count(app.db, Worksite) == 1


async def test_concurrent_writes_share_a_transaction_and_a_failing_one_rolls_back_alone(app):
    async def add(name, fail=False):
        async def work(session):
            session.add(Worksite(name=name, key=name.casefold(), created_at=app.clock()))
            await session.flush()
            if fail:
                raise ValueError("bad row")
            return name
        return await app.db.write(work)

    results = await asyncio.gather(*(add(f"site {i}", fail=(i == 3)) for i in range(10)), return_exceptions=True)
    assert isinstance(results[3], ValueError)
    assert [r for r in results if isinstance(r, str)] == [f"site {i}" for i in range(10) if i != 3]
    names = await app.db.read(lambda s: _all(s, select(Worksite.name)))
    assert sorted(names) == sorted(f"site {i}" for i in range(10) if i != 3)


async def test_a_lone_failing_write_leaves_nothing_behind(app):
    async def work(session):
        session.add(Worksite(name="Half done", key="half done", created_at=app.clock()))
        await session.flush()
        raise ValueError("failed after its insert")

    with pytest.raises(ValueError, match="after its insert"):
        await app.db.write(work)
    assert await _count(app.db, Worksite) == 0


async def _all(session, stmt):
    return list((await session.exec(stmt)).scalars())


async def test_a_duplicate_in_one_write_does_not_undo_the_others(app):
    await app.db.write(lambda s: ensure_worksite(s, "A", app.clock()))

    async def duplicate(session):
        session.add(Worksite(name="A", key="a", created_at=app.clock()))
        await session.flush()

    outcomes = await asyncio.gather(app.db.write(duplicate),
                                    app.db.write(lambda s: ensure_worksite(s, "B", app.clock())),
                                    return_exceptions=True)
    assert isinstance(outcomes[0], Exception) and not isinstance(outcomes[1], Exception)
    assert await _count(app.db, Worksite) == 2


async def test_work_deferred_to_the_commit_runs_once_with_the_latest_call_that_did_not_roll_back(app):
    ran = []

    def call(value, *, fails=False):
        async def work(session):
            async def later(s):
                ran.append(value)
                await ensure_worksite(s, f"Site {value}", app.clock())
            await once_before_commit(session, "live", later)
            if fails:
                raise ValueError("this call rolls back")
        return work

    outcomes = await asyncio.gather(app.db.write(call(1)), app.db.write(call(2)), app.db.write(call(3, fails=True)),
                                    return_exceptions=True)
    assert outcomes[:2] == [None, None] and isinstance(outcomes[2], ValueError)
    assert ran == [2]
    names = await app.db.read(lambda s: _all(s, select(Worksite.name)))
    assert names == ["Site 2"]


async def test_deferred_work_that_fails_logs_a_reference_and_its_traceback_only_at_debug(app, caplog):
    caplog.set_level(logging.DEBUG)

    async def work(session):
        async def later(s):
            raise KeyError("Xiomara")
        await once_before_commit(session, "live", later)

    await app.db.write(work)
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.getMessage().startswith("deferred live failed with KeyError (ref ") and not error.exc_info
    assert any(r.levelno == logging.DEBUG and r.exc_info for r in caplog.records)


async def test_migrations_from_empty_match_the_models(db_url):
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        assert await migrate.current(db) == migrate.head()

        async with db.engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        assert diff == [], f"models and migrations differ: {diff}"
        await migrate.upgrade(db)  # a second start changes nothing
    finally:
        await db.close()


async def test_every_revision_downgrades_one_step_and_upgrades_again(db_url):
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        revisions = migrate.revisions()
        for revision in reversed(revisions):
            await migrate.downgrade(db, "-1")
            await migrate.upgrade(db)
            assert await migrate.current(db) == migrate.head()
        await migrate.downgrade(db, "base")
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
    finally:
        await db.close()


async def test_merge_moves_rows_and_drops_twins(app):
    async def setup(session):
        a = await member_for(session, "slack", "U1", "Maria", app.clock())
        b = await member_for(session, "discord", "42", "maria_d", app.clock())
        b.lang = "es"
        return a.id, b.id

    keep, drop = await app.db.write(setup)
    await app.db.write(lambda s: merge_members(s, keep, drop))
    members = await app.db.read(lambda s: _all(s, select(Member)))
    assert [(m.id, m.lang) for m in members] == [(keep, "es")]


async def test_an_unreachable_database_gets_a_clear_try_again_reply(clock):
    import socket

    from bot.app import App
    from bot.types import Identity
    from commands import build_registry
    from tests.support import make_config

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = App(make_config(), build_registry(), db=Database(f"postgresql://nobody@127.0.0.1:{port}/none"), clock=clock)
    try:
        reply = await app.run_line(Identity("console", "maria"), "/member site Escalante")
        assert reply.error
        assert "database isn’t answering" in reply.message.text and "try again" in reply.message.text
    finally:
        await app.close()
