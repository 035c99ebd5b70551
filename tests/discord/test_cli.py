"""``organizer-bot discord sync`` against the fake Discord API."""

from __future__ import annotations

import asyncio
import threading

import discord
from click.testing import CliRunner

from bot.cli import main
from commands import build_registry
from tests.discord.fake_api import APP_ID, FakeDiscord


def test_discord_sync_registers_the_commands_in_the_configured_server(tmp_path, monkeypatch):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10))
    config = tmp_path / "organizer.toml"
    config.write_text("[discord]\nguild_id = 1000000000000000100\n")
    try:
        result = CliRunner().invoke(main, ["discord", "sync", "--config", str(config), "--db", str(tmp_path / "o.db")],
                                    env={"DISCORD_TOKEN": "test-token"})
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    assert result.exit_code == 0, result.output
    assert result.output == "synced: server 1000000000000000100\n"
    [put] = fake.of("PUT", f"/applications/{APP_ID}/guilds/1000000000000000100/commands")
    assert {c["name"] for c in put.body} == set(build_registry().groups)


def test_discord_sync_without_a_token_says_what_to_set(tmp_path):
    result = CliRunner().invoke(main, ["discord", "sync", "--db", str(tmp_path / "o.db")], env={"DISCORD_TOKEN": ""})
    assert result.exit_code != 0 and "set DISCORD_TOKEN" in result.output
