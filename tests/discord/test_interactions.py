"""Slash commands, buttons and modals through discord.py's own machinery, answered at the HTTP boundary."""

from __future__ import annotations

from sqlalchemy import select

from bot.schema import discord_commands
from storage.members import Member, MemberIdentity, Worksite
from tests.discord.conftest import (
    GUILD_ID,
    ORGANIZERS_ROLE,
    REPS_ROLE,
    click,
    dispatch,
    logged_in,
    slash,
    submit,
)
from tests.discord.fake_api import APP_ID

EPHEMERAL = 64
DEFERRED, MODAL = 5, 9
_ADDED_BY_DISCORD_PY = {"nsfw", "dm_permission", "default_member_permissions", "contexts", "integration_types"}


def comparable(payload):
    """discord.py's payload without the keys the schema leaves to Discord's defaults, and without
    empty localization maps (which Discord treats as absent)."""
    if isinstance(payload, list):
        return [comparable(item) for item in payload]
    if isinstance(payload, dict):
        return {k: comparable(v) for k, v in payload.items() if k not in _ADDED_BY_DISCORD_PY and v != {}}
    return payload


async def answered(fake, payload, count=1):
    """The interaction's initial callback and its follow-ups, once discord.py has sent them."""
    token = payload["token"]
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{token}", count)
    callbacks = fake.of("POST", f"/interactions/{payload['id']}/{token}/callback")
    return callbacks, fake.of("POST", f"/webhooks/{APP_ID}/{token}")


async def rows(app, statement):
    return await app.db.read(lambda s: _all(s, statement))


async def _all(session, statement):
    return (await session.exec(statement)).all()


async def test_login_syncs_exactly_the_declared_commands_to_the_server(app, client, fake):
    [put] = fake.of("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert comparable(put.body) == discord_commands(app.registry, app.catalogs)
    names = {c["name"] for c in put.body}
    assert {"member", "organizer", "survey"} <= names
    survey = next(c for c in put.body if c["name"] == "survey")["options"][0]["options"]
    assert [o["name"] for o in survey] == ["worksite", "note", "shifts", "strike", "shift"]
    assert survey[2] == {"type": 4, "name": "shifts", "description": "Shifts you can cover", "required": False,
                         "min_value": 0, "max_value": 7}
    assert survey[4]["choices"] == [{"name": "day", "value": "day"}, {"name": "night", "value": "night"}]
    assert not fake.of("PUT", f"/applications/{APP_ID}/commands")  # global sync is off by default


async def test_member_site_defers_privately_then_answers_and_stores(app, client, fake):
    payload = slash("member", "site", worksite="Escalante Elementary")
    dispatch(client, payload)
    [callback], [follow] = await answered(fake, payload)
    assert callback.body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    assert follow.body["content"] == "Your worksite is now Escalante Elementary."
    assert follow.body["flags"] == EPHEMERAL
    assert follow.body["allowed_mentions"] == {"parse": []}
    [(name, site)] = await rows(app, select(Member.name, Worksite.name).join(Worksite))
    assert (name, site) == ("María", "Escalante Elementary")
    [identity] = await rows(app, select(MemberIdentity.platform, MemberIdentity.user_id))
    assert tuple(identity) == ("discord", "300000000000000001")
