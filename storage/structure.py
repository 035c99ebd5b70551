"""The campaign's ladder of structure tests: one ordered list of actions, readiness polls and pledges,
each with its own threshold and worksite scope. What each test counted lives with its own feature
(check-ins, answers, signatures); this table only says which tests make the ladder, in what order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, func, select, update
from sqlmodel import Column, Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import locked
from storage.types import UTCDateTime

KINDS = ("action", "readiness", "pledge")


class StructureTest(SQLModel, table=True):
    """``position`` is 1 for the first step; ``site_ids`` None means every worksite, ``threshold`` None the
    campaign's ``[readiness] threshold``. ``ref_id`` is the action, poll or pledge, by ``kind``."""

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(index=True)
    kind: str = Field(max_length=16)
    ref_id: int
    threshold: float | None = None
    site_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(sa_type=UTCDateTime)

    def covers(self, site_id: int) -> bool:
        return self.site_ids is None or site_id in self.site_ids


async def ladder(session: AsyncSession, *, lock: bool = False) -> list[StructureTest]:
    """The tests in order; ``lock`` holds them until commit (before any change to the order)."""
    stmt = select(StructureTest).order_by(StructureTest.position, StructureTest.id)
    return list((await session.exec(locked(stmt) if lock else stmt)).scalars())


async def add(session: AsyncSession, **values) -> StructureTest:
    """A new last step."""
    last = (await session.exec(select(func.max(StructureTest.position)))).scalar_one()
    test = StructureTest(position=(last or 0) + 1, **values)
    session.add(test)
    await session.flush()
    return test


async def renumber(session: AsyncSession, tests: list[StructureTest]) -> None:
    """Positions 1, 2, 3… in the order of ``tests`` (all of the ladder, locked)."""
    for position, test in enumerate(tests, 1):
        if test.position != position:
            await session.exec(update(StructureTest).where(StructureTest.id == test.id).values(position=position))
            test.position = position
    await session.flush()
