"""``/member``: your worksite, language, linked accounts, what the bot holds about you, and forgetting it."""

from __future__ import annotations

import difflib
from datetime import timedelta

from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.permissions import ROLE_NAMES
from bot.registry import Group, Param
from bot.types import Button, Reply
from storage import members as store
from storage.lookup import find_members
from storage.members import Member

group = Group("member", N_("Your membership: worksite, language, linked accounts, your data"))

LINK_TTL = timedelta(minutes=15)


async def resolve_site(ctx: Context, name: str) -> store.Worksite:
    """A worksite by name. Before a roster is imported the first members may name their own sites;
    after, a name must match the roster's list (so a typo never becomes a new site)."""
    site = await store.worksite_by_name(ctx.session, name)
    if site is not None:
        return site
    if await store.count_worksites(ctx.session) == 0:
        return await store.ensure_worksite(ctx.session, name)
    names = await store.worksite_names(ctx.session)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        raise UserError(N_("There is no worksite called “{name}”. Did you mean: {suggestions}?"),
                        name=name, suggestions=", ".join(close))
    raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                    name=name)


@group.command("site", help=N_("Set your worksite (your school or workplace)"),
               params=[Param("worksite", N_("Your worksite, as on the roster"), greedy=True)])
async def set_site(ctx: Context, worksite: str) -> Reply:
    site = await resolve_site(ctx, worksite)
    member = await ctx.session.get(Member, ctx.member_id)
    member.worksite_id = site.id
    return ctx.reply(ctx._("Your worksite is now {site}.", site=site.name))


@group.command("lang", help=N_("Choose the language the bot answers you in"),
               params=[Param("language", N_("A language code such as en or es"), max_length=40)])
async def set_lang(ctx: Context, language: str) -> Reply:
    lang = ctx.app.catalogs.match(language)
    if lang is None:
        raise UserError(N_("The bot doesn’t speak “{language}” yet. Available: {choices}."),
                        language=language, choices=", ".join(ctx.app.catalogs.languages))
    member = await ctx.session.get(Member, ctx.member_id)
    member.lang = lang
    tr = ctx.app.translator(lang)
    return ctx.reply(tr._("I’ll answer you in English from now on."))


@group.command("me", help=N_("Show everything the bot holds about you"))
async def me(ctx: Context) -> Reply:
    member = await ctx.session.get(Member, ctx.member_id)
    site = await store.worksite_name(ctx.session, member.worksite_id)
    identities = await store.identities_of(ctx.session, ctx.member_id)
    lines = [
        bold(member.name),
        ctx._("Worksite: {site}", site=site or ctx._("not set — use /member site")),
        ctx._("Role: {role}", role=ctx._(ROLE_NAMES[ctx.actor.role])),
        ctx._("Language: {lang}", lang=ctx.tr.locale.get_display_name(ctx.tr.lang)),
        ctx._("On the union roster: {answer}", answer=ctx._("yes") if member.on_roster else ctx._("no")),
    ]
    if member.member_no:
        lines.append(ctx._("Member number: {number}", number=member.member_no))
    if member.email:
        lines.append(ctx._("Email: {email}", email=member.email))
    lines.append(ctx._("Accounts: {accounts}", accounts=", ".join(
        f"{i.platform} ({i.display_name or i.user_id})" for i in identities)))
    blocks = ["\n".join(lines)]
    for section in ctx.app.registry.profile:
        blocks.extend(await section(ctx))
    blocks.append(ctx._("To delete all of this, use /member forget."))
    return ctx.reply("\n\n".join(blocks))


@group.command("forget", help=N_("Delete everything the bot holds about you"),
               params=[Param("confirm", N_("yes, to confirm"), type=bool, required=False, default=False)])
async def forget(ctx: Context, confirm: bool) -> Reply:
    if not confirm:
        return ctx.reply(
            ctx._("This deletes everything the bot holds about you — worksite, sign-ups, answers, linked "
                  "accounts — and can’t be undone. Are you sure?"),
            buttons=(Button(ctx._("Yes, delete my data"), "/member forget confirm:yes", "danger"),),
        )
    member = await ctx.session.get(Member, ctx.member_id)
    on_roster = member.on_roster
    await ctx.session.delete(member)
    text = ctx._("Done: everything the bot held about you is deleted.")
    if on_roster:
        text += " " + ctx._("Your name stays on the union’s own roster, which the union keeps outside the bot; "
                            "a roster import brings back only that entry, none of your activity.")
    return ctx.reply(text)


@group.command("link", help=N_("Connect your Slack and Discord accounts, so the bot knows they are one person"),
               params=[Param("code", N_("The code shown on your other account"), required=False, positional=True,
                             max_length=16)])
async def link(ctx: Context, code: str | None) -> Reply:
    if not code:
        issued = await store.new_link_code(ctx.session, ctx.member_id, ctx.now, LINK_TTL)
        return ctx.reply(ctx._("Your code is {code}. On your other account, type /member link {code} within "
                               "{minutes} minutes. Keep it to yourself: it joins that account to you.",
                               code=issued.code, minutes=int(LINK_TTL.total_seconds() // 60)))
    redeemed = await store.redeem_link_code(ctx.session, code.strip(), ctx.now)
    if redeemed is None:
        raise UserError(N_("That code is unknown or has expired. Ask for a new one with /member link on your "
                           "other account."))
    if redeemed.member_id == ctx.member_id:
        return ctx.reply(ctx._("These accounts are already linked."))
    here = await ctx.session.get(Member, ctx.member_id)
    there = await ctx.session.get(Member, redeemed.member_id)
    keep, drop = (here, there) if here.on_roster and not there.on_roster else (there, here)
    await store.merge_members(ctx.session, keep.id, drop.id)
    return ctx.reply(ctx._("Linked: both accounts are now {name}.", name=keep.name))


async def resolve_member(ctx: Context, text: str) -> Member:
    """Exactly one member from what someone typed (see :func:`storage.lookup.find_members`), or a clear error."""
    found = await find_members(ctx.session, text)
    if not found:
        raise UserError(N_("No member matches “{text}”. Use their name as on the roster, their member number, "
                           "their email or an @mention."), text=text[:80])
    if len(found) > 1:
        raise UserError(N_("“{text}” could be several members: {names}. Use their member number, their email or "
                           "an @mention."), text=text[:80], names=", ".join(m.name for m in found[:5]))
    return found[0]
