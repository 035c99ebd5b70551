"""The Discord front-end: slash commands generated from the registry, restart-proof buttons, modals
for forms, and the outbox sender. ``start(app)`` is what ``organizer-bot run`` calls."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.adapters.discord.commands import FORM_PREFIX, CatalogTranslator, build_tree, submit_form
from bot.adapters.discord.render import NO_PINGS, CommandButton
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.repeats import Recent
from bot.app import App

log = logging.getLogger(__name__)

INTERACTION_WINDOW = 900.0  # seconds: an interaction token is valid for 15 minutes


class _Organizer:
    """What both client kinds add: the app, the command tree, button routing, and sync at login."""

    def __init__(self, app: App, *, sync_on_login: bool = True, **options) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=NO_PINGS, max_ratelimit_timeout=30.0,
                         **options)
        self.app = app
        self.sync_on_login = sync_on_login
        self.tree = build_tree(self, app.registry, app.catalogs)
        self.interactions = Recent(INTERACTION_WINDOW)  # ids already run: a replayed interaction runs once

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator(self.app.catalogs))
        self.add_dynamic_items(CommandButton)
        if self.sync_on_login:
            await sync(self)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if (interaction.type is discord.InteractionType.modal_submit
                and interaction.data.get("custom_id", "").startswith(FORM_PREFIX)):
            await submit_form(interaction)


class OrganizerClient(_Organizer, discord.Client):
    pass


class ShardedOrganizerClient(_Organizer, discord.AutoShardedClient):
    pass


def make_client(app: App, *, sync_on_login: bool = True) -> discord.Client:
    """A plain client, or an auto-sharded one when config gives ``shard_count``/``shard_ids``."""
    settings = app.config.discord
    if settings.shard_count is None and settings.shard_ids is None:
        return OrganizerClient(app, sync_on_login=sync_on_login)
    return ShardedOrganizerClient(app, sync_on_login=sync_on_login, shard_count=settings.shard_count,
                                  shard_ids=settings.shard_ids)


async def sync(client: discord.Client, *, guild_id: int | None = None, sync_global: bool | None = None) -> list[str]:
    """Register the commands with Discord: in one server (instant) and/or globally (up to an hour).
    Returns what was synced, for the CLI to report."""
    settings = client.app.config.discord
    guild_id = settings.guild_id if guild_id is None else guild_id
    sync_global = settings.sync_global if sync_global is None else sync_global
    done = []
    if guild_id:
        guild = discord.Object(guild_id)
        client.tree.copy_global_to(guild=guild)
        await client.tree.sync(guild=guild)
        done.append(f"server {guild_id}")
    if sync_global:
        await client.tree.sync()
        done.append("global")
    return done


async def start(app: App) -> tuple[DiscordSender, asyncio.Task]:
    """Log in (which syncs commands), then keep the gateway connection in a task beside the others."""
    client = make_client(app)
    await client.login(app.config.secrets.discord_token)
    task = asyncio.create_task(_serve(client), name="discord")
    log.info("Discord connected as %s", client.user)
    return DiscordSender(client, app.config.discord.ping_role), task


async def _serve(client: discord.Client) -> None:
    try:
        await client.connect()
    finally:
        await client.close()
