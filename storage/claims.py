"""Claims of roster rows: an account says "that row is me" (by member id or email), and stays off the
roster until a rep of the row's worksite or a leader confirms it; failed claims are counted, so guessing
rows is slow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, delete, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member, MemberIdentity, Worksite
from storage.types import PLATFORM_NAME, UTCDateTime


class RosterClaim(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("member_id", "row_id"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    row_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                         index=True))
    platform: str = Field(max_length=PLATFORM_NAME)
    account: str = Field(default="", max_length=200)  # the claiming account's name, for the rep
    created_at: datetime = Field(sa_type=UTCDateTime)


class ClaimMiss(SQLModel, table=True):
    """A claim that named no claimable row: only counted, for the rate limit."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    at: datetime = Field(sa_type=UTCDateTime)


async def misses_since(session: AsyncSession, member_id: int, since: datetime) -> int:
    return (await session.exec(select(func.count()).select_from(ClaimMiss).where(
        ClaimMiss.member_id == member_id, ClaimMiss.at >= since))).one()


async def missed(session: AsyncSession, member_id: int, now: datetime) -> None:
    session.add(ClaimMiss(member_id=member_id, at=now))
    await session.flush()


async def claimable(session: AsyncSession, typed: str, platform: str) -> Member | None:
    """The roster row with exactly this member id or email that no account on ``platform`` holds yet."""
    typed = typed.strip()
    linked = select(MemberIdentity.id).where(MemberIdentity.member_id == Member.id,
                                             MemberIdentity.platform == platform).exists()
    rows = (await session.exec(select(Member).where(
        Member.on_roster, ~linked, (col(Member.member_no) == typed) | (func.lower(Member.email) == typed.lower()))
        .limit(2))).all()
    return rows[0] if len(rows) == 1 else None


async def add(session: AsyncSession, member_id: int, row_id: int, platform: str, account: str,
              now: datetime) -> None:
    if (await session.exec(select(RosterClaim.id).where(RosterClaim.member_id == member_id,
                                                        RosterClaim.row_id == row_id))).first() is None:
        session.add(RosterClaim(member_id=member_id, row_id=row_id, platform=platform, account=account,
                                created_at=now))
        await session.flush()


async def pending(session: AsyncSession, site_ids: list[int] | None, *,
                  row_name: str | None = None) -> list[tuple[RosterClaim, Member, str | None]]:
    """Pending claims (of rows at ``site_ids``, or all; of rows called ``row_name``), each with its row and
    the row's worksite, oldest first. There are few: members claim once, reps confirm soon."""
    stmt = (select(RosterClaim, Member, Worksite.name).join(Member, col(Member.id) == RosterClaim.row_id)
            .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    if row_name is not None:
        stmt = stmt.where(func.lower(Member.name) == " ".join(row_name.split()).lower())
    rows = await session.exec(stmt.order_by(col(RosterClaim.id)))
    return [(claim, row, site) for claim, row, site in rows.all()]


async def settle(session: AsyncSession, row_id: int, platform: str) -> None:
    """A row linked on ``platform``: every claim of it from that platform is done with."""
    await session.exec(delete(RosterClaim).where(col(RosterClaim.row_id) == row_id,
                                                 col(RosterClaim.platform) == platform))


async def settled_by_merge(session: AsyncSession, member_id: int) -> None:
    """An account merged into the row it claimed leaves a claim of itself: done with."""
    await session.exec(delete(RosterClaim).where(col(RosterClaim.member_id) == member_id,
                                                 col(RosterClaim.row_id) == member_id))
