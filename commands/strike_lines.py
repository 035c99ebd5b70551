"""``/strike status`` and ``/strike sheet``: how the picket lines are staffed, and a line's sign-in sheet.

Leaders read every line of a day against its minimum, the shortest-staffed first, as text, a heat map
(sites × the day's time slots) and a CSV; reps their own sites', a shift's captain their own lines'. The
sheet gives whoever runs a line a button per person signed up: a click signs that one in through the same
path as ``/strike signin`` (:func:`commands.strike.sign_in`), checked again on every click, and answers with
the sheet brought up to date."""

from __future__ import annotations

import asyncio

from bot import permissions
from bot.charts import heat_map
from bot.context import Context
from bot.csvfile import to_csv
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.markup import bold
from bot.registry import Param
from bot.types import Attachment, Button, Reply
from commands.strike import SHIFT, between, group, moment_in, read_day, run_line, sign_in, span
from commands.structure import shown_sites
from storage import staffing
from storage.actions import WAITLIST
from storage.members import worksite_by_name
from storage.staffing import COMING, OVER, RUNNING, Staffing

MAX_LISTED = 40  # lines named in the reply; every one is in the CSV
SHEET_PAGE = 20  # people on one page of a sign-in sheet: their buttons and the next page's stay within 25
STATES = {COMING: N_("coming"), RUNNING: N_("on now"), OVER: N_("over")}


def _counts(ctx: Context, row: Staffing) -> str:
    if row.state == COMING:
        text = ctx._("{going} of {minimum} needed signed up", going=row.going, minimum=row.minimum)
        if row.waitlisted:
            text += ", " + ctx.n_("{n} waitlisted", "{n} waitlisted", row.waitlisted)
        return text
    if row.state == RUNNING:
        return ctx._("on now: {on} of {minimum} needed on the line, {came} signed in, {going} signed up",
                     on=row.on_line, minimum=row.minimum, came=row.came, going=row.going)
    return ctx._("over: {came} of {minimum} needed came, {going} had signed up", came=row.came,
                 minimum=row.minimum, going=row.going)


def _status_line(ctx: Context, row: Staffing) -> str:
    line = f"{'⚠' if row.short else '✓'} #{row.shift_id} {row.site} · {between(ctx.tr, row.starts_at, row.ends_at)}"
    if row.captain:
        line += " · " + ctx._("captain {name}", name=row.captain)
    line += " · " + _counts(ctx, row)
    if row.short:
        line += " · " + bold(ctx.n_("{n} person short", "{n} people short", row.short))
    return line


def _order(rows: list[Staffing]) -> list[Staffing]:
    """Lines still to help first (coming or on now), the shortest first; then by start and site."""
    return sorted(rows, key=lambda r: (r.state == OVER, -r.short, r.starts_at, r.site.casefold(), r.shift_id))


@group.command("status", help=N_("How the picket lines are staffed: signed up, needed, signed in; the shortest first"),
               params=[
    Param("day", N_("Another day than today, e.g. “tomorrow” or 2026-12-07"), required=False, max_length=100),
    Param("site", N_("Only this worksite’s lines"), required=False),
    Param("chart", N_("no: leave out the chart"), type=bool, required=False, default=True),
], writes=False)
async def status(ctx: Context, day: str | None, site: str | None, chart: bool) -> Reply:
    tz = ctx.config.campaign.tz
    local_day = read_day(ctx, day, direction="nearest") if day else ctx.now.astimezone(tz).date()
    captains = ctx.actor.member_id is not None and await staffing.captains_on(ctx.session, ctx.actor.member_id,
                                                                               local_day)
    keys = permissions.staffing_sites(ctx.actor, captains)  # before any site is looked up
    worksite = await worksite_by_name(ctx.session, site) if site else None
    if site and worksite is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    rows = await staffing.of_day(ctx.session, local_day, ctx.now, site_keys=keys, captain_id=ctx.actor.member_id)
    if worksite is not None:
        rows = [row for row in rows if row.worksite_id == worksite.id]
    when = ctx.tr.day(rows[0].starts_at) if rows else local_day.isoformat()
    title = bold(ctx._("Picket lines, {day}", day=when))
    if not rows:
        return ctx.reply(title + "\n" + ctx._("No picket shifts you can see are planned that day."))
    order = _order(rows)
    short = [row for row in order if row.short and row.state != OVER]
    summary = ctx.n_("{n} shift", "{n} shifts", len(rows)) + " " + ctx.n_(
        "at {n} site.", "at {n} sites.", len({row.worksite_id for row in rows})) + " " + (ctx.n_(
            "{n} line still to staff is short of people", "{n} lines still to staff are short of people",
            len(short)) + ": " + ctx.n_("{n} person in all.", "{n} people in all.", sum(r.short for r in short))
        if short else ctx._("Every line still to staff has its minimum."))
    lines = [_status_line(ctx, row) for row in order[:MAX_LISTED]]
    if len(order) > MAX_LISTED:
        lines.append(ctx._("…and {n} more in the spreadsheet.", n=len(order) - MAX_LISTED))
    legend = ctx._("Before a shift, who signed up counts; while it runs, who is on the line; after it, who came.")
    attachments = [Attachment(f"picket-lines-{local_day.isoformat()}.csv", _csv(ctx, order), "text/csv",
                              ctx._("Picket lines"))]
    if chart:
        attachments.insert(0, Attachment(f"picket-lines-{local_day.isoformat()}.png", await _picture(ctx, rows),
                                         "image/png", ctx._("Picket lines")))
    return ctx.reply("\n\n".join([title, summary, "\n".join(lines), legend]), attachments=tuple(attachments))


