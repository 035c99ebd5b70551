"""The Discord front-end: slash commands generated from the registry, restart-proof buttons, modals for
forms, and the outbox sender (:mod:`~bot.adapters.discord.client`). This package itself holds only the
platform's descriptor and settings, so nothing loads discord.py before Discord starts."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from pydantic import field_validator

from bot.adapters.discord.markdown import escape
from bot.budget import Budget, EmbedLimits
from bot.config import Config, Section
from bot.platforms import ModalLimits, Platform

if TYPE_CHECKING:
    import click

    from bot.adapters.discord.sender import DiscordSender
    from bot.app import App

ROLE_CLAIM = "discord-role:"
ID = re.compile(r"^\d{15,21}$")
MODAL = ModalLimits(fields=5, title=45, submit=45, label=45, value=4000, hint=100, option=100)
CONTENT_LIMIT = 2000
EMBEDS = EmbedLimits(total=6000, per_message=10, title=256, description=4096, fields=25, field_name=256,
                     field_value=1024, footer=2048, author=256)
BUDGET = Budget(text=CONTENT_LIMIT, messages=3, page=1800, time=16, strong=4, embeds=EMBEDS)
"""Discord's documented limits: content 2,000 characters; embeds 6,000 characters in all, ten a message,
25 fields. A time is ``<t:…:F>`` (16 characters), emphasis ``**…**``."""


class DiscordSettings(Section):
    guild_id: int | None = None
    sync_global: bool = False
    shard_count: int | None = None
    shard_ids: list[int] | None = None
    ping_role: str | None = None
    welcome_members: bool = False  # needs the privileged Server Members intent (bot.adapters.discord.onboarding)
    scheduled_events: bool = True  # each action in the server's Events list, with guild_id (.events)

    @field_validator("ping_role")
    @classmethod
    def _role_id(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError(f"{value!r} is not a role id: name the role to ping by its id")
        return value


def _rules(config: Config) -> None:
    """A Discord role is named by its id, never its name (anyone who can create a role in any server can give
    it any name; an id is unique), and only in the one server ``discord.guild_id`` names."""
    roles = [claim for claim in config.roles.claims() if claim.startswith(ROLE_CLAIM)]
    for claim in roles:
        if not claim.removeprefix(ROLE_CLAIM).isdigit():
            raise ValueError(f"{claim!r} names a Discord role by name: use its id (Server Settings → Roles → "
                             "right-click the role → Copy Role ID), as discord-role:<id>")
    if roles and PLATFORM.settings_of(config).guild_id is None:
        raise ValueError("roles name Discord roles, so discord.guild_id must say which server they belong to: "
                         "a role from any other server the bot is in never counts")


def _lists_events(config: Config) -> bool:
    """Actions are mirrored as the server's scheduled events: only in the one server ``guild_id`` names."""
    settings = PLATFORM.settings_of(config)
    return settings.scheduled_events and settings.guild_id is not None


async def _start(app: App) -> tuple[DiscordSender, asyncio.Task[None]]:
    from bot.adapters.discord.client import start

    return await start(app)


def _cli() -> click.Command:
    from bot.adapters.discord.client import cli

    return cli


def _id_problem(user_id: str) -> str | None:
    return None if ID.match(user_id) else "should be a number of 15 to 21 digits"


PLATFORM: Platform[DiscordSettings] = Platform(
    "discord", "Discord", DiscordSettings, {"discord_token": "DISCORD_TOKEN"}, start=_start, cli=_cli,
    mention=re.compile(r"<@!?([0-9]+)>"), roster_headers=("discord id", "discord_id", "discord"),
    id_problem=_id_problem, escape=escape, modal=MODAL, budget=BUDGET,
    rules=_rules, order=2, lists_events=_lists_events)
