"""The outbox's Discord half: DMs, channel posts and edits of live posts, through discord.py's REST client.

discord.py waits out short 429s itself; a longer one comes back as :class:`bot.delivery.RateLimited`
so the worker pauses Discord. A refusal of the message itself (400: a body past Discord's limits, 413: files
too large), of the member (403) or of the channel (404) is for good (:class:`bot.delivery.Undeliverable`):
sending the same message again would be refused again. Each send carries the outbox's dedupe string as an
enforced nonce, so a resend after a crash does not post twice: a retry needs no look at the history
(``retry_since``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import discord

from bot.adapters.discord import PLATFORM, events
from bot.adapters.discord.render import Outgoing, to_discord
from bot.delivery import RateLimited, Undeliverable, Unreachable
from bot.types import Listing, Message

if TYPE_CHECKING:
    from bot.adapters.discord.client import OrganizerClient

log = logging.getLogger(__name__)
T = TypeVar("T")
# A DM's member refuses, for good (https://discord.com/developers/docs/topics/opcodes-and-status-codes):
# 50007 "Cannot send messages to this user" (DMs closed, no shared server, or blocked), 10013 "Unknown User".
RECIPIENT_REFUSALS = {50007: Unreachable.CLOSED, 10013: Unreachable.GONE}
REFUSED_FOR_GOOD = frozenset({400, 413})  # the request itself: the same one is refused every time


class DiscordSender:
    platform = PLATFORM.name

    def __init__(self, client: OrganizerClient, ping_role: str | None = None) -> None:
        self.client = client
        self.ping_role = ping_role
        self.translator = client.app.translator  # a message's own language, for the notice of a cut

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None:
        async def go() -> str:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
            return await self._send(channel, to_discord(message, self.translator(message.lang)), dedupe)

        return await _mapped(go)

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        channel = self.client.get_partial_messageable(int(channel_id))
        parts = to_discord(message, self.translator(message.lang),
                           ping_role=self._ping_role(channel_id) if message.ping else None)
        return await _mapped(lambda: self._send(channel, parts, dedupe))

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        """Replace a live post in place; an edit that would no longer fit one message is refused, never cut."""
        parts = to_discord(Message(message.text, message.buttons), self.translator(message.lang))
        if len(parts) > 1:
            raise Undeliverable("the edited text no longer fits in one Discord message")
        target = self.client.get_partial_messageable(int(channel_id)).get_partial_message(int(message_id))
        await _mapped(lambda: target.edit(**parts[0].kwargs()))

    async def publish_listing(self, listing: Listing | None, copy: str | None,
                              retry_since: datetime | None = None) -> str | None:
        """An action as the server's scheduled event (:mod:`bot.adapters.discord.events`)."""
        guild = PLATFORM.settings_of(self.client.app.config).guild_id
        assert guild is not None, "events are listed only in the server guild_id names"
        return await _mapped(lambda: events.publish(self.client, guild, listing, copy, retry_since))

    @staticmethod
    async def _send(channel: discord.abc.Messageable, parts: list[Outgoing], dedupe: str) -> str:
        """Every part, in order; the id returned is the last part's, which holds the buttons a live edit keeps."""
        sent = [await channel.send(nonce=f"{dedupe}.{index}"[:25], **part.kwargs()) for index, part in enumerate(parts)]
        return str(sent[-1].id)

    def _ping_role(self, channel_id: str) -> int | None:
        """``discord.ping_role`` as a role id: given as an id, or a name looked up in the channel's server."""
        if not self.ping_role:
            return None
        if self.ping_role.isdigit():
            return int(self.ping_role)
        channel = self.client.get_channel(int(channel_id))
        role = discord.utils.get(getattr(getattr(channel, "guild", None), "roles", ()), name=self.ping_role)
        if role is None:
            log.warning("ping_role %r not found in the server of channel %s: posting without a ping",
                        self.ping_role, channel_id)
            return None
        return int(role.id)


async def _mapped(call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except discord.RateLimited as exc:
        raise RateLimited(exc.retry_after) from None
    except (discord.Forbidden, discord.NotFound) as exc:
        if exc.code in RECIPIENT_REFUSALS:
            raise Unreachable(RECIPIENT_REFUSALS[exc.code], f"Discord refused: {exc.code} {exc.text[:100]}") from None
        raise Undeliverable(f"Discord refused: {exc.status} {exc.text[:100]}") from None
    except discord.HTTPException as exc:
        if exc.status == 429:
            raise RateLimited(float(exc.response.headers.get("Retry-After", 5))) from None
        if exc.status in REFUSED_FOR_GOOD:
            raise Undeliverable(f"Discord refused: {exc.status} {exc.code} {exc.text[:100]}") from None
        raise

