"""Actions (pickets, rallies, board meetings…), who signed up, and who came.

A signup is ``going`` or ``waitlist``; the waitlist is served in signup order. Every change to
who is going happens with the action's row locked, so two bot processes can never fill more
places than an action has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint, bindparam, case, delete, func, insert, update
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.members import Member, Worksite
from storage.sql import id_of, insert_ignoring_duplicates, locked, nonnull, table_of
from storage.types import UTCDateTime

GOING, WAITLIST = "going", "waitlist"


class Action(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    title_es: str | None = Field(default=None, max_length=200)  # each *_es: the organizer's Spanish, if given
    kind: str = Field(max_length=24)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    location: str = Field(max_length=200)
    location_es: str | None = Field(default=None, max_length=200)
    worksite_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="SET NULL"), index=True)
    )
    capacity: int | None = None
    details: str | None = Field(default=None, max_length=2000)
    details_es: str | None = Field(default=None, max_length=2000)
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, max_length=500)
    cancel_reason_es: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Signup(SQLModel, table=True):
    # the indexes answer "how many are going / where am I on the waitlist" and "who came to these actions"
    # (a structure test's numerator) without reading signup rows
    __table_args__ = (UniqueConstraint("action_id", "member_id"),
                      Index("ix_signup_action_status", "action_id", "status"),
                      Index("ix_signup_came", "action_id", "checked_in_at", "member_id"))

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(sa_column=Column(Integer, ForeignKey("action.id", ondelete="CASCADE"), nullable=False))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    status: str = Field(default=GOING, max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Counts:
    going: int = 0
    waitlisted: int = 0
    came: int = 0


@dataclass(frozen=True)
class RosterLine:
    name: str
    worksite: str | None
    status: str
    signed_up_at: datetime
    checked_in_at: datetime | None


_BY_ID = select(Action).where(Action.id == bindparam("action_id"))  # built once: every join reads its action
_BY_ID_LOCKED = locked(_BY_ID)
_BY_STATUS = (select(Signup.status, func.count()).where(Signup.action_id == bindparam("action_id"))
              .group_by(Signup.status))


async def get(session: AsyncSession, action_id: int, *, lock: bool = False) -> Action | None:
    """An action by id; ``lock`` holds its row until commit (before any change to who is going)."""
    return (await session.exec(_BY_ID_LOCKED if lock else _BY_ID, params={"action_id": action_id})).one_or_none()


async def counts(session: AsyncSession, action_ids: list[int]) -> dict[int, Counts]:
    rows = await session.exec(
        select(Signup.action_id,
               func.sum(case((col(Signup.status) == GOING, 1), else_=0)),
               func.sum(case((col(Signup.status) == WAITLIST, 1), else_=0)),
               func.count(col(Signup.checked_in_at)))
        .where(col(Signup.action_id).in_(action_ids))
        .group_by(col(Signup.action_id))
    )
    return {action_id: Counts(int(g or 0), int(w or 0), int(c or 0)) for action_id, g, w, c in rows.all()}


async def count_of(session: AsyncSession, action_id: int) -> Counts:
    return (await counts(session, [action_id])).get(action_id, Counts())


async def signup_of(session: AsyncSession, action_id: int, member_id: int) -> Signup | None:
    return (
        await session.exec(select(Signup).where(Signup.action_id == action_id, Signup.member_id == member_id))
    ).one_or_none()


@dataclass(frozen=True)
class Joined:
    """What a join did: the member's status, whether the signup is new, and their waitlist place
    (1 = next in) when waitlisted — what the reply needs."""
    status: str
    new: bool
    place: int | None


async def join(session: AsyncSession, action: Action, signups: list[tuple[int, datetime]]) -> list[Joined]:
    """Sign members up, each ``(member id, moment)`` in arrival order (the action row must be locked):
    going while there is room, then waitlisted in that order. A second join changes nothing.

    Set-based, whatever the number of members: one index-only count (going and waitlisted) serves
    the capacity check and every waitlist place, one lookup finds who had signed up already, one
    insert adds the rest. With the action row locked, every earlier signup to it has a lower id, so
    the new ones go to the end of the line in the order given (the live announcement counts again
    once per write batch)."""
    by_status = dict((await session.exec(_BY_STATUS, params={"action_id": action.id})).all())
    going, waitlisted = by_status.get(GOING, 0), by_status.get(WAITLIST, 0)
    member_ids = list(dict.fromkeys(member_id for member_id, _now in signups))
    had = {s.member_id: s for s in (await session.exec(
        select(Signup).where(Signup.action_id == action.id, col(Signup.member_id).in_(member_ids))))}
    joined: dict[int, Joined] = {}
    rows, out = [], []
    for member_id, now in signups:
        if member_id in joined:
            out.append(replace(joined[member_id], new=False))
            continue
        if member_id in had:
            signup = had[member_id]
            place = await waitlist_place(session, signup) if signup.status == WAITLIST else None
            joined[member_id] = Joined(signup.status, False, place)
        elif action.capacity is None or going < action.capacity:
            going += 1
            joined[member_id] = Joined(GOING, True, None)
        else:
            waitlisted += 1
            joined[member_id] = Joined(WAITLIST, True, waitlisted)
        if joined[member_id].new:
            rows.append({"action_id": action.id, "member_id": member_id, "status": joined[member_id].status,
                         "created_at": now})
        out.append(joined[member_id])
    if rows:
        await session.exec(insert(Signup), params=rows)
    return out


async def waitlist_place(session: AsyncSession, signup: Signup) -> int:
    """1 for the longest-waiting member: counted in the index rather than by reading the whole waitlist."""
    return (await session.exec(select(func.count()).where(
        Signup.action_id == signup.action_id, Signup.status == WAITLIST, col(Signup.id) <= signup.id))).one()


async def leave(session: AsyncSession, action_id: int, member_ids: list[int]) -> list[Signup]:
    """Remove members' signups (the action row must be locked) in one lookup and one delete; returns what
    was removed."""
    found = list((await session.exec(select(Signup).where(Signup.action_id == action_id,
                                                          col(Signup.member_id).in_(set(member_ids))))))
    if found:
        await session.exec(delete(Signup).where(col(Signup.id).in_([s.id for s in found])))
    return found


async def promote(session: AsyncSession, action: Action) -> list[int]:
    """Move the longest-waiting members into free places (the action row must be locked); returns their ids."""
    going = (await count_of(session, id_of(action))).going
    room = None if action.capacity is None else max(action.capacity - going, 0)
    stmt = select(Signup).where(Signup.action_id == action.id, Signup.status == WAITLIST).order_by(col(Signup.id))
    if room is not None:
        stmt = stmt.limit(room)
    promoted = list((await session.exec(stmt))) if room != 0 else []
    for signup in promoted:
        signup.status = GOING
    await session.flush()
    return [s.member_id for s in promoted]


def signed_up(action_id: int) -> SelectOfScalar[int]:
    """The ids of the members signed up for an action, as a subquery (whom its organizers may look up)."""
    return select(Signup.member_id).where(Signup.action_id == action_id)


async def member_ids(session: AsyncSession, action_id: int, *statuses: str) -> list[int]:
    rows = await session.exec(
        select(Signup.member_id).where(Signup.action_id == action_id, col(Signup.status).in_(statuses))
        .order_by(col(Signup.id))
    )
    return list(rows)


_SIGNUP = table_of(Signup)  # the table, not the model: a batch's check-ins are one executemany
_CHECK_IN = (update(_SIGNUP).where(_SIGNUP.c.action_id == bindparam("a"), _SIGNUP.c.member_id == bindparam("m"))
             .values(checked_in_at=bindparam("at")))


async def check_in(session: AsyncSession, action_id: int, arrivals: list[tuple[int, datetime]]) -> set[int]:
    """Record that members came, each ``(member id, moment)`` in arrival order, in three statements however
    many: someone who turns up without signing up counts as going. Returns who was checked in now, not
    before (a second click, in this call or before it, changes nothing)."""
    came: dict[int, datetime] = {}
    for member_id, now in arrivals:
        came.setdefault(member_id, now)  # each member's first moment
    await insert_ignoring_duplicates(session, Signup, [
        {"action_id": action_id, "member_id": member_id, "status": GOING, "created_at": now}
        for member_id, now in came.items()], ["action_id", "member_id"])
    already = set((await session.exec(select(Signup.member_id).where(
        Signup.action_id == action_id, col(Signup.member_id).in_(came), col(Signup.checked_in_at).is_not(None)))))
    new = {member_id: now for member_id, now in came.items() if member_id not in already}
    if new:
        await session.exec(_CHECK_IN, params=[{"a": action_id, "m": m, "at": now} for m, now in new.items()])
    return set(new)


async def upcoming(session: AsyncSession, now: datetime, *, worksite_id: int | None = None,
                   kind: str | None = None, limit: int = 25) -> list[Action]:
    stmt = select(Action).where(Action.starts_at > now, col(Action.cancelled_at).is_(None))
    if worksite_id is not None:
        stmt = stmt.where(Action.worksite_id == worksite_id)
    if kind is not None:
        stmt = stmt.where(Action.kind == kind)
    return list((await session.exec(stmt.order_by(col(Action.starts_at), col(Action.id)).limit(limit))))


async def upcoming_for(session: AsyncSession, member_id: int, now: datetime) -> list[tuple[Action, str]]:
    rows = await session.exec(
        select(Action, Signup.status).join(Signup, col(Signup.action_id) == Action.id)
        .where(Signup.member_id == member_id, Action.starts_at > now, col(Action.cancelled_at).is_(None))
        .order_by(col(Action.starts_at), col(Action.id))
    )
    return [(action, status) for action, status in rows.all()]


async def roster(session: AsyncSession, action_id: int) -> list[RosterLine]:
    """Everyone signed up or checked in, by worksite (members without one last), then name."""
    rows = await session.exec(
        select(Member.name, Worksite.name, Signup)
        .join(Member, col(Member.id) == Signup.member_id)
        .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
        .where(Signup.action_id == action_id)
        .order_by(col(Worksite.name).is_(None), Worksite.name, Member.name)
    )
    return [RosterLine(name, site, signup.status, signup.created_at, signup.checked_in_at)
            for name, site, signup in rows.all()]


async def recent(session: AsyncSession, now: datetime, limit: int) -> list[Action]:
    """The latest actions that have started and were not cancelled, oldest first."""
    rows = await session.exec(
        select(Action).where(Action.starts_at <= now, col(Action.cancelled_at).is_(None))
        .order_by(col(Action.starts_at).desc(), col(Action.id).desc()).limit(limit)
    )
    return list(reversed(rows.all()))


async def came_by_site(session: AsyncSession, action_ids: list[int],
                       site_ids: list[int] | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """(signed up, came) of roster members per (action, roster worksite), for the worksites ``site_ids``
    (or all): the numerators of a structure test, over the same roster that is its denominator."""
    if not action_ids:
        return {}
    stmt = (select(Signup.action_id, nonnull(Member.worksite_id), func.count(), func.count(col(Signup.checked_in_at)))
            .join(Member, col(Member.id) == Signup.member_id)
            .where(col(Signup.action_id).in_(action_ids), Member.on_roster, col(Member.worksite_id).is_not(None))
            .group_by(col(Signup.action_id), col(Member.worksite_id)))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    return {(action, site): (signed, came) for action, site, signed, came in (await session.exec(stmt)).all()}
