"""``/strike``: picket shifts at every site — planned in one command, one shift at a time changed or
cancelled, listed for members with their own site first; members sign up with a button (capacity and
waitlist, as for actions), leave or swap, and get a reminder before each shift; captains sign their line in
and out, and members sign themselves in with the code the captain reads out; hours per week against the
strike-pay rule, with a CSV for the strike fund."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date
from babel.numbers import format_decimal

from bot import markup, permissions
from bot.context import Context
from bot.csvfile import to_csv
from bot.dates import Direction, read
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.markup import bold
from bot.registry import Group, Param
from bot.reminders import reminders_before
from bot.types import Attachment, Button, Effect, Message, Notify, Reply, Role, Unschedule
from commands.members import pick_each, resolve_member, resolve_site
from storage import picket
from storage import shifts as store
from storage.actions import GOING, WAITLIST
from storage.members import Member, site_key, worksite_name
from storage.shifts import Shift
from storage.sql import id_of

group = Group("strike", N_("Strike — picket shifts, captains’ sign-in, hours for strike pay, line status"))

MAX_BUTTONS = 10  # sign-up buttons on one list: a message stays within every platform's block limits
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


def read_day(ctx: Context, text: str, *, direction: Direction = "future") -> date:
    """A date a member typed (“Dec 7”, “monday”, 2026-12-07), as the campaign's local day."""
    tz = ctx.config.campaign.tz
    reading = read(text, now=ctx.now, tz=tz, languages=ctx.date_languages, day_first=ctx.tr.day_first,
                   direction=direction)
    if reading is None:
        raise UserError(N_("I couldn’t read “{day}” as a date. Try “Dec 7”, “monday” or 2026-12-07."), day=text[:100])
    return reading.day(tz)


def local_at(ctx: Context, day: date, clock: time) -> datetime:
    """A local time on a local day, in UTC: zoneinfo gives each day its own offset, so 6:30 stays 6:30 across a
    daylight-saving change."""
    return datetime.combine(day, clock, tzinfo=ctx.config.campaign.tz).astimezone(UTC)


def slot_times(ctx: Context, day: date, slots: list[tuple[time, time]]) -> list[tuple[date, datetime, datetime]]:
    return [(day, local_at(ctx, day, start), local_at(ctx, day, end)) for start, end in slots]


def refuse_past(ctx: Context, start: datetime) -> None:
    if start <= ctx.now:
        raise UserError(N_("The shift at {when} is in the past. Plan shifts that are still to come."),
                        when=ctx.tr.when(start))


def span(tr: Translator, shift: Shift) -> str:
    return between(tr, shift.starts_at, shift.ends_at)


def between(tr: Translator, starts_at: datetime, ends_at: datetime) -> str:
    return f"{markup.when(starts_at)}–{tr.clock(ends_at)}"


def shift_line(tr: Translator, shift: Shift, site: str, captain: str | None,
               counts: tuple[int, int] | None = None) -> str:
    line = f"#{shift.id} {site} · {span(tr, shift)}"
    if captain:
        line += " · " + tr._("captain {name}", name=captain)
    if counts is not None:
        line += " · " + tr.n_("{n} going", "{n} going", counts[0])
        if counts[1]:
            line += " · " + tr.n_("{n} waitlisted", "{n} waitlisted", counts[1])
    if shift.capacity is not None:
        line += " · " + tr.n_("room for {n}", "room for {n}", shift.capacity)
    return line


def ref(shift_id: int) -> str:
    return f"shift:{shift_id}"


def reminders(ctx: Context, shift: Shift) -> tuple[Effect, ...]:
    """One job per configured offset before the shift; one already past is dropped. The same keys replace
    the earlier schedule, so every join (and a moved shift) schedules them again at no cost."""
    return reminders_before("strike.remind", ref(shift.id), shift.starts_at, ctx.config.strike.reminder_hours,
                            {"shift_id": shift.id}, ctx.now)


