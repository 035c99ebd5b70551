"""Events a platform lists natively (its own events list), mirrored from the bot's: which copy each platform holds,
and the outbox rows that bring a copy in step.

A row carries no content: the copy is composed when the row is sent, from what the database holds then
(:meth:`bot.app.App.listing`), so one pending row per event and platform is enough however often the event
changes before it goes out. A change made while a row is being sent gets a row of its own, due when that send's
lease ends, so two workers never write one copy at once (two creations would leave two copies in the list).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, delete
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage.lease import PENDING
from storage.sql import upsert
from storage.types import ACCOUNT_ID, PLATFORM_NAME

KIND = "listing"  # the outbox rows' kind


class EventListing(SQLModel, table=True):
    """The platform's copy of the event ``ref`` names (``action:12``), by the platform's own id for it."""

    __tablename__ = "event_listing"
    __table_args__ = (UniqueConstraint("ref", "platform"), Index("ix_event_listing_copy", "platform", "event_id"))

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=100)
    platform: str = Field(max_length=PLATFORM_NAME)
    event_id: str = Field(max_length=ACCOUNT_ID)


async def queue(session: AsyncSession, platforms: Sequence[str], ref: str, lang: str, now: datetime) -> None:
    """Bring each platform's copy of ``ref`` in step, in the language ``lang``: nothing to add where a row not yet
    taken will compose it anyway."""
    for platform in platforms:
        rows = (await session.exec(select(outbox.OutboxItem).where(
            outbox.OutboxItem.kind == KIND, outbox.OutboxItem.platform == platform, outbox.OutboxItem.ref == ref,
            outbox.OutboxItem.status == PENDING))).all()
        if any(row.claimed_by is None or row.claim_until is None or row.claim_until < now for row in rows):
            continue
        due = max([now, *(row.claim_until for row in rows if row.claim_until is not None)])
        await outbox.add(session, [{"kind": KIND, "platform": platform, "target": ref, "ref": ref,
                                    "payload": {"lang": lang}, "due_at": due, "status": PENDING, "attempts": 0,
                                    "dedupe": None}], now)


async def copy_of(session: AsyncSession, ref: str, platform: str) -> str | None:
    """The platform's id for its copy of ``ref``, if it holds one."""
    found = await session.exec(select(EventListing.event_id).where(EventListing.ref == ref,
                                                                  EventListing.platform == platform))
    return found.first()


async def record(session: AsyncSession, ref: str, platform: str, event_id: str | None) -> None:
    """What the platform holds of ``ref`` since the send: a copy by id, or none (it was taken down)."""
    if event_id is None:
        await session.exec(delete(EventListing).where(col(EventListing.ref) == ref,
                                                      col(EventListing.platform) == platform))
    else:
        await upsert(session, EventListing, {"ref": ref, "platform": platform, "event_id": event_id},
                     ["ref", "platform"], ["event_id"])
