"""``/member``: your worksite, language, linked accounts, what the bot holds about you, and forgetting it."""

from __future__ import annotations

import difflib
from collections import Counter
from datetime import timedelta

from sqlalchemy import Select

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.permissions import ROLE_NAMES
from bot.registry import Group, Param
from bot.types import Button, Reply
from storage import links
from storage import members as store
from storage.lookup import find_each, find_members
from storage.members import Member
from storage.roster import fold

group = Group("member", N_("Your membership: worksite, language, linked accounts, your data"))

LINK_TTL = timedelta(minutes=15)
MAPPING_LABELS = {"department": N_("Department"), "shift": N_("Shift"), "grade": N_("Grade or floor")}
UNMAPPED = N_("none on the roster")  # a breakdown's share of members whose roster row leaves the column empty


def placed(member: Member) -> str:
    """A member's name with their department, shift and grade or floor, those the roster has."""
    below = [value for value in (getattr(member, key) for key in store.MAPPING) if value]
    return f"{member.name} ({', '.join(below)})" if below else member.name


def unmapped_last(value: str | None) -> tuple[bool, str]:
    """Sorts a breakdown's values by name, members whose roster row leaves the column empty last."""
    return value is None, value or ""


def breakdown(ctx: Context, people: list[Member]) -> list[str]:
    """How many of ``people`` are in each department, shift and grade the roster gives any of them."""
    lines = []
    for key in store.MAPPING:
        counts = Counter(getattr(person, key) for person in people)
        if set(counts) - {None}:
            parts = [f"{value or ctx._(UNMAPPED)}: {n}"
                     for value, n in sorted(counts.items(), key=lambda c: unmapped_last(c[0]))]
            lines.append(ctx._("{label}: {value}", label=ctx._(MAPPING_LABELS[key]), value=" · ".join(parts)))
    return lines


async def resolve_site(ctx: Context, name: str) -> store.Worksite:
    """A worksite by name. Before a roster is imported the first members may name their own sites;
    after, a name must match the roster's list (so a typo never becomes a new site)."""
    site = await store.worksite_by_name(ctx.session, name)
    if site is not None:
        return site
    if await store.count_worksites(ctx.session) == 0:
        return await store.ensure_worksite(ctx.session, name, ctx.now)
    names = await store.worksite_names(ctx.session)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        raise UserError(N_("There is no worksite called “{name}”. Did you mean: {suggestions}?"),
                        name=name, suggestions=", ".join(close))
    raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                    name=name)


async def resolve_member(ctx: Context, text: str, site: str | None = None, *,
                         also: Select | None = None) -> tuple[Member, str | None]:
    """Exactly one member from what someone typed (see :func:`storage.lookup.find_members`), with their
    worksite's name; ``site`` narrows an ambiguous name, and an ambiguous one lists the candidates.

    Permission comes first: only a rep or a leader looks anyone up, a rep only among their own sites'
    members (or those ``also`` selects), so a refusal or a "no member matches" reads the same whether or
    not the person exists."""
    if site is not None:
        ctx.require_site(site)
    return await pick_member(ctx, text, site, within=permissions.lookup_sites(ctx.actor), also=also)


async def pick_member(ctx: Context, text: str, site: str | None, *, within: frozenset[str] | None,
                      also: Select | None) -> tuple[Member, str | None]:
    """:func:`resolve_member` once the caller checked permission and chose whom the lookup may find."""
    found = await find_members(ctx.session, text, ctx.config.platforms.accounts(text),
                               within=within, site=site, also=also)
    if not found:
        if site is not None:
            raise UserError(N_("No member called “{name}” at {site}."), name=text[:80], site=site)
        raise UserError(N_("No member matches “{text}”. Use their name as on the roster, their member number, "
                           "their email or an @mention."), text=text[:80])
    if len(found) > 1:
        choices = "; ".join(f"{m.name} ({where or ctx._('no worksite')})" for m, where in found)
        raise UserError(N_("“{name}” matches more than one member: {choices}. Add site:<worksite>, or give their "
                           "member number."), name=text[:80], choices=choices)
    return found[0]