def _leave_button(tr: Translator, shift_id: int) -> Button:
    return Button(tr._("Can’t make it"), f"/strike leave {shift_id}")


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
    moved = times is not None or day is not None
    if moved:
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
    promoted = await store.promote(ctx.session, found)
    effects: list[Effect] = _promotion_notices(found, site, promoted)
    if moved:
        told = [m for m in await store.member_ids(ctx.session, shift, GOING, WAITLIST) if m not in promoted]

        def render(tr: Translator) -> Message:
            return Message(tr._("Your picket shift #{id} at {site} has moved: it is now {when}.", id=shift,
                                site=site, when=span(tr, found)), (_leave_button(tr, shift),))
        effects += [Notify(tuple(told), render), *reminders(ctx, found)]
    name = chosen.name if chosen else await _captain_name(ctx, found)
    return ctx.reply(ctx._("Updated shift {line}.", line=shift_line(ctx.tr, found, site, name)),
                     effects=tuple(effects))


async def _captain_name(ctx: Context, shift: Shift) -> str | None:
    captain = await ctx.session.get(Member, shift.captain_id) if shift.captain_id else None
    return captain.name if captain else None


@group.command("shift-cancel", help=N_("Cancel a picket shift"), params=[SHIFT], role=Role.rep)
async def shift_cancel(ctx: Context, shift: int) -> Reply:
    found, site = await get_shift(ctx, shift, lock=True)
    permissions.require_shift_manager(ctx.actor, site)
    found.cancelled_at = ctx.now
    told = await store.member_ids(ctx.session, shift, GOING, WAITLIST)

    def render(tr: Translator) -> Message:
        return Message(tr._("Cancelled: your picket shift #{id} at {site}, {when}, is not happening. Other shifts: "
                            "/strike shifts", id=shift, site=site, when=span(tr, found)))
    return ctx.reply(ctx._("Cancelled shift #{id} at {site}, {when}.", id=shift, site=site, when=span(ctx.tr, found))
                     + " " + ctx.n_("{n} person signed up was told.", "{n} people signed up were told.", len(told)),
                     effects=(Notify(tuple(told), render), Unschedule(ref(shift))))


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
    counts = await store.counts(ctx.session, [shift.id for shift, _site, _captain in found])
    lines = [shift_line(ctx.tr, shift, name, captain, counts.get(shift.id, (0, 0))) for shift, name, captain in found]
    total = await store.count_upcoming(ctx.session, ctx.now, **where)
    if total > len(found):
        lines.append(ctx._("…and {n} more: add site: or day: to see them.", n=total - len(found)))
    buttons = tuple(Button(ctx._("Sign up for #{id}", id=shift.id), f"/strike join {shift.id}", "primary")
                    for shift, _site, _captain in found[:MAX_BUTTONS] if shift.starts_at > ctx.now)
    return ctx.reply(bold(ctx._("Picket shifts")) + "\n" + "\n".join(lines) + "\n\n"
                     + ctx._("Sign up with the buttons or /strike join <number>."), buttons=buttons)


async def _not_started(ctx: Context, shift_id: int) -> tuple[Shift, str]:
    """A shift members may still join or leave, its row locked."""
    shift, site = await get_shift(ctx, shift_id, lock=True)
    if shift.starts_at <= ctx.now:
        raise UserError(N_("Shift #{id} has already started. If you’re there, ask its captain to sign you in."),
                        id=shift_id)
    return shift, site


