"""Codes that join two accounts of one person (``/member link``), and the limit on guessing them.

A code is 12 characters from a 32-letter alphabet (60 bits): its first 4 find the row, the other 8
are kept only as a SHA-256 hash. Wrong tries are counted twice: per code (a code tried wrong
``CODE_TRIES`` times is deleted, so its owner's next code is a fresh guess) and per account (an
account with ``ACCOUNT_TRIES`` wrong tries in ``ACCOUNT_WINDOW`` may not try again until the window
has moved on). A used code is deleted; unknown, used, expired and deleted codes are refused alike."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, delete, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I: read off a phone and typed on another
SELECTOR, SECRET = 4, 8
CODE_TRIES = 5
ACCOUNT_TRIES = 5
ACCOUNT_WINDOW = timedelta(hours=1)


class LinkCode(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)  # the code's first SELECTOR characters, which find the row
    secret: str = Field(default="", max_length=64)  # SHA-256 of the rest of the code
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), index=True))
    expires_at: datetime = Field(sa_type=UTCDateTime)
    failures: int = 0


class LinkFailure(SQLModel, table=True):
    """One wrong code typed by a member's account, for the per-account limit."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), index=True))
    at: datetime = Field(sa_type=UTCDateTime)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def shown(code: str) -> str:
    """``ABCD-EFGH-JKLM``: three groups are easier to read out and type than twelve letters."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


async def issue(session: AsyncSession, member_id: int, now: datetime, ttl: timedelta) -> str:
    """A new code for ``member_id`` (replacing any earlier one), as the member types it."""
    await session.exec(delete(LinkCode).where(col(LinkCode.member_id) == member_id))
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(SELECTOR + SECRET))
        if await session.get(LinkCode, code[:SELECTOR]) is None:
            break
    session.add(LinkCode(code=code[:SELECTOR], secret=_digest(code[SELECTOR:]), member_id=member_id,
                         expires_at=now + ttl))
    await session.flush()
    return shown(code)


async def may_try(session: AsyncSession, member_id: int, now: datetime) -> bool:
    recent = select(func.count()).where(LinkFailure.member_id == member_id, LinkFailure.at > now - ACCOUNT_WINDOW)
    return (await session.exec(recent)).one() < ACCOUNT_TRIES


async def redeem(session: AsyncSession, member_id: int, typed: str, now: datetime) -> int | None:
    """The member whose code ``typed`` is (the code is used up), or None; a wrong try is counted against
    the account and, when it names a live code, against that code."""
    code = "".join(typed.upper().split()).replace("-", "")
    link = await session.get(LinkCode, code[:SELECTOR]) if len(code) == SELECTOR + SECRET else None
    if link is not None and link.expires_at >= now and secrets.compare_digest(link.secret, _digest(code[SELECTOR:])):
        await session.delete(link)
        return link.member_id
    session.add(LinkFailure(member_id=member_id, at=now))
    if link is not None:
        link.failures += 1
        if link.failures >= CODE_TRIES or link.expires_at < now:
            await session.delete(link)
    await session.flush()
    return None
