"""Who was on the picket line: one sign-in per member and shift, with the moment in and (once signed out) out,
who recorded it, and whether it was entered afterwards (``late``, a time given with ``at:``).

Members sign themselves in with the code the captain reads out. A code is kept only as a SHA-256 hash
beside its shift, and it finds a shift only while that shift runs; wrong tries are counted per account as
for ``/member link`` codes (:mod:`storage.links`), so guessing stops after ``ACCOUNT_TRIES`` an hour."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, UniqueConstraint, delete, false, func, select
from sqlmodel import Column, Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.links import ACCOUNT_TRIES, ACCOUNT_WINDOW, ALPHABET
from storage.members import Member
from storage.shifts import Shift
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
                                                         PicketSignin.member_id.in_(member_ids)))
    return {row.member_id: row for row in rows.scalars()}


async def clashes(session: AsyncSession, shift: Shift, member_ids: Sequence[int]) -> dict[int, int]:
    """Members signed in on another shift that overlaps ``shift``, with that shift's id: an hour on two
    lines at once is counted once."""
    rows = await session.exec(
        select(PicketSignin.member_id, Shift.id).join(Shift, Shift.id == PicketSignin.shift_id)
        .where(PicketSignin.member_id.in_(member_ids), Shift.id != shift.id, Shift.starts_at < shift.ends_at,
               Shift.ends_at > shift.starts_at))
    return dict(rows.all())


async def sign_in(session: AsyncSession, shift_id: int, member_ids: Sequence[int], at: datetime, *, late: bool,
                  by: int | None) -> None:
    """Sign members in at ``at`` in one multi-row insert (the caller has checked none of them is in yet)."""
    session.add_all([PicketSignin(shift_id=shift_id, member_id=m, in_at=at, late=late, by_id=by) for m in member_ids])
    await session.flush()


async def on_line(session: AsyncSession, shift_id: int) -> list[tuple[PicketSignin, str]]:
    """Everyone signed in on a shift, with their names, in name order."""
    rows = await session.exec(select(PicketSignin, Member.name).join(Member, Member.id == PicketSignin.member_id)
                              .where(PicketSignin.shift_id == shift_id).order_by(Member.name, Member.id))
    return [tuple(row) for row in rows.all()]


async def issue(session: AsyncSession, shift_id: int) -> str:
    """A new code for a shift (replacing its earlier one), as members type it; unique among all codes."""
    await session.exec(delete(PicketCode).where(PicketCode.shift_id == shift_id))
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        taken = select(func.count()).where(PicketCode.digest == _digest(code))
        if not (await session.exec(taken)).scalar_one():
            break
    session.add(PicketCode(shift_id=shift_id, digest=_digest(code)))
    await session.flush()
    return f"{code[:3]}-{code[3:]}"


async def may_try(session: AsyncSession, member_id: int, now: datetime) -> bool:
    recent = select(func.count()).where(PicketCodeMiss.member_id == member_id,
                                        PicketCodeMiss.at > now - ACCOUNT_WINDOW)
    return (await session.exec(recent)).scalar_one() < ACCOUNT_TRIES


async def redeem(session: AsyncSession, member_id: int, typed: str, now: datetime,
                 opens: timedelta) -> Shift | None:
    """The shift running now (or opening within ``opens``) whose code ``typed`` is, or None, which is
    counted against the account: a code after its shift finds nothing, like a wrong one."""
    code = _typed(typed)
    found = (await session.exec(
        select(Shift).join(PicketCode, PicketCode.shift_id == Shift.id)
        .where(PicketCode.digest == _digest(code), Shift.cancelled_at.is_(None), Shift.starts_at <= now + opens,
               Shift.ends_at >= now))).scalars().first() if len(code) == CODE_LENGTH else None
    if found is None:
        session.add(PicketCodeMiss(member_id=member_id, at=now))
        await session.flush()
    return found
