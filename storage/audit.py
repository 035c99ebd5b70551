"""The audit trail: who viewed sensitive aggregates or exports (tallies, missing lists, rosters), and when.

Kept apart from members on purpose: an entry keeps the viewer's name even after they leave, and
holds the command line only — never what was shown. A refused attempt is kept too (``refused``): someone
probing for readiness data they may not see is what an organizer most needs to know about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, false
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    viewer: str = Field(max_length=200)
    platform: str = Field(max_length=PLATFORM_NAME)
    user_id: str = Field(max_length=ACCOUNT_ID)
    command: str = Field(max_length=64)
    args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    refused: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


async def recent(session: AsyncSession, limit: int, since: datetime | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    return list((await session.exec(stmt)).all())
