"""Captains (Contract Action Team members) and their lists: one captain per site for about ten coworkers.

A captain appointed with ``/member captain`` is a row here (captains config names are recognised from their
claims, :func:`bot.permissions.resolve_role`); a member is on at most one captain's list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, case, delete, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.members import Member, Worksite
from storage.types import UTCDateTime


class Captain(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False))
    worksite_id: int = Field(sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="CASCADE"), nullable=False))
    appointed_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    appointed_at: datetime = Field(sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """A member on a captain's list."""

    __table_args__ = (UniqueConstraint("member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False))
    captain_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    assigned_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    assigned_at: datetime = Field(sa_type=UTCDateTime)


async def site_of(session: AsyncSession, member_id: int) -> Worksite | None:
    """The worksite a member is an appointed captain at, if any."""
    return (await session.exec(select(Worksite).join(Captain, col(Captain.worksite_id) == Worksite.id)
                               .where(col(Captain.member_id) == member_id))).first()


async def appoint(session: AsyncSession, member_id: int, worksite_id: int, by: int | None, now: datetime) -> bool:
    """Make a member the captain at a site; False when they already were."""
    held = (await session.exec(select(Captain).where(col(Captain.member_id) == member_id))).one_or_none()
    if held is not None and held.worksite_id == worksite_id:
        return False
    if held is None:
        session.add(Captain(member_id=member_id, worksite_id=worksite_id, appointed_by=by, appointed_at=now))
    else:
        held.worksite_id, held.appointed_by, held.appointed_at = worksite_id, by, now
        await session.exec(delete(Assignment).where(col(Assignment.captain_id) == member_id))
    return True


async def step_down(session: AsyncSession, member_id: int) -> int:
    """No longer a captain; their people go back to nobody's list. Returns how many."""
    freed = await list_size(session, member_id)
    await session.exec(delete(Assignment).where(col(Assignment.captain_id) == member_id))
    await session.exec(delete(Captain).where(col(Captain.member_id) == member_id))
    return freed


def people_of(captain_id: int) -> SelectOfScalar[int]:
    """The member ids on a captain's list, as a subquery (whom the captain may look up)."""
    return select(Assignment.member_id).where(Assignment.captain_id == captain_id)


async def list_size(session: AsyncSession, captain_id: int) -> int:
    return (await session.exec(select(func.count()).select_from(Assignment)
                               .where(col(Assignment.captain_id) == captain_id))).one()


async def captain_of(session: AsyncSession, member_id: int) -> Member | None:
    return (await session.exec(select(Member).join(Assignment, col(Assignment.captain_id) == Member.id)
                               .where(col(Assignment.member_id) == member_id))).first()


async def assign(session: AsyncSession, captain_id: int, member_ids: list[int], by: int | None,
                 now: datetime) -> list[int]:
    """Put members on a captain's list, off any other; returns those who were on someone else's."""
    moved = list((await session.exec(select(Assignment.member_id).where(
        col(Assignment.member_id).in_(member_ids), Assignment.captain_id != captain_id))))
    held = set(await session.exec(people_of(captain_id)))
    await session.exec(delete(Assignment).where(col(Assignment.member_id).in_(moved)))
    for member_id in member_ids:
        if member_id not in held:
            session.add(Assignment(member_id=member_id, captain_id=captain_id, assigned_by=by, assigned_at=now))
    return moved


async def people(session: AsyncSession, captain_id: int) -> list[Member]:
    return list((await session.exec(select(Member).where(col(Member.id).in_(people_of(captain_id)))
                                    .order_by(Member.name, col(Member.id)))))


async def unassigned(session: AsyncSession, worksite_id: int, exclude: set[int], limit: int,
                     department: str | None = None) -> list[Member]:
    """Roster members of a site on nobody's list and captain of none, by name; those of ``department`` first
    (a captain reaches the coworkers they work beside)."""
    captains = select(Captain.member_id)
    first = [case((col(Member.department) == department, 0), else_=1)] if department is not None else []
    stmt = (select(Member).where(col(Member.on_roster), col(Member.worksite_id) == worksite_id,
                                 col(Member.id).not_in(select(Assignment.member_id)), col(Member.id).not_in(captains))
            .order_by(*first, Member.name, col(Member.id)).limit(limit + len(exclude)))
    return [m for m in (await session.exec(stmt)) if m.id not in exclude][:limit]