async def _join(ctx: Context, shift: Shift, site: str, *, besides: int | None = None) -> tuple[str, bool]:
    """Sign the member up for ``shift``: what to tell them, and whether the signup is new."""
    other = await store.clash(ctx.session, ctx.member_id, shift, besides=besides)
    if other is not None:
        raise UserError(N_("You’re already signed up for shift #{other}, {when}, which overlaps this one. Leave it "
                           "first, or swap with /strike swap {other} {id}."), other=other.id,
                        when=span(ctx.tr, other), id=shift.id)
    joined = await store.join(ctx.session, shift, ctx.member_id, ctx.now)
    if joined.status == GOING:
        text = ctx._("You’re in: picket shift #{id} at {site}, {when}. You’ll get a reminder before it starts.",
                     id=shift.id, site=site, when=span(ctx.tr, shift))
    else:
        text = ctx._("Shift #{id} is full, so you’re on its waitlist (number {place}). If a place frees up, you’ll "
                     "get a DM.", id=shift.id, place=joined.place)
    return (text if joined.new else ctx._("You had already signed up.") + " " + text), joined.new


@group.command("join", help=N_("Sign up for a picket shift"), params=[SHIFT])
async def join(ctx: Context, shift: int) -> Reply:
    found, site = await _not_started(ctx, shift)
    text, new = await _join(ctx, found, site)
    return ctx.reply(text, buttons=(_leave_button(ctx.tr, shift),), effects=reminders(ctx, found) if new else ())


@group.command("leave", help=N_("Take back your signup for a picket shift"), params=[SHIFT])
async def leave(ctx: Context, shift: int) -> Reply:
    found, site = await _not_started(ctx, shift)
    effects = await withdraw(ctx, found, site, ctx.member_id)
    if effects is None:
        return ctx.reply(ctx._("You weren’t signed up for shift #{id}.", id=shift))
    return ctx.reply(ctx._("Thanks for letting us know: you’re off shift #{id}.", id=shift), effects=effects)


@group.command("swap", help=N_("Move your signup from one picket shift to another"), params=[
    Param("shift", N_("The shift you are leaving"), type=int, min_value=1),
    Param("to", N_("The shift you are taking instead"), type=int, min_value=1),
])
async def swap(ctx: Context, shift: int, to: int) -> Reply:
    if shift == to:
        raise UserError(N_("Those are the same shift."))
    first, second = sorted((shift, to))  # rows locked in one order, so two swaps never wait on each other
    locked = {first: await _not_started(ctx, first), second: await _not_started(ctx, second)}
    (old, old_site), (new, new_site) = locked[shift], locked[to]
    if await store.signup_of(ctx.session, shift, ctx.member_id) is None:
        raise UserError(N_("You weren’t signed up for shift #{id}."), id=shift)
    going, _waiting = (await store.counts(ctx.session, [to])).get(to, (0, 0))
    if new.capacity is not None and going >= new.capacity:
        raise UserError(N_("Shift #{id} is full: you keep your place on shift #{old}. Join its waitlist with "
                           "/strike join {id} if you can do both."), id=to, old=shift)
    text, _new = await _join(ctx, new, new_site, besides=shift)
    effects = await withdraw(ctx, old, old_site, ctx.member_id) or ()
    return ctx.reply(ctx._("Swapped: you’re off shift #{old}.", old=shift) + " " + text,
                     buttons=(_leave_button(ctx.tr, to),), effects=(*effects, *reminders(ctx, new)))


async def withdraw(ctx: Context, shift: Shift, site: str, member_id: int) -> tuple[Effect, ...] | None:
    """Take a member off a shift (its row locked): the longest waiting get the place they freed, by DM.
    None when they were not signed up."""
    removed = await store.leave(ctx.session, shift.id, member_id)
    if removed is None:
        return None
    return tuple(_promotion_notices(shift, site, await store.promote(ctx.session, shift)))


def _promotion_notices(shift: Shift, site: str, member_ids: list[int]) -> list[Effect]:
    if not member_ids:
        return []

    def render(tr: Translator) -> Message:
        return Message(tr._("A place opened up: you’re in for picket shift #{id} at {site}, {when}.", id=shift.id,
                            site=site, when=span(tr, shift)), (_leave_button(tr, shift.id),))
    return [Notify(tuple(member_ids), render)]


