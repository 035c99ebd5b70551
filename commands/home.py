"""A member's own page (:class:`bot.types.Home`), on a platform that keeps one per member: what they can do
next, with the same buttons as the posts (sign up, answer, sign), where they stand (worksite, language), and
for a rep their worksites' latest structure tests, for a leader the whole ladder.

Composed when it is published (:mod:`bot.home`), from what the database holds then, for the role the
member's platform gives them; every part reads as the commands that show it do (``/action list``,
``/structure``), so the page shows nothing those would not."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.markup import bold
from bot.types import Button, Home, Message, Panel, Role
from commands import actions, pledges, readiness, structure
from commands.scope import Shares
from storage import actions as action_store
from storage import homes, roster
from storage import structure as ladders
from storage.actions import GOING, Counts
from storage.members import Member, site_ids_for_keys, worksite_name

ACTIONS = 5  # upcoming actions shown
ANSWERS = 3  # open polls, and open pledges, shown
STEPS = 3  # a rep's latest tests
SITES = 10  # a rep's worksites shown
LADDER = 8  # a leader's latest steps


async def compose(ctx: Context) -> Home:
    member = await ctx.session.get(Member, ctx.actor.member_id) if ctx.actor.member_id else None
    panels = [await _you(ctx, member), await _actions(ctx, member), await _answers(ctx, member)]
    if ctx.actor.role >= Role.rep:
        panels.append(await _structure(ctx))
    return Home(tuple(panels), lang=ctx.tr.lang)


async def _you(ctx: Context, member: Member | None) -> Panel:
    site = await worksite_name(ctx.session, member.worksite_id) if member else None
    return Panel(ctx._("About you"), (Message("\n".join([
        ctx._("Worksite: {site}", site=site or ctx._("not set — use /member site")),
        ctx._("Language: {lang}", lang=ctx.tr.language_name)])),))


async def _actions(ctx: Context, member: Member | None) -> Panel:
    """The next actions for the member's worksite or for everyone, each with the button that changes their signup."""
    site_id = member.worksite_id if member else None
    found = [a for a in await action_store.upcoming(ctx.session, ctx.now)
             if a.worksite_id is None or a.worksite_id == site_id][:ACTIONS]
    if not found:
        return Panel(ctx._("Your next actions"), (Message(ctx._("No upcoming actions yet.")),))
    mine = dict((a.id, status) for a, status in await action_store.upcoming_for(ctx.session, member.id, ctx.now)) \
        if member else {}
    counts = await action_store.counts(ctx.session, [a.id for a in found])
    items = []
    for action in found:
        lines = [bold(actions.title_in(ctx.tr, action)) + f" (#{action.id})",
                 actions.summary(ctx.tr, action, await worksite_name(ctx.session, action.worksite_id)),
                 actions.count_line(ctx.tr, action, counts.get(action.id, Counts()))]
        if action.id in mine:
            lines.append(ctx._("You’re going.") if mine[action.id] == GOING else ctx._("You’re on the waitlist."))
            button = Button(ctx._("Can’t make it"), f"/action leave {action.id}")
        else:
            button = Button(ctx._("I’m in"), f"/action join {action.id}", "primary")
        items.append(Message("\n".join(lines), (button,)))
    return Panel(ctx._("Your next actions"), tuple(items))


async def _answers(ctx: Context, member: Member | None) -> Panel:
    """Open polls the member has not answered and open pledges for their worksite they have not signed, as posted."""
    polls = await homes.open_polls(ctx.session, ctx.now, ANSWERS)
    if member is not None:
        polls = [p for p in polls if not await readiness.answered(ctx, p, [member])]
    items = [readiness.open_post(readiness.PollView.of(p))(ctx.tr) for p in polls]
    for pledge in await homes.pledges_to_sign(ctx.session, member.id if member else None,
                                              member.worksite_id if member else None, ctx.now, ANSWERS):
        items.append(pledges.post(await pledges.view_of(ctx.session, pledge, ctx.now))(ctx.tr))
    return Panel(ctx._("Waiting for your answer"), tuple(items) or (Message(ctx._("Nothing is waiting for you.")),))


async def _structure(ctx: Context) -> Panel:
    """A rep's worksites at the latest tests, with how many of each roster each test has not counted yet; a
    leader's latest steps of the ladder across every worksite."""
    keys = permissions.structure_sites(ctx.actor, None)
    title = ctx._("The ladder") if keys is None else ctx._("Your worksites’ latest structure tests")
    ladder = await ladders.ladder(ctx.session)
    if not ladder:
        return Panel(title, (Message(ctx._("The ladder has no tests yet. A leader adds them with /structure add "
                                           "action <number> (or readiness, or pledge).")),))
    sizes = await roster.sizes(ctx.session, None if keys is None else await site_ids_for_keys(ctx.session, keys))
    shares = Shares(ctx)
    columns = await structure.measure(ctx, ladder[-(LADDER if keys is None else STEPS):], sizes, shares, keys is None)
    items = [Message("\n".join(structure.step_line(ctx, shares, c) for c in columns))]
    if keys is not None:
        for site in sorted(sizes, key=lambda s: sizes[s][0].casefold())[:SITES]:
            name, size = sizes[site]
            lines = [bold(name) + " · " + ctx._("Roster: {roster}", roster=size)]
            for column in columns:
                cell = column.cells.get(site)
                line = structure.cell_text(ctx, shares, column, site)
                if cell is not None and cell.count is not None:
                    line += " · " + ctx.n_("{n} not counted yet", "{n} not counted yet", cell.roster - cell.count)
                lines.append(line)
            items.append(Message("\n".join(lines)))
    items.append(Message(ctx._("The whole table: /structure")))
    return Panel(title, tuple(items))
