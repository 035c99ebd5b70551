"""The outbox's Discord sender at the HTTP boundary: DMs, posts, edits, files, splitting, pings, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import effects
from bot.adapters.discord import CONTENT_LIMIT
from bot.adapters.discord.render import to_discord
from bot.adapters.discord.sender import DiscordSender
from bot.delivery import RateLimited, Undeliverable, Worker
from bot.markup import bold, when
from bot.types import Attachment, Button, Message, Notify
from storage.members import member_for
from storage.outbox import FAILED, OutboxItem
from storage.unreached import UnreachedAccount
from tests.discord.conftest import CHANNEL_ID, MEMBERS_ROLE


async def test_a_dm_opens_the_channel_and_sends_once_with_an_enforced_nonce(client, fake):
    sender = DiscordSender(client)
    picket = datetime(2026, 12, 4, 15, tzinfo=UTC)
    message = Message(f"{bold('Picket')} at {when(picket)} @everyone",
                      attachments=(Attachment("picket.ics", b"BEGIN:VCALENDAR", "text/calendar", "Calendar"),))
    await sender.send_dm("300000000000000001", message, "ob42")
    [opened] = fake.of("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": 300000000000000001}
    [sent] = [c for c in fake.of("POST", "/channels/") if c.files]
    assert sent.body["content"] == f"**Picket** at <t:{int(picket.timestamp())}:F> @\u200beveryone"
    assert sent.body["nonce"] == "ob42.0" and sent.body["enforce_nonce"] is True
    assert sent.body["allowed_mentions"] == {"parse": []}
    assert sent.files == {"picket.ics": b"BEGIN:VCALENDAR"}


async def test_a_long_post_is_split_between_paragraphs_and_buttons_ride_on_the_last_part(client, fake):
    paragraphs = [f"Demand {i}: " + "x" * 290 for i in range(15)]
    message = Message("\n\n".join(paragraphs), (Button("Join", "/member site Roosevelt High", "primary"),))
    message_id = await DiscordSender(client).post(CHANNEL_ID, message, "ob7")
    posts = fake.of("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(posts) == 3
    assert all(len(p.body["content"]) <= CONTENT_LIMIT for p in posts)
    assert "\n\n".join(p.body["content"] for p in posts) == message.text  # nothing cut, nothing lost
    assert [p.body["nonce"] for p in posts] == ["ob7.0", "ob7.1", "ob7.2"]
    assert [bool(p.body["components"]) for p in posts] == [False, False, True]
    assert posts[-1].body["components"][0]["components"][0]["custom_id"] == "ob:/member site Roosevelt High"
    assert all(p.body["allowed_mentions"] == {"parse": []} for p in posts)
    assert message_id.isdigit()


async def test_only_a_leader_announcement_that_asks_pings_and_only_the_configured_role(client, fake):
    sender = DiscordSender(client, "Members")
    await sender.post(CHANNEL_ID, Message("Strike vote tonight <@&999> @here", ping=True), "ob1")
    await sender.post(CHANNEL_ID, Message("Reminder <@&999>"), "ob2")
    pinged, quiet = fake.of("POST", f"/channels/{CHANNEL_ID}/messages")
    assert pinged.body["content"].startswith(f"<@&{MEMBERS_ROLE}>\n\n")
    assert pinged.body["allowed_mentions"] == {"parse": [], "roles": [int(MEMBERS_ROLE)]}
    assert quiet.body["allowed_mentions"] == {"parse": []}


async def test_an_edit_replaces_the_live_post_without_pings(client, fake):
    await DiscordSender(client).edit(CHANNEL_ID, "1100000000000000555", Message("12 signed up"))
    [edit] = fake.of("PATCH", f"/channels/{CHANNEL_ID}/messages/1100000000000000555")
    assert edit.body["content"] == "12 signed up" and edit.body["allowed_mentions"] == {"parse": []}
    with pytest.raises(Undeliverable):
        await DiscordSender(client).edit(CHANNEL_ID, "1", Message("\n\n".join(["y" * 1500] * 2)))


async def test_refusals_become_undeliverable_and_long_rate_limits_pause_delivery(client, fake):
    sender = DiscordSender(client)
    fake.refuse["/users/@me/channels"] = (403, {"message": "Cannot send messages to this user", "code": 50007}, {})
    with pytest.raises(Undeliverable):
        await sender.send_dm("300000000000000001", Message("hi"), "ob1")
    fake.refuse[f"/channels/{CHANNEL_ID}/messages"] = (
        429, {"message": "You are being rate limited.", "retry_after": 120.0, "global": False},
        {"Retry-After": "120", "X-RateLimit-Scope": "user"})
    with pytest.raises(RateLimited) as limited:
        await sender.post(CHANNEL_ID, Message("hi"), "ob2")
    assert limited.value.retry_after == 120.0


async def test_rendering_never_cuts_a_paragraph_that_fits(app):
    text = "\n\n".join(["a" * 1200, "b" * 1900, "c" * 10])
    assert [p.content for p in to_discord(Message(text), app.translator("en"))] == \
        ["a" * 1200, "b" * 1900 + "\n\n" + "c" * 10]


async def test_a_member_whose_dms_are_closed_is_recorded_and_not_tried_again(app, client, fake):
    async def all_of(model):
        return await app.db.read(lambda s: _scalars(s, select(model)))

    member = await app.db.write(lambda s: member_for(s, "discord", "300000000000000001", "María", app.clock()))
    fake.closed_dms.add("300000000000000001")
    worker = Worker(app, {"discord": DiscordSender(client)})
    for key in ("b1", "b2"):
        await app.db.write(lambda s, key=key: effects.store(
            app, s, (Notify((member.id,), lambda tr: Message("Session"), key=key),), app.clock()))
        await worker.drain()
    [refused] = await all_of(UnreachedAccount)
    assert (refused.user_id, refused.reason) == ("300000000000000001", "closed") and "50007" in refused.detail
    assert len([c for c in fake.of("POST", "/channels/") if "nonce" in (c.body or {})]) == 1  # tried once
    assert [i.status for i in await all_of(OutboxItem)] == [FAILED, FAILED]


async def _scalars(session, query):
    return list((await session.exec(query)).scalars())


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_past_three_messages_the_rest_is_left_out_and_the_last_message_says_so(app, lang, caplog):
    """The safety net under paging: a message never becomes more than three, whatever a handler returns."""
    text = "\n\n".join(f"Site {i}: " + "x" * 1500 for i in range(10))
    parts = to_discord(Message(text, (Button("Next", "/readiness tally 1 page:2"),)), app.translator(lang))
    assert len(parts) == 3 and all(len(p.content) <= CONTENT_LIMIT for p in parts)
    assert parts[0].content.startswith("Site 0: ") and parts[-1].view is not None  # the buttons are kept
    kept, notice = "\n\n".join(p.content for p in parts).rsplit("\n\n", 1)
    assert text.startswith(kept)  # what is shown is the beginning, each part whole
    assert app.translator(lang).number(7 * 1508) in notice  # Site 3 to Site 9 were left out
    assert notice.startswith("The rest of this answer" if lang == "en" else "El resto de esta respuesta")
    assert "a Discord message was cut to fit" in caplog.text
