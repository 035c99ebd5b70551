"""A full scenario on Slack — sites, signups and a waitlist, a readiness poll with answers, tallies,
exports, a profile, a forget, delivery with refusals from the Web API — logged at DEBUG: no record at
INFO or above holds a member's name or a readiness answer. No record at all holds a ``response_url``
(a capability to answer as the bot for 30 minutes), not even when answering it fails."""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.delivery import Worker
from tests.slack.payloads import click, slash
from tests.support import typed_date

NAMES = {"ULEAD": "Lucrecia Vanterpool", "U1": "Xiomara Quintanilla", "U2": "Yolotl Zamarripa"}
ANSWERS = ("Zealously-yes", "Refusing-no")
SECRETS_OF_MEMBERS = [*NAMES.values(), *(part for name in NAMES.values() for part in name.split()), *ANSWERS]


async def say(slack, fake, user: str, line: str) -> dict:
    command, _, text = line.partition(" ")
    name = f"r{len(fake.responses)}"
    payload = {**slash(command, text, user=user, response_url=fake.response_url(name)), "user_name": NAMES[user]}
    assert (await slack.send(payload))[0] == 200
    await fake.wait_for(lambda: any(r["url"] == name for r in fake.responses))
    return next(r for r in fake.responses if r["url"] == name)


async def test_no_name_or_answer_is_logged_at_info_or_above(slack, fake, app, front, caplog):
    caplog.set_level(logging.DEBUG)
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    for user in ("U1", "U2"):
        await say(slack, fake, user, "/member site Escalante Elementary")
    await say(slack, fake, "ULEAD", f'/action create Picket "{typed_date(app.clock(), days=3)}" Gate capacity:1')
    await say(slack, fake, "U1", "/action join 1")
    await say(slack, fake, "U2", "/action join 1")
    await say(slack, fake, "U1", "/action leave 1")
    await say(slack, fake, "ULEAD", "/action roster 1")
    await say(slack, fake, "ULEAD", "/action export 1")
    await say(slack, fake, "ULEAD", f'/readiness open Ready? choices:"{ANSWERS[0]};Unsure;{ANSWERS[1]}" anonymous:no')
    await say(slack, fake, "U1", f"/readiness answer 1 {ANSWERS[0]}")
    await say(slack, fake, "U2", f"/readiness answer 1 {ANSWERS[1]}")
    for line in ("/readiness tally 1", "/readiness missing 1", "/readiness export 1"):
        await say(slack, fake, "ULEAD", line)
    await say(slack, fake, "U1", "/member me")
    await say(slack, fake, "U1", "/member nonsense")
    fake.fail("chat.postMessage", "channel_not_found")
    fake.fail("chat.postMessage", "user_not_found")
    fake.rate_limit("chat.postMessage", 0)
    await Worker(app, {"slack": front.sender}).drain()
    asked = await say(slack, fake, "U2", "/member forget")
    button = asked["blocks"][-1]["elements"][0]
    await slack.send(click(button["value"], user="U2", action_id=button["action_id"],
                           response_url=fake.response_url("gone")))
    await fake.wait_for(lambda: any(r["url"] == "gone" for r in fake.responses))
    shown = [r["text"] for r in fake.responses]
    assert any(ANSWERS[0] in text or NAMES["U1"] in text for text in shown), "the scenario showed nothing"

    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any(r.name.startswith("bot.") and r.levelno >= logging.WARNING for r in records), \
        "the bot logged no refusal: the check would prove little"
    for record in records:
        logged = f"{record.getMessage()} {record.exc_text or ''}"
        leaked = [s for s in SECRETS_OF_MEMBERS if s in logged]
        assert not leaked, f"{record.name} logged {leaked}: {logged[:300]}"


async def test_no_response_url_is_logged_even_when_answering_it_fails(slack, caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:  # a port nobody listens on: every attempt is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    capability = "/respond/T1-B2-capability-9f8e"
    assert (await slack.send(slash("/organizer", "help", response_url=f"http://127.0.0.1:{port}{capability}")))[0] \
        == 200

    async def failed():
        while not any(r.levelno >= logging.ERROR for r in caplog.records):
            await asyncio.sleep(0.01)
    await asyncio.wait_for(failed(), 10)  # a guard against hanging, not a timing assertion
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "failed with ClientConnectorError (ref " in error.getMessage() and not error.exc_info
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and r.exc_info]
    assert any("A retry handler found" in r.getMessage() for r in caplog.records), "slack_sdk did not retry"
    leaked = [r.getMessage() for r in caplog.records if "capability-9f8e" in r.getMessage()]
    assert not leaked, leaked
