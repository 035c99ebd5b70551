"""Who was on the picket line: one sign-in per member and shift, with the moment in and (once signed out) out,
who recorded it, and whether it was entered afterwards (``late``, a time given with ``at:``).

Members sign themselves in with the code the captain reads out. A code is kept only as a SHA-256 hash
beside its shift, and it finds a shift only while that shift runs; wrong tries are counted per account as
for ``/member link`` codes (:mod:`storage.links`), so guessing stops after ``ACCOUNT_TRIES`` an hour."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    UniqueConstraint,
    case,
    delete,
    false,
    func,
    literal,
    or_,
)
from sqlalchemy import select as core_select
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.links import ACCOUNT_TRIES, ACCOUNT_WINDOW, ALPHABET
from storage.members import Member, Worksite
from storage.shifts import Shift
from storage.sql import greatest, least, nonnull, seconds_between
from storage.types import UTCDateTime

CODE_LENGTH = 6  # 30 bits, typed from a captain's voice; live only while one shift runs, tried 5 times an hour


class PicketSignin(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("shift_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(sa_column=Column(Integer, ForeignKey("shift.id", ondelete="CASCADE"), nullable=False))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    in_at: datetime = Field(sa_type=UTCDateTime)
    out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )


class PicketCode(SQLModel, table=True):
    shift_id: int = Field(sa_column=Column(Integer, ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True))
    digest: str = Field(max_length=64, index=True)


class PicketCodeMiss(SQLModel, table=True):
    """One wrong code typed by a member's account, for the per-account limit."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), index=True))
    at: datetime = Field(sa_type=UTCDateTime)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _typed(text: str) -> str:
    return "".join(text.upper().split()).replace("-", "")


async def signins(session: AsyncSession, shift_id: int, member_ids: Sequence[int]) -> dict[int, PicketSignin]:
    rows = await session.exec(select(PicketSignin).where(PicketSignin.shift_id == shift_id,
                                                         col(PicketSignin.member_id).in_(member_ids)))
    return {row.member_id: row for row in rows}


async def clashes(session: AsyncSession, shift: Shift, member_ids: Sequence[int]) -> dict[int, int]:
    """Members signed in on another shift that overlaps ``shift``, with that shift's id: an hour on two
    lines at once is counted once."""
    rows = await session.exec(
        select(PicketSignin.member_id, nonnull(Shift.id)).join(Shift, col(Shift.id) == PicketSignin.shift_id)
        .where(col(PicketSignin.member_id).in_(member_ids), Shift.id != shift.id, Shift.starts_at < shift.ends_at,
               Shift.ends_at > shift.starts_at))
    return dict(rows.all())


async def sign_in(session: AsyncSession, shift_id: int, member_ids: Sequence[int], at: datetime, *, late: bool,
                  by: int | None) -> None:
    """Sign members in at ``at`` in one multi-row insert (the caller has checked none of them is in yet)."""
    session.add_all([PicketSignin(shift_id=shift_id, member_id=m, in_at=at, late=late, by_id=by) for m in member_ids])
    await session.flush()


async def on_line(session: AsyncSession, shift_id: int) -> list[tuple[PicketSignin, str]]:
    """Everyone signed in on a shift, with their names, in name order."""
    rows = await session.exec(select(PicketSignin, Member.name).join(Member, col(Member.id) == PicketSignin.member_id)
                              .where(PicketSignin.shift_id == shift_id).order_by(Member.name, col(Member.id)))
    return [(signin, name) for signin, name in rows.all()]


async def issue(session: AsyncSession, shift_id: int) -> str:
    """A new code for a shift (replacing its earlier one), as members type it; unique among all codes."""
    await session.exec(delete(PicketCode).where(col(PicketCode.shift_id) == shift_id))
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        taken = select(func.count()).where(PicketCode.digest == _digest(code))
        if not (await session.exec(taken)).one():
            break
    session.add(PicketCode(shift_id=shift_id, digest=_digest(code)))
    await session.flush()
    return f"{code[:3]}-{code[3:]}"


async def may_try(session: AsyncSession, member_id: int, now: datetime) -> bool:
    recent = select(func.count()).where(PicketCodeMiss.member_id == member_id,
                                        PicketCodeMiss.at > now - ACCOUNT_WINDOW)
    return (await session.exec(recent)).one() < ACCOUNT_TRIES


