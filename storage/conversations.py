"""The one-on-one log: every organizing conversation, who had it with whom and when, its 1–5 assessment and
notes. History is kept (the latest score is also :class:`storage.assessments.Assessment`, which tallies count).

``organizer_id`` is set to NULL when the organizer is forgotten: what they recorded about someone else stays
that person's history, under no name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import aliased
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import assessments
from storage.members import Member
from storage.types import UTCDateTime

NOTES_MAX = 500  # as Assessment.note


class Conversation(SQLModel, table=True):
    __table_args__ = (Index("ix_conversation_member_at", "member_id", "talked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False))
    organizer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )
    score: int
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    talked_at: datetime = Field(sa_type=UTCDateTime)


class Entry(NamedTuple):
    """One conversation as it is shown: the organizer's name (None once they were forgotten)."""

    talked_at: datetime
    organizer: str | None
    organizer_id: int | None
    score: int
    notes: str | None


async def record(session: AsyncSession, member_id: int, organizer_id: int | None, score: int, notes: str | None,
                 now: datetime) -> None:
    """Log a conversation and make its score the member's current assessment."""
    session.add(Conversation(member_id=member_id, organizer_id=organizer_id, score=score, notes=notes,
                             talked_at=now))
    await assessments.assess(session, member_id, score, notes, organizer_id, now)


async def history(session: AsyncSession, member_id: int, limit: int | None = None) -> list[Entry]:
    """A member's conversations, newest first."""
    organizer = aliased(Member)
    stmt = (select(Conversation, organizer.name)
            .outerjoin(organizer, col(organizer.id) == Conversation.organizer_id)
            .where(Conversation.member_id == member_id)
            .order_by(col(Conversation.talked_at).desc(), col(Conversation.id).desc()))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [Entry(talk.talked_at, name, talk.organizer_id, talk.score, talk.notes)
            for talk, name in (await session.exec(stmt)).all()]


async def recent_by_others(session: AsyncSession, member_id: int, organizer_id: int | None, now: datetime,
                           days: int) -> list[Entry]:
    """Conversations with the member in the last ``days`` by anyone but ``organizer_id``, newest first."""
    since = now - timedelta(days=days)
    return [e for e in await history(session, member_id)
            if e.talked_at >= since and (organizer_id is None or e.organizer_id != organizer_id)]