@group.command("mine", help=N_("Your coming picket shifts"), writes=False)
async def mine(ctx: Context) -> Reply:
    lines = await my_shifts(ctx) if ctx.actor.member_id else []
    return ctx.reply(lines[0] if lines else ctx._("You’re not signed up for any picket shift. See them with "
                                                  "/strike shifts."))


async def my_shifts(ctx: Context) -> list[str]:
    """For /member me and /strike mine: the shifts you are signed up for."""
    rows = await store.upcoming_for(ctx.session, ctx.member_id, ctx.now)
    if not rows:
        return []
    lines = [bold(ctx._("Your picket shifts"))]
    for shift, site, status in rows:
        line = f"#{shift.id} {site} · {span(ctx.tr, shift)}"
        lines.append(line + (" " + ctx._("(waitlisted)") if status == WAITLIST else ""))
    return ["\n".join(lines)]


async def leave_all(ctx: Context, member_id: int) -> tuple[Effect, ...]:
    """Before a member is forgotten: off every shift still to come, as if they had left each one."""
    effects: list[Effect] = []
    for shift, _site, _status in await store.upcoming_for(ctx.session, member_id, ctx.now):
        if shift.starts_at > ctx.now:
            locked, site = await get_shift(ctx, shift.id, lock=True)
            effects += await withdraw(ctx, locked, site, member_id) or ()
    return tuple(effects)


async def remind(ctx: Context, shift_id: int, hours: float) -> tuple[Effect, ...]:
    """Reminder DMs to everyone going; the key (with the start time) makes each one go out once."""
    shift = await store.get(ctx.session, shift_id)
    if shift is None or shift.cancelled_at is not None or shift.starts_at <= ctx.now:
        return ()
    site = await worksite_name(ctx.session, shift.worksite_id)
    going = await store.member_ids(ctx.session, shift_id, GOING)

    def render(tr: Translator) -> Message:
        return Message(tr._("Reminder: your picket shift #{id} at {site}, {when}. When you get there, your captain "
                            "signs you in.", id=shift_id, site=site, when=span(tr, shift)),
                       (_leave_button(tr, shift_id),))
    key = f"{ref(shift_id)}:remind:{hours:g}h:{shift.starts_at.isoformat()}"
    return (Notify(tuple(going), render, key=key, batch=key),)


def _opens(ctx: Context) -> timedelta:
    return timedelta(minutes=ctx.config.strike.signin_opens_minutes)


def moment_in(ctx: Context, shift: Shift, text: str | None) -> tuple[datetime, bool]:
    """When a sign-in or sign-out happened: now, within the shift (from ``signin_opens_minutes`` before it), or
    ``at:`` a time of the shift that has passed, for a late entry (marked as such)."""
    if text is None:
        if not shift.starts_at - _opens(ctx) <= ctx.now <= shift.ends_at:
            raise UserError(N_("Shift #{id} runs {when}: that is not now. For a late entry, give the time with "
                               "at:, e.g. at:7:15."), id=shift.id, when=span(ctx.tr, shift))
        return ctx.now, False
    tz = ctx.config.campaign.tz
    reading = read(text, now=ctx.now, tz=tz, languages=ctx.date_languages, day_first=ctx.tr.day_first,
                   direction="nearest")
    if reading is None or not reading.has_time:
        raise UserError(N_("I couldn’t read “{when}” as a time. Give the time of day, e.g. at:7:15."), when=text[:40])
    moment = reading.moment
    if reading.day(tz) != shift.day:  # a time alone is read as today's: the shift's day is meant
        moment = local_at(ctx, shift.day, moment.astimezone(tz).time())
    if not shift.starts_at <= moment <= shift.ends_at:
        raise UserError(N_("{when} is outside shift #{id}, which runs {span}."), when=ctx.tr.clock(moment),
                        id=shift.id, span=span(ctx.tr, shift))
    if moment > ctx.now:
        raise UserError(N_("{when} has not come yet: at: is for a time that has passed."), when=ctx.tr.clock(moment))
    return moment, True


