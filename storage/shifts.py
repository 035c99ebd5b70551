"""Picket shifts: one row per site and time slot, with its capacity, staffing minimum and captain, and who
signed up for each.

``day`` is the shift's local date in the campaign timezone, stored so that hours per day and week
are grouped without timezone arithmetic in SQL. A site never has two shifts with the same start and
end: a plan run twice adds nothing the second time.

A signup is ``going`` or ``waitlist``, as for actions (:mod:`storage.actions`): every change to who is going
happens with the shift's row locked, and the waitlist is served in signup order. A member is on no two
shifts that overlap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, UniqueConstraint, case, delete, func
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.actions import GOING, WAITLIST, Joined
from storage.members import Member, Worksite
from storage.sql import id_of, insert_ignoring_duplicates, locked, nonnull
from storage.types import UTCDateTime


class Shift(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("worksite_id", "starts_at", "ends_at"),
                      Index("ix_shift_starts_at", "starts_at"),
                      Index("ix_shift_day", "day", "worksite_id"))

    id: int | None = Field(default=None, primary_key=True)
    worksite_id: int = Field(sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_column=Column(Date, nullable=False))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int | None = None
    minimum: int
    captain_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ShiftSignup(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("shift_id", "member_id"),
                      Index("ix_shiftsignup_shift_status", "shift_id", "status"))

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(sa_column=Column(Integer, ForeignKey("shift.id", ondelete="CASCADE"), nullable=False))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    status: str = Field(default=GOING, max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime)


async def site_ids(session: AsyncSession, keys: frozenset[str] | None) -> dict[str, int]:
    """Worksite ids by key: every site (``keys`` None) or those with ``keys``."""
    stmt = select(Worksite.key, nonnull(Worksite.id))
    if keys is not None:
        stmt = stmt.where(col(Worksite.key).in_(keys))
    return dict((await session.exec(stmt)).all())


async def plan(session: AsyncSession, worksite_ids: Sequence[int], slots: Sequence[tuple[date, datetime, datetime]],
               *, capacity: int | None, minimum: int, by: int | None, now: datetime) -> int:
    """Every slot at every site in one multi-row insert; a slot a site already has is skipped.
    Returns how many shifts are new."""
    rows = [{"worksite_id": site, "day": day, "starts_at": start, "ends_at": end, "capacity": capacity,
             "minimum": minimum, "captain_id": None, "created_by": by, "created_at": now, "cancelled_at": None}
            for site in worksite_ids for day, start, end in slots]
    return await insert_ignoring_duplicates(session, Shift, rows, ["worksite_id", "starts_at", "ends_at"])


async def get(session: AsyncSession, shift_id: int, *, lock: bool = False) -> Shift | None:
    stmt = select(Shift).where(Shift.id == shift_id)
    return (await session.exec(locked(stmt) if lock else stmt)).one_or_none()


async def at_site(session: AsyncSession, worksite_id: int, starts_at: datetime, ends_at: datetime) -> Shift | None:
    return (await session.exec(select(Shift).where(Shift.worksite_id == worksite_id, Shift.starts_at == starts_at,
                                                   Shift.ends_at == ends_at))).one_or_none()


async def upcoming(session: AsyncSession, now: datetime, *, worksite_id: int | None = None, day: date | None = None,
                   first_site: int | None = None, limit: int = 12) -> list[tuple[Shift, str, str | None]]:
    """Shifts not yet over and not cancelled, with their site's and captain's names: ``first_site``'s
    first, then by start."""
    stmt = (select(Shift, Worksite.name, Member.name).join(Worksite, col(Worksite.id) == Shift.worksite_id)
            .outerjoin(Member, col(Member.id) == Shift.captain_id)
            .where(Shift.ends_at > now, col(Shift.cancelled_at).is_(None)))
    if worksite_id is not None:
        stmt = stmt.where(Shift.worksite_id == worksite_id)
    if day is not None:
        stmt = stmt.where(Shift.day == day)
    order: list[SQLCoreOperations[Any]] = [col(Shift.starts_at), col(Worksite.name), col(Shift.id)]
    if first_site is not None:
        order.insert(0, col(Shift.worksite_id) != first_site)
    rows = await session.exec(stmt.order_by(*order).limit(limit))
    return [(shift, site, captain) for shift, site, captain in rows.all()]


async def count_upcoming(session: AsyncSession, now: datetime, *, worksite_id: int | None = None,
                         day: date | None = None) -> int:
    stmt = select(func.count()).select_from(Shift).where(Shift.ends_at > now, col(Shift.cancelled_at).is_(None))
    if worksite_id is not None:
        stmt = stmt.where(Shift.worksite_id == worksite_id)
    if day is not None:
        stmt = stmt.where(Shift.day == day)
    return (await session.exec(stmt)).one()


async def counts(session: AsyncSession, shift_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(going, waitlisted) per shift."""
    rows = await session.exec(
        select(ShiftSignup.shift_id, func.sum(case((col(ShiftSignup.status) == GOING, 1), else_=0)),
               func.sum(case((col(ShiftSignup.status) == WAITLIST, 1), else_=0)))
        .where(col(ShiftSignup.shift_id).in_(shift_ids)).group_by(col(ShiftSignup.shift_id)))
    return {shift_id: (int(going or 0), int(waiting or 0)) for shift_id, going, waiting in rows.all()}


