"""The durable outbox: every DM, channel post and post edit is a row first, a platform call second.

Rows are written in the same transaction as the change they announce, claimed by a delivery
worker with a lease (``SKIP LOCKED`` on PostgreSQL), and marked sent a few at a time as the platform
accepts them, so a process killed halfway leaves only the unmarked rows for the next worker. A row
whose earlier try may have reached the platform has ``attempts > 0``, which tells the sender to look
before sending again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, and_, case, func, not_, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.lease import FAILED, PENDING
from storage.lease import claim as lease_claim
from storage.sql import insert_ignoring_duplicates, nonnull
from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime

SENT = "sent"


class OutboxItem(SQLModel, table=True):
    __table_args__ = (Index("ix_outbox_due", "status", "platform", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # dm | post | edit | home (storage.homes)
    platform: str = Field(max_length=PLATFORM_NAME)
    target: str = Field(max_length=ACCOUNT_ID)  # user id for a DM, channel id for a post
    ref: str | None = Field(default=None, max_length=100, index=True)
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), index=True)
    )
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    dedupe: str | None = Field(default=None, sa_column=Column(String(200), unique=True))
    batch: str | None = Field(default=None, max_length=100, index=True)
    status: str = Field(default=PENDING, max_length=8)
    due_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claim_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=ACCOUNT_ID)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PostedMessage(SQLModel, table=True):
    """Where a post with a ``ref`` landed, so edits (the live signup count) can find it."""

    __table_args__ = (UniqueConstraint("ref", "platform", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=100, index=True)
    platform: str = Field(max_length=PLATFORM_NAME)
    channel_id: str = Field(max_length=ACCOUNT_ID)
    message_id: str = Field(max_length=ACCOUNT_ID)
    last_edit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def add(session: AsyncSession, rows: list[dict[str, Any]], now: datetime) -> int:
    """Queue rows, created ``now`` and due then unless a row says otherwise; a row whose ``dedupe`` key was
    queued before is skipped (never sent twice)."""
    rows = [{"due_at": now, **row, "created_at": now} for row in rows]
    return await insert_ignoring_duplicates(session, OutboxItem, rows, ["dedupe"])


async def queue_edit(session: AsyncSession, ref: str, payload: dict[str, Any], now: datetime,
                     interval: timedelta) -> None:
    """Coalesce: a pending edit (or a post not yet sent) of the same ref takes the new content instead of
    queueing another call; a new edit waits ``interval`` after the last one sent to that post."""
    pending = await session.exec(
        update(OutboxItem)
        .where(
            col(OutboxItem.ref) == ref,
            col(OutboxItem.status) == PENDING,
            col(OutboxItem.kind).in_(("post", "edit")),
            or_(col(OutboxItem.claimed_by).is_(None), col(OutboxItem.claim_until) < now),
        )
        .values(payload=payload)
    )
    if pending.rowcount:
        return
    posts = (await session.exec(select(PostedMessage).where(PostedMessage.ref == ref))).all()
    for post in posts:
        last = post.last_edit_at
        due = max(now, last + interval) if last else now
        session.add(
            OutboxItem(kind="edit", platform=post.platform, target=post.channel_id, ref=ref, payload=payload,
                       due_at=due, message_id=post.message_id, created_at=now)
        )
    await session.flush()


async def claim(session: AsyncSession, platforms: list[str], worker: str, now: datetime, lease: timedelta,
                limit: int, max_attempts: int, *, pages_paused: Sequence[str] = ()) -> list[OutboxItem]:
    """Lease due rows to ``worker``, but no members' pages (``home`` rows) of the platforms in ``pages_paused``.
    A row taken over from a dead worker has ``attempts`` raised: that worker may have sent it without living
    to mark it, so the sender looks before sending again."""
    where: list[ColumnElement[bool]] = [col(OutboxItem.platform).in_(platforms)]
    if pages_paused:
        where.append(not_(and_(col(OutboxItem.platform).in_(pages_paused), col(OutboxItem.kind) == "home")))
    return await lease_claim(session, OutboxItem, worker, now, lease, limit, max_attempts=max_attempts,
                             where=tuple(where))


async def mark_sent(session: AsyncSession, sent: dict[int, str | None], worker: str, now: datetime) -> set[int]:
    """Record deliveries (row id → the platform's message id) in one statement; returns the ids marked. A
    row whose lease was lost (another worker owns it now) is left alone."""
    if not sent:
        return set()
    marked = await session.exec(
        update(OutboxItem)
        .where(col(OutboxItem.id).in_(sent), col(OutboxItem.claimed_by) == worker, col(OutboxItem.status) == PENDING)
        .values(status=SENT, sent_at=now, message_id=case(sent, value=OutboxItem.id), claimed_by=None,
                claim_until=None, attempts=OutboxItem.attempts + 1)
        .returning(nonnull(OutboxItem.id))
        .execution_options(synchronize_session=False)
    )
    return set(marked.scalars())


async def record_post(session: AsyncSession, item: OutboxItem, message_id: str, now: datetime) -> None:
    if item.ref and item.kind == "post":
        session.add(PostedMessage(ref=item.ref, platform=item.platform, channel_id=item.target, message_id=message_id))
    elif item.ref and item.kind == "edit":
        await session.exec(
            update(PostedMessage)
            .where(col(PostedMessage.ref) == item.ref, col(PostedMessage.platform) == item.platform,
                   col(PostedMessage.channel_id) == item.target)
            .values(last_edit_at=now)
        )


async def renew(session: AsyncSession, item_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
    """Extend ``worker``'s lease on a row; False when another worker took it over (or sent it) meanwhile."""
    result = await session.exec(
        update(OutboxItem)
        .where(col(OutboxItem.id) == item_id, col(OutboxItem.claimed_by) == worker, col(OutboxItem.status) == PENDING)
        .values(claim_until=now + lease)
    )
    return bool(result.rowcount)


async def release(session: AsyncSession, item_id: int, due: datetime, error: str | None, *, give_up: bool,
                  count_attempt: bool = True) -> None:
    """Put a row back for a later try (rate limit, transient error) or mark it failed. A rate limit is not
    a failed try (``count_attempt=False``), so waiting out 429s never uses up ``max_attempts``."""
    await session.exec(
        update(OutboxItem)
        .where(col(OutboxItem.id) == item_id, col(OutboxItem.status) == PENDING)
        .values(status=FAILED if give_up else PENDING, due_at=due, error=(error or "")[:500] or None,
                claimed_by=None, claim_until=None, attempts=OutboxItem.attempts + int(count_attempt))
    )


async def batch_counts(session: AsyncSession, batch: str) -> dict[str, int]:
    rows = await session.exec(
        select(OutboxItem.status, func.count()).where(OutboxItem.batch == batch).group_by(OutboxItem.status)
    )
    return {status: count for status, count in rows.all()}
