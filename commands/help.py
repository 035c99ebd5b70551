"""``/organizer help``: every command's usage and help, generated from the declarations."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.permissions import ROLE_NAMES
from bot.registry import Group, Param
from bot.types import Reply, Role

group = Group(
    "organizer", N_("Help with the organizing bot"), default="help"
)


@group.command("help", help=N_("Show what you can do here, or the details of one command"),
               params=[Param("topic", N_("A command such as action or member"), required=False, positional=True,
                             max_length=40)],
               writes=False)
async def show_help(ctx: Context, topic: str | None) -> Reply:
    registry = ctx.app.registry
    if topic:
        name = topic.lstrip("/").split()[0].casefold()
        found = registry.groups.get(name)
        if found is None:
            raise UserError(N_("There is no /{group} command. Try /organizer help."), group=name)
        blocks = [bold(f"/{found.name}") + " — " + ctx._(found.help)]
        for command in found.commands.values():
            lines = [bold(command.usage()), ctx._(command.help)]
            lines += [f"  {p.name}: {ctx._(p.help)}" for p in command.params]
            if command.role > Role.member:
                lines.append("  " + ctx._("For: {role} and up", role=ctx._(ROLE_NAMES[command.role])))
            blocks.append("\n".join(lines))
        return ctx.reply("\n\n".join(blocks))
    blocks = [bold(ctx._("What you can do with the organizing bot"))]
    for found in registry.groups.values():
        usable = [c for c in found.commands.values() if ctx.actor.role >= c.role]
        if usable:
            lines = [bold(f"/{found.name}") + " — " + ctx._(found.help)]
            lines += [f"{c.usage()} — {ctx._(c.help)}" for c in usable]
            blocks.append("\n".join(lines))
    blocks.append(ctx._("Type /organizer help <command> for details, for example /organizer help action."))
    return ctx.reply("\n\n".join(blocks))
