"""``/strike``: picket shifts at every site — planned in one command, one shift at a time changed or
cancelled, and listed for members with their own site first."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot import markup, permissions
from bot.context import Context
from bot.dates import read
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.markup import bold
from bot.registry import Group, Param
from bot.types import Reply, Role
from commands.members import resolve_member, resolve_site
from storage import shifts as store
from storage.members import Member, site_key, worksite_name
from storage.shifts import Shift

group = Group("strike", N_("Strike — picket shifts, captains’ sign-in, hours for strike pay, line status"))

MAX_PLAN = 20_000  # shifts one plan may create: 500 sites × 2 shifts × 20 weekdays
_SLOT = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*[-–]\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.I)

SHIFT = Param("shift", N_("The shift’s number, as /strike shifts shows it"), type=int, min_value=1)
CAPACITY = Param("capacity", N_("How many people can sign up for a shift (leave empty for no limit)"), type=int,
                 required=False, min_value=1, max_value=100_000)
MINIMUM = Param("minimum", N_("How many people the line needs"), type=int, required=False, min_value=1,
                max_value=100_000)
CAPTAIN = Param("captain", N_("The shift’s captain: name, member number, email or @mention"), required=False)


def _clock(hour: str, minute: str | None, half: str | None) -> time:
    value = int(hour)
    if half:
        if not 1 <= value <= 12:
            raise ValueError
        value = value % 12 + (12 if half.casefold() == "pm" else 0)
    return time(value, int(minute or 0))


def read_slots(text: str) -> list[tuple[time, time]]:
    """``6:30-10:30 10:30-14:30`` (or ``6:30am-10:30am``) as (start, end) times of day."""
    slots = []
    for word in text.replace(",", " ").split():
        match = _SLOT.match(word)
        try:
            if match is None:
                raise ValueError
            start = _clock(match.group(1), match.group(2), match.group(3))
            end = _clock(match.group(4), match.group(5), match.group(6) or match.group(3))
        except ValueError:
            raise UserError(N_("I couldn’t read “{slot}” as a shift’s times. Write start-end, e.g. 6:30-10:30 or "
                               "6:30am-10:30am."), slot=word[:40]) from None
        if end <= start:
            raise UserError(N_("The shift {slot} ends before it starts."), slot=word[:40])
        slots.append((start, end))
    if not slots:
        raise UserError(N_("Give the shifts’ times, e.g. 6:30-10:30 10:30-14:30."))
    return slots


def read_day(ctx: Context, text: str) -> date:
    """A date a member typed (“Dec 7”, “monday”, 2026-12-07), as the campaign's local day."""
    tz = ctx.config.campaign.tz
    reading = read(text, now=ctx.now, tz=tz, languages=ctx.date_languages, day_first=ctx.tr.day_first)
    if reading is None:
        raise UserError(N_("I couldn’t read “{day}” as a date. Try “Dec 7”, “monday” or 2026-12-07."), day=text[:100])
    return reading.day(tz)


def at(ctx: Context, day: date, clock: time) -> datetime:
    """A local time on a local day, in UTC: zoneinfo gives each day its own offset, so 6:30 stays 6:30 across a
    daylight-saving change."""
    return datetime.combine(day, clock, tzinfo=ctx.config.campaign.tz).astimezone(UTC)


def slot_times(ctx: Context, day: date, slots: list[tuple[time, time]]) -> list[tuple[date, datetime, datetime]]:
    return [(day, at(ctx, day, start), at(ctx, day, end)) for start, end in slots]


def refuse_past(ctx: Context, start: datetime) -> None:
    if start <= ctx.now:
        raise UserError(N_("The shift at {when} is in the past. Plan shifts that are still to come."),
                        when=ctx.tr.when(start))


def span(tr: Translator, shift: Shift) -> str:
    return f"{markup.when(shift.starts_at)}–{tr.clock(shift.ends_at)}"


def shift_line(tr: Translator, shift: Shift, site: str, captain: str | None) -> str:
    line = f"#{shift.id} {site} · {span(tr, shift)}"
    if captain:
        line += " · " + tr._("captain {name}", name=captain)
    if shift.capacity is not None:
        line += " · " + tr.n_("room for {n}", "room for {n}", shift.capacity)
    return line


