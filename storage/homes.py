"""Members' own pages on a platform that keeps one per member (a home tab): who opened theirs, and the outbox
rows that publish it again.

A page is composed when its row is sent, from what the database holds then (:mod:`bot.home`), so a row
carries no content: only the account, and the claims and locale of the moment it was queued, which decide
the role and language the page is composed for. Rows coalesce by window: every change of a member's page
within one ``window`` is one row (its ``dedupe`` key names the window), due when the window ends; opening
the page is another row per window, due at once. So a member's page is published at most twice a window
however much they click, and a change is never lost: one made after its window's row was taken by a worker
goes to the next window's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, or_, tuple_
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage.lease import PENDING
from storage.pledges import Pledge, PledgeSignature
from storage.readiness import ReadinessPoll
from storage.sql import nonnull, upsert
from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime

KIND = "home"  # the outbox rows' kind


class HomeTab(SQLModel, table=True):
    """An account whose member opened their page at least once: only theirs is published again on a change."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    platform: str = Field(max_length=PLATFORM_NAME)
    user_id: str = Field(max_length=ACCOUNT_ID)
    opened_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True)
class Publish:
    """One page to publish: the account's tab, and what the platform vouched for when it was asked."""

    tab_id: int
    member_id: int
    platform: str
    user_id: str
    claims: tuple[str, ...] = ()
    locale: str | None = None


async def opened(session: AsyncSession, member_id: int, platform: str, user_id: str, now: datetime) -> int:
    """Record that the account opened its page; returns its tab's id."""
    await upsert(session, HomeTab, {"member_id": member_id, "platform": platform, "user_id": user_id,
                                    "opened_at": now}, ["platform", "user_id"], ["member_id", "opened_at"])
    found = await session.exec(select(nonnull(HomeTab.id)).where(HomeTab.platform == platform,
                                                                HomeTab.user_id == user_id))
    return found.one()


async def tabs(session: AsyncSession, accounts: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The tab ids of those of ``accounts`` (platform, user id) that opened their page."""
    if not accounts:
        return {}
    rows = await session.exec(select(HomeTab.platform, HomeTab.user_id, nonnull(HomeTab.id))
                              .where(tuple_(HomeTab.platform, HomeTab.user_id).in_(list(accounts))))
    return {(platform, user_id): tab_id for platform, user_id, tab_id in rows.all()}


def window_end(now: datetime, window: timedelta, later: int = 0) -> datetime:
    """The end of the window ``now`` falls in (windows are counted from the epoch, the same in every process),
    or of the ``later``-th window after it."""
    size = window.total_seconds()
    return datetime.fromtimestamp((math.floor(now.timestamp() / size) + 1 + later) * size, UTC)


async def queue(session: AsyncSession, pages: Sequence[Publish], now: datetime, window: timedelta, *,
                opening: bool) -> None:
    """Queue each page once per window: ``opening`` at once (the member is looking), a change at the window's end.
    A change whose window's row is already claimed or sent goes to the next window."""
    end = window_end(now, window)
    rows = [_row(page, now if opening else end, end, "open" if opening else "change") for page in pages]
    if await outbox.add(session, rows, now) == len(rows) or opening:
        return
    taken = await session.exec(select(nonnull(outbox.OutboxItem.dedupe)).where(
        col(outbox.OutboxItem.dedupe).in_([r["dedupe"] for r in rows]),
        or_(col(outbox.OutboxItem.status) != PENDING, col(outbox.OutboxItem.claimed_by).is_not(None))))
    late = set(taken.all())
    following = window_end(now, window, later=1)
    await outbox.add(session, [_row(page, following, following, "change")
                               for page, row in zip(pages, rows) if row["dedupe"] in late], now)


def _row(page: Publish, due: datetime, end: datetime, reason: str) -> dict[str, Any]:
    return {"kind": KIND, "platform": page.platform, "target": page.user_id, "member_id": page.member_id,
            "payload": {"claims": list(page.claims), "locale": page.locale}, "due_at": due, "status": PENDING,
            "attempts": 0, "dedupe": f"home:{page.tab_id}:{reason}:{int(end.timestamp())}"}


async def open_polls(session: AsyncSession, now: datetime, limit: int) -> list[ReadinessPoll]:
    """The newest readiness polls still open, newest first."""
    rows = await session.exec(select(ReadinessPoll).where(col(ReadinessPoll.closed_at).is_(None))
                              .order_by(col(ReadinessPoll.id).desc()).limit(limit * 2))
    return [poll for poll in rows if not poll.is_closed(now)][:limit]


async def pledges_to_sign(session: AsyncSession, member_id: int | None, site_id: int | None, now: datetime,
                          limit: int) -> list[Pledge]:
    """The newest open pledges for the member's worksite that they have not signed, newest first."""
    stmt = select(Pledge).where(col(Pledge.closed_at).is_(None)).order_by(col(Pledge.id).desc()).limit(limit * 4)
    if member_id is not None:
        signed = select(PledgeSignature.pledge_id).where(PledgeSignature.member_id == member_id)
        stmt = stmt.where(col(Pledge.id).not_in(signed))
    return [p for p in await session.exec(stmt) if not p.is_closed(now) and p.covers(site_id)][:limit]
