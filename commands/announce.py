"""``/organizer announce``: a leader's announcement in the announcements channel, the one post that may
notify everyone, and only when the leader asks (``ping:yes``): the platform then mentions the role or the
channel its own config section allows (config.example.toml), and nothing else."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.i18n import N_, Translator
from bot.registry import Param
from bot.types import Message, Post, Reply, Role
from commands.help import group

MAX_TEXT = 3000


@group.command("announce", help=N_("Post an announcement to the announcements channel"), role=Role.leader,
               params=[Param("text", N_("What to announce (blank lines between paragraphs)"), greedy=True,
                             max_length=MAX_TEXT, multiline=True),
                       Param("ping", N_("yes, to notify everyone in the channel"), type=bool, required=False,
                             default=False)])
async def announce(ctx: Context, text: str, ping: bool) -> Reply:
    ping = ping and permissions.may_ping(ctx.actor)

    def render(tr: Translator) -> Message:
        return Message(text, ping=ping)

    said = N_("Posted to the announcements channel, notifying everyone the platform lets the bot notify.") if ping \
        else N_("Posted to the announcements channel, without notifying anyone.")
    return ctx.reply(ctx._(said), effects=(Post("announcements", render),))
