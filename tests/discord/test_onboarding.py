"""Onboarding on Discord: ``GUILD_MEMBER_ADD`` fed to discord.py's own gateway parser (its ``on_member_join``),
the welcome DM through the outbox to the fake REST API, and the worksite option's autocomplete answered as an
``APPLICATION_COMMAND_AUTOCOMPLETE`` interaction."""

from __future__ import annotations

import pytest

from bot.adapters.discord.client import make_client
from bot.adapters.discord.sender import DiscordSender
from bot.app import App
from bot.delivery import Worker
from commands import build_registry
from storage.db import Database
from storage.onboarding import Welcome
from tests.discord.conftest import GUILD_ID, OTHER_GUILD_ID, autocomplete, dispatch, guild_payload
from tests.discord.fake_api import APP_ID
from tests.support import TEST_CONFIG, add_roster, count_rows, events_run, make_config, until

ESC, ROO = "Escalante Elementary", "Roosevelt High"
AUTOCOMPLETE_RESULT = 8


def member_add(user_id: str, name: str, *, guild: str = GUILD_ID, bot: bool = False) -> dict:
    """GUILD_MEMBER_ADD as the gateway sends it: a guild member object with the server's id."""
    user = {"id": user_id, "username": name.lower(), "global_name": name, "discriminator": "0", "avatar": None,
            **({"bot": True} if bot else {})}
    return {"guild_id": guild, "user": user, "nick": None, "avatar": None, "roles": [], "flags": 0, "pending": False,
            "joined_at": "2024-01-01T00:00:00+00:00", "premium_since": None, "deaf": False, "mute": False}


def join(client, payload: dict) -> None:
    client._connection.parsers["GUILD_MEMBER_ADD"](payload)


async def test_a_member_joining_the_server_gets_one_welcome_in_every_language(app, client, fake):
    done = events_run(app)
    join(client, member_add("300000000000000007", "Rosa"))
    join(client, member_add("300000000000000007", "Rosa"))  # told again (another process, a replay)
    await until(lambda: len(done) == 2)
    assert done == [True, False]

    await Worker(app, {"discord": DiscordSender(client)}).drain()
    [opened] = fake.of("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": 300000000000000007}
    [sent] = fake.of("POST", "/channels/")
    content = sent.body["content"]
    assert "**Welcome to Test local, Rosa!**" in content
    assert "**¡Te damos la bienvenida a Test local, Rosa!**" in content
    assert "type /member site and its name" in content  # no list to pick from in a Discord DM: the command says it
    assert "Readiness polls are anonymous" in content and "Las encuestas de preparación son anónimas" in content
    buttons = sent.body["components"][0]["components"]
    assert [b["custom_id"] for b in buttons] == ["ob:/member lang en", "ob:/member lang es"]
    assert sent.body["allowed_mentions"] == {"parse": []}
    assert await count_rows(app, Welcome) == 1


async def test_bots_and_other_servers_get_no_welcome(app, client, fake):
    done = events_run(app)
    join(client, member_add("300000000000000008", "Deploy", bot=True))
    client._connection.parsers["GUILD_CREATE"]({**guild_payload(), "id": OTHER_GUILD_ID, "roles": [], "channels": []})
    join(client, member_add("300000000000000009", "Stranger", guild=OTHER_GUILD_ID))
    join(client, member_add("300000000000000010", "Gus"))
    await until(lambda: done)
    assert done == [True] and await count_rows(app, Welcome) == 1


@pytest.mark.parametrize("asked", [False, True])
async def test_the_server_members_intent_is_asked_for_only_when_joins_are_welcomed(tmp_path, asked):
    config = make_config(discord={"guild_id": int(GUILD_ID), "welcome_members": asked},
                         channels=TEST_CONFIG["channels"])
    app = App(config, build_registry(), db=Database(f"sqlite+aiosqlite:///{tmp_path}/unused.db"),
              platforms=("discord",))
    try:
        client = make_client(app, sync_on_login=False)
        assert client.intents.members is asked and client.intents.guilds
    finally:
        await app.close()


async def test_the_worksite_option_suggests_the_roster_sites_as_the_member_types(app, client, fake):
    await add_roster(app, {ESC: ["ana"], ROO: ["gus"], "Rosa Parks Elementary": ["lu"]})
    payload = autocomplete("member", "site", "worksite", "elem")
    dispatch(client, payload)
    [callback] = await fake.wait_for("POST", f"/interactions/{payload['id']}/{payload['token']}/callback")
    assert callback.body == {"type": AUTOCOMPLETE_RESULT, "data": {"choices": [
        {"name": ESC, "value": ESC}, {"name": "Rosa Parks Elementary", "value": "Rosa Parks Elementary"}]}}
    assert not fake.of("POST", f"/webhooks/{APP_ID}/")
    outside = autocomplete("member", "site", "worksite", "elem", guild=OTHER_GUILD_ID)
    dispatch(client, outside)
    [callback] = await fake.wait_for("POST", f"/interactions/{outside['id']}/{outside['token']}/callback")
    assert callback.body == {"type": AUTOCOMPLETE_RESULT, "data": {"choices": []}}  # not the campaign's server
