"""Members the bot cannot reach by DM, for someone to reach in person: ``/member unreached`` (every account that
refused DMs for good) and the list under ``/bargaining delivery`` (whom one update did not reach), by worksite.
A rep sees their own sites' members, a leader everyone's."""

from __future__ import annotations

from itertools import groupby

from bot import permissions
from bot.context import Context
from bot.delivery import Unreachable
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Param
from bot.types import Reply, Role
from commands.members import group
from storage import unreached as store
from storage.members import site_ids_for_keys, worksite_by_name
from storage.unreached import NotReached

REASONS = {Unreachable.CLOSED: N_("does not take direct messages from the bot"),
           Unreachable.GONE: N_("account deactivated or gone")}
SHOWN = 200  # names listed; the count says how many more


async def visible_sites(ctx: Context, site: str | None) -> list[int] | None:
    """The worksite ids whose members the viewer may see here (None: every member). Checked before anything
    is read, so a refusal says nothing about who exists."""
    keys = permissions.unreached_sites(ctx.actor, site)
    if site is not None and await worksite_by_name(ctx.session, site) is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    return None if keys is None else await site_ids_for_keys(ctx.session, keys)


def by_site(ctx: Context, people: list[NotReached]) -> list[str]:
    """One paragraph per worksite: its count, then each member with why they were not reached."""
    blocks = []
    for site, group_of in groupby(people, key=lambda p: p.site):
        members = list(group_of)
        lines = [bold(site or ctx._("No worksite set")) + f" ({len(members)})"]
        lines += [f"{p.name} — {ctx._(REASONS.get(p.reason, N_('delivery failed')))}" for p in members[:SHOWN]]
        if len(members) > SHOWN:
            lines.append(ctx.n_("… and {n} more", "… and {n} more", len(members) - SHOWN))
        blocks.append("\n".join(lines))
    return blocks


@group.command("unreached", help=N_("Members the bot cannot reach by direct message, to reach in person"),
               role=Role.rep, writes=False, audited=True,
               params=[Param("site", N_("Only this worksite"), required=False, positional=True, greedy=True)])
async def unreached(ctx: Context, site: str | None) -> Reply:
    site_ids = await visible_sites(ctx, site)
    people = await store.listed(ctx.session, site_ids)
    if not people:
        return ctx.reply(ctx._("The bot can reach every member here by direct message."))
    head = bold(ctx.n_("{n} member the bot cannot reach by direct message: talk to them in person",
                       "{n} members the bot cannot reach by direct message: talk to them in person", len(people)))
    tail = ctx._("Once they use the bot again (any command), their next direct message is tried.")
    return ctx.reply("\n\n".join([head, *by_site(ctx, people), tail]))


async def of_update(ctx: Context, batch: str, failed: int) -> list[str]:
    """``/bargaining delivery``: whom the update's DM did not reach, at the worksites the viewer sees, and how
    many more elsewhere."""
    people = await store.of_batch(ctx.session, batch, await visible_sites(ctx, None))
    if not failed:
        return []
    blocks = [bold(ctx._("Not reached by direct message: talk to them in person"))] + by_site(ctx, people)
    if failed > len(people):
        blocks.append(ctx.n_("{n} more at other worksites.", "{n} more at other worksites.", failed - len(people)))
    return blocks
