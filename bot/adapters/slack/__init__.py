"""The Slack front-end: :mod:`~bot.adapters.slack.frontend` serves Slack (slack-bolt), the other modules
hold what a command process needs to run and answer a request. This package itself imports nothing, so a
command process never loads slack-bolt."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.adapters.slack.sender import SlackSender
    from bot.app import App


async def start(app: App) -> tuple[SlackSender, asyncio.Task]:
    """For ``organizer-bot run``: the outbox sender and the listening task."""
    from bot.adapters.slack.frontend import start as serve

    return await serve(app)
