"""Every storage-touching test runs twice: on a real SQLite file and on a real PostgreSQL server.

PostgreSQL comes from ``ORGANIZER_TEST_PG_URL`` (``bash .ci/run`` starts a throwaway cluster and
sets it). Without it the PostgreSQL half is skipped and the run says so; in CI it is required.
"""

from __future__ import annotations

import os

import pytest

from bot.app import App
from commands import build_registry
from storage.db import Database
from tests.pg import fresh_database
from tests.support import Clock, Harness, make_config

PG_URL = os.environ.get("ORGANIZER_TEST_PG_URL")
PG_SKIP_REASON = ("PostgreSQL half skipped: no ORGANIZER_TEST_PG_URL. Run `bash .ci/run` (starts a throwaway "
                  "PostgreSQL 15) or set ORGANIZER_TEST_PG_URL=postgresql://user@host:port/db")


def pytest_configure(config):
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError("CI=true but ORGANIZER_TEST_PG_URL is not set: the PostgreSQL half must run in CI")


def pytest_terminal_summary(terminalreporter):
    if not PG_URL:
        terminalreporter.write_line(PG_SKIP_REASON, yellow=True, bold=True)


async def _fresh_pg_database():
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    async with fresh_database(PG_URL) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'organizer.db'}"
        return
    async for url in _fresh_pg_database():
        yield url


@pytest.fixture
async def pg_url():
    """A fresh PostgreSQL database, for what only a shared server can show (several bot processes)."""
    async for url in _fresh_pg_database():
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def platforms() -> tuple[str, ...]:
    return ("console",)


@pytest.fixture
async def app(db_url, clock, platforms):
    app = App(make_config(), build_registry(), db=Database(db_url), platforms=platforms, clock=clock)
    await app.start()
    yield app
    await app.close()


@pytest.fixture
async def bot(app, clock) -> Harness:
    return Harness(app, clock)