async def get_shift(ctx: Context, shift_id: int, *, lock: bool = False) -> tuple[Shift, str]:
    """A shift that was not cancelled, with its site's name."""
    shift = await store.get(ctx.session, shift_id, lock=lock)
    if shift is None:
        raise UserError(N_("There is no shift #{id}. /strike shifts lists the coming ones."), id=shift_id)
    if shift.cancelled_at is not None:
        raise UserError(N_("Shift #{id} was cancelled."), id=shift_id)
    return shift, await worksite_name(ctx.session, shift.worksite_id) or ""


async def _captain(ctx: Context, text: str | None) -> Member | None:
    return (await resolve_member(ctx, text))[0] if text else None


@group.command("plan", help=N_("Plan picket shifts at many sites at once: every weekday from one date to another"),
               params=[Param("first", N_("The first day, e.g. “Dec 7” or 2026-12-07"), max_length=100),
                       Param("last", N_("The last day"), max_length=100),
                       Param("times", N_("The shifts of each day, e.g. 6:30-10:30 10:30-14:30"), greedy=True),
                       Param("sites", N_("Worksites, separated by commas (leave empty for all the sites you cover)"),
                             required=False, max_length=4000),
                       CAPACITY, MINIMUM],
               role=Role.rep)
async def plan(ctx: Context, first: str, last: str, times: str, sites: str | None, capacity: int | None,
               minimum: int | None) -> Reply:
    names = [name.strip() for name in (sites or "").split(",") if name.strip()]
    keys = permissions.plan_sites(ctx.actor, names)  # before any name is looked up
    slots = read_slots(times)
    start, end = read_day(ctx, first), read_day(ctx, last)
    if end < start:
        raise UserError(N_("The last day, {last}, is before the first, {first}."), first=start.isoformat(),
                        last=end.isoformat())
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    days = [day for day in days if day.weekday() < 5]
    if not days:
        raise UserError(N_("There is no weekday from {first} to {last}."), first=start.isoformat(),
                        last=end.isoformat())
    found = await store.site_ids(ctx.session, keys)
    unknown = [name for name in names if site_key(name) not in found]
    if unknown:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=unknown[0])
    if not found:
        raise UserError(N_("There are no worksites yet: import the roster first."))
    planned = [slot for day in days for slot in slot_times(ctx, day, slots)]
    refuse_past(ctx, min(s for _d, s, _e in planned))
    if len(planned) * len(found) > MAX_PLAN:
        raise UserError(N_("That is {n} shifts; one plan makes at most {max}. Plan fewer days or sites at a time."),
                        n=len(planned) * len(found), max=MAX_PLAN)
    new = await store.plan(ctx.session, sorted(found.values()), planned, capacity=capacity,
                           minimum=minimum or ctx.config.strike.minimum, by=ctx.member_id, now=ctx.now)
    text = ctx.n_("Planned {n} picket shift", "Planned {n} picket shifts", new) + " " + ctx.n_(
        "at {n} site, {first} to {last}.", "at {n} sites, {first} to {last}.", len(found),
        first=ctx.tr.day(planned[0][1]), last=ctx.tr.day(planned[-1][1]))
    already = len(planned) * len(found) - new
    if already:
        text += " " + ctx.n_("{n} was already planned.", "{n} were already planned.", already)
    return ctx.reply(text + " " + ctx._("Members see them with /strike shifts."))


@group.command("shift-add", help=N_("Add one picket shift at a site"), params=[
    Param("site", N_("A worksite, as on the roster")),
    Param("day", N_("The day, e.g. “Dec 7” or 2026-12-07"), max_length=100),
    Param("times", N_("Start and end, e.g. 6:30-10:30"), max_length=40),
    CAPACITY, MINIMUM, CAPTAIN,
], role=Role.rep)
async def shift_add(ctx: Context, site: str, day: str, times: str, capacity: int | None, minimum: int | None,
                    captain: str | None) -> Reply:
    permissions.require_shift_manager(ctx.actor, site)  # before the name is looked up
    worksite = await resolve_site(ctx, site)
    [slot] = slot_times(ctx, read_day(ctx, day), _one_slot(times))
    refuse_past(ctx, slot[1])
    chosen = await _captain(ctx, captain)
    if not await store.plan(ctx.session, [worksite.id], [slot], capacity=capacity,
                            minimum=minimum or ctx.config.strike.minimum, by=ctx.member_id, now=ctx.now):
        raise UserError(N_("{site} already has a shift at that time."), site=worksite.name)
    shift = await store.at_site(ctx.session, worksite.id, slot[1], slot[2])
    shift.captain_id = chosen.id if chosen else None
    return ctx.reply(ctx._("Added shift {line}.", line=shift_line(ctx.tr, shift, worksite.name,
                                                                  chosen.name if chosen else None)))


