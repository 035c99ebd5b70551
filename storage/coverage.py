"""One-to-ten coverage: per worksite, how many of its roster someone is responsible for (on a captain's list,
or a captain themselves) and how many an organizer talked with lately — each read against the whole roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.captains import Assignment, Captain
from storage.conversations import Conversation
from storage.members import Member, Worksite
from storage.sql import nonnull


@dataclass(frozen=True)
class Coverage:
    site_id: int
    site: str
    roster: int
    covered: int
    talked: int
    part: str | None = None  # the department, shift or grade of a breakdown (None: none on the roster)


async def by_site(session: AsyncSession, since: datetime, site_ids: list[int] | None,
                  by: str | None = None) -> list[Coverage]:
    """Every worksite with a roster (or those of ``site_ids``), in one GROUP BY over the roster; with ``by``
    (one of :data:`storage.members.MAPPING`) a row for each of its values at each site."""
    covered = or_(col(Member.id).in_(select(Assignment.member_id)), col(Member.id).in_(select(Captain.member_id)))
    talked = col(Member.id).in_(select(Conversation.member_id).where(Conversation.talked_at >= since))
    part = [getattr(Member, by)] if by is not None else []
    stmt = (core_select(nonnull(Worksite.id), col(Worksite.name), func.count(),
                        func.sum(case((covered, 1), else_=0)), func.sum(case((talked, 1), else_=0)), *part)
            .join(Member, col(Member.worksite_id) == Worksite.id).where(col(Member.on_roster))
            .group_by(col(Worksite.id), col(Worksite.name), *part))
    if site_ids is not None:
        stmt = stmt.where(col(Worksite.id).in_(site_ids))
    return [Coverage(site_id, name, roster, int(covered or 0), int(talked or 0), *value)
            for site_id, name, roster, covered, talked, *value
            in (await (await session.connection()).execute(stmt)).all()]