async def signup_of(session: AsyncSession, shift_id: int, member_id: int) -> ShiftSignup | None:
    return (await session.exec(select(ShiftSignup).where(ShiftSignup.shift_id == shift_id,
                                                         ShiftSignup.member_id == member_id))).one_or_none()


async def clash(session: AsyncSession, member_id: int, shift: Shift, *, besides: int | None = None) -> Shift | None:
    """A shift not cancelled, other than ``shift`` (and ``besides``), that the member is signed up for and
    that overlaps it."""
    stmt = (select(Shift).join(ShiftSignup, col(ShiftSignup.shift_id) == Shift.id)
            .where(ShiftSignup.member_id == member_id, Shift.id != shift.id, col(Shift.cancelled_at).is_(None),
                   Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at))
    if besides is not None:
        stmt = stmt.where(Shift.id != besides)
    return (await session.exec(stmt.limit(1))).first()


async def join(session: AsyncSession, shift: Shift, member_id: int, now: datetime) -> Joined:
    """Sign a member up (the shift's row locked): going if there is room, else waitlisted; a second join
    changes nothing."""
    shift_id = id_of(shift)
    signup = await signup_of(session, shift_id, member_id)
    if signup is not None:
        return Joined(signup.status, False, await _place(session, signup) if signup.status == WAITLIST else None)
    going, waiting = (await counts(session, [shift_id])).get(shift_id, (0, 0))
    status = WAITLIST if shift.capacity is not None and going >= shift.capacity else GOING
    session.add(ShiftSignup(shift_id=shift_id, member_id=member_id, status=status, created_at=now))
    await session.flush()
    return Joined(status, True, waiting + 1 if status == WAITLIST else None)


async def _place(session: AsyncSession, signup: ShiftSignup) -> int:
    """1 for the longest-waiting member."""
    return (await session.exec(select(func.count()).where(ShiftSignup.shift_id == signup.shift_id,
                                                          ShiftSignup.status == WAITLIST,
                                                          col(ShiftSignup.id) <= signup.id))).one()


async def leave(session: AsyncSession, shift_id: int, member_id: int) -> ShiftSignup | None:
    """Remove a signup (the shift's row locked); returns what was removed."""
    signup = await signup_of(session, shift_id, member_id)
    if signup is not None:
        await session.exec(delete(ShiftSignup).where(col(ShiftSignup.id) == signup.id))
    return signup


async def promote(session: AsyncSession, shift: Shift) -> list[int]:
    """Move the longest-waiting into free places (the shift's row locked); returns their member ids."""
    going = (await counts(session, [id_of(shift)])).get(id_of(shift), (0, 0))[0]
    stmt = (select(ShiftSignup).where(ShiftSignup.shift_id == shift.id, ShiftSignup.status == WAITLIST)
            .order_by(col(ShiftSignup.id)))
    if shift.capacity is not None:
        stmt = stmt.limit(max(shift.capacity - going, 0))
    promoted = list((await session.exec(stmt)))
    for signup in promoted:
        signup.status = GOING
    await session.flush()
    return [signup.member_id for signup in promoted]


def signed_up(shift_id: int) -> SelectOfScalar[int]:
    """The ids of the members signed up for a shift, as a subquery (whom its captain may look up)."""
    return select(ShiftSignup.member_id).where(ShiftSignup.shift_id == shift_id)


async def member_ids(session: AsyncSession, shift_id: int, *statuses: str) -> list[int]:
    rows = await session.exec(select(ShiftSignup.member_id).where(ShiftSignup.shift_id == shift_id,
                                                                  col(ShiftSignup.status).in_(statuses))
                              .order_by(col(ShiftSignup.id)))
    return list(rows)


async def upcoming_for(session: AsyncSession, member_id: int, now: datetime) -> list[tuple[Shift, str, str]]:
    """The member's shifts not yet over, with each one's site and the member's status."""
    rows = await session.exec(
        select(Shift, Worksite.name, ShiftSignup.status).join(ShiftSignup, col(ShiftSignup.shift_id) == Shift.id)
        .join(Worksite, col(Worksite.id) == Shift.worksite_id)
        .where(ShiftSignup.member_id == member_id, Shift.ends_at > now, col(Shift.cancelled_at).is_(None))
        .order_by(col(Shift.starts_at), col(Shift.id)))
    return [(shift, site, status) for shift, site, status in rows.all()]
