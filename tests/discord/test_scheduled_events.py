"""Actions as the server's scheduled events, through discord.py's REST client against the fake Discord, which
refuses what Discord refuses: each action is one event, created once however its delivery is retried."""

from __future__ import annotations

from datetime import timedelta

import discord
import pytest
from sqlalchemy import select

from bot.adapters.discord.sender import DiscordSender
from bot.app import App
from bot.delivery import Worker
from commands import build_registry
from storage import listings
from storage.actions import Action
from storage.db import Database
from storage.listings import EventListing
from storage.outbox import SENT, OutboxItem
from tests.discord.conftest import GUILD_ID, REPS_ROLE, dispatch, logged_in, slash
from tests.discord.test_interactions import answered, rows
from tests.support import TEST_CONFIG, make_config, typed_date

REP = "300000000000000003"


async def announce(app, client, fake, **options) -> str:
    """A rep announces an action on Discord; the reply's text."""
    options = {"title": "Informational picket", "when": typed_date(app.clock(), days=2),
               "where": "Front gate", **options}
    created = slash("action", "create", REP, "Rosa", roles=(REPS_ROLE,), **options)
    dispatch(client, created)
    _, [done] = await answered(fake, created)
    return done.body["content"]


def deliver(app, client) -> Worker:
    return Worker(app, {"discord": DiscordSender(client)})


async def test_an_action_is_listed_once_as_an_external_event_with_its_place_and_times(app, client, fake):
    await announce(app, client, fake, details="Bring a sign.", site="Escalante Elementary", kind="picket")
    worker = deliver(app, client)
    await worker.drain()
    await worker.drain()
    [created] = fake.of("POST", f"/guilds/{GUILD_ID}/scheduled-events")
    [event] = fake.scheduled_events.values()
    [action] = [a for (a,) in await rows(app, select(Action))]
    assert (event["name"], event["entity_type"], event["privacy_level"]) == ("Informational picket", 3, 2)
    assert event["entity_metadata"] == {"location": "Front gate"} and "channel_id" not in created.body
    assert discord.utils.parse_time(event["scheduled_start_time"]) == action.starts_at
    assert discord.utils.parse_time(event["scheduled_end_time"]) == action.starts_at + timedelta(hours=2)
    assert event["description"] == ("Picket for Escalante Elementary\n\nBring a sign.\n\n"
                                     f"Sign up with /action join {action.id}.")
    assert [(r.ref, r.event_id) for (r,) in await rows(app, select(EventListing))] == [
        (f"action:{action.id}", event["id"])]
    assert [(i.kind, i.status) for (i,) in await rows(app, select(OutboxItem)) if i.kind == listings.KIND] == [
        (listings.KIND, SENT)]


async def test_texts_past_discords_limits_are_cut_at_a_word_and_accepted(app, client, fake):
    title = " ".join(["Solidarity"] * 18)  # 197 characters
    reply = await announce(app, client, fake, title=title, where="The " + "very " * 30 + "far gate",
                           details="Word " * 399)
    assert reply.startswith("Announced action #1")
    await deliver(app, client).drain()
    [event] = fake.scheduled_events.values()
    assert fake.refused == []
    assert len(event["name"]) <= 100 and event["name"].endswith("Solidarity…")
    assert len(event["description"]) <= 1000 and event["description"].endswith("Word…")
    assert len(event["entity_metadata"]["location"]) <= 100


async def test_a_retry_after_a_lost_record_finds_the_event_instead_of_creating_another(app, client, fake,
                                                                                      monkeypatch):
    """The worker dies (here: its write fails) after Discord created the event: the next try looks for it."""
    await announce(app, client, fake)
    real = listings.record

    async def lost(*args):
        monkeypatch.setattr(listings, "record", real)
        raise ConnectionError("the database went away")

    monkeypatch.setattr(listings, "record", lost)
    await deliver(app, client).drain()
    app.clock.advance(seconds=5)
    await deliver(app, client).drain()
    assert len(fake.of("POST", f"/guilds/{GUILD_ID}/scheduled-events")) == 1
    [event] = fake.scheduled_events.values()
    assert [r.event_id for (r,) in await rows(app, select(EventListing))] == [event["id"]]


async def test_a_rate_limit_is_waited_out_and_the_event_created_once(app, client, fake):
    await announce(app, client, fake)
    fake.refuse[f"/guilds/{GUILD_ID}/scheduled-events"] = (
        429, {"message": "You are being rate limited.", "retry_after": 60.0, "global": False},
        {"Retry-After": "60", "Via": "1.1 google"})
    await deliver(app, client).drain()
    assert fake.scheduled_events == {}
    del fake.refuse[f"/guilds/{GUILD_ID}/scheduled-events"]
    app.clock.advance(seconds=61)
    await deliver(app, client).drain()
    assert len(fake.scheduled_events) == 1 and len(fake.of("POST", f"/guilds/{GUILD_ID}/scheduled-events")) == 2


@pytest.mark.parametrize("change, refusal", [
    ({"entity_metadata": None}, "location"),
    ({"entity_metadata": {"location": "x" * 101}}, "location"),
    ({"scheduled_end_time": None}, "scheduled_end_time"),
    ({"name": "x" * 101}, "name"),
    ({"description": "x" * 1001}, "description"),
    ({"start": -1}, "in the past"),
])
async def test_the_fake_refuses_what_discord_refuses(app, client, fake, change, refusal):
    now = app.clock()
    start = now + timedelta(hours=change.get("start", 1))
    body = {"name": "Picket", "privacy_level": 2, "entity_type": 3, "entity_metadata": {"location": "Gate"},
            "scheduled_start_time": start.isoformat(), "scheduled_end_time": (now + timedelta(hours=3)).isoformat(),
            **{key: value for key, value in change.items() if key != "start"}}
    with pytest.raises(discord.HTTPException) as refused:
        await client.http.create_guild_scheduled_event(int(GUILD_ID), **body)
    assert refused.value.status == 400 and refusal in fake.refused[-1][1]
    assert fake.scheduled_events == {}


async def test_without_the_setting_no_event_is_listed(db_url, clock, fake):
    config = make_config(discord={"guild_id": int(GUILD_ID), "scheduled_events": False},
                         channels=TEST_CONFIG["channels"])
    app = App(config, registry=build_registry(), db=Database(db_url), platforms=("discord",), clock=clock)
    await app.start()
    client = await logged_in(app)
    try:
        await announce(app, client, fake)
        await deliver(app, client).drain()
    finally:
        await client.close()
        await app.close()
    assert fake.of("POST", f"/guilds/{GUILD_ID}/scheduled-events") == []
    assert len(fake.of("POST", "/channels/1000000000000000001/messages")) == 1  # the post still goes out
