"""``/member`` for the roster's truth: who is on it, where they count, and fixing it. The union's roster
decides a member's worksite; what members say about themselves is shown to their reps to settle, never
counted. A chat account joins its roster row, strongest first: a platform id in the roster file, an email
the platform verified (:func:`storage.roster.by_verified_email`), a ``/member claim`` a rep or leader
confirms, or a rep or leader connecting the two."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Param
from bot.types import Message, Notify, Reply, Role
from commands.members import group, resolve_member
from storage import claims
from storage import roster as store
from storage.lookup import find_account
from storage.members import Member, site_ids_for_keys, worksite_name

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


CLAIM_MISSES = 5  # failed claims an account may make in CLAIM_WINDOW
CLAIM_WINDOW = timedelta(hours=1)


@group.command("claim", help=N_("Say which roster entry is you, by member number or email; a rep confirms it"),
               params=[Param("entry", N_("Your member number or your email, as the union has them"), max_length=320)])
async def claim(ctx: Context, entry: str) -> Reply:
    """Never instant: a wrong claim would let one person answer as another. A miss reads the same whether the
    entry is unknown or already linked, and misses are limited, so the roster cannot be fished for."""
    me = await ctx.session.get(Member, ctx.member_id)
    if me.on_roster:
        raise UserError(N_("You are already on the roster as {name}."), name=me.name)
    if await claims.misses_since(ctx.session, me.id, ctx.now - CLAIM_WINDOW) >= CLAIM_MISSES:
        raise UserError(N_("Too many claims that matched no entry. Try again in an hour, or ask your site rep to "
                           "connect your account."))
    platform = ctx.inv.identity.platform if ctx.inv else ""
    row = await claims.claimable(ctx.session, entry, platform)
    if row is None:
        await claims.missed(ctx.session, me.id, ctx.now)
        return replace(ctx.reply(ctx._("No roster entry you can claim has that member number or email. Check it "
                                       "on your union card or membership email, or ask your site rep.")), error=True)
    await claims.add(ctx.session, me.id, row.id, platform, me.name, ctx.now)
    site = await worksite_name(ctx.session, row.worksite_id)
    return ctx.reply(ctx._("Thanks: a rep of {site} or a leader will confirm that you are {name}. Until then your "
                           "answers count as not on the roster.", site=site or ctx._("no worksite"), name=row.name))


@group.command("claims", help=N_("Pending roster claims at your worksites, to confirm"), role=Role.rep,
               writes=False, audited=True, params=[SITE])
async def pending_claims(ctx: Context, site: str | None) -> Reply:
    found = await claims.pending(ctx.session, await _site_ids(ctx, site))
    if not found:
        return ctx.reply(ctx._("No claims are waiting."))
    lines = [bold(ctx.n_("{n} claim is waiting", "{n} claims are waiting", len(found)))]
    lines += [ctx._("{account} ({platform}) says they are {name} ({site}): /member confirm \"{name}\"",
                    account=c.account, platform=c.platform, name=row.name, site=where or ctx._("no worksite"))
              for c, row, where in found]
    return ctx.reply("\n".join(lines))


@group.command("confirm", help=N_("Confirm a pending claim: the account becomes that roster entry"), role=Role.rep,
               params=[Param("name", N_("Their name as on the roster"), greedy=True),
                       Param("by", N_("The claiming account's name, when several claim the entry"), required=False)])
async def confirm(ctx: Context, name: str, by: str | None) -> Reply:
    found = [(c, row, where) for c, row, where in await claims.pending(ctx.session, await _site_ids(ctx, None),
                                                                      row_name=name)
             if by is None or c.account.casefold() == by.casefold()]
    if not found:
        raise UserError(N_("No pending claim of an entry called “{name}” at your worksites. /member claims lists "
                           "them."), name=name[:80])
    for _claim, _row, where in found:
        ctx.require_site(where)
    if len(found) > 1:
        raise UserError(N_("More than one account claims “{name}”: {accounts}. Add by:<account> for the one you "
                           "know is them."), name=name[:80], accounts=", ".join(c.account for c, _r, _w in found))
    pending, row, where = found[0]
    return await _connect(ctx, row, pending.member_id, pending.platform, where)


@group.command("connect", help=N_("Connect a member's chat account to their roster entry"), role=Role.rep,
               params=[Param("account",
                             N_("Their account: an @mention, its user id, or platform:user_id")),
                       Param("member", N_("Their name as on the roster, member number or email"), greedy=True),
                       Param("site", N_("Their worksite, when two members share a name"), required=False)])
async def connect(ctx: Context, account: str, member: str, site: str | None) -> Reply:
    row, where = await resolve_member(ctx, member, site)
    ctx.require_site(where)
    if not row.on_roster:
        raise UserError(N_("{name} is not on the roster."), name=row.name)
    holder = await find_account(ctx.session, account, ctx.config.platforms.accounts(account))
    if holder is None:
        raise UserError(N_("No account “{account}” has used the bot yet, or more than one has that id. Ask them to "
                           "type /member me first, or give their account as an @mention."), account=account[:80])
    identity, owner = holder
    if owner.id == row.id:
        return ctx.reply(ctx._("That account is already {name}.", name=row.name))
    if owner.on_roster:
        raise UserError(N_("That account is already on the roster as {name}."), name=owner.name)
    return await _connect(ctx, row, owner.id, identity.platform, where)


async def _connect(ctx: Context, row: Member, account_member: int, platform: str, where: str | None) -> Reply:
    """The account's member folds into the roster row: signups, subscriptions and answers kept."""
    await claims.settle(ctx.session, row.id, platform)
    await store.fold(ctx.session, ctx.app.voters, row.id, account_member)
    name, site = row.name, where or ctx._("no worksite")

    def told(tr) -> Message:
        return Message(tr._("You’re confirmed on the roster as {name} ({site}): your answers count for your "
                            "worksite now.", name=name, site=site))
    return ctx.reply(ctx._("Done: that account is now {name} ({site}) on the roster.", name=name, site=site),
                     effects=(Notify((row.id,), told),))
