"""Actions as the server's scheduled events (Discord's Guild Scheduled Events, entity type *external*: a place
outside Discord, with a start and an end), in the one server ``[discord] guild_id`` names.

The outbox sends each change (:mod:`storage.listings`); this turns the core's :class:`bot.types.Listing` into
Discord's calls: create the event, change it, or delete it (a cancelled action; a restored one is created
again, since Discord never takes a cancelled event back). Discord holds a name of 100 characters, a description
of 1,000 and a location of 100, so each is cut at a word; it refuses a start in the past, so an event whose start
has passed keeps the one it has. Discord takes no idempotency key for an event: a retry after a try that may have
created one first looks for it among the server's events (created by the bot, same name, start and place).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.markup import shorten
from bot.types import Listing

if TYPE_CHECKING:
    from bot.adapters.discord.client import OrganizerClient

NAME, DESCRIPTION, LOCATION = 100, 1000, 100  # Discord's documented limits, in characters
EXTERNAL, GUILD_ONLY = 3, 2  # entity_type, privacy_level


def body(listing: Listing, now: datetime) -> dict[str, Any]:
    """The event as Discord takes it; without a start once it has passed (Discord refuses one in the past)."""
    payload: dict[str, Any] = {
        "name": shorten(listing.name, NAME), "description": shorten(listing.description, DESCRIPTION),
        "entity_type": EXTERNAL, "privacy_level": GUILD_ONLY,
        "entity_metadata": {"location": shorten(listing.location, LOCATION)},
        "scheduled_end_time": listing.ends_at.isoformat()}
    if listing.starts_at > now:
        payload["scheduled_start_time"] = listing.starts_at.isoformat()
    return payload


async def publish(client: OrganizerClient, guild_id: int, listing: Listing | None, copy: str | None,
                  retry_since: datetime | None) -> str | None:
    """Bring the server's event in step (:meth:`bot.delivery.ListingSender.publish_listing`). An event deleted in
    Discord meanwhile is created again: the list shows every action that is on."""
    http = client.http
    if listing is None:
        if copy is not None:
            try:
                await http.delete_scheduled_event(guild_id, copy)
            except discord.NotFound:
                pass  # already gone
        return None
    payload = body(listing, client.app.clock())
    if copy is None and retry_since is not None:
        copy = await _made(client, guild_id, listing, payload)
    if copy is not None:
        try:
            await http.edit_scheduled_event(guild_id, copy, **payload)
            return copy
        except discord.NotFound:
            pass
    payload["scheduled_start_time"] = listing.starts_at.isoformat()  # a new event needs one: in the past, refused
    created = await http.create_guild_scheduled_event(guild_id, **payload)
    return str(created["id"])


async def _made(client: OrganizerClient, guild_id: int, listing: Listing, payload: dict[str, Any]) -> str | None:
    """The event an earlier try created, if it reached Discord."""
    me = str(client.user.id) if client.user else None
    events: list[Any] = await client.http.get_scheduled_events(guild_id, False)
    for event in events:
        if (str(event.get("creator_id")) == me and event["name"] == payload["name"]
                and discord.utils.parse_time(event["scheduled_start_time"]) == listing.starts_at
                and (event.get("entity_metadata") or {}).get("location") == payload["entity_metadata"]["location"]):
            return str(event["id"])
    return None
