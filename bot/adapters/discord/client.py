"""The Discord client: the command tree, button routing, member joins and sync at login. ``start(app)`` is what
``organizer-bot run`` calls; ``organizer-bot discord sync`` (:data:`cli`) registers the commands by hand."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import click
import discord

from bot.adapters.discord import PLATFORM, onboarding
from bot.adapters.discord.commands import FORM_PREFIX, CatalogTranslator, Drafts, NextPage, build_tree, submit_form
from bot.adapters.discord.render import NO_PINGS, CommandButton, PageButton
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.repeats import Recent
from bot.app import App
from bot.commandline import common, make_app
from bot.config import Config

log = logging.getLogger(__name__)

INTERACTION_WINDOW = 900.0  # seconds: an interaction token is valid for 15 minutes


class OrganizerClient(discord.Client):
    """The client: the app, the command tree, button routing, and sync at login."""

    def __init__(self, app: App, *, sync_on_login: bool = True, **options: Any) -> None:
        # no member cache and no member lists at login: roles come with each interaction, a join with its event
        super().__init__(intents=onboarding.intents(PLATFORM.settings_of(app.config)), allowed_mentions=NO_PINGS,
                         max_ratelimit_timeout=30.0, member_cache_flags=discord.MemberCacheFlags.none(),
                         chunk_guilds_at_startup=False, **options)
        self.app = app
        self.sync_on_login = sync_on_login
        self.tree = build_tree(self, app.registry, app.catalogs)
        self.interactions = Recent(INTERACTION_WINDOW)  # ids already run: a replayed interaction runs once
        self.drafts = Drafts()  # forms filled page by page

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator(self.app.catalogs))
        self.add_dynamic_items(CommandButton, PageButton, NextPage)
        if self.sync_on_login:
            await sync(self)

    async def on_member_join(self, member: discord.Member) -> None:
        await onboarding.welcome(self.app, member)

    async def on_interaction(self, interaction: discord.Interaction[OrganizerClient]) -> None:
        if (interaction.type is discord.InteractionType.modal_submit and interaction.data is not None
                and str(interaction.data.get("custom_id", "")).startswith(FORM_PREFIX)):
            await submit_form(interaction)


class ShardedOrganizerClient(OrganizerClient, discord.AutoShardedClient):
    """The same, over several gateway shards."""


def make_client(app: App, *, sync_on_login: bool = True) -> OrganizerClient:
    """A plain client, or an auto-sharded one when config gives ``shard_count``/``shard_ids``."""
    settings = PLATFORM.settings_of(app.config)
    if settings.shard_count is None and settings.shard_ids is None:
        return OrganizerClient(app, sync_on_login=sync_on_login)
    return ShardedOrganizerClient(app, sync_on_login=sync_on_login, shard_count=settings.shard_count,
                                  shard_ids=settings.shard_ids)


async def sync(client: OrganizerClient, *, guild_id: int | None = None,
               sync_global: bool | None = None) -> list[str]:
    """Register the commands with Discord: in one server (instant) and/or globally (up to an hour).
    Returns what was synced, for the CLI to report."""
    settings = PLATFORM.settings_of(client.app.config)
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


async def start(app: App) -> tuple[DiscordSender, asyncio.Task[None]]:
    """Log in (which syncs commands), then keep the gateway connection in a task beside the others."""
    client = make_client(app)
    await client.login(_token(app.config))
    task = asyncio.create_task(_serve(client), name="discord")
    log.info("Discord connected as %s", client.user)
    return DiscordSender(client, PLATFORM.settings_of(app.config).ping_role), task


def _token(config: Config) -> str:
    token = config.secret("discord_token")
    assert token is not None, "Discord starts only with DISCORD_TOKEN set"
    return token


async def _serve(client: discord.Client) -> None:
    try:
        await client.connect()
    finally:
        await client.close()


@click.group("discord")
def cli() -> None:
    """The Discord front-end."""


@cli.command("sync")
@click.option("--guild", "guild_id", type=int, default=None, help="Server id (default: discord.guild_id).")
@click.option("--global", "sync_global", is_flag=True, default=None, help="Also register globally (slow to appear).")
@common
def sync_command(config: Config, guild_id: int | None, sync_global: bool | None) -> None:
    """Register the slash commands with Discord now (the bot also does this when it starts)."""
    settings = PLATFORM.settings_of(config)
    if not PLATFORM.enabled(config):
        raise click.ClickException("set DISCORD_TOKEN to the bot's token first")
    if not (guild_id or settings.guild_id or sync_global or settings.sync_global):
        raise click.ClickException(
            "nothing to sync to: set discord.guild_id in the config, or pass --guild or --global")

    async def go() -> list[str]:
        app = make_app(config, platforms=(PLATFORM.name,))
        client = make_client(app, sync_on_login=False)
        try:
            await client.login(_token(config))
            return await sync(client, guild_id=guild_id, sync_global=sync_global)
        finally:
            await client.close()
            await app.close()

    click.echo("synced: " + ", ".join(asyncio.run(go())))
