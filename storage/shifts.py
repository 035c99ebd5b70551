"""Picket shifts: one row per site and time slot, with its capacity, staffing minimum and captain.

``day`` is the shift's local date in the campaign timezone, stored so that hours per day and week
are grouped without timezone arithmetic in SQL. A site never has two shifts with the same start and
end: a plan run twice adds nothing the second time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, UniqueConstraint, func, select
from sqlmodel import Column, Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member, Worksite
from storage.sql import insert_ignoring_duplicates, locked
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


async def site_ids(session: AsyncSession, keys: frozenset[str] | None) -> dict[str, int]:
    """Worksite ids by key: every site (``keys`` None) or those with ``keys``."""
    stmt = select(Worksite.key, Worksite.id)
    if keys is not None:
        stmt = stmt.where(Worksite.key.in_(keys))
    return dict((await session.exec(stmt)).all())


async def plan(session: AsyncSession, worksite_ids: Sequence[int], slots: Sequence[tuple[date, datetime, datetime]],
               *, capacity: int | None, minimum: int, by: int | None, now: datetime) -> int:
    """Every slot at every site in one multi-row insert; a slot a site already has is skipped.
    Returns how many shifts are new."""
    rows = [{"worksite_id": site, "day": day, "starts_at": start, "ends_at": end, "capacity": capacity,
             "minimum": minimum, "captain_id": None, "created_by": by, "created_at": now, "cancelled_at": None}
            for site in worksite_ids for day, start, end in slots]
    return await insert_ignoring_duplicates(session, Shift.__table__, rows, ["worksite_id", "starts_at", "ends_at"])


async def get(session: AsyncSession, shift_id: int, *, lock: bool = False) -> Shift | None:
    stmt = select(Shift).where(Shift.id == shift_id)
    return (await session.exec(locked(stmt) if lock else stmt)).scalar_one_or_none()


async def at_site(session: AsyncSession, worksite_id: int, starts_at: datetime, ends_at: datetime) -> Shift | None:
    return (await session.exec(select(Shift).where(Shift.worksite_id == worksite_id, Shift.starts_at == starts_at,
                                                   Shift.ends_at == ends_at))).scalar_one_or_none()


async def upcoming(session: AsyncSession, now: datetime, *, worksite_id: int | None = None, day: date | None = None,
                   first_site: int | None = None, limit: int = 12) -> list[tuple[Shift, str, str | None]]:
    """Shifts not yet over and not cancelled, with their site's and captain's names: ``first_site``'s
    first, then by start."""
    stmt = (select(Shift, Worksite.name, Member.name).join(Worksite, Worksite.id == Shift.worksite_id)
            .outerjoin(Member, Member.id == Shift.captain_id)
            .where(Shift.ends_at > now, Shift.cancelled_at.is_(None)))
    if worksite_id is not None:
        stmt = stmt.where(Shift.worksite_id == worksite_id)
    if day is not None:
        stmt = stmt.where(Shift.day == day)
    order = [Shift.starts_at, Worksite.name, Shift.id]
    if first_site is not None:
        order.insert(0, (Shift.worksite_id != first_site))
    return [tuple(row) for row in (await session.exec(stmt.order_by(*order).limit(limit))).all()]


async def count_upcoming(session: AsyncSession, now: datetime, *, worksite_id: int | None = None,
                         day: date | None = None) -> int:
    stmt = select(func.count()).select_from(Shift).where(Shift.ends_at > now, Shift.cancelled_at.is_(None))
    if worksite_id is not None:
        stmt = stmt.where(Shift.worksite_id == worksite_id)
    if day is not None:
        stmt = stmt.where(Shift.day == day)
    return (await session.exec(stmt)).scalar_one()
