"""A message Discord refuses is never silent: a refused follow-up is said to the member and logged; the outbox
gives up on a message Discord refuses for what it is (400) on the first try; the fake refuses what Discord
refuses."""

from __future__ import annotations

import pytest

from bot.adapters.discord.sender import DiscordSender
from bot.delivery import Undeliverable
from bot.types import Message
from tests.discord.conftest import CHANNEL_ID, dispatch, slash
from tests.discord.fake_api import APP_ID, refusal

INVALID = {"code": 50035, "message": "Invalid Form Body", "errors": {}}


async def test_a_follow_up_discord_refuses_is_said_to_the_member_and_logged(app, client, fake, caplog):
    payload = slash("organizer", "help", locale="es-ES")
    fake.refuse_once.append((f"/webhooks/{APP_ID}/{payload['token']}", 400, INVALID))
    dispatch(client, payload)
    [refused, notice] = await fake.wait_for("POST", f"/webhooks/{APP_ID}/{payload['token']}", 2)
    assert refused.body["content"].startswith("**")  # the help itself, which Discord did not take
    assert notice.body["content"] == ("Discord no aceptó esta respuesta (400 50035), así que no se muestra. Prueba "
                                      "/organizer help otra vez; si sigue pasando, avisa a un organizador.")
    assert notice.body["flags"] == 64 and notice.body["allowed_mentions"] == {"parse": []}
    assert "Discord refused the answer to organizer help (400 50035" in caplog.text


async def test_a_message_discord_refuses_is_undeliverable_not_tried_again(app, client, fake):
    fake.refuse_once.append((f"/channels/{CHANNEL_ID}/messages", 400, INVALID))
    with pytest.raises(Undeliverable):
        await DiscordSender(client).post(CHANNEL_ID, Message("Update"), "ob9")


def test_the_fake_refuses_what_discord_refuses():
    assert refusal({"content": "x" * 2000}) is None
    assert refusal({"content": "x" * 2001})
    assert refusal({"embeds": [{"description": "x" * 4000, "fields": [{"name": "a", "value": "x" * 1024}]}]}) is None
    assert refusal({"embeds": [{"description": "x" * 4097}]})
    assert refusal({"embeds": [{"fields": [{"name": "a", "value": "b"}] * 26}]})
    assert refusal({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]})
    assert refusal({"embeds": [{}] * 11})
