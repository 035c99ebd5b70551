"""Reminder jobs before something starts (an action, a picket shift), one per configured offset, and the
promise a signup reply makes about them, read from what is scheduled."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import Translator
from bot.types import Effect, Schedule, Unschedule

SOONEST = timedelta(minutes=15)  # closer to the start than this, a reminder would only interrupt


def reminders_before(job: str, ref: str, starts_at: datetime, offsets: Iterable[float], payload: dict[str, Any],
                     now: datetime, *, last_chance: bool = False) -> tuple[Effect, ...]:
    """One ``job`` per offset (hours) before ``starts_at``; an offset already past is unscheduled. Keys derive
    from ``ref``, so scheduling again (a join, a moved start) replaces the earlier schedule at no cost.

    With ``last_chance`` (scheduled once, when the thing is announced or moved, never per signup), every offset
    being past gives one reminder halfway between ``now`` and the start instead, unless it starts within
    :data:`SOONEST`: announced 40 minutes ahead, those going hear 20 minutes before."""
    out: list[Effect] = []
    for hours in offsets:
        key = f"{ref}:remind:{hours:g}h"
        due = starts_at - timedelta(hours=hours)
        out.append(Schedule(job, key, due, {**payload, "hours": hours}) if due > now else Unschedule(key))
    if last_chance:
        key, left = f"{ref}:remind:soon", starts_at - now
        missed = not any(isinstance(effect, Schedule) for effect in out)
        if missed and left >= SOONEST:
            out.append(Schedule(job, key, now + left / 2, {**payload, "hours": left.total_seconds() / 7200}))
        else:
            out.append(Unschedule(key))
    return tuple(out)


def scheduled(effects: Iterable[Effect]) -> list[datetime]:
    """When the reminders among ``effects`` are due."""
    return [effect.due for effect in effects if isinstance(effect, Schedule)]


def promise(tr: Translator, starts_at: datetime, dues: Iterable[datetime], *, others: bool = False) -> str:
    """What a signup is told about its reminders (``others``: what whoever announced it is told of those going):
    exactly those scheduled, or that none will come."""
    leads = sorted({starts_at - due for due in dues if due < starts_at}, reverse=True)
    if not leads:
        return (tr._("It starts too soon for a reminder: those going get none.") if others
                else tr._("No reminder will come before it starts: keep this message."))
    said = tr.list([tr.duration(lead) for lead in leads])
    if others:
        return tr.n_("Those going get a reminder {leads} before it starts.",
                     "Those going get reminders {leads} before it starts.", len(leads), leads=said)
    return tr.n_("You’ll get a reminder {leads} before it starts.", "You’ll get reminders {leads} before it starts.",
                 len(leads), leads=said)
