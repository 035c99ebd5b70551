"""Welcomes: one row per member the bot has welcomed (and the account it heard the join from), so a member who
joins is greeted once, however often a platform tells of it (redeliveries, a join to each of the campaign's
channels, a second platform) and however many bot processes hear it: the unique key decides, not a process's
memory. And the worksites a new member picks from, by what they typed so far."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, case
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import MemberIdentity, Worksite, site_key
from storage.sql import insert_ignoring_duplicates
from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime


class Welcome(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            unique=True))
    platform: str = Field(max_length=PLATFORM_NAME)
    user_id: str = Field(max_length=ACCOUNT_ID)
    at: datetime = Field(sa_type=UTCDateTime)


async def first_welcome(session: AsyncSession, member_id: int, platform: str, user_id: str, now: datetime) -> bool:
    """Record the welcome of this member, heard from this account; True only for the first, in whichever process
    it comes."""
    row = {"member_id": member_id, "platform": platform, "user_id": user_id, "at": now}
    return bool(await insert_ignoring_duplicates(session, Welcome, [row], ["member_id"]))


async def welcomed(session: AsyncSession, platform: str, user_id: str) -> bool:
    """Whether the member of this account was welcomed, from whichever account."""
    found = await session.exec(select(Welcome.id)
                               .join(MemberIdentity, col(MemberIdentity.member_id) == Welcome.member_id)
                               .where(MemberIdentity.platform == platform, MemberIdentity.user_id == user_id).limit(1))
    return found.first() is not None


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def worksites_like(session: AsyncSession, typed: str, limit: int) -> list[str]:
    """Worksite names containing what was typed (case- and space-insensitively), those that start with it first."""
    key = _like(site_key(typed))
    starts = case((col(Worksite.key).like(f"{key}%", escape="\\"), 0), else_=1)
    rows = await session.exec(select(Worksite.name).where(col(Worksite.key).like(f"%{key}%", escape="\\"))
                              .order_by(starts, Worksite.key).limit(limit))
    return list(rows)
