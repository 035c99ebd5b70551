"""Hostile text in every free-text field (and a display name), typed on Discord and imported from a
roster file: stored as written, and every message the fake Discord API receives — replies, channel
posts, DMs — allows no mentions (``allowed_mentions.parse == []``) and carries no raw @everyone/@here."""

from __future__ import annotations

import re

import pytest

from bot.adapters.discord.markdown import escape as discord_escape
from bot.adapters.discord.sender import DiscordSender
from bot.delivery import Worker
from storage.roster import import_rows, read_csv
from tests.discord.conftest import MEMBERS_ROLE, ORGANIZERS_ROLE, dispatch, slash
from tests.discord.fake_api import APP_ID
from tests.reliability.hostile import HOSTILE, SITE_SUFFIX, assert_stored_as_written, roster_csv
from tests.support import ID_COLUMNS, typed_date

RAW_MASS_PING = re.compile(r"@(everyone|here)")
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")  # [text](url) with neither bracket escaped


async def typed(client, fake, command: str, sub: str, **options) -> None:
    """Run a slash command as a leader and wait until it is answered (privately or in the channel)."""
    payload = slash(command, sub, roles=(ORGANIZERS_ROLE,), **options)
    dispatch(client, payload)
    answered = f"/webhooks/{APP_ID}/{payload['token']}"
    async with fake._changed:
        await fake._changed.wait_for(lambda: any(c.path.startswith(answered) for c in fake.calls))



@pytest.mark.parametrize("kind", HOSTILE)
async def test_hostile_text_is_stored_as_written_and_never_pings_on_discord(app, client, fake, kind):
    h = HOSTILE[kind]
    dispatch(client, slash("member", "site", user_id="300000000000000002", name=h, worksite=h))
    await typed(client, fake, "action", "create", title=h, when=typed_date(app.clock(), days=3), where=h)
    await typed(client, fake, "chant", "add", title=h, lines=h)
    await typed(client, fake, "chant", "show", id=1)
    await typed(client, fake, "bargaining", "post", title=h, body=h)
    await typed(client, fake, "bargaining", "faq-add", question=h, answer=h)
    await typed(client, fake, "bargaining", "faq")
    rows, _ = read_csv(roster_csv(h + " roster", h + SITE_SUFFIX), ID_COLUMNS)
    assert (await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))).added == 1
    await typed(client, fake, "readiness", "open", question="Ready?")
    await typed(client, fake, "readiness", "missing", poll=1)
    await Worker(app, {"discord": DiscordSender(client, MEMBERS_ROLE)}).drain()

    await assert_stored_as_written(app, h, member=h, roster_name=h + " roster")

    messages = [c.body for c in fake.calls if c.method in ("POST", "PATCH") and isinstance(c.body, dict)
                and "content" in c.body]
    assert {c.path.split("/")[2] for c in fake.calls if c.path.startswith("/channels/")} >= {
        "1000000000000000001", "1000000000000000002", "1000000000000000003"}
    shown = [m for m in messages if discord_escape(h)[2:10] in m["content"]]  # [2:]: a line-start "#" is escaped
    assert len(shown) >= 6, "the hostile text was not shown"
    for body in messages:
        mentions = body["allowed_mentions"]
        assert mentions.get("parse") == [] and not mentions.get("users"), body
        assert set(mentions.get("roles", [])) <= {MEMBERS_ROLE}, body
        assert not RAW_MASS_PING.search(body["content"]), body["content"]
        assert not MASKED_LINK.search(body["content"]), body["content"]
        assert not re.search(r"(?m)^#|(?<!\\)<t:1:F>", body["content"]), body["content"]
