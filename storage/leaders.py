"""Emerging leaders: when each member reached each step of the ladder, read from what the bot already holds.

The steps are signed up for an action, came (a check-in), came three times or more, brought others (someone
they invited with ``/action invite`` signed up afterwards) and led: appointed a captain (one-to-ten),
announced an action, or captained a picket shift that has started."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.actions import Action, Signup
from storage.captains import Captain
from storage.invites import Invite
from storage.members import Member, Worksite
from storage.shifts import Shift
from storage.sql import nonnull

STEPS = ("signed_up", "came", "came_often", "brought", "led")
OFTEN = 3  # check-ins that make "came three times or more"


@dataclass
class Climb:
    """One member and the moment they first reached each step (absent: not reached)."""

    member_id: int
    name: str
    site: str | None
    reached: dict[str, datetime] = field(default_factory=dict)


async def climbs(session: AsyncSession, now: datetime, *, site_ids: list[int] | None = None,
                 member_id: int | None = None) -> list[Climb]:
    """The roster members at ``site_ids`` (None: every worksite), or the one member ``member_id`` on the
    roster or not, each with the steps they reached by ``now``; four reads over indexed columns."""
    scope: list[SQLCoreOperations[bool]] = []
    if member_id is not None:
        scope.append(col(Member.id) == member_id)
    else:
        scope.append(col(Member.on_roster))
        if site_ids is not None:
            scope.append(col(Member.worksite_id).in_(site_ids))
    who = (select(nonnull(Member.id), Member.name, Worksite.name).where(*scope)
           .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id))
    people = {m: Climb(m, name, site) for m, name, site in (await session.exec(who)).all()}
    if not people:
        return []
    ids = select(Member.id).where(*scope)
    firsts = {
        "signed_up": select(Signup.member_id, func.min(Signup.created_at)).where(col(Signup.member_id).in_(ids))
        .group_by(col(Signup.member_id)),
        "brought": select(Invite.invited_by, func.min(Signup.created_at))
        .join(Signup, and_(col(Signup.action_id) == Invite.action_id, col(Signup.member_id) == Invite.member_id,
                           col(Signup.created_at) >= Invite.invited_at))
        .where(col(Invite.invited_by).in_(ids), Signup.created_at <= now).group_by(col(Invite.invited_by)),
        "led": select(Action.created_by, func.min(Action.created_at))
        .where(col(Action.created_by).in_(ids), Action.created_at <= now).group_by(col(Action.created_by))
        .union_all(select(Shift.captain_id, func.min(Shift.starts_at))
                   .where(col(Shift.captain_id).in_(ids), col(Shift.cancelled_at).is_(None), Shift.starts_at <= now)
                   .group_by(col(Shift.captain_id)),
                   select(Captain.member_id, Captain.appointed_at)
                   .where(col(Captain.member_id).in_(ids), Captain.appointed_at <= now)),
    }
    connection = await session.connection()
    for step, stmt in firsts.items():
        for m, at in (await connection.execute(stmt)).all():
            if m in people and (step not in people[m].reached or at < people[m].reached[step]):
                people[m].reached[step] = at
    came: dict[int, list[datetime]] = defaultdict(list)
    rows = await session.exec(select(Signup.member_id, nonnull(Signup.checked_in_at))
                              .where(col(Signup.member_id).in_(ids), col(Signup.checked_in_at).is_not(None),
                                     col(Signup.checked_in_at) <= now)
                              .order_by(col(Signup.member_id), col(Signup.checked_in_at)))
    for m, at in rows.all():
        came[m].append(at)
    for m, times in came.items():
        if m in people:
            people[m].reached["came"] = times[0]
            if len(times) >= OFTEN:
                people[m].reached["came_often"] = times[OFTEN - 1]
    return list(people.values())
