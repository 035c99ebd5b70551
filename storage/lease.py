"""The one lease-claim behind the outbox and scheduled jobs: due rows are leased to a worker, and a lease
that ran out (its worker died) is taken over as a counted try, so a row that keeps killing its worker is
failed after ``max_attempts`` instead of being reclaimed forever."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, or_, update
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import locked

PENDING, FAILED = "pending", "failed"
LEASE_RAN_OUT = "its worker stopped before finishing it, too many times"

Row = TypeVar("Row", bound=SQLModel)


async def claim(session: AsyncSession, model: type[Row], worker: str, now: datetime, lease: timedelta, limit: int,
                *, max_attempts: int, where: tuple[ColumnElement[bool], ...] = ()) -> list[Row]:
    """Lease up to ``limit`` due rows of ``model`` (a table with ``id, status, due_at, attempts, claimed_by,
    claim_until, error``) to ``worker``, oldest due first; ``SKIP LOCKED`` lets workers claim side by side."""
    table: Any = model
    free = or_(table.claimed_by.is_(None), table.claim_until < now)
    ids = (
        await session.exec(
            locked(select(table.id).where(table.status == PENDING, table.due_at <= now, free, *where)
                   .order_by(table.due_at, table.id).limit(limit), skip_locked=True)
        )
    ).all()
    if not ids:
        return []
    taken_over = table.claimed_by.is_not(None)
    await session.exec(
        update(table).where(table.id.in_(ids), taken_over, table.attempts + 1 >= max_attempts)
        .values(status=FAILED, attempts=table.attempts + 1, claimed_by=None, claim_until=None, error=LEASE_RAN_OUT)
    )
    await session.exec(
        update(table).where(table.id.in_(ids), table.status == PENDING).values(
            claimed_by=worker, claim_until=now + lease, attempts=table.attempts + case((taken_over, 1), else_=0))
    )
    rows = await session.exec(
        select(table).where(and_(table.id.in_(ids), table.claimed_by == worker)).order_by(table.due_at, table.id))
    return list(rows.all())