async def redeem(session: AsyncSession, member_id: int, typed: str, now: datetime,
                 opens: timedelta) -> Shift | None:
    """The shift running now (or opening within ``opens``) whose code ``typed`` is, or None, which is
    counted against the account: a code after its shift finds nothing, like a wrong one."""
    code = _typed(typed)
    found = (await session.exec(
        select(Shift).join(PicketCode, col(PicketCode.shift_id) == Shift.id)
        .where(PicketCode.digest == _digest(code), col(Shift.cancelled_at).is_(None), Shift.starts_at <= now + opens,
               Shift.ends_at >= now))).first() if len(code) == CODE_LENGTH else None
    if found is None:
        session.add(PicketCodeMiss(member_id=member_id, at=now))
        await session.flush()
    return found


@dataclass(frozen=True)
class Hours:
    """One member's week on the line: total seconds, and days with at least the strike-pay day's hours."""

    member_id: int
    name: str
    member_no: str | None
    site: str | None
    seconds: float
    pay_days: int


def _seconds_on_line(now: datetime) -> ColumnElement[float]:
    """A sign-in's time on the line, within its shift: not before it starts, not after it ends, and until now
    for someone still signed in."""
    until = literal(now, UTCDateTime)
    start = greatest(PicketSignin.in_at, Shift.starts_at, type_=UTCDateTime())
    end = least(least(func.coalesce(PicketSignin.out_at, Shift.ends_at), Shift.ends_at, type_=UTCDateTime()), until,
                type_=UTCDateTime())
    seconds = seconds_between(start, end)
    return case((seconds > 0, seconds), else_=0.0)


def _per_day(first: date, last: date, now: datetime) -> Select[int, date, float]:
    return (select(PicketSignin.member_id, col(Shift.day), func.sum(_seconds_on_line(now)).label("seconds"))
            .join(Shift, col(Shift.id) == PicketSignin.shift_id)
            .where(Shift.day >= first, Shift.day <= last, col(Shift.cancelled_at).is_(None))
            .group_by(col(PicketSignin.member_id), col(Shift.day)))


async def days_of(session: AsyncSession, member_id: int, first: date, last: date,
                  now: datetime) -> list[tuple[date, float]]:
    """One member's seconds on the line per day."""
    rows = await session.exec(_per_day(first, last, now).where(PicketSignin.member_id == member_id)
                              .order_by(col(Shift.day)))
    return [(day, float(seconds)) for _member, day, seconds in rows.all()]


async def hours(session: AsyncSession, first: date, last: date, now: datetime, *, day_seconds: float,
                site_keys: frozenset[str] | None, member_id: int | None = None) -> list[Hours]:
    """Each member's week (``first`` to ``last``) in two GROUP BYs — per member and day, then per member —
    among the members of ``site_keys`` (None: everyone) and ``member_id``, by site and name."""
    days = _per_day(first, last, now).subquery()
    week = (select(days.c.member_id, func.sum(days.c.seconds).label("seconds"),
                   func.sum(case((days.c.seconds >= day_seconds, 1), else_=0)).label("pay_days"))
            .group_by(days.c.member_id).subquery())
    stmt = (core_select(nonnull(Member.id), col(Member.name), col(Member.member_no), col(Worksite.name),
                        week.c.seconds, week.c.pay_days)
            .join(week, week.c.member_id == Member.id).outerjoin(Worksite, col(Worksite.id) == Member.worksite_id))
    if site_keys is not None:
        visible = col(Worksite.key).in_(site_keys)
        stmt = stmt.where(visible if member_id is None else or_(visible, col(Member.id) == member_id))
    rows = await (await session.connection()).execute(stmt.order_by(col(Worksite.name), col(Member.name),
                                                                    col(Member.id)))
    return [Hours(member_id, name, member_no, site, float(seconds or 0), int(pay or 0))
            for member_id, name, member_no, site, seconds, pay in rows]  # columns: no member objects to build


async def captained_sites(session: AsyncSession, member_id: int, first: date, last: date) -> frozenset[str]:
    """The site keys of the shifts a member captains in a week."""
    rows = await session.exec(select(Worksite.key).join(Shift, col(Shift.worksite_id) == Worksite.id)
                              .where(Shift.captain_id == member_id, Shift.day >= first, Shift.day <= last,
                                     col(Shift.cancelled_at).is_(None)).distinct())
    return frozenset(rows)