async def pick_each(ctx: Context, names: str, *, within: frozenset[str] | None,
                    also: Select | None = None) -> list[tuple[int, str]]:
    """Each comma-separated name as exactly one member (id, name), looked up all at once (a line of 40
    names in a few queries, not 80) once the caller checked permission and chose whom it may find; one
    that matches nobody or several stops the whole command."""
    texts = [text for text in (part.strip() for part in names.split(",")) if text]
    mentions = {text: ctx.config.platforms.accounts(text) for text in texts}
    each = await find_each(ctx.session, [text for text in texts if not mentions[text]], within=within, also=also)
    found: dict[int, str] = {}
    for text in texts:
        matches = each[text] if text in each else await find_members(ctx.session, text, mentions[text],
                                                                     within=within, also=also)
        if not matches:
            raise UserError(N_("No member matches “{text}”. Use their name as on the roster, their member number, "
                               "their email or an @mention."), text=text[:80])
        if len(matches) > 1:
            raise UserError(N_("“{name}” matches more than one member: {choices}. Give their member number or an "
                               "@mention instead."), name=text[:80],
                            choices="; ".join(f"{m.name} ({where or ctx._('no worksite')})" for m, where in matches))
        found[matches[0][0].id] = matches[0][0].name
    return list(found.items())


@group.command("site", help=N_("Set your worksite (your school or workplace)"),
               params=[Param("worksite", N_("Your worksite, as on the roster"), greedy=True, options="worksites")])
async def set_site(ctx: Context, worksite: str) -> Reply:
    """On the roster, the roster says where a member counts: a site that disagrees goes to that site's reps."""
    site = await resolve_site(ctx, worksite)
    member = await ctx.session.get(Member, ctx.member_id)
    if not member.on_roster or member.worksite_id is None:
        member.worksite_id = site.id
        return ctx.reply(ctx._("Your worksite is now {site}.", site=site.name))
    if site.id == member.worksite_id:
        member.declared_site_id = None
        return ctx.reply(ctx._("Your worksite is {site}, as on the roster.", site=site.name))
    member.declared_site_id = site.id
    return ctx.reply(ctx._("The union’s roster has you at {roster}, so that is where you count. Your site rep will "
                           "see that you said {site} and can fix the roster.",
                           roster=await store.worksite_name(ctx.session, member.worksite_id), site=site.name))


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
        ctx._("Language: {lang}", lang=ctx.tr.language_name),
        ctx._("On the union roster: {answer}", answer=ctx._("yes") if member.on_roster else ctx._("no")),
    ]
    if member.declared_site_id is not None:
        lines.append(ctx._("You said you work at {site}; your site rep is checking the roster.",
                           site=await store.worksite_name(ctx.session, member.declared_site_id)))
    lines.extend(ctx._("{label}: {value}", label=ctx._(MAPPING_LABELS[key]), value=getattr(member, key))
                 for key in store.MAPPING if getattr(member, key))
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
    effects: tuple = ()
    for hook in ctx.app.registry.forgetting:
        effects += await hook(ctx, ctx.member_id)
    member = await ctx.session.get(Member, ctx.member_id)
    on_roster = member.on_roster
    await ctx.session.delete(member)
    text = ctx._("Done: everything the bot held about you is deleted.") + " " + ctx._(
        "Your answers to anonymous polls stay in their counts, under no name.")
    if on_roster:
        text += " " + ctx._("Your name stays on the union’s own roster, which the union keeps outside the bot; "
                            "a roster import brings back only that entry, none of your activity.")
    return ctx.reply(text, effects=effects)


@group.command("link", help=N_("Connect your accounts on two chat platforms, so the bot knows they are one person"),
               params=[Param("code", N_("The code shown on your other account"), required=False, positional=True,
                             greedy=True, max_length=20)])
async def link(ctx: Context, code: str | None) -> Reply:
    if not code:
        issued = await links.issue(ctx.session, ctx.member_id, ctx.now, LINK_TTL)
        return ctx.reply(ctx._("Your code is {code}. On your other account, type /member link {code} within "
                               "{minutes} minutes. Keep it to yourself: it joins that account to you.",
                               code=issued, minutes=int(LINK_TTL.total_seconds() // 60)))
    if not await links.may_try(ctx.session, ctx.member_id, ctx.now):
        raise UserError(N_("Too many wrong codes from this account. Wait an hour, then ask for a new code with "
                           "/member link on your other account."))
    owner = await links.redeem(ctx.session, ctx.member_id, code, ctx.now)
    if owner is None:  # the wrong try is counted: the reply says so, and the count is kept
        return ctx.refusal(N_("That code is unknown or has expired. Ask for a new one with /member link on your "
                              "other account."))
    if owner == ctx.member_id:
        return ctx.reply(ctx._("These accounts are already linked."))
    here = await ctx.session.get(Member, ctx.member_id)
    there = await ctx.session.get(Member, owner)
    keep, drop = (here, there) if here.on_roster and not there.on_roster else (there, here)
    await fold(ctx.session, ctx.app.voters, keep.id, drop.id)
    return ctx.reply(ctx._("Linked: both accounts are now {name}.", name=keep.name))