async def run_line(ctx: Context, shift_id: int) -> tuple[Shift, str]:
    """A shift and its site, once the actor is found to run its line (before any name is looked up)."""
    shift, site = await get_shift(ctx, shift_id, lock=True)
    permissions.require_line(ctx.actor, site, shift.captain_id)
    return shift, site


async def _people(ctx: Context, shift: Shift, site: str, names: str) -> list[tuple[int, str]]:
    """Each comma-separated name as exactly one member (id, name), among those the line's captain may see
    and the shift's sign-ups; one that matches nobody or several stops the whole command."""
    found = await pick_each(ctx, names, within=permissions.line_lookup(ctx.actor, site),
                            also=store.signed_up(shift.id))
    if not found:
        raise UserError(N_("Name who to sign in or out, separated by commas."))
    return found


def _names(people: list[tuple[int, str]] | list[str]) -> str:
    return ", ".join(name if isinstance(name, str) else name[1] for name in people)


@group.command("signin", help=N_("Sign people in on your picket line (captains and reps)"), params=[
    SHIFT,
    Param("names", N_("Who came, separated by commas: names, member numbers or @mentions"), greedy=True,
          max_length=4000),
    Param("at", N_("For a late entry: when they came, e.g. 7:15"), required=False, max_length=40),
])
async def signin(ctx: Context, shift: int, names: str, at: str | None) -> Reply:
    found, site = await run_line(ctx, shift)
    moment, late = moment_in(ctx, found, at)
    return ctx.reply(await sign_in(ctx, found, await _people(ctx, found, site, names), moment, late))


async def sign_in(ctx: Context, found: Shift, people: list[tuple[int, str]], moment: datetime, late: bool) -> str:
    """The one path by which whoever runs a line signs people in, typed or clicked on the sign-in sheet: one
    signed in on an overlapping line stops them all, one already in is said so. Returns what to tell them."""
    shift = id_of(found)
    ids = [member_id for member_id, _name in people]
    clashing = await picket.clashes(ctx.session, found, ids)
    if clashing:
        member_id = next(iter(clashing))
        raise UserError(N_("{name} is signed in on shift #{other}, which overlaps this one: nobody was signed in."),
                        name=dict(people)[member_id], other=clashing[member_id])
    already = await picket.signins(ctx.session, shift, ids)
    new = [(member_id, name) for member_id, name in people if member_id not in already]
    await picket.sign_in(ctx.session, shift, [member_id for member_id, _name in new], moment, late=late,
                         by=ctx.member_id)
    text = ctx.n_("Signed in {n} person on shift #{id} at {when}: {names}.",
                  "Signed in {n} people on shift #{id} at {when}: {names}.", len(new), id=shift,
                  when=ctx.tr.clock(moment), names=_names(new) or "—")
    if late:
        text += " " + ctx._("Marked as a late entry.")
    if already:
        text += " " + ctx._("Already signed in: {names}.", names=_names([dict(people)[m] for m in already]))
    return text


