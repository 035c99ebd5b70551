"""``/member`` for the roster's truth: where members count, and fixing it. The union's roster decides a
member's worksite; what members say about themselves is shown to their reps to settle, never counted."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Param
from bot.types import Reply, Role
from commands.members import group, resolve_member
from storage import roster as store
from storage.readiness import site_ids_for_keys

SITE = Param("site", N_("Only this worksite"), required=False)


async def _site_ids(ctx: Context, site: str | None) -> list[int] | None:
    keys = permissions.roster_sites(ctx.actor, site)
    return None if keys is None else await site_ids_for_keys(ctx.session, keys)


@group.command("discrepancies", help=N_("Members who say they work at another worksite than the roster has them"),
               role=Role.rep, writes=False, audited=True, params=[SITE])
async def discrepancies(ctx: Context, site: str | None) -> Reply:
    found = await store.discrepancies(ctx.session, await _site_ids(ctx, site))
    if not found:
        return ctx.reply(ctx._("No discrepancies: every member here works where the roster has them."))
    lines = [bold(ctx.n_("{n} member says they work elsewhere than the roster has them",
                         "{n} members say they work elsewhere than the roster has them", len(found)))]
    lines += [ctx._("{name}: on the roster at {roster}, says {site}", name=m.name, roster=at, site=says)
              for m, at, says in found]
    lines.append(ctx._("They count where the roster has them. Fix the roster file and import it again, or ask them "
                       "to correct /member site."))
    return ctx.reply("\n".join(lines))


@group.command("remove", help=N_("Take a member off the roster (retired, moved away); their history is kept"),
               role=Role.leader, audited=True,
               params=[Param("member", N_("Their name as on the roster, member number or email"), greedy=True),
                       Param("site", N_("Their worksite, when two members share a name"), required=False)])
async def remove(ctx: Context, member: str, site: str | None) -> Reply:
    person, where = await resolve_member(ctx, member, site)
    if not person.on_roster:
        raise UserError(N_("{name} is not on the roster."), name=person.name)
    await store.take_off(ctx.session, ctx.app.voters, person)
    return ctx.reply(ctx._("{name} ({site}) is off the roster: kept with their history, counted nowhere. A roster "
                           "import that lists them puts them back.", name=person.name,
                           site=where or ctx._("no worksite")))
