"""Discord's side of onboarding: a member joining the campaign's server (the gateway's ``GUILD_MEMBER_ADD``,
discord.py's ``on_member_join``) is handed to the core's welcome, which keeps it to one per member.

Discord sends joins only to a bot with the privileged Server Members intent, which the bot asks for only with
``[discord] welcome_members = true``: the intent must first be switched on in the Developer Portal (Bot →
Privileged Gateway Intents → Server Members Intent), or Discord refuses the connection. A join tells no language
(Discord keeps a member's locale to their interactions), so the welcome goes out in every language the bot
speaks until the member's first command tells it."""

from __future__ import annotations

import logging

import discord

from bot import incidents
from bot.adapters.discord import PLATFORM, DiscordSettings
from bot.app import App
from bot.types import Identity, Invocation

log = logging.getLogger(__name__)


def intents(settings: DiscordSettings) -> discord.Intents:
    """The default intents, and Server Members only when the config asks for joins."""
    wanted = discord.Intents.default()
    wanted.members = settings.welcome_members
    return wanted


async def welcome(app: App, member: discord.Member) -> None:
    """A person (not a bot) joined the campaign's server (``discord.guild_id``; any server without one)."""
    guild = PLATFORM.settings_of(app.config).guild_id
    if member.bot or guild is not None and member.guild.id != guild:
        return
    try:
        await app.event("joined", Invocation(Identity(PLATFORM.name, str(member.id), member.display_name), "", ""))
    except Exception:  # noqa: BLE001 - a gateway event is not sent again: the failure is logged with its ref
        incidents.report(log, "a Discord join")