@group.command("signout", help=N_("Sign people out of your picket line (captains and reps)"), params=[
    SHIFT,
    Param("names", N_("Who left, separated by commas, or all"), required=False, positional=True, greedy=True,
          max_length=4000),
    Param("at", N_("For a late entry: when they left, e.g. 10:30"), required=False, max_length=40),
])
async def signout(ctx: Context, shift: int, names: str | None, at: str | None) -> Reply:
    found, site = await run_line(ctx, shift)
    moment, late = moment_in(ctx, found, at)
    line = {row.member_id: (row, name) for row, name in await picket.on_line(ctx.session, shift)}
    if names is None or names.strip().casefold() in ("all", "todos"):
        chosen = [member_id for member_id, (row, _name) in line.items() if row.out_at is None]
    else:
        chosen = [member_id for member_id, _name in await _people(ctx, found, site, names)]
        missing = [member_id for member_id in chosen if member_id not in line]
        if missing:
            raise UserError(N_("{name} is not signed in on shift #{id}: nobody was signed out."),
                            name=await _member_name(ctx, missing[0]), id=shift)
    out = [member_id for member_id in chosen if line[member_id][0].out_at is None]
    early = [line[member_id][1] for member_id in out if line[member_id][0].in_at > moment]
    if early:
        raise UserError(N_("{name} was signed in after {when}: nobody was signed out."), name=early[0],
                        when=ctx.tr.clock(moment))
    for member_id in out:
        line[member_id][0].out_at = moment
        line[member_id][0].late = line[member_id][0].late or late
    await ctx.session.flush()
    text = ctx.n_("Signed out {n} person from shift #{id} at {when}: {names}.",
                  "Signed out {n} people from shift #{id} at {when}: {names}.", len(out), id=shift,
                  when=ctx.tr.clock(moment), names=_names([line[m][1] for m in out]) or "—")
    if late:
        text += " " + ctx._("Marked as a late entry.")
    return ctx.reply(text)


async def _member_name(ctx: Context, member_id: int) -> str:
    return (await ctx.session.get(Member, member_id)).name


@group.command("code", help=N_("A code for your line to sign themselves in with /strike here (captains and reps)"),
               params=[SHIFT])
async def code(ctx: Context, shift: int) -> Reply:
    found, _site = await run_line(ctx, shift)
    if found.ends_at <= ctx.now:
        raise UserError(N_("Shift #{id} is over: its code would sign nobody in."), id=shift)
    issued = await picket.issue(ctx.session, shift)
    return ctx.reply(ctx._("The code for shift #{id} is {code}. Read it out on the line: members type /strike here "
                           "{code} while the shift runs, until {end}. A new code replaces this one.", id=shift,
                           code=issued, end=ctx.tr.clock(found.ends_at)))


@group.command("here", help=N_("Sign yourself in on the picket line with the code your captain reads out"),
               params=[Param("code", N_("The code your captain read out"), greedy=True, max_length=20)])
async def here(ctx: Context, code: str) -> Reply:
    if not await picket.may_try(ctx.session, ctx.member_id, ctx.now):
        raise UserError(N_("Too many wrong codes from this account. Wait an hour, or ask your captain to sign you "
                           "in."))
    shift = await picket.redeem(ctx.session, ctx.member_id, code, ctx.now, _opens(ctx))
    if shift is None:  # the wrong try is counted: the reply says so, and the count is kept
        return ctx.refusal(N_("That code is unknown, or its shift is over. Check it with your captain."))
    shift, site = await get_shift(ctx, shift.id, lock=True)
    clashing = await picket.clashes(ctx.session, shift, [ctx.member_id])
    if clashing:
        raise UserError(N_("You’re signed in on shift #{other}, which overlaps this one."),
                        other=clashing[ctx.member_id])
    if await picket.signins(ctx.session, shift.id, [ctx.member_id]):
        return ctx.reply(ctx._("You’re already signed in on shift #{id}.", id=shift.id))
    await picket.sign_in(ctx.session, shift.id, [ctx.member_id], ctx.now, late=False, by=ctx.member_id)
    return ctx.reply(ctx._("Signed in: you’re on the line at {site}, shift #{id}, since {when}. Thank you!",
                           site=site, id=shift.id, when=ctx.tr.clock(ctx.now)))



def _hours(tr: Translator, seconds: float) -> str:
    return format_decimal(round(seconds / 3600, 1), format="0.#", locale=tr.locale)


MAX_LISTED = 60  # members named in the reply; everyone is in the CSV