def _csv(ctx: Context, order: list[Staffing]) -> bytes:
    tz = ctx.config.campaign.tz
    return to_csv([ctx._("shift"), ctx._("worksite"), ctx._("starts"), ctx._("ends"), ctx._("captain"),
                   ctx._("needed"), ctx._("signed up"), ctx._("waitlisted"), ctx._("signed in"),
                   ctx._("on the line"), ctx._("short"), ctx._("state")],
                  [(row.shift_id, row.site, row.starts_at.astimezone(tz).isoformat(timespec="minutes"),
                    row.ends_at.astimezone(tz).isoformat(timespec="minutes"), row.captain or "", row.minimum,
                    row.going, row.waitlisted, row.came, row.on_line, row.short, ctx._(STATES[row.state]))
                   for row in order])


async def _picture(ctx: Context, rows: list[Staffing]) -> bytes:
    """Sites (the shortest-staffed first) × the day's time slots, each cell who counts over the minimum."""
    slots = sorted({(row.starts_at, row.ends_at) for row in rows})
    column = {slot: index for index, slot in enumerate(slots)}
    sites: dict[int, str] = {}
    cells: dict[int, list[float | None]] = {}
    shortfall: dict[int, int] = {}
    for row in rows:
        sites[row.worksite_id] = row.site
        cells.setdefault(row.worksite_id, [None] * len(slots))[column[(row.starts_at, row.ends_at)]] = min(
            row.counted / row.minimum, 1.0)
        shortfall[row.worksite_id] = shortfall.get(row.worksite_id, 0) + (row.short if row.state != OVER else 0)
    order = sorted(sites, key=lambda s: (-shortfall[s], sites[s].casefold()))
    listed, gap = shown_sites(order)
    tr: Translator = ctx.tr
    return await asyncio.to_thread(
        heat_map, [sites[s] for s in listed], [f"{tr.clock(start)}–{tr.clock(end)}" for start, end in slots],
        [cells[s] for s in listed], [1.0] * len(slots),
        title=ctx._("Staffing of each picket line against its minimum, {day}", day=tr.day(rows[0].starts_at)),
        legend=ctx._("● at its minimum · grey: no shift then"), gap_after=gap,
        gap_label=ctx.n_("{n} more worksite in the CSV", "{n} more worksites in the CSV", len(order) - len(listed)))


@group.command("sheet", help=N_("Your line’s sign-in sheet: a button per person signed up signs them in (captains and "
                                "reps)"), params=[
    SHIFT,
    Param("page", N_("Which page of a long line"), type=int, required=False, min_value=1, default=1),
    Param("signin", N_("Sign this person in (the sheet’s buttons give it)"), type=int, required=False, min_value=1),
])
async def sheet(ctx: Context, shift: int, page: int, signin: int | None) -> Reply:
    found, _site = await run_line(ctx, shift)  # checked on every click, before anyone is read
    people = await staffing.sheet(ctx.session, shift)
    note = ""
    if signin is not None:
        moment, late = moment_in(ctx, found, None)
        person = next((p for p in people if p.member_id == signin and p.status is not None), None)
        if person is None:
            raise UserError(N_("That person is no longer signed up for shift #{id}. Sign them in by name with "
                               "/strike signin {id} <name>."), id=shift)
        note = await sign_in(ctx, found, [(person.member_id, person.name)], moment, late)
        people = await staffing.sheet(ctx.session, shift)
    pages = max((len(people) + SHEET_PAGE - 1) // SHEET_PAGE, 1)
    page = min(page, pages)
    shown = people[(page - 1) * SHEET_PAGE:page * SHEET_PAGE]
    came = sum(1 for p in people if p.in_at is not None)
    head = bold(ctx._("Sign-in sheet, shift #{id}, {when}", id=shift, when=span(ctx.tr, found))) + "\n" + ctx._(
        "{came} of {n} signed in; {minimum} needed.", came=came, n=len(people), minimum=found.minimum)
    if pages > 1:
        head += " " + ctx._("Page {page} of {pages}.", page=page, pages=pages)
    lines = []
    for person in shown:
        line = f"{'✓' if person.in_at else '·'} {person.name}"
        if person.status == WAITLIST:
            line += " " + ctx._("(waitlisted)")
        if person.in_at is not None:
            line += " · " + ctx._("in at {when}", when=ctx.tr.clock(person.in_at))
        if person.out_at is not None:
            line += " · " + ctx._("out at {when}", when=ctx.tr.clock(person.out_at))
        lines.append(line)
    buttons = [Button(ctx._("Sign in {name}", name=person.name), f"/strike sheet {shift} page:{page} "
                      f"signin:{person.member_id}", "primary") for person in shown if person.in_at is None]
    if page < pages:
        buttons.append(Button(ctx._("Next page"), f"/strike sheet {shift} page:{page + 1}"))
    blocks = [note] if note else []
    blocks += [head, "\n".join(lines) or ctx._("Nobody has signed up for this shift yet."),
               ctx._("A click signs that person in now. Someone not on the sheet: /strike signin {id} <name>.",
                     id=shift)]
    return ctx.reply("\n\n".join(blocks), buttons=tuple(buttons))
