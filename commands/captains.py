"""Captains and their lists, under ``/member``: a site's rep makes a coworker a captain (``captain``) and gives
them about ten coworkers to reach (``assign``); a captain reads their people (``mylist``): each one's latest
assessment, last one-on-one, whether they answered the current poll (never what) and signed up for the next
action."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold, when
from bot.registry import Param
from bot.types import Reply, Role
from commands.actions import title_in
from commands.conversations import SCORE_LABELS
from commands.members import breakdown, group, placed, resolve_member
from commands.readiness import answered
from storage import actions, assessments, captains, conversations, readiness
from storage import members as store
from storage.members import MAPPING, Member, Worksite

MEMBER = Param("member", N_("Their name (in quotes if it has spaces) or member number"))


@group.command("captain", help=N_("Make a coworker a captain at their worksite, or no longer one (remove:yes)"),
               role=Role.rep,
               params=[MEMBER, Param("site", N_("Their worksite, when two members share a name"), required=False),
                       Param("remove", N_("yes, to make them no longer a captain"), type=bool, required=False,
                             default=False)])
async def make_captain(ctx: Context, member: str, site: str | None, remove: bool) -> Reply:
    person, where = await resolve_member(ctx, member, site)
    if person.worksite_id is None:
        raise UserError(N_("{name} has no worksite on the roster, so they can’t be a captain anywhere yet."),
                        name=person.name)
    ctx.require_site(where)
    if remove:
        if await captains.site_of(ctx.session, person.id) is None:
            raise UserError(N_("{name} is not a captain."), name=person.name)
        freed = await captains.step_down(ctx.session, person.id)
        return ctx.reply(ctx.n_("{name} is no longer a captain; the {n} coworker on their list is on nobody’s now.",
                                "{name} is no longer a captain; the {n} coworkers on their list are on nobody’s now.",
                                freed, name=person.name, n=freed))
    if not await captains.appoint(ctx.session, person.id, person.worksite_id, ctx.actor.member_id, ctx.now):
        return ctx.reply(ctx._("{name} is already a captain at {site}.", name=person.name, site=where))
    return ctx.reply(ctx._("{name} is now a captain at {site}. Give them coworkers to reach with /member assign.",
                           name=person.name, site=where))


async def captain_site(ctx: Context, person: Member) -> Worksite:
    """Where ``person`` is a captain: appointed by a rep, or named by account in config."""
    site = await captains.site_of(ctx.session, person.id)
    if site is None and person.worksite_id is not None:
        here = await ctx.session.get(Worksite, person.worksite_id)
        accounts = {f"{i.platform}:{i.user_id}" for i in await store.identities_of(ctx.session, person.id)}
        if permissions.configured_captain(ctx.config.roles, accounts, here.name):
            site = here
    if site is None:
        raise UserError(N_("{name} is not a captain. A rep of their worksite makes them one with /member captain."),
                        name=person.name)
    return site


@group.command("assign", help=N_("Give a captain coworkers to reach; with no names, see who is on nobody’s list"),
               role=Role.rep,
               params=[Param("captain", N_("The captain (in quotes if the name has spaces) or their member number")),
                       Param("names", N_("Coworkers of the captain’s worksite, separated by commas"), required=False,
                             positional=True, greedy=True, max_length=2000)])
async def assign(ctx: Context, captain: str, names: str | None) -> Reply:
    """All or nothing: one unknown name, a coworker of another site or a list over ``list_size`` stores nothing."""
    person, _ = await resolve_member(ctx, captain)
    site = await captain_site(ctx, person)
    ctx.require_site(site.name)
    chosen: dict[int, Member] = {}
    for typed in (n.strip() for n in (names or "").split(",")):
        if not typed:
            continue
        coworker, where = await resolve_member(ctx, typed)
        if coworker.worksite_id != site.id:
            raise UserError(N_("{name} works at {other}, not {site}: a captain’s list is coworkers of their own "
                               "worksite. Nothing was assigned."), name=coworker.name,
                            other=where or ctx._("no worksite"), site=site.name)
        if coworker.id == person.id:
            raise UserError(N_("A captain can’t be on their own list. Nothing was assigned."))
        chosen[coworker.id] = coworker
    on_list = set(await ctx.session.exec(captains.people_of(person.id)))
    held, limit = len(on_list), ctx.config.organizing.list_size
    new = [m for m in chosen.values() if m.id not in on_list]
    if held + len(new) > limit:
        raise UserError(N_("{name} already has {held} of {limit} coworkers; {n} more would be over the list size. "
                           "Nothing was assigned."), name=person.name, held=held, limit=limit, n=len(new))
    moved = await captains.assign(ctx.session, person.id, [m.id for m in new], ctx.actor.member_id, ctx.now)
    lines = [ctx._("{name}’s list at {site}: {held} of {limit}.", name=person.name, site=site.name,
                   held=held + len(new), limit=limit)]
    if new:
        lines.append(ctx._("Added: {names}.", names=", ".join(m.name for m in new)))
    if moved:
        lines.append(ctx._("Moved from another captain’s list: {names}.",
                           names=", ".join(chosen[i].name for i in moved)))
    room = limit - held - len(new)
    if room > 0:
        suggested = await captains.unassigned(ctx.session, site.id, {person.id}, room, person.department)
        if suggested:
            lines.append(ctx._("On nobody’s list yet at {site}: {names}.", site=site.name,
                               names=", ".join(placed(m) for m in suggested)))
    return ctx.reply("\n".join(lines))


@group.command("mylist", help=N_("Your coworkers as a captain: assessment, last one-on-one, poll, next action"),
               role=Role.captain, writes=False, audited=True)
async def mylist(ctx: Context) -> Reply:
    people = await captains.people(ctx.session, ctx.actor.member_id) if ctx.actor.member_id is not None else []
    if not people:
        return ctx.reply(ctx._("No one is on your list yet. Your site rep gives you coworkers with /member assign."))
    poll = await readiness.current_poll(ctx.session, ctx.now)
    site_ids = await store.site_ids_for_keys(ctx.session, ctx.actor.sites)
    action = next((a for a in await actions.upcoming(ctx.session, ctx.now)
                   if a.worksite_id is None or a.worksite_id in site_ids), None)
    replied = await answered(ctx, poll, people) if poll else set()
    going = set(await actions.member_ids(ctx.session, action.id, actions.GOING, actions.WAITLIST)) if action else set()
    lines = [bold(ctx.n_("Your list: {n} coworker", "Your list: {n} coworkers", len(people), n=len(people))),
             *breakdown(ctx, people)]
    for person in sorted(people, key=lambda p: tuple((getattr(p, k) is None, getattr(p, k) or "") for k in MAPPING)):
        held = await assessments.assessment_of(ctx.session, person.id)
        last = await conversations.history(ctx.session, person.id, 1)
        parts = [bold(placed(person)),
                 ctx._("{score}, {label}", score=held.score, label=ctx._(SCORE_LABELS[held.score])) if held
                 else ctx._("not assessed yet"),
                 ctx._("last one-on-one {at}", at=when(last[0].talked_at)) if last else ctx._("no one-on-one yet")]
        if poll:
            parts.append(ctx._("answered poll #{id}", id=poll.id) if person.id in replied
                         else ctx._("has not answered poll #{id}", id=poll.id))
        if action:
            parts.append(ctx._("signed up for #{id}", id=action.id) if person.id in going
                         else ctx._("not signed up for #{id}", id=action.id))
        lines.append(" · ".join(parts))
    if action:
        lines.append(ctx._("Next action: #{id} {title}, {at}.", id=action.id, title=title_in(ctx.tr, action),
                           at=when(action.starts_at)))
    return ctx.reply("\n".join(lines))


async def captain_profile(ctx: Context) -> list[str]:
    """``/member me`` says whose list the member is on, and whose list they hold: both are held about them."""
    lines = []
    mine = await captains.captain_of(ctx.session, ctx.member_id)
    if mine is not None:
        lines.append(ctx._("Your captain (the coworker who keeps you in the loop): {name}", name=mine.name))
    site = await captains.site_of(ctx.session, ctx.member_id)
    if site is not None:
        n = await captains.list_size(ctx.session, ctx.member_id)
        lines.append(ctx.n_("You are a captain at {site}, with {n} coworker on your list.",
                            "You are a captain at {site}, with {n} coworkers on your list.", n, site=site.name, n=n))
    return ["\n".join(lines)] if lines else []


PROFILE = [captain_profile]
