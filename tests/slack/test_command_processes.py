"""The default Slack set-up: the HTTP process acks and command processes run the work.

Uses the real commands and clock (a command process builds its own app from the config), real
HTTP to the bot's server, the fake Slack for users.info and the response_urls, and the database."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import pytest
from sqlmodel import select

from bot.adapters.slack.frontend import EVENTS_PATH, SlackFrontEnd
from bot.app import App
from bot.types import Identity
from commands import build_registry
from storage.actions import Signup
from storage.members import MemberIdentity
from tests.slack.conftest import SlackClient
from tests.slack.payloads import SIGNING_SECRET, slash
from tests.support import make_config, typed_date

WAIT = 60.0  # a guard against hanging while a fresh interpreter starts on a loaded machine, not a timing assertion


@pytest.fixture
async def served(db_url, fake):
    config = make_config(database={"url": db_url}, slack={"mode": "http", "api_base_url": f"{fake.url}/api/"},
                         secrets={"slack_bot_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET})
    assert config.slack.command_processes == 1  # the default is what this file tests
    app = App(config, build_registry(), platforms=("slack",))
    await app.start()
    front = SlackFrontEnd(app)
    runner = await front.serve_http("127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        yield app, front, SlackClient(f"http://{host}:{port}{EVENTS_PATH}", session, app.clock)
    await runner.cleanup()
    children = [child.process for child in front.handoff.children]
    await front.close()
    assert all(child.returncode is not None for child in children)  # closing stopped them
    await app.close()


async def rally(app: App) -> int:
    """An action created by a leader, as on the console; a fresh database numbers it 1."""
    when = typed_date(app.clock(), days=3)
    reply = await app.run_line(Identity("console", "lead", "Lead"),
                               f'/action create "Rally at the board" "{when}" "District office"',
                               claims={"role:leader"})
    assert not reply.error, reply.message.text
    return 1


async def going(app: App, user_id: str) -> list[str]:
    async def read(session) -> list[str]:
        rows = await session.exec(select(Signup.status)
                                  .join(MemberIdentity, MemberIdentity.member_id == Signup.member_id)
                                  .where(MemberIdentity.platform == "slack", MemberIdentity.user_id == user_id))
        return list(rows)
    return await app.db.read(read)


async def test_a_command_process_runs_the_join_and_answers_after_the_ack(served, fake):
    app, front, slack = served
    action_id = await rally(app)
    status, body = await slack.send(slash("/action", f"join {action_id}", user="UMARIA",
                                          response_url=fake.response_url("maria")))
    assert (status, body) == (200, "")
    await fake.wait_for(lambda: fake.responses, WAIT)
    assert fake.responses[0]["url"] == "maria"
    assert fake.responses[0]["text"].startswith("You’re in: Rally at the board")
    assert fake.responses[0]["response_type"] == "ephemeral"
    assert await going(app, "UMARIA") == ["going"]
    child = front.handoff.children[0].process
    assert child.pid != os.getpid() and child.returncode is None
    # it runs only on CPU the acking process leaves idle (or, where Linux's SCHED_IDLE is missing, at nice 19)
    assert os.sched_getscheduler(child.pid) == os.SCHED_IDLE != os.sched_getscheduler(0) or \
        os.getpriority(os.PRIO_PROCESS, child.pid) > os.getpriority(os.PRIO_PROCESS, 0)


async def test_a_command_process_that_dies_is_replaced(served, fake):
    app, front, slack = served
    action_id = await rally(app)
    first = front.handoff.children[0].process
    os.kill(first.pid, signal.SIGKILL)
    for _ in range(int(WAIT * 10)):
        if front.handoff.children[0].process is not first:
            break
        await asyncio.sleep(0.1)
    assert front.handoff.children[0].process is not first
    status, _ = await slack.send(slash("/action", f"join {action_id}", user="UJOSE",
                                       response_url=fake.response_url("jose")))
    assert status == 200
    await fake.wait_for(lambda: fake.responses, WAIT)
    assert fake.responses[0]["text"].startswith("You’re in")
    assert await going(app, "UJOSE") == ["going"]


def test_a_command_process_loads_neither_slack_bolt_nor_alembic():
    """What a command process imports (its entry point, the app and the commands) leaves out the acking
    process's web framework and the migrations, which the acking process ran before starting it."""
    import subprocess
    import sys

    probe = ("import sys; from bot.handoff import main; import bot.app, commands; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'slack_bolt', 'alembic', 'discord'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
