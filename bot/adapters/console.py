"""The console front-end: the whole bot in a terminal, no tokens needed.

Interactive (with line editing and history) when stdin is a terminal; otherwise one command
per line, each reply printed, so a script can drive it. DMs and channel posts that other
members would receive are printed too, marked as such.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import click

from bot.app import App
from bot.commandline import common, make_app, started
from bot.config import Config
from bot.delivery import Worker
from bot.i18n import N_, Translator
from bot.markup import paragraphs, render
from bot.platforms import Platform
from bot.types import Identity, Message, Reply

NAME = "console"


def to_text(message: Message, tr: Translator, files_dir: Path) -> str:
    """A message as readable text: times in the campaign timezone, buttons and lists to pick from as the command
    to type."""
    text = "\n\n".join(render(p, escape=str, time=tr.when, strong=str) for p in paragraphs(message.text))
    lines = [text] if text else []
    for button in message.buttons:
        lines.append(f"  [{button.label}]  →  {button.command}")
    for pick in message.picks:
        lines.append(f"  [{pick.placeholder} ▾]  →  {pick.command} …")
    for attachment in message.attachments:
        files_dir.mkdir(parents=True, exist_ok=True)
        path = files_dir / attachment.filename
        path.write_bytes(attachment.data)
        lines.append(f"  📎 {attachment.title or attachment.filename}: {path}")
    return "\n".join(lines)


class ConsoleSender:
    """Shows what the bot would send to other people, marked, in the same terminal, each in its own language."""

    platform = NAME

    def __init__(self, out: TextIO, translator: Callable[[str | None], Translator], files_dir: Path) -> None:
        self.out, self.translator, self.files_dir = out, translator, files_dir
        self._posts = 0

    def _show(self, heading: str, message: Message, **params: str) -> None:
        tr = self.translator(message.lang)
        body = to_text(message, tr, self.files_dir).replace("\n", "\n│ ")
        print(f"┌ {tr._(heading, **params)}\n│ {body}", file=self.out, flush=True)

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None:
        self._show(N_("DM to {member}"), message, member=user_id)
        return None

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        self._posts += 1
        self._show(N_("posted in {channel}"), message, channel=channel_id)
        return f"console-{self._posts}"

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        self._show(N_("updated post in {channel}"), message, channel=channel_id)


class Console:
    def __init__(self, app: App, user: str, role: str, site: str | None, *, out: TextIO = sys.stdout,
                 files_dir: Path = Path("organizer-files")) -> None:
        self.app = app
        self.out = out
        self.files_dir = files_dir
        self.identity = Identity(NAME, user, user)
        self.claims = frozenset({f"role:{role}", *([f"site:{site}"] if site else [])})
        self.site = site
        self.worker = Worker(app, {NAME: ConsoleSender(out, app.translator, files_dir)})

    async def run_line(self, line: str) -> Reply:
        reply = await self.app.run_line(self.identity, line, claims=self.claims)
        self.show(reply)
        await self.worker.drain()
        return reply

    def show(self, reply: Reply) -> None:
        if reply.message is not None:
            prefix = "✗ " if reply.error else ""
            text = to_text(reply.message, self.app.translator(reply.lang), self.files_dir)
            print(prefix + text, file=self.out, flush=True)

    async def run(self, stdin: TextIO) -> None:
        if self.site:
            reply = await self.app.run_line(self.identity, f'/member site "{self.site}"', claims=self.claims)
            if reply.error:
                self.show(reply)
        interactive = stdin.isatty()
        if interactive:
            _enable_history()
            print(self.app.translator(None)._(N_("{campaign} — organizer-bot console as {user}. Type /help, or quit."),
                                              campaign=self.app.config.campaign.name, user=self.identity.user_id),
                  file=self.out)
        while True:
            try:
                line = await asyncio.to_thread(input, "> ") if interactive else stdin.readline()
            except (EOFError, KeyboardInterrupt):
                break
            if not interactive and line == "":
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("quit", "exit", "/quit", "/exit"):
                break
            if not interactive:
                print(f"> {line}", file=self.out, flush=True)
            await self.run_line(line)


def _enable_history() -> None:
    try:
        import readline
    except ImportError:
        return
    history = Path.home() / ".organizer_bot_history"
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    import atexit

    atexit.register(lambda: _save_history(readline, history))


def _save_history(readline: ModuleType, history: Path) -> None:
    try:
        readline.write_history_file(history)
    except OSError:
        pass


def run_console(config: Config, user: str = "you", role: str = "member", site: str | None = None) -> None:
    """The console in this terminal until it ends: what ``organizer-bot run`` starts when no other platform is
    configured."""
    async def go() -> None:
        app = await started(make_app(config, platforms=(NAME,)))
        try:
            await Console(app, user, role, site).run(sys.stdin)
        finally:
            await app.close()

    asyncio.run(go())


@click.command(NAME)
@click.option("--user", default="you", show_default=True, help="Your name in this session.")
@click.option("--role", type=click.Choice(["member", "rep", "leader"]), default="member", show_default=True)
@click.option("--site", default=None, metavar="WORKSITE", help="Your worksite (and, for a rep, the one you cover).")
@common
def cli(config: Config, user: str, role: str, site: str | None) -> None:
    """Talk to the bot in this terminal (no tokens needed)."""
    run_console(config, user, role, site)


PLATFORM: Platform[Any] = Platform(NAME, "console", foreground=run_console, cli=lambda: cli, by_name=True,
                                    claims_role=True, order=0)
