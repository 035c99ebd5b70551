"""The Slack front-end: :mod:`~bot.adapters.slack.frontend` serves Slack (slack-bolt), the other modules
hold what a command process needs to run and answer a request. This package itself holds only the
platform's descriptor and settings, so a command process never loads slack-bolt."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from bot.adapters.slack.render import BUDGET, MODAL, escape
from bot.config import Section
from bot.platforms import Platform

if TYPE_CHECKING:
    import click

    from bot.adapters.slack.outbound import SlackSender
    from bot.app import App

ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


class SlackSettings(Section):
    mode: Literal["socket", "http"] = "socket"
    host: str = "0.0.0.0"
    port: int = 3000
    api_base_url: str = "https://slack.com/api/"
    command_processes: int = Field(1, ge=0)
    allow_channel_ping: bool = False
    team_id: str | None = Field(None, pattern=r"^[TE][A-Z0-9]+$")


async def _start(app: App) -> tuple[SlackSender, asyncio.Task[None]]:
    """For ``organizer-bot run``: the outbox sender and the listening task."""
    from bot.adapters.slack.frontend import start

    return await start(app)


def _cli() -> click.Command:
    from bot.adapters.slack.manifest import cli

    return cli


def _id_problem(user_id: str) -> str | None:
    return None if ID.match(user_id) else "should look like U012ABCDEF"


PLATFORM: Platform[SlackSettings] = Platform(
    "slack", "Slack", SlackSettings,
    {"slack_bot_token": "SLACK_BOT_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET",
     "slack_app_token": "SLACK_APP_TOKEN"},
    start=_start, cli=_cli, mention=re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>"),
    roster_headers=("slack id", "slack_id", "slack"), id_problem=_id_problem, escape=escape, modal=MODAL,
    budget=BUDGET, home=True, order=1)
