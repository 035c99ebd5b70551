"""The database goes away while the bot runs: PostgreSQL's port closes (every open connection cut), or
another program holds SQLite's file locked. A command still gets its ack at once and then a clear
"try again" reply; the bot keeps serving; and when the database is back the next command succeeds,
with no restart."""

from __future__ import annotations

import asyncio
import sqlite3

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.adapters.slack.frontend import EVENTS_PATH, SlackFrontEnd
from bot.app import App
from storage.db import Database
from storage.members import Member, Worksite
from tests.reliability.bot_process import free_port
from tests.slack.conftest import SlackClient, registry_with_testing
from tests.slack.payloads import SIGNING_SECRET, slash
from tests.support import make_config

SLACK_ACK_DEADLINE = 3.0  # seconds Slack waits for an acknowledgement


class Proxy:
    """A TCP relay in front of PostgreSQL that can be shut (listener closed, connections cut) and reopened."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.Task] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)

    async def shut(self) -> None:
        self.server.close()
        for pipe in list(self.pipes):
            pipe.cancel()
        await asyncio.gather(*self.pipes, return_exceptions=True)
        await self.server.wait_closed()

    async def _relay(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pump(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            finally:
                dst.close()

        pipe = asyncio.ensure_future(asyncio.gather(pump(reader, up_writer), pump(up_reader, writer)))
        self.pipes.add(pipe)
        pipe.add_done_callback(self.pipes.discard)
        try:
            await pipe
        except (asyncio.CancelledError, ConnectionError):
            writer.transport.abort()
            up_writer.transport.abort()


@pytest.fixture
async def outage(db_url):
    """(url the bot uses, a switch that takes the database away and back)."""
    url = make_url(db_url)
    if url.drivername.startswith("sqlite"):
        holder: list[sqlite3.Connection] = []

        async def switch(down: bool) -> None:
            if down:  # another program takes the write lock and keeps it
                conn = sqlite3.connect(url.database, isolation_level=None, check_same_thread=False)
                conn.execute("BEGIN EXCLUSIVE")
                holder.append(conn)
            else:
                holder.pop().close()

        yield db_url, switch
        return
    proxy = Proxy(url.host, url.port)
    await proxy.open()

    async def switch(down: bool) -> None:
        await (proxy.shut() if down else proxy.open())

    yield url.set(port=proxy.port).render_as_string(hide_password=False), switch
    if proxy.server.is_serving():
        await proxy.shut()


@pytest.fixture
async def app(outage, clock, fake, gate, monkeypatch):
    url, _ = outage
    if url.startswith("sqlite"):  # a lock is waited for before it counts as an outage; keep the wait short here
        monkeypatch.setattr(Database, "SQLITE_BUSY_SECONDS", 2)
    # commands run in this process, so the patched busy timeout, registry and clock apply
    config = make_config(slack={"mode": "http", "api_base_url": f"{fake.url}/api/", "command_processes": 0},
                         secrets={"slack_bot_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET})
    app = App(config, registry=registry_with_testing(gate), db=Database(url), platforms=("slack",), clock=clock)
    await app.start()
    yield app
    await app.close()


@pytest.fixture
async def slack(app):
    runner = await SlackFrontEnd(app).serve_http("127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://{host}:{port}{EVENTS_PATH}", session, app.clock)
    await runner.cleanup()


async def answer(slack, fake, text: str, name: str, user: str = "U100") -> str:
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, _ = await slack.send(slash("/member", text, user=user, response_url=fake.response_url(name)))
    acked_in = loop.time() - started
    assert status == 200 and acked_in < SLACK_ACK_DEADLINE, (status, acked_in)
    await fake.wait_for(lambda: any(r["url"] == name for r in fake.responses), timeout=60)
    return next(r["text"] for r in fake.responses if r["url"] == name)


async def site_of(app, user_name: str) -> str | None:
    async def work(session):
        return (await session.exec(select(Worksite.name).join(Member, Member.worksite_id == Worksite.id)
                                   .where(Member.name == user_name))).scalar_one_or_none()
    return await app.db.read(work)


async def test_an_outage_gets_try_again_and_the_bot_recovers_by_itself(slack, fake, app, outage):
    _, switch = outage
    assert await answer(slack, fake, "site Escalante Elementary", "before") == \
        "Your worksite is now Escalante Elementary."

    await switch(True)
    try:
        down = await answer(slack, fake, "site Escalante Elementary", "down", user="U200")
        assert "database isn’t answering" in down and "try again" in down, down
        still = await answer(slack, fake, "", "still serving")  # /member alone: answered without a write
        assert "/member needs a subcommand" in still
    finally:
        await switch(False)

    assert await site_of(app, "u200") is None
    assert await answer(slack, fake, "site Escalante Elementary", "after", user="U200") == \
        "Your worksite is now Escalante Elementary."
    assert await site_of(app, "u200") == "Escalante Elementary"
