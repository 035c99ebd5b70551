"""The Slack app manifest declares exactly the commands the bot answers, and the settings it relies on."""

import json
from pathlib import Path

from commands import build_registry

MANIFEST = json.loads((Path(__file__).parents[2] / "slack-manifest.json").read_text(encoding="utf-8"))
# The command groups issue 7 plans for; features land one by one, each adding its group to the registry.
PLANNED = {"action", "chant", "bargaining", "readiness", "member", "organizer"}


def test_the_manifest_has_every_registry_command_and_nothing_unplanned():
    declared = [c["command"].removeprefix("/") for c in MANIFEST["features"]["slash_commands"]]
    registry = set(build_registry().groups)
    assert len(declared) == len(set(declared))
    assert registry <= set(declared), f"add to slack-manifest.json: {registry - set(declared)}"
    assert set(declared) <= PLANNED | registry
    if registry >= PLANNED:  # every feature has landed: the manifest must match the registry exactly
        assert set(declared) == registry


def test_the_manifest_enables_what_the_front_end_uses():
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "im:write", "files:write", "usergroups:read", "users:read", "users:read.email",
        "im:history", "channels:history", "groups:history"}  # a retried send looks for itself first
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert all(c["should_escape"] is False for c in MANIFEST["features"]["slash_commands"])
