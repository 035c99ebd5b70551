"""Slack delivers some requests more than once: a redelivery (X-Slack-Retry-Num 1–3), a Socket Mode
envelope sent again, a double click. Each has exactly one effect: one signup row, one answer, no
second round of Web API calls."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.types import Identity
from storage.actions import Signup
from tests.slack.payloads import click, slash
from tests.support import typed_date


async def signups(app) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(Signup))).scalar_one()
    return await app.db.read(work)


@pytest.fixture
async def action(app):
    reply = await app.run_line(Identity("console", "lead", "Lead"),
                               f'/action create Picket "{typed_date(app.clock(), days=3)}" "Front gate" capacity:5',
                               claims={"role:leader"})
    assert not reply.error, reply.message.text
    return 1


def calls_about(fake, user: str) -> list:
    return [(c.method, c.params.get("channel")) for c in fake.calls if user in map(str, c.params.values())]


async def settled(fake, send_sentinel) -> None:
    """Run one more command from someone else and wait for its answer: everything sent before it
    has been handled by then."""
    await send_sentinel(slash("/organizer", "help", user="U900", response_url=fake.response_url("after")))
    await fake.wait_for(lambda: any(r["url"] == "after" for r in fake.responses))


async def test_slack_redeliveries_of_a_signup_have_one_effect(slack, fake, app, action):
    join = slash("/action", "join 1", user="U100", response_url=fake.response_url("join"))
    assert await slack.send(join) == (200, "")
    await fake.wait_for(lambda: fake.responses)
    calls = calls_about(fake, "U100")
    for retry in (1, 2, 3):
        assert await slack.send(join, retry=retry) == (200, "")
    await settled(fake, slack.send)
    assert [r["url"] for r in fake.responses] == ["join", "after"]
    assert "You’re in" in fake.responses[0]["text"]
    assert await signups(app) == 1
    assert calls_about(fake, "U100") == calls


async def test_a_double_click_on_sign_up_has_one_effect(slack, fake, app, action):
    pressed = click("/action join 1", user="U100", response_url=fake.response_url("click"), ephemeral=False,
                    message_ts="1700000000.000042")
    assert await asyncio.gather(slack.send(pressed), slack.send(pressed)) == [(200, "")] * 2
    await fake.wait_for(lambda: fake.responses)
    await settled(fake, slack.send)
    assert [r["url"] for r in fake.responses].count("click") == 1
    assert await signups(app) == 1
    assert len(fake.called("users.info")) == 2  # the clicker once, the sentinel once


class TestSocketMode:
    @pytest.fixture
    def mode(self) -> str:
        return "socket"

    @pytest.fixture
    async def socket(self, front, fake):
        handler = front.socket_handler()
        await handler.connect_async()
        yield handler
        await handler.close_async()

    async def test_the_same_envelope_twice_is_acked_twice_and_runs_once(self, socket, fake, app, action):
        join = slash("/action", "join 1", user="U100", response_url=fake.response_url("join"))
        assert await fake.socket_send("slash_commands", join, "env-1") == {"envelope_id": "env-1"}
        await fake.wait_for(lambda: fake.responses)
        calls = calls_about(fake, "U100")
        await fake.socket_send("slash_commands", join, "env-1")
        await fake.socket_send("slash_commands", join, "env-1", retry_attempt=1)
        await fake.wait_for(lambda: [r.get("envelope_id") for r in fake.socket_replies].count("env-1") == 3)

        async def over_socket(payload):
            await fake.socket_send("slash_commands", payload, "env-2")
        await settled(fake, over_socket)
        assert [r["url"] for r in fake.responses] == ["join", "after"]
        assert await signups(app) == 1
        assert calls_about(fake, "U100") == calls
