"""One-on-one assessments: an organizer's 1–5 rating of a coworker (1 ready to lead … 5 opposed).

A member has one current assessment; a new one replaces it. The tally shows counts per worksite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member
from storage.sql import upsert
from storage.types import UTCDateTime

SCORES = range(1, 6)


class Assessment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False))
    score: int
    note: str | None = Field(default=None, max_length=500)
    assessed_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    assessed_at: datetime = Field(sa_type=UTCDateTime)


async def assess(session: AsyncSession, member_id: int, score: int, note: str | None, by: int | None,
                 now: datetime) -> None:
    row = {"member_id": member_id, "score": score, "note": note, "assessed_by": by, "assessed_at": now}
    await upsert(session, Assessment, row, ["member_id"], ["score", "note", "assessed_by", "assessed_at"])


async def assessment_of(session: AsyncSession, member_id: int) -> Assessment | None:
    return (await session.exec(select(Assessment).where(Assessment.member_id == member_id))).one_or_none()


async def counts_by_site(session: AsyncSession, site_ids: list[int] | None) -> dict[int | None, list[int]]:
    """Roster members per worksite and score: ``{site_id: [count of 1s, …, count of 5s]}``."""
    stmt = (select(Member.worksite_id, Assessment.score, func.count())
            .join(Member, col(Member.id) == Assessment.member_id).where(Member.on_roster)
            .group_by(col(Member.worksite_id), col(Assessment.score)))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    out: dict[int | None, list[int]] = {}
    for site_id, score, count in (await session.exec(stmt)).all():
        if score in SCORES:
            out.setdefault(site_id, [0] * len(SCORES))[score - 1] = count
    return out
