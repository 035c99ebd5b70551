"""Reading a date or time a member typed ("tomorrow 7:15am", "Dec 3 5pm", "el jueves pasado"), in the
campaign timezone and relative to now, with dateparser. Each command words its own errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo


def read_moment(text: str, *, now: datetime, tz: ZoneInfo, languages: Sequence[str],
                prefer: Literal["future", "past"] = "future") -> datetime | None:
    """The moment ``text`` names (aware, UTC), or None when it names none. ``languages`` is required:
    without it dateparser tries every language it knows, and the first text it cannot read in a
    process took 2.6–4.9 s (:attr:`bot.context.Context.date_languages`)."""
    import dateparser  # slow to import: loaded on first use so the console starts fast

    moment = dateparser.parse(text, languages=list(languages), settings={
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None)})
    return None if moment is None else moment.astimezone(UTC)
