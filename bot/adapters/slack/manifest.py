"""The Slack app manifest, generated from the command registry: each group's slash command with its help
as the description and its subcommands as the usage hint, so Slack shows what the bot declares.

    organizer-bot slack manifest > slack-manifest.json

after adding or changing a command; tests/slack/test_manifest.py fails while the shipped file is stale.
The limits are the manifest schema's (github.com/slackapi/manifest-schema)."""

from __future__ import annotations

import json
from typing import Any

import click

from bot.registry import Group, Registry

COMMAND_LIMIT, DESCRIPTION_LIMIT, USAGE_LIMIT, COMMANDS_LIMIT = 32, 2000, 1000, 50
SCOPES = ("commands", "chat:write", "im:write", "files:write", "usergroups:read", "users:read", "users:read.email",
          "im:history", "channels:history", "groups:history",  # the history scopes: a retried send looks for itself
          "channels:read", "groups:read")  # member_joined_channel in public and private channels
BOT_EVENTS = ("team_join", "member_joined_channel")  # joins, welcomed by bot.adapters.slack.onboarding
HOME_EVENTS = ("app_home_opened",)  # the Home tab, published by bot.adapters.slack.home


def manifest(registry: Registry) -> dict[str, Any]:
    """The manifest for an app whose slash commands are ``registry``'s groups."""
    commands = [slash_command(group) for group in registry.groups.values()]
    if len(commands) > COMMANDS_LIMIT:
        raise ValueError(f"a Slack app has at most {COMMANDS_LIMIT} slash commands, not {len(commands)}")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Organizer Bot",
            "description": "Sign-ups, chants, bargaining updates and readiness polls for our union campaign",
            "background_color": "#b22222",
        },
        "features": {
            # the Home tab shows each member their own page (bot.adapters.slack.home)
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "organizer-bot", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": [*BOT_EVENTS, *HOME_EVENTS]},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }


def slash_command(group: Group) -> dict[str, Any]:
    """One group as Slack lists it: the usage hint names each subcommand with what it requires."""
    hint = " | ".join(" ".join([command.name, *(p.usage() for p in command.params if p.required)])
                      for command in group.commands.values())
    command = f"/{group.name}"
    if len(command) > COMMAND_LIMIT or len(group.help) > DESCRIPTION_LIMIT or len(hint) > USAGE_LIMIT:
        raise ValueError(f"{command}: its name, help or usage hint is longer than Slack's manifest allows")
    entry: dict[str, Any] = {"command": command, "description": group.help}
    if hint:
        entry["usage_hint"] = hint
    entry["should_escape"] = False
    return entry


def text(registry: Registry) -> str:
    """The manifest as slack-manifest.json holds it."""
    return json.dumps(manifest(registry), indent=2, ensure_ascii=False) + "\n"


@click.group("slack")
def cli() -> None:
    """The Slack front-end."""


@cli.command("manifest")
def manifest_command() -> None:
    """Print the Slack app manifest for the commands this bot declares (paste it in the app's settings)."""
    from commands import build_registry

    click.echo(text(build_registry()), nl=False)