@group.command("hours", help=N_("Hours on the picket line this week, and who meets the strike-pay rule"), params=[
    Param("week", N_("Any day of the week to count, e.g. “last monday” (this week if empty)"), required=False,
          max_length=100),
], audited=True)
async def hours(ctx: Context, week: str | None) -> Reply:
    """A member sees their own hours; a captain their line's site's, a rep their sites', a leader everyone's."""
    anchor = read_day(ctx, week, direction="nearest") if week else ctx.now.astimezone(ctx.config.campaign.tz).date()
    first = anchor - timedelta(days=anchor.weekday())
    last = first + timedelta(days=6)
    rule = ctx.config.strike
    captained = await picket.captained_sites(ctx.session, ctx.member_id, first, last)
    scope = permissions.hours_sites(ctx.actor, captained)
    title = bold(ctx._("Picket hours, week of {day}", day=format_date(first, "medium", locale=ctx.tr.locale)))
    rule_line = ctx._("Strike pay: {week} hours in the week; a day with {day} hours or more is a strike-pay day.",
                      week=format_decimal(rule.hours_per_week, locale=ctx.tr.locale),
                      day=format_decimal(rule.hours_per_day, locale=ctx.tr.locale))
    if scope == frozenset():
        return ctx.reply("\n\n".join([title, *_own_week(ctx, await picket.days_of(
            ctx.session, ctx.member_id, first, last, ctx.now)), rule_line]))
    rows = await picket.hours(ctx.session, first, last, ctx.now, day_seconds=rule.hours_per_day * 3600,
                              site_keys=scope, member_id=ctx.member_id)
    week_seconds = rule.hours_per_week * 3600
    meets = [row for row in rows if row.seconds >= week_seconds]
    summary = ctx.n_("{n} member was on the line", "{n} members were on the line", len(rows)) + "; " + ctx.n_(
        "{n} meets the weekly rule", "{n} meet the weekly rule", len(meets)) + "; " + ctx.n_(
        "{n} strike-pay day in all.", "{n} strike-pay days in all.", sum(row.pay_days for row in rows))
    lines = [f"{'✓' if row.seconds >= week_seconds else '·'} {row.name} ({row.site or ctx._('no worksite')}): "
             + ctx._("{hours} h", hours=_hours(ctx.tr, row.seconds)) + " · "
             + ctx.n_("{n} strike-pay day", "{n} strike-pay days", row.pay_days) for row in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        lines.append(ctx._("…and {n} more in the spreadsheet.", n=len(rows) - MAX_LISTED))
    yes, no = ctx._("yes"), ctx._("no")  # once, not once a member
    data = to_csv([ctx._("name"), ctx._("member number"), ctx._("worksite"), ctx._("hours"),
                   ctx._("strike-pay days"), ctx._("meets the weekly rule")],
                  [(row.name, row.member_no or "", row.site or "", round(row.seconds / 3600, 2), row.pay_days,
                    yes if row.seconds >= week_seconds else no) for row in rows])
    sheet = Attachment(f"picket-hours-{first.isoformat()}.csv", data, "text/csv", ctx._("Picket hours"))
    return ctx.reply("\n\n".join([title, summary, "\n".join(lines), rule_line]), attachments=(sheet,))


def _own_week(ctx: Context, days: list[tuple[date, float]]) -> list[str]:
    rule = ctx.config.strike
    if not days:
        return [ctx._("No hours on the picket line this week yet.")]
    lines = [f"{format_date(day, 'EEE d MMM', locale=ctx.tr.locale)}: "
             + ctx._("{hours} h", hours=_hours(ctx.tr, seconds))
             + (" ✓" if seconds >= rule.hours_per_day * 3600 else "") for day, seconds in days]
    total = sum(seconds for _day, seconds in days)
    short = rule.hours_per_week * 3600 - total
    verdict = (ctx._("{hours} h this week: you meet the strike-pay rule.", hours=_hours(ctx.tr, total)) if short <= 0
               else ctx._("{hours} h this week: {more} h more meet the weekly strike-pay rule.",
                          hours=_hours(ctx.tr, total), more=_hours(ctx.tr, short)))
    return ["\n".join(lines), verdict]


JOBS = {"strike.remind": remind}
PROFILE = [my_shifts]
FORGET = [leave_all]
