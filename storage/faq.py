"""The rumor-control FAQ: entries by id, each in one language, paired with the same question in the other."""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.bargaining import FaqEntry


async def entries(session: AsyncSession) -> list[FaqEntry]:
    return list((await session.exec(select(FaqEntry).order_by(col(FaqEntry.id)))))


async def pair(session: AsyncSession, first: FaqEntry, second: FaqEntry) -> None:
    """Make two entries one question: each points to the other, and any earlier partner of either is let go."""
    ids = (first.id, second.id)
    await session.exec(update(FaqEntry).where(col(FaqEntry.pair_id).in_(ids), col(FaqEntry.id).not_in(ids))
                       .values(pair_id=None))
    first.pair_id, second.pair_id = second.id, first.id
    session.add_all([first, second])
    await session.flush()


async def unpair(session: AsyncSession, entry: FaqEntry) -> None:
    await session.exec(update(FaqEntry).where(or_(col(FaqEntry.pair_id) == entry.id, col(FaqEntry.id) == entry.id))
                       .values(pair_id=None))
