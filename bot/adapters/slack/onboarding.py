"""Slack's side of onboarding: the join events (``team_join``: someone joined the workspace; ``member_joined_channel``:
someone joined one of the campaign's channels), the type-ahead lists a welcome offers (``external_select``,
whose options Slack asks for as the member types: bolt's options listener) and the option a member picks.

A join is acknowledged at once and welcomed after the ack, like a command (:mod:`bot.handoff`); the core keeps
it to one welcome per member, and says before any lookup whether the member was welcomed already. What Slack
tells of the member comes with the event (``team_join`` carries the user, with the email ``users:read.email``
lets it show) or from ``users.info``, which may fail or be refused in a burst: then the welcome goes out in every
language the bot speaks rather than waiting.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.adapters.slack import PLATFORM, inbound
from bot.adapters.slack.manifest import BOT_EVENTS
from bot.adapters.slack.render import PICK_ACTION
from bot.types import Identity, Invocation

if TYPE_CHECKING:
    from bot.adapters.slack.frontend import Listeners
    from bot.adapters.slack.work import CommandWork

log = logging.getLogger(__name__)

OPTIONS_LIMIT = 100  # options Slack shows in one external_select answer
OPTION_TEXT, OPTION_VALUE = 75, 150  # characters of an option's text and value


def register(bolt: AsyncApp, listeners: Listeners) -> None:
    """The join events, the options of a list to pick from and a picked option."""
    async def on_join(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        team_id = PLATFORM.settings_of(listeners.work.app.config).team_id
        if joiner(body, campaign_channels(listeners.work), context.bot_user_id, team_id):
            await listeners.handoff.run("joined", body)

    async def on_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        source = str(body["action_id"]).removeprefix(PICK_ACTION)
        app = listeners.work.app
        elsewhere = inbound.from_elsewhere(body, PLATFORM.settings_of(app.config).team_id)
        ours = source in app.registry.options and not elsewhere
        found = await app.options(source, str(body.get("value") or ""), OPTIONS_LIMIT) if ours else []
        await ack(options=[{"text": {"type": "plain_text", "text": name[:OPTION_TEXT]}, "value": name[:OPTION_VALUE]}
                           for name in found if len(name) <= OPTION_VALUE])

    for name in BOT_EVENTS:
        bolt.event(name)(on_join)
    bolt.options(re.compile(f"^{PICK_ACTION}"))(on_options)
    bolt.action(re.compile(f"^{PICK_ACTION}"))(listeners.on_click)


def campaign_channels(work: CommandWork) -> frozenset[str]:
    """The Slack channels config names for the campaign (``[channels.*] slack``)."""
    return frozenset(filter(None, (c.id_on(PLATFORM.name) for c in work.app.config.channels.values())))


def joiner(body: Mapping[str, Any], channels: frozenset[str], bot_user: str | None, team_id: str | None) -> str | None:
    """The member a join event welcomes, or None: a bot, a deleted account, the bot itself joining, a join
    to a channel that is not the campaign's, or someone of another workspace (``slack.team_id``; a shared
    channel's guest)."""
    event = body["event"]
    user = event["user"] if event["type"] == "team_join" else {"id": event["user"], "team_id": event.get("team")}
    if inbound.from_elsewhere({"team_id": body.get("team_id"), "user": user}, team_id):
        return None
    if event["type"] == "team_join":
        return None if user.get("is_bot") or user.get("deleted") else str(user["id"])
    if event["channel"] not in channels or event["user"] == bot_user:
        return None
    return str(event["user"])


async def welcome(work: CommandWork, body: Mapping[str, Any]) -> None:
    """After the ack: the member, with what Slack tells of them, to the core's welcome. The core is asked first
    whether the member still needs one, so a burst of joins of members already welcomed spends none of
    ``users.info``'s rate limit."""
    event = body["event"]
    user: Mapping[str, Any] = event["user"] if event["type"] == "team_join" else {"id": event["user"]}
    profile: Mapping[str, Any] = user.get("profile") or {}
    locale, email, name = user.get("locale"), profile.get("email"), _name(user)
    if not await work.app.event_due("joined", Identity(PLATFORM.name, user["id"], name or "")):
        return
    if not (locale and email and name):
        found = await work.directory.profile(user["id"])
        locale, email, name = locale or found.locale, email or found.email, name or found.name
    who = Identity(PLATFORM.name, user["id"], name or "")
    await work.app.event("joined", Invocation(who, "", "", locale=locale, email=email))


def _name(user: Mapping[str, Any]) -> str | None:
    profile: Mapping[str, Any] = user.get("profile") or {}
    return profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
