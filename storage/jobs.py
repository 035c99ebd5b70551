"""Scheduled jobs (reminders, poll closing): rows claimed with a lease, so each runs exactly once
across any number of bot processes, and a job held by a dead process is taken over after its lease."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, delete, or_
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.lease import FAILED, PENDING
from storage.lease import claim as lease_claim
from storage.sql import locked, upsert
from storage.types import UTCDateTime

DONE = "done"


class Job(SQLModel, table=True):
    __table_args__ = (Index("ix_job_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=64)
    args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=PENDING, max_length=8)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claim_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)


async def schedule(session: AsyncSession, key: str, name: str, due: datetime, args: dict[str, Any]) -> None:
    """Schedule or move a job; moving one that already ran makes it pending again (an action moved later)."""
    row = {"key": key, "name": name, "due_at": due, "args": args, "status": PENDING, "attempts": 0,
           "claimed_by": None, "claim_until": None, "done_at": None, "error": None}
    await upsert(session, Job, row, ["key"], [c for c in row if c != "key"])


async def unschedule(session: AsyncSession, key: str) -> None:
    """Drop pending jobs with this key or under it (``action:7`` also drops ``action:7:remind:24h``)."""
    await session.exec(
        delete(Job).where(col(Job.status) == PENDING,
                          or_(col(Job.key) == key, col(Job.key).startswith(f"{key}:", autoescape=True)))
    )


async def pending_under(session: AsyncSession, key: str) -> list[datetime]:
    """When the jobs still to run under ``key`` are due (``action:7:remind`` gives that action's reminders)."""
    return list((await session.exec(
        select(Job.due_at).where(col(Job.status) == PENDING, col(Job.key).startswith(f"{key}:", autoescape=True))
    )).all())


async def claim(session: AsyncSession, worker: str, now: datetime, lease: timedelta, limit: int,
                max_attempts: int) -> list[Job]:
    """Lease due jobs to ``worker``; taking over a dead worker's job counts as one of its tries."""
    return await lease_claim(session, Job, worker, now, lease, limit, max_attempts=max_attempts)


async def finish(session: AsyncSession, job_id: int, worker: str, now: datetime, error: str | None = None,
                 *, retry_at: datetime | None = None, max_attempts: int) -> bool:
    """Mark done (or failed, or due again) — only if ``worker`` still holds the lease."""
    job = (await session.exec(locked(select(Job).where(Job.id == job_id)))).one_or_none()
    if job is None or job.claimed_by != worker or job.status != PENDING:
        return False
    job.attempts += 1
    job.claimed_by, job.claim_until = None, None
    if error is None:
        job.status, job.done_at = DONE, now
    else:
        job.error = error[:500]
        if retry_at is not None and job.attempts < max_attempts:
            job.due_at = retry_at
        else:
            job.status = FAILED
    await session.flush()
    return True
