"""``/pledge``: a public commitment ("I will vote YES to authorize a strike") that members sign with one
click, read per worksite as a share of its whole roster.

A pledge is visible on purpose, the opposite of an anonymous readiness poll: its post, the reply to
the Sign button and the help all say that the organizing team sees who signed. This module and
:mod:`storage.pledges` never import or read anything of readiness polls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import permissions
from bot.charts import share_bars
from bot.context import Context
from bot.csvfile import to_csv
from bot.dates import moment_to_come
from bot.errors import UserError, about
from bot.i18n import N_, Translator
from bot.markup import bold, when
from bot.registry import Group, Param
from bot.types import Attachment, Button, Edit, Message, Post, Refresh, Render, Reply, Role, Schedule, Unschedule
from commands.scope import SITES, THRESHOLD, Shares, parse_sites, parse_threshold
from storage import pledges as store
from storage import roster
from storage.members import Member, site_ids_for_keys, site_names
from storage.pledges import Pledge

group = Group("pledge", N_("Pledges: public commitments members sign — the organizing team sees who signed"))

ID = Param("id", N_("The pledge’s number, as shown on its post"), type=int, min_value=1)
VISIBLE = N_("This is a public pledge, not an anonymous poll: the organizing team sees who signed.")


@dataclass(frozen=True)
class PledgeView:
    """What the post shows, copied out of the session for rendering."""

    id: int
    text: str
    closes_at: datetime | None
    closed: bool
    sites: tuple[str, ...]
    signed: int


def ref(pledge_id: int) -> str:
    return f"pledge:{pledge_id}"


def post(view: PledgeView) -> Render:
    def render(tr: Translator) -> Message:
        blocks = [bold(tr._("Pledge #{id}", id=view.id)) + "\n" + view.text, tr._(VISIBLE)]
        if view.sites:
            blocks.append(tr._("For: {sites}", sites=", ".join(view.sites)))
        blocks.append(tr.n_("{n} signed", "{n} signed", view.signed))
        if view.closed:
            blocks.append(tr._("This pledge is closed."))
            return Message("\n\n".join(blocks))
        blocks.append((tr._("Sign with one click; you can withdraw until it closes {when}.", when=when(view.closes_at))
                       if view.closes_at else tr._("Sign with one click; you can withdraw until it closes.")))
        return Message("\n\n".join(blocks), (Button(tr._("Sign"), f"/pledge sign {view.id}", "primary"),
                                             Button(tr._("Withdraw"), f"/pledge withdraw {view.id}")))
    return render


async def view_of(session: AsyncSession, pledge: Pledge, now: datetime) -> PledgeView:
    sites: tuple[str, ...] = ()
    if pledge.site_ids is not None:
        names = await site_names(session, pledge.site_ids)
        sites = tuple(sorted(names.values(), key=str.casefold))
    return PledgeView(pledge.id, pledge.text, pledge.closes_at, pledge.is_closed(now), sites,
                      await store.count(session, pledge.id))


def live(pledge_id: int, now: datetime) -> Refresh:
    """The post with the count the database holds at commit, rendered once however many signed in the batch."""
    async def compose(session: AsyncSession) -> Render:
        return post(await view_of(session, await store.get(session, pledge_id), now))
    return Refresh(ref(pledge_id), compose)


async def find(ctx: Context, pledge_id: int, *, lock: str | None = None) -> Pledge:
    pledge = await store.get(ctx.session, pledge_id, lock=lock)
    if pledge is None:
        raise UserError(N_("There is no pledge #{id}."), id=pledge_id)
    return pledge


@group.command("open", help=N_("Post a public pledge members sign with one click (the organizing team sees who "
                               "signed)"), role=Role.leader, form=True, title=N_("Open a pledge"), params=[
    Param("text", N_("What members commit to, such as “I will vote YES to authorize a strike”"), greedy=True,
          max_length=300, label=N_("The pledge")),
    THRESHOLD,
    Param("closes", N_("When signing closes, such as “Friday 6pm” (default: when a leader closes it)"),
          required=False, max_length=100, label=N_("When signing closes")),
    SITES,
])
async def open_pledge(ctx: Context, text: str, threshold: str | None, closes: str | None, sites: str | None) -> Reply:
    with about("threshold"):
        share = parse_threshold(threshold)
    with about("closes"):
        closes_at = moment_to_come(ctx, closes) if closes else None
    with about("sites"):
        scope = await parse_sites(ctx, sites)
    pledge = await store.create(ctx.session, text=text, threshold=share, closes_at=closes_at,
                                site_ids=None if scope is None else [s.id for s in scope],
                                created_by=ctx.actor.member_id, created_at=ctx.now)
    view = PledgeView(pledge.id, text, closes_at, False, tuple(s.name for s in scope or ()), 0)
    effects: list = [Post("announcements", post(view), ref=ref(pledge.id))]
    if closes_at:
        effects.append(Schedule("pledge.close", f"{ref(pledge.id)}:close", closes_at, {"pledge": pledge.id}))
    return ctx.reply(ctx._("Pledge #{id} is posted in the announcements channel. Members who sign it are seen by "
                           "the organizing team.", id=pledge.id), effects=tuple(effects))


@group.command("sign", help=N_("Sign a pledge (public: the organizing team sees who signed)"), params=[ID],
               together="id")
async def sign(clicks: list[Context], id: int) -> list[Reply]:
    """Every click on Sign for one pledge that reached the same write batch, in arrival order: one insert
    for them all. A refusal (closed, another worksite's pledge) runs each click alone, judged by itself."""
    first = clicks[0]
    pledge = await find(first, id, lock="share")
    if pledge.is_closed(max(ctx.now for ctx in clicks)):
        raise UserError(N_("Pledge #{id} is closed, so it can’t be signed or withdrawn from."), id=id)
    for ctx in clicks:
        member = await ctx.session.get(Member, ctx.member_id)  # in the session already: looked up for the click
        if member is not None and member.on_roster and not pledge.covers(member.worksite_id):
            raise UserError(N_("Pledge #{id} is for other worksites than yours."), id=id)
    new = await store.sign(first.session, id, [(ctx.member_id, ctx.now) for ctx in clicks])
    replies = []
    for ctx in clicks:
        buttons = (Button(ctx._("Withdraw"), f"/pledge withdraw {id}"),)
        if ctx.member_id not in new:
            replies.append(ctx.reply(ctx._("You had already signed pledge #{id}.", id=id) + " " + ctx._(VISIBLE),
                                     buttons=buttons))
            continue
        new.discard(ctx.member_id)
        replies.append(ctx.reply(ctx._("You signed pledge #{id}: “{text}”. The organizing team sees that you signed; "
                                       "you can withdraw until it closes.", id=id, text=pledge.text), buttons=buttons,
                                 effects=(live(id, ctx.now),)))
    return replies


@group.command("withdraw", help=N_("Take back your signature from a pledge, until it closes"), params=[ID])
async def withdraw(ctx: Context, id: int) -> Reply:
    pledge = await find(ctx, id, lock="share")
    if pledge.is_closed(ctx.now):
        raise UserError(N_("Pledge #{id} is closed, so it can’t be signed or withdrawn from."), id=id)
    if not await store.withdraw(ctx.session, id, ctx.member_id):
        return ctx.reply(ctx._("You had not signed pledge #{id}.", id=id))
    return ctx.reply(ctx._("Your signature is withdrawn from pledge #{id}.", id=id), effects=(live(id, ctx.now),))


@group.command("close", help=N_("Close a pledge now: no more signing or withdrawing"), role=Role.leader, params=[ID])
async def close(ctx: Context, id: int) -> Reply:
    pledge = await find(ctx, id, lock="update")
    if pledge.is_closed(ctx.now):
        raise UserError(N_("Pledge #{id} is already closed."), id=id)
    pledge.closed_at = ctx.now
    signed = await store.count(ctx.session, id)
    return ctx.reply(ctx.n_("Pledge #{id} is closed with {n} signature.", "Pledge #{id} is closed with {n} "
                            "signatures.", signed, id=id),
                     effects=(live(id, ctx.now), Unschedule(f"{ref(id)}:close")))


async def close_when_due(ctx: Context, pledge: int) -> tuple:
    """The ``pledge.close`` job: close at ``closes:`` unless a leader already did."""
    found = await store.get(ctx.session, pledge, lock="update")
    if found is None or found.closed_at is not None:
        return ()
    found.closed_at = ctx.now
    return (Edit(ref(pledge), post(await view_of(ctx.session, found, ctx.now))),)


async def visible_sites(ctx: Context, pledge: Pledge, site: str | None) -> list[int] | None:
    """The worksites of the pledge's scope the viewer may read (:func:`bot.permissions.structure_sites`)."""
    keys = permissions.structure_sites(ctx.actor, site)
    ids = None if keys is None else await site_ids_for_keys(ctx.session, keys)
    if pledge.site_ids is None:
        return ids
    return [s for s in pledge.site_ids if ids is None or s in ids]


@group.command("tally", help=N_("A pledge per worksite, as a share of each roster, with a chart"), role=Role.rep,
               writes=False, audited=True, params=[ID, Param("site", N_("Only this worksite"), required=False)])
async def tally(ctx: Context, id: int, site: str | None) -> Reply:
    permissions.structure_sites(ctx.actor, site)  # before the pledge is read: a refusal tells nothing
    pledge = await find(ctx, id)
    sizes = await roster.sizes(ctx.session, await visible_sites(ctx, pledge, site))
    signed = await store.signed_by_site(ctx.session, [id], list(sizes))
    shares = Shares(ctx)
    threshold = pledge.threshold or shares.default_threshold
    cells = {s: shares.cell(signed.get((id, s), 0), n) for s, (_, n) in sizes.items()}
    order = sorted(sizes, key=lambda s: sizes[s][0].casefold())
    state = ctx._("closed") if pledge.is_closed(ctx.now) else ctx._("open")
    passing = sum(1 for s in order if cells[s].share is not None and cells[s].share >= threshold)
    blocks = [bold(ctx._("Pledge #{id}: {text}", id=id, text=pledge.text)) + f" ({state})",
              ctx._("{passing} of {sites} worksites pass {threshold} of their roster.", passing=passing,
                    sites=len(order), threshold=shares.percent(threshold))]
    for s in order:
        cell = cells[s]
        share = cell.share
        status = (ctx._("not shown (fewer than {min} people)", min=shares.minimum) if share is None else
                  ctx._("passes: {share}", share=shares.percent(share)) if share >= threshold else
                  ctx._("below {threshold}: {share}", threshold=shares.percent(threshold),
                        share=shares.percent(share)))
        blocks.append(bold(sizes[s][0]) + " — " + status + "\n" + ctx._(
            "Signed: {signed} of {roster} on the roster", signed=shares.count(cell), roster=cell.roster))
    if not order:
        blocks.append(ctx._("No worksites to show yet: import the roster."))
    attachments: tuple[Attachment, ...] = ()
    if order:
        chart = await asyncio.to_thread(
            share_bars, [sizes[s][0] for s in order], [cells[s].share for s in order], line=threshold,
            line_label=ctx._("Threshold {threshold}", threshold=shares.percent(threshold)),
            title=ctx._("Pledge #{id}: share of each worksite’s roster that signed", id=id),
            ylabel=ctx._("Share of the roster"))
        attachments = (Attachment(f"pledge-{id}.png", chart, "image/png", ctx._("Pledge #{id}", id=id)),)
    return ctx.reply("\n\n".join(blocks), attachments=attachments)


@group.command("signers", help=N_("Who signed a pledge, as a spreadsheet (CSV), for the organizing team"),
               role=Role.rep, writes=False, audited=True,
               params=[ID, Param("site", N_("Only this worksite"), required=False)])
async def signers(ctx: Context, id: int, site: str | None) -> Reply:
    permissions.structure_sites(ctx.actor, site)
    pledge = await find(ctx, id)
    rows = await store.signers(ctx.session, id, await visible_sites(ctx, pledge, site))
    tz = ctx.config.campaign.tz
    data = to_csv([ctx._("name"), ctx._("worksite"), ctx._("member id"), ctx._("signed")],
                  [[m.name, where or "", m.member_no or "", at.astimezone(tz).isoformat(timespec="minutes")]
                   for where, m, at in rows])
    return ctx.reply(ctx.n_("Pledge #{id}: {n} signature.", "Pledge #{id}: {n} signatures.", len(rows), id=id),
                     attachments=(Attachment(f"pledge-{id}-signers.csv", data, "text/csv"),))


async def profile(ctx: Context) -> list[str]:
    """``/member me``: the pledges you signed, which the organizing team sees."""
    signed = await store.signed_by(ctx.session, ctx.member_id)
    if not signed:
        return []
    return ["\n".join([bold(ctx._("Pledges you signed (the organizing team sees these)")),
                       *(f"#{p.id} {p.text}" for p in signed)])]


JOBS = {"pledge.close": close_when_due}
PROFILE = [profile]

