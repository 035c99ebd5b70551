"""The Slack app manifest is generated from the registry (bot/adapters/slack/manifest.py), and the shipped
slack-manifest.json is the one generated now: a command added or changed without regenerating it fails here."""

import json
from pathlib import Path

from click.testing import CliRunner

from bot.adapters.slack.manifest import cli, manifest, text
from bot.context import Context
from bot.registry import Group, Param, Registry
from bot.types import Reply
from commands import build_registry

SHIPPED = Path(__file__).parents[2] / "slack-manifest.json"


def test_the_shipped_manifest_is_the_one_the_registry_gives():
    assert SHIPPED.read_text(encoding="utf-8") == text(build_registry()), \
        "run: organizer-bot slack manifest > slack-manifest.json"
    assert CliRunner().invoke(cli, ["manifest"]).output == text(build_registry())


def test_each_group_is_a_slash_command_described_by_its_help_with_its_subcommands_as_the_hint():
    group = Group("survey", "Surveys of the members")

    @group.command("answer", help="Answer", params=[Param("worksite", "Your worksite"),
                                                    Param("note", "Anything else", required=False)])
    async def answer(ctx: Context, worksite: str, note: str | None) -> Reply:
        return ctx.reply(worksite)

    @group.command("list", help="List")
    async def listed(ctx: Context) -> Reply:
        return ctx.reply("")

    registry = Registry()
    registry.add(group)
    assert manifest(registry)["features"]["slash_commands"] == [
        {"command": "/survey", "description": "Surveys of the members", "usage_hint": "answer <worksite> | list",
         "should_escape": False}]


def test_the_manifest_enables_what_the_front_end_uses():
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert set(shipped["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "im:write", "files:write", "usergroups:read", "users:read", "users:read.email",
        "im:history", "channels:history", "groups:history",  # a retried send looks for itself first
        "channels:read", "groups:read"}  # member_joined_channel in public and private channels
    assert set(shipped["settings"]["event_subscriptions"]["bot_events"]) == {"team_join", "member_joined_channel",
                                                                           "app_home_opened"}
    assert shipped["settings"]["interactivity"]["is_enabled"] is True
    assert shipped["settings"]["socket_mode_enabled"] is True
    assert shipped["features"]["app_home"]["home_tab_enabled"] is True  # else views.publish answers not_enabled
    assert "app_home_opened" in shipped["settings"]["event_subscriptions"]["bot_events"]
