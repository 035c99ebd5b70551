"""The bot's real Slack front-end (HTTP server on a random port) against a fake Slack, on the real app and database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp
import pytest

from bot.adapters.slack.frontend import EVENTS_PATH, SlackFrontEnd
from bot.app import App
from bot.clock import system_clock
from bot.context import Context
from bot.paging import PAGE
from bot.paging import page as paged
from bot.registry import Group, Param
from bot.types import Reply
from commands import build_registry
from storage.db import Database
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SIGNING_SECRET, form_body, signed_headers
from tests.support import TEST_CONFIG, make_config


@dataclass
class Gate:
    """Holds ``/testing slow`` until the test opens it."""

    opened: asyncio.Event = field(default_factory=asyncio.Event)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False


def registry_with_testing(gate: Gate):
    """The real commands plus ``/testing``: a slow command, forms, and a public answer in pages."""
    registry = build_registry()
    testing = Group("testing", "Test-only commands")

    @testing.command("slow", help="Wait for the test", writes=False)
    async def slow(ctx: Context) -> Reply:
        gate.started.set()
        await gate.opened.wait()
        gate.finished = True
        return ctx.reply("slow work done")

    @testing.command("note", help="Leave a note", form=True, title="Leave a note",
                     params=[Param("title", "Title", max_length=20, label="Title"),
                             Param("size", "Size", required=False, choices=("small", "large"), label="Size")])
    async def note(ctx: Context, title: str, size: str | None) -> Reply:
        return ctx.reply(f"noted {title} ({size or 'any'})", public=True)

    @testing.command("report", help="File a slow report", form=True, writes=False, title="Slow report",
                     params=[Param("title", "Title", max_length=20, label="Title")])
    async def report(ctx: Context, title: str) -> Reply:
        await gate.opened.wait()
        return ctx.reply(f"report {title} filed")

    @testing.command("pages", help="A public answer in pages", writes=False, params=[PAGE])
    async def pages(ctx: Context, page: int) -> Reply:
        shown = paged(ctx, "Picket schedule", [f"Shift {n}: " + "Front gate, bring water. " * 60 for n in range(12)],
                      page, "/testing pages")
        return ctx.reply(shown.text, public=True, buttons=shown.buttons)

    registry.add(testing)
    return registry


@pytest.fixture
async def fake(clock):
    slack = FakeSlack(epoch=clock().timestamp())  # the tests' world has one time, whatever the wall clock says
    runner = await slack.start()
    yield slack
    await runner.cleanup()


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def mode() -> str:
    return "http"


@pytest.fixture
async def app(db_url, clock, fake, gate, mode):
    roles = {**TEST_CONFIG["roles"], "leaders": [{"match": ["slack-group:SLEADERS"]}]}
    # commands run in this process, so the test's registry and clock apply (test_command_processes.py: the default)
    slack = {"mode": mode, "api_base_url": f"{fake.url}/api/", "command_processes": 0, "team_id": "T1"}
    config = make_config(roles=roles, slack=slack,
                         secrets={"slack_bot_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET,
                                  "slack_app_token": "xapp-test"})
    app = App(config, registry=registry_with_testing(gate), db=Database(db_url), platforms=("slack",), clock=clock)
    await app.start()
    yield app
    await app.close()


class SlackClient:
    """Sends signed requests to the bot's HTTP server, as Slack does."""

    def __init__(self, url: str, session: aiohttp.ClientSession, clock: Callable[[], datetime] = system_clock) -> None:
        self.url, self.session, self.clock = url, session, clock  # Slack signs with the time of the bot's world

    async def send(self, payload: dict, **signing) -> tuple[int, str]:
        body = form_body(payload)
        signing.setdefault("timestamp", int(self.clock().timestamp()))
        async with self.session.post(self.url, data=body.encode(), headers=signed_headers(body, **signing)) as resp:
            return resp.status, await resp.text()

    async def send_event(self, envelope: dict, **signing) -> tuple[int, str]:
        """An Events API envelope, which Slack posts as JSON."""
        body = json.dumps(envelope)
        signing.setdefault("timestamp", int(self.clock().timestamp()))
        headers = signed_headers(body, content_type="application/json", **signing)
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()


@pytest.fixture
async def front(app):
    front = SlackFrontEnd(app)
    yield front
    await front.close()


@pytest.fixture
async def slack(front):
    runner = await front.serve_http("127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://{host}:{port}{EVENTS_PATH}", session, front.app.clock)
    await runner.cleanup()
