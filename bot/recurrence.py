"""Repeating an action's start: every occurrence at the same wall-clock time in the campaign timezone, so a
weekly 7:15 am picket stays at 7:15 am across a daylight-saving change. dateutil's rrule does the counting, on
local wall times; each is then placed in UTC with the offset of its own day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule

from bot.i18n import N_

WEEKS_APART = {"weekly": 1, "biweekly": 2}
EVERY_LABELS = {"weekly": N_("Every week"), "biweekly": N_("Every other week")}


def occurrences(first: datetime, every: str, until: date, tz: ZoneInfo, *, limit: int) -> list[datetime]:
    """``first`` and each repetition on or before ``until`` (a day in ``tz``), at most ``limit`` + 1 of them
    so a caller can tell that the series was longer than it allows."""
    wall = first.astimezone(tz).replace(tzinfo=None)
    rule = rrule(WEEKLY, interval=WEEKS_APART[every], dtstart=wall, until=datetime.combine(until, time.max))
    return [moment.replace(tzinfo=tz).astimezone(UTC) for moment in islice(rule, limit + 1)]
