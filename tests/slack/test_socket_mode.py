"""The same payloads through Socket Mode: the real slack_sdk client connects to a fake Socket Mode websocket."""

import asyncio
import logging

import pytest

from storage.members import Member, Worksite, ensure_worksite
from storage.onboarding import Welcome
from tests.slack.payloads import click, event, slash, suggestion, team_join
from tests.slack.test_http import count
from tests.support import events_run, until


@pytest.fixture
def mode() -> str:
    return "socket"


@pytest.fixture
async def socket(front, fake):
    handler = front.socket_handler()
    await handler.connect_async()
    yield handler
    await handler.close_async()


async def test_socket_mode_runs_commands_and_clicks_and_acks_each_envelope(socket, fake, app):
    ack = await fake.socket_send("slash_commands", slash("/member", "site Escalante Elementary",
                                                         response_url=fake.response_url()), "env-1")
    assert ack == {"envelope_id": "env-1"}
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["blocks"][0]["text"]["text"] == "Your worksite is now Escalante Elementary."
    assert await count(app, Worksite) == 1
    assert fake.called("apps.connections.open")[0]["_token"] == "Bearer xapp-test"

    await fake.socket_send("slash_commands", slash("/member", "forget", response_url=fake.response_url()), "env-2")
    await fake.wait_for(lambda: len(fake.responses) == 2)
    button = fake.responses[1]["blocks"][-1]["elements"][0]
    await fake.socket_send("interactive", click(button["value"], response_url=fake.response_url()), "env-3")
    await fake.wait_for(lambda: len(fake.responses) == 3)
    assert await count(app, Member) == 0


async def test_socket_mode_acks_before_slow_work_and_skips_redeliveries(socket, fake, gate, app):
    ack = await fake.socket_send("slash_commands", slash("/testing", "slow", response_url=fake.response_url()), "e1")
    assert ack == {"envelope_id": "e1"} and not gate.finished
    await asyncio.wait_for(gate.started.wait(), 10)
    gate.opened.set()
    await fake.wait_for(lambda: fake.responses)
    assert gate.finished

    redelivered = slash("/member", "site Roosevelt High", response_url=fake.response_url("again"))
    assert await fake.socket_send("slash_commands", redelivered, "e2", retry_attempt=1) == {"envelope_id": "e2"}
    await fake.socket_send("slash_commands", slash("/organizer", "", response_url=fake.response_url("help")), "e3")
    await fake.wait_for(lambda: len(fake.responses) == 2)
    assert [r["url"] for r in fake.responses] == ["r", "help"]
    assert await count(app, Worksite) == 0


async def test_socket_mode_acks_an_unreadable_payload_and_runs_nothing(socket, fake, app, caplog):
    broken = {**click("/member forget confirm:yes", response_url=fake.response_url("broken")), "actions": []}
    assert await fake.socket_send("interactive", broken, "e9") == {"envelope_id": "e9"}
    await fake.socket_send("slash_commands", slash("/organizer", "", response_url=fake.response_url("help")), "e10")
    await fake.wait_for(lambda: fake.responses)
    assert [r["url"] for r in fake.responses] == ["help"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == \
        ["refused a Socket Mode envelope that cannot be read (a click without its action)"]


async def test_socket_mode_welcomes_a_join_once_and_answers_for_a_list_in_the_ack(socket, fake, app):
    done = events_run(app)
    joined = event(team_join("U300", name="Rosa Martínez"))
    assert await fake.socket_send("events_api", joined, "e20") == {"envelope_id": "e20"}
    await fake.socket_send("events_api", joined, "e20")  # again, after a reconnect
    assert await fake.socket_send("events_api", joined, "e21", retry_attempt=1) == {"envelope_id": "e21"}
    await fake.wait_for(lambda: [r.get("envelope_id") for r in fake.socket_replies].count("e20") == 2)
    await until(lambda: done)  # the redeliveries were acknowledged without being run: nothing more to wait for
    assert done == [True] and await count(app, Welcome) == 1
    await app.db.write(lambda s: ensure_worksite(s, "Escalante Elementary", app.clock()))
    ack = await fake.socket_send("interactive", suggestion("pick-worksites", "esc"), "e22")
    assert ack["payload"] == {"options": [{"text": {"type": "plain_text", "text": "Escalante Elementary"},
                                           "value": "Escalante Elementary"}]}
