"""Accounts the bot cannot DM: the platform refused for good (DMs closed to the bot, an account deactivated or
gone). One row per account, written when the refusal comes back; while it stands, a DM to that account is
queued as failed rather than sent again into the same refusal, and the member is listed for someone to reach
in person. The member's next command from that account clears it (they may have opened their DMs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, delete, tuple_
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.lease import FAILED
from storage.members import Member, Worksite
from storage.outbox import OutboxItem
from storage.sql import insert_ignoring_duplicates
from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime

UNREACHED = "unreached"  # the error of a DM queued as failed because its account is here


class UnreachedAccount(SQLModel, table=True):
    __tablename__ = "unreached_account"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    platform: str = Field(max_length=PLATFORM_NAME)
    user_id: str = Field(max_length=ACCOUNT_ID)
    reason: str = Field(max_length=16)  # bot.delivery.Unreachable.CLOSED or .GONE
    detail: str = Field(default="", max_length=200)  # what the platform said, for the log and organizers
    at: datetime = Field(sa_type=UTCDateTime)


async def record(session: AsyncSession, member_id: int, platform: str, user_id: str, reason: str, detail: str,
                 now: datetime) -> None:
    """The first refusal is kept: a second one for the same account says nothing new."""
    await insert_ignoring_duplicates(session, UnreachedAccount, [
        {"member_id": member_id, "platform": platform, "user_id": user_id, "reason": reason, "detail": detail[:200],
         "at": now}], ["platform", "user_id"])


async def among(session: AsyncSession, member_ids: list[int]) -> dict[tuple[str, str], str]:
    """The unreached accounts of these members: ``(platform, user_id)`` → reason."""
    rows = await session.exec(select(UnreachedAccount.platform, UnreachedAccount.user_id, UnreachedAccount.reason)
                              .where(col(UnreachedAccount.member_id).in_(member_ids)))
    return {(platform, user_id): reason for platform, user_id, reason in rows.all()}


async def clear(session: AsyncSession, accounts: Iterable[tuple[str, str]]) -> None:
    """These accounts were used again: the next DM to them is tried."""
    keys = list(accounts)
    if keys:
        await session.exec(delete(UnreachedAccount).where(
            tuple_(UnreachedAccount.platform, UnreachedAccount.user_id).in_(keys)))


class NotReached(NamedTuple):
    """A member to reach in person, at their worksite (None: no worksite known)."""

    name: str
    site: str | None
    reason: str  # bot.delivery.Unreachable.CLOSED or .GONE, or another failure's text


async def listed(session: AsyncSession, site_ids: list[int] | None) -> list[NotReached]:
    """Members with an unreached account, at these worksites (None: every member, those with no site too)."""
    query = (select(Member.name, Worksite.name, UnreachedAccount.reason)
             .join(Member, col(Member.id) == UnreachedAccount.member_id)
             .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id))
    if site_ids is not None:
        query = query.where(col(Member.worksite_id).in_(site_ids))
    rows = await session.exec(query.order_by(Worksite.name, Member.name))
    return [NotReached(*row) for row in dict.fromkeys(rows.all())]


async def of_batch(session: AsyncSession, batch: str, site_ids: list[int] | None) -> list[NotReached]:
    """Members a fan-out's DM did not reach (refused, or given up after its tries), by worksite."""
    query = (select(Member.name, Worksite.name, OutboxItem.error)
             .join(Member, col(Member.id) == OutboxItem.member_id)
             .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
             .where(OutboxItem.batch == batch, OutboxItem.kind == "dm", OutboxItem.status == FAILED))
    if site_ids is not None:
        query = query.where(col(Member.worksite_id).in_(site_ids))
    rows = await session.exec(query.order_by(Worksite.name, Member.name))
    return [NotReached(name, site, _reason(error)) for name, site, error in rows.all()]


def _reason(error: str | None) -> str:
    """A failed row's error as a reason: ``unreached:closed`` for an account already known unreachable."""
    return (error or "").removeprefix(f"{UNREACHED}:")
