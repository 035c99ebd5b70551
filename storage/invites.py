"""Invitations to an action: who invited whom, so a signup after an invitation counts for the one who asked.

The first invitation of a member to an action is the one kept: a second inviter sends no second DM and takes
no credit from the first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignoring_duplicates
from storage.types import UTCDateTime


class Invite(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("action_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(sa_column=Column(Integer, ForeignKey("action.id", ondelete="CASCADE"), nullable=False))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    invited_by: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                             index=True))
    invited_at: datetime = Field(sa_type=UTCDateTime)


async def invite(session: AsyncSession, action_id: int, member_ids: Sequence[int], by: int,
                 now: datetime) -> list[int]:
    """Records ``by``'s invitation of each member not yet invited to the action; returns those, in order."""
    known = set((await session.exec(select(Invite.member_id).where(
        Invite.action_id == action_id, col(Invite.member_id).in_(member_ids)))).all())
    new = [member_id for member_id in member_ids if member_id not in known]
    await insert_ignoring_duplicates(session, Invite, [
        {"action_id": action_id, "member_id": member_id, "invited_by": by, "invited_at": now} for member_id in new],
        ["action_id", "member_id"])
    return new