def _one_slot(times: str) -> list[tuple[time, time]]:
    slots = read_slots(times)
    if len(slots) > 1:
        raise UserError(N_("One shift at a time here: give one start-end, or use /strike plan for several."))
    return slots


@group.command("shift-edit", help=N_("Change a shift’s time, capacity, minimum or captain"), params=[
    SHIFT,
    Param("times", N_("New start and end, e.g. 7:00-11:00"), required=False, max_length=40),
    Param("day", N_("A new day"), required=False, max_length=100),
    CAPACITY, MINIMUM, CAPTAIN,
], role=Role.rep)
async def shift_edit(ctx: Context, shift: int, times: str | None, day: str | None, capacity: int | None,
                     minimum: int | None, captain: str | None) -> Reply:
    found, site = await get_shift(ctx, shift, lock=True)
    permissions.require_shift_manager(ctx.actor, site)
    if times is None and day is None and capacity is None and minimum is None and captain is None:
        raise UserError(N_("Say what to change: times:, day:, capacity:, minimum: or captain:."))
    if times is not None or day is not None:
        if found.starts_at <= ctx.now:
            raise UserError(N_("Shift #{id} has started: its times can’t change now."), id=shift)
        local_day = read_day(ctx, day) if day is not None else found.day
        slots = _one_slot(times) if times is not None else [
            (found.starts_at.astimezone(ctx.config.campaign.tz).time(),
             found.ends_at.astimezone(ctx.config.campaign.tz).time())]
        [(found.day, starts, ends)] = slot_times(ctx, local_day, slots)
        refuse_past(ctx, starts)
        other = await store.at_site(ctx.session, found.worksite_id, starts, ends)
        if other is not None and other.id != found.id:
            raise UserError(N_("{site} already has a shift at that time."), site=site)
        found.starts_at, found.ends_at = starts, ends
    if capacity is not None:
        found.capacity = capacity
    if minimum is not None:
        found.minimum = minimum
    chosen = await _captain(ctx, captain)
    if chosen is not None:
        found.captain_id = chosen.id
    await ctx.session.flush()
    name = chosen.name if chosen else await _captain_name(ctx, found)
    return ctx.reply(ctx._("Updated shift {line}.", line=shift_line(ctx.tr, found, site, name)))


async def _captain_name(ctx: Context, shift: Shift) -> str | None:
    captain = await ctx.session.get(Member, shift.captain_id) if shift.captain_id else None
    return captain.name if captain else None


@group.command("shift-cancel", help=N_("Cancel a picket shift"), params=[SHIFT], role=Role.rep)
async def shift_cancel(ctx: Context, shift: int) -> Reply:
    found, site = await get_shift(ctx, shift, lock=True)
    permissions.require_shift_manager(ctx.actor, site)
    found.cancelled_at = ctx.now
    return ctx.reply(ctx._("Cancelled shift #{id} at {site}, {when}.", id=shift, site=site,
                           when=span(ctx.tr, found)))


@group.command("shifts", help=N_("Coming picket shifts, your own site’s first"), params=[
    Param("site", N_("Only this worksite’s shifts"), required=False),
    Param("day", N_("Only this day’s shifts, e.g. “tomorrow” or 2026-12-07"), required=False, max_length=100),
])
async def list_shifts(ctx: Context, site: str | None, day: str | None) -> Reply:
    worksite = await resolve_site(ctx, site) if site else None
    local_day = read_day(ctx, day) if day else None
    mine = await ctx.session.get(Member, ctx.member_id)
    where = dict(worksite_id=worksite.id if worksite else None, day=local_day)
    found = await store.upcoming(ctx.session, ctx.now, first_site=mine.worksite_id, **where)
    if not found:
        return ctx.reply(ctx._("No picket shifts are planned there yet."))
    lines = [shift_line(ctx.tr, shift, name, captain) for shift, name, captain in found]
    total = await store.count_upcoming(ctx.session, ctx.now, **where)
    if total > len(found):
        lines.append(ctx._("…and {n} more: add site: or day: to see them.", n=total - len(found)))
    return ctx.reply(bold(ctx._("Picket shifts")) + "\n" + "\n".join(lines))
