"""Reading a date or time a member typed ("tomorrow 7:15am", "el lunes 7:15 a. m.", "9/12 17:00"), in the
campaign timezone and relative to now.

dateparser does the reading. This module is the thin layer for what it gets wrong in the way organizers write:
Spanish articles and connectives ("el 9 de diciembre a las 17:00"), "a. m." (the bot's own Spanish output),
"pasado mañana", "el próximo lunes" and "el jueves pasado"; a time alone means its next occurrence; a day without
a year in a field that may be past is the nearest such day, not last year's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.context import Context

Direction = Literal["future", "nearest"]

_WEEKDAYS = "lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo"
_HOUR = r"\d{1,2}(?::\d{2})?"
# (pattern, replacement), applied in order to the casefolded text.
_REWRITES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in [
    (r"[\u00a0\u202f\s]+", " "),
    (r"\b([ap])\.? ?m\.?(?=\W|$)", r"\1m"),  # "7:15 a. m.", "5 p.m." → "7:15am", "5pm"
    (rf"({_HOUR}) ?de la (?:mañana|madrugada)\b", r"\1am"),
    (rf"({_HOUR}) ?de la (?:tarde|noche)\b", r"\1pm"),
    (r"\bpasado mañana\b", "en 2 días"),
    (r"\bmediodía\b", "12:00"),
    (r"\bmedianoche\b", "0:00"),
    (r"\b(\d{1,2}:\d{2}) ?h\b", r"\1"),  # "19:30 h"
    (r"\b(\d{1,2}) ?h\b", r"\1:00"),  # "19 h", "19h"
    (r"\b(?:a la|a las|at) (\d{1,2})(?![\d:]| ?[ap]m\b)", r"\1:00"),  # "a las 7" → "7:00"
    (r"\b(?:a la|a las|at) (?=\d)", ""),
    (rf"\b(?:próximo|proximo|siguiente|este|esta) ({_WEEKDAYS})\b", r"\1"),
    (rf"\b({_WEEKDAYS}) (?:próximo|proximo|que viene|siguiente)\b", r"\1"),
    (r"\b(?:el|la|los|del|al|on)\b ?", ""),
    (r"^[\s,]+|[\s,.]+$", ""),
]]
_PAST_WEEKDAY = re.compile(rf"\bpasado ({_WEEKDAYS})\b|\b({_WEEKDAYS}) pasado\b")
_TIME_ONLY = re.compile(r"\d{1,2}(?::\d{2})? ?(?:am|pm)?|noon|midnight")
# "in 2 hours" is time elapsed, so it counts the hour a daylight-saving change adds or takes away.
_ELAPSED = re.compile(r"\b(?:hours?|hrs?|minutes?|mins?|horas?|minutos?)\b")


@dataclass(frozen=True)
class Reading:
    """What a typed text named: a moment (aware, UTC) and whether it said a time of day; a day alone is
    read at midnight in the campaign timezone."""
    moment: datetime
    has_time: bool

    def day(self, tz: ZoneInfo) -> date:
        return self.moment.astimezone(tz).date()


def moment_to_come(ctx: Context, text: str) -> datetime:
    """A start or closing time typed by a member: a day with a time of day, still to come. The errors suggest
    only what this reads, and show the year when it is not this one."""
    tz, tr = ctx.config.campaign.tz, ctx.tr
    reading = _read(ctx, text, "future")
    if reading is None:
        week_on = (ctx.now.astimezone(tz) + timedelta(days=7)).strftime("%Y-%m-%d 17:00")
        raise UserError(N_("I couldn’t read “{when}” as a date and time. Try “tomorrow 7:15am”, “Friday 6pm” or "
                           "“{example}”."), when=text[:100], example=week_on)
    if not reading.has_time and reading.day(tz) < ctx.now.astimezone(tz).date():
        raise UserError(N_("{when} is in the past. Give a time that is still to come."),
                        when=tr.weekday(reading.moment, now=ctx.now))
    if not reading.has_time:
        five = _local(datetime.combine(reading.day(tz), time(17)), tz)
        next_hour = ctx.now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        example = five if five > ctx.now else next_hour
        raise UserError(N_("What time on {day}? Give the day with its time, such as “{example}”."),
                        day=tr.weekday(reading.moment, now=ctx.now),
                        example=f"{tr.weekday(example, now=ctx.now)} {tr.clock(example)}")
    if reading.moment <= ctx.now:
        raise UserError(N_("{when} is in the past. Give a time that is still to come."),
                        when=tr.when(reading.moment, now=ctx.now))
    return reading.moment


def last_day(ctx: Context, text: str, first: datetime) -> date:
    """The last day a series may repeat on (``until:``): a day, with or without a time, on or after ``first``."""
    tz = ctx.config.campaign.tz
    reading = _read(ctx, text, "future")
    if reading is None:
        example = (first.astimezone(tz) + timedelta(days=28)).strftime("%Y-%m-%d")
        raise UserError(N_("I couldn’t read “{until}” as a date. Try “{example}”."), until=text[:100],
                        example=example)
    if reading.day(tz) < first.astimezone(tz).date():
        raise UserError(N_("{until} is before the first one ({first}). Give the last day it repeats on."),
                        until=ctx.tr.weekday(reading.moment, now=ctx.now), first=ctx.tr.weekday(first, now=ctx.now))
    return reading.day(tz)


def session_day(ctx: Context, text: str) -> date:
    """The day of a bargaining session: past or to come, so a day without a year is the nearest such day."""
    reading = _read(ctx, text, "nearest")
    if reading is None:
        raise UserError(N_("I can’t read “{session}” as a date. Try “last Thursday” or “{example}”."),
                        session=text[:100],
                        example=(ctx.now.astimezone(ctx.config.campaign.tz) - timedelta(days=7)).strftime("%Y-%m-%d"))
    return reading.day(ctx.config.campaign.tz)


def _read(ctx: Context, text: str, direction: Direction) -> Reading | None:
    return read(text, now=ctx.now, tz=ctx.config.campaign.tz, languages=ctx.date_languages,
                day_first=ctx.tr.day_first, direction=direction)


def normalize(text: str) -> tuple[str, bool]:
    """The text as dateparser reads it, and whether it names a weekday gone by ("el jueves pasado")."""
    text = text.casefold()
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    past = _PAST_WEEKDAY.search(text)
    if past:
        text = _PAST_WEEKDAY.sub(lambda m: m.group(1) or m.group(2), text)
    return text, past is not None


def read(text: str, *, now: datetime, tz: ZoneInfo, languages: Sequence[str], day_first: bool,
         direction: Direction = "future") -> Reading | None:
    """The moment ``text`` names, or None when it names none.

    ``languages`` is required: without it dateparser tries every language it knows, and the first text it
    cannot read in a process takes seconds (:attr:`bot.context.Context.date_languages`). ``day_first`` is the
    reader's order for "9/12". ``future`` reads a day without a year as the next one and a time alone as its
    next occurrence; ``nearest`` (a bargaining session, which may be past) as the closer of the last and the
    next, the last on a tie."""
    cleaned, past_weekday = normalize(text)
    if not cleaned:
        return None
    if _TIME_ONLY.fullmatch(cleaned):
        return _time_only(cleaned, now, tz, languages, day_first, direction)
    if past_weekday:
        return _parse(cleaned, now, tz, languages, day_first, "past")
    if direction == "future":
        return _parse(cleaned, now, tz, languages, day_first, "future")
    ahead = _parse(cleaned, now, tz, languages, day_first, "future")
    behind = _parse(cleaned, now, tz, languages, day_first, "past")
    if ahead is None or behind is None:
        return ahead or behind
    return behind if now - behind.moment <= ahead.moment - now else ahead


def _time_only(text: str, now: datetime, tz: ZoneInfo, languages: Sequence[str], day_first: bool,
               direction: Direction) -> Reading | None:
    """A time alone is today's, or (for a time still to come) tomorrow's once today's has gone by: "7:15"
    typed in the afternoon is tomorrow morning."""
    found = _parse(text, now, tz, languages, day_first, "future")
    if found is None:
        return None
    wall, today = found.moment.astimezone(tz).time(), now.astimezone(tz).date()
    moment = _local(datetime.combine(today, wall), tz)
    if direction == "future" and moment <= now:
        moment = _local(datetime.combine(today + timedelta(days=1), wall), tz)
    return Reading(moment, True)


def _local(wall: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in the campaign timezone as UTC, with the offset of that day (not of today)."""
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _parse(text: str, now: datetime, tz: ZoneInfo, languages: Sequence[str], day_first: bool,
           prefer: str) -> Reading | None:
    """dateparser's reading as wall-clock time, made a moment here: dateparser gives a relative day
    ("tomorrow 7:15am") the UTC offset of today, an hour off across a daylight-saving change."""
    import dateparser.date  # slow to import: loaded on first use so the bot starts fast

    base = now.astimezone(tz).replace(tzinfo=None)
    parser = dateparser.date.DateDataParser(languages=list(languages), settings={
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": base, "RETURN_TIME_AS_PERIOD": True, "DATE_ORDER": "DMY" if day_first else "MDY"})
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    if data.period != "time":
        return Reading(_local(datetime.combine(data.date_obj.date(), time()), tz), False)
    if _ELAPSED.search(text):
        return Reading(now + (data.date_obj - base), True)
    return Reading(_local(data.date_obj, tz), True)
