"""Every version of a bargaining update — as posted, each correction, its retraction — with who made it.

The update row holds the current text; a version row is written with each change, so the history of what
members were told is never overwritten. Authors are kept with ``SET NULL``, as on the update itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage.bargaining import BargainingUpdate
from storage.lease import PENDING
from storage.members import Member
from storage.sql import id_of, nonnull
from storage.types import UTCDateTime

POSTED, CORRECTED, RETRACTED = "posted", "corrected", "retracted"


class BargainingVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("update_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_column=Column(Integer, ForeignKey("bargainingupdate.id", ondelete="CASCADE"),
                                            index=True, nullable=False))
    number: int
    kind: str = Field(max_length=16)  # posted | corrected | retracted
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_es: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    topics: str = Field(default="", sa_column=Column(Text, nullable=False))  # comma-separated, as shown
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"),
                                                                 nullable=True))
    changed_at: datetime = Field(sa_type=UTCDateTime)


async def record(session: AsyncSession, update: BargainingUpdate, topics: list[str], kind: str,
                 author_id: int | None, now: datetime, reason: str | None = None) -> BargainingVersion:
    """The update as it stands now, as its next version."""
    last = (await session.exec(select(func.max(BargainingVersion.number))
                               .where(col(BargainingVersion.update_id) == update.id))).one()
    version = BargainingVersion(update_id=id_of(update), number=(last or 0) + 1, kind=kind, title=update.title,
                                body=update.body, body_es=update.body_es, topics=", ".join(topics), reason=reason,
                                author_id=author_id, changed_at=now)
    session.add(version)
    await session.flush()
    return version


async def versions(session: AsyncSession, update_id: int) -> list[tuple[BargainingVersion, str | None]]:
    """Oldest first, each with its author's name (None once they are forgotten)."""
    rows = await session.exec(
        select(BargainingVersion, Member.name)
        .outerjoin(Member, col(Member.id) == BargainingVersion.author_id)
        .where(BargainingVersion.update_id == update_id)
        .order_by(col(BargainingVersion.number)))
    return [(version, name) for version, name in rows.all()]


async def latest(session: AsyncSession, update_ids: list[int]) -> dict[int, BargainingVersion]:
    """The newest version of each update that has one (every update posted since versions were kept)."""
    newest = (select(BargainingVersion.update_id, func.max(BargainingVersion.number).label("number"))
              .where(col(BargainingVersion.update_id).in_(update_ids)).group_by(col(BargainingVersion.update_id)).subquery())
    rows = await session.exec(select(BargainingVersion).join(
        newest, (newest.c.update_id == BargainingVersion.update_id) & (newest.c.number == BargainingVersion.number)))
    return {v.update_id: v for v in rows}


async def recipients(session: AsyncSession, batch: str) -> list[int]:
    """Members the update was sent to, or is on its way to: a DM that failed never reached anyone."""
    rows = await session.exec(
        select(nonnull(outbox.OutboxItem.member_id)).distinct()
        .where(outbox.OutboxItem.batch == batch, outbox.OutboxItem.kind == "dm",
               col(outbox.OutboxItem.status).in_((outbox.SENT, PENDING)), col(outbox.OutboxItem.member_id).is_not(None))
        .order_by(col(outbox.OutboxItem.member_id)))
    return list(rows)
