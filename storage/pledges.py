"""Pledges: public, signed commitments ("I will vote YES to authorize a strike") and who signed them.

A pledge is the opposite of an anonymous poll: a signature names its member on purpose, so the
organizing team sees who signed. Nothing here reads or writes readiness answers, and nothing in
:mod:`storage.readiness` reads signatures: the two never share a table or a query.

The tally counts signatures of roster members at their roster worksite (the share of the whole
roster, as every structure test), one ``GROUP BY`` per pledge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, bindparam, delete, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member, Worksite
from storage.sql import inserted_keys, locked, nonnull
from storage.types import UTCDateTime


class Pledge(SQLModel, table=True):
    """``site_ids`` is the pledge's scope (None: every worksite); ``threshold`` None means the campaign's."""

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=300)
    threshold: float | None = None
    site_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(sa_type=UTCDateTime)

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and self.closes_at <= now)

    def covers(self, site_id: int | None) -> bool:
        return self.site_ids is None or site_id in self.site_ids


class PledgeSignature(SQLModel, table=True):
    pledge_id: int = Field(sa_column=Column(Integer, ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True,
                                            index=True))
    signed_at: datetime = Field(sa_type=UTCDateTime)


async def create(session: AsyncSession, **values: Any) -> Pledge:
    pledge = Pledge(**values)
    session.add(pledge)
    await session.flush()
    return pledge


_BY_ID = select(Pledge).where(Pledge.id == bindparam("pledge_id"))
_LOCKS = {None: _BY_ID, "share": _BY_ID.with_for_update(read=True), "update": locked(_BY_ID)}


async def get(session: AsyncSession, pledge_id: int, *, lock: str | None = None) -> Pledge | None:
    """``lock="share"`` for signing and withdrawing (side by side; a close waits for them), ``"update"`` for
    closing, so no signature lands after a close."""
    return (await session.exec(_LOCKS[lock], params={"pledge_id": pledge_id})).one_or_none()


async def sign(session: AsyncSession, pledge_id: int, signers: list[tuple[int, datetime]]) -> set[int]:
    """Sign for members, each ``(member id, moment)`` in arrival order, in one insert; returns who signed
    now. A second click, in this call or before it, is still one signature, dated by the first."""
    rows: dict[int, dict[str, Any]] = {}
    for member_id, now in signers:
        rows.setdefault(member_id, {"pledge_id": pledge_id, "member_id": member_id, "signed_at": now})
    new = await inserted_keys(session, PledgeSignature, list(rows.values()), ["pledge_id", "member_id"])
    return {member_id for _pledge, member_id in new}


async def withdraw(session: AsyncSession, pledge_id: int, member_id: int) -> bool:
    result = await session.exec(delete(PledgeSignature).where(col(PledgeSignature.pledge_id) == pledge_id,
                                                              col(PledgeSignature.member_id) == member_id))
    return bool(result.rowcount)


async def count(session: AsyncSession, pledge_id: int) -> int:
    return (await session.exec(select(func.count()).where(PledgeSignature.pledge_id == pledge_id))).one()


async def has_signed(session: AsyncSession, pledge_id: int, member_id: int) -> bool:
    found = await session.exec(select(PledgeSignature.member_id).where(PledgeSignature.pledge_id == pledge_id,
                                                                       PledgeSignature.member_id == member_id))
    return found.first() is not None


async def signed_by_site(session: AsyncSession, pledge_ids: list[int],
                         site_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
    """Roster members who signed, per (pledge, roster worksite), for the worksites ``site_ids`` (or all)."""
    if not pledge_ids:
        return {}
    stmt = (select(PledgeSignature.pledge_id, nonnull(Member.worksite_id), func.count())
            .join(Member, col(Member.id) == PledgeSignature.member_id)
            .where(col(PledgeSignature.pledge_id).in_(pledge_ids), Member.on_roster,
                   col(Member.worksite_id).is_not(None))
            .group_by(col(PledgeSignature.pledge_id), col(Member.worksite_id)))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    return {(pledge, site): n for pledge, site, n in (await session.exec(stmt)).all()}


async def signers(session: AsyncSession, pledge_id: int,
                  site_ids: list[int] | None) -> list[tuple[str | None, Member, datetime]]:
    """Who signed (at ``site_ids``, or everywhere), by worksite and name: for the organizing team's export."""
    stmt = (select(Worksite.name, Member, PledgeSignature.signed_at)
            .join(Member, col(Member.id) == PledgeSignature.member_id)
            .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
            .where(PledgeSignature.pledge_id == pledge_id)
            .order_by(Worksite.name, Member.name, col(Member.id)))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    return [(site, member, at) for site, member, at in (await session.exec(stmt)).all()]


async def signed_by(session: AsyncSession, member_id: int) -> list[Pledge]:
    """The pledges a member signed, for ``/member me``."""
    rows = await session.exec(select(Pledge).join(PledgeSignature, col(PledgeSignature.pledge_id) == Pledge.id)
                              .where(PledgeSignature.member_id == member_id).order_by(col(Pledge.id)))
    return list(rows)
