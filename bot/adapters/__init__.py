"""Front-ends: translate platform payloads into invocations and replies into platform calls. No business rules here.

Each package (or module) here describes its platform with a :class:`bot.platforms.Platform` as ``PLATFORM``;
:func:`installed` is the registry of those that ship with the bot."""

from __future__ import annotations

from bot.platforms import Platforms


def installed() -> Platforms:
    from bot.adapters import console, discord, slack

    return Platforms(console.PLATFORM, slack.PLATFORM, discord.PLATFORM)
