"""Reminder jobs before something starts (an action, a picket shift), one per configured offset."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.types import Effect, Schedule, Unschedule


def reminders_before(job: str, ref: str, starts_at: datetime, offsets: Iterable[float], payload: dict[str, Any],
                     now: datetime) -> tuple[Effect, ...]:
    """One ``job`` per offset (hours) before ``starts_at``; an offset already past is unscheduled. Keys derive
    from ``ref``, so scheduling again (a join, a moved start) replaces the earlier schedule at no cost."""
    out: list[Effect] = []
    for hours in offsets:
        key = f"{ref}:remind:{hours:g}h"
        due = starts_at - timedelta(hours=hours)
        out.append(Schedule(job, key, due, {**payload, "hours": hours}) if due > now else Unschedule(key))
    return tuple(out)
