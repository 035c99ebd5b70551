"""The chant library: chants (approved, or suggested and waiting for review), their tags, and the
chants attached to an action for its sheet.

A chant's lines are kept exactly as the member wrote them. Removing a chant or an action removes
its attachments (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, delete, func
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import id_of, insert_ignoring_duplicates, locked
from storage.types import UTCDateTime

APPROVED, PENDING, REJECTED = "approved", "pending", "rejected"


class Chant(SQLModel, table=True):
    """``author_id`` is who wrote or suggested it; if they leave (``/member forget``) the chant stays in
    the union's library without their name."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    lines: str = Field(sa_type=Text)
    lang: str = Field(max_length=16)
    status: str = Field(max_length=8, index=True)
    author_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), index=True)
    )
    reject_reason: str | None = Field(default=None, max_length=400)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ChantTag(SQLModel, table=True):
    chant_id: int = Field(sa_column=Column(Integer, ForeignKey("chant.id", ondelete="CASCADE"), primary_key=True))
    tag: str = Field(primary_key=True, max_length=40, index=True)


class ChantAttachment(SQLModel, table=True):
    """A chant on an action's sheet."""

    chant_id: int = Field(sa_column=Column(Integer, ForeignKey("chant.id", ondelete="CASCADE"), primary_key=True))
    action_id: int = Field(sa_column=Column(Integer, ForeignKey("action.id", ondelete="CASCADE"), primary_key=True,
                                            index=True))


async def add(session: AsyncSession, chant: Chant, tags: list[str]) -> Chant:
    session.add(chant)
    await session.flush()
    await set_tags(session, id_of(chant), tags)
    return chant


async def get(session: AsyncSession, chant_id: int, *, for_update: bool = False) -> Chant | None:
    stmt = select(Chant).where(Chant.id == chant_id)
    if for_update:
        stmt = locked(stmt)
    return (await session.exec(stmt)).one_or_none()


async def set_tags(session: AsyncSession, chant_id: int, tags: list[str]) -> None:
    await session.exec(delete(ChantTag).where(col(ChantTag.chant_id) == chant_id))
    session.add_all(ChantTag(chant_id=chant_id, tag=tag) for tag in tags)
    await session.flush()


async def tags_of(session: AsyncSession, chant_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {chant_id: [] for chant_id in chant_ids}
    if chant_ids:
        rows = await session.exec(select(ChantTag.chant_id, ChantTag.tag).where(col(ChantTag.chant_id).in_(chant_ids))
                                  .order_by(ChantTag.tag))
        for chant_id, tag in rows.all():
            out[chant_id].append(tag)
    return out


async def by_author(session: AsyncSession, member_id: int) -> list[Chant]:
    return list((await session.exec(select(Chant).where(Chant.author_id == member_id).order_by(col(Chant.id)))))


async def find(session: AsyncSession, status: str, *, tag: str | None = None, lang: str | None = None,
               action_id: int | None = None) -> list[Chant]:
    """Chants with ``status``, narrowed by every filter given (a tag, a language, an action's sheet)."""
    stmt = select(Chant).where(Chant.status == status).order_by(col(Chant.id))
    if tag is not None:
        stmt = stmt.where(col(Chant.id).in_(select(ChantTag.chant_id).where(ChantTag.tag == tag)))
    if action_id is not None:
        attached = select(ChantAttachment.chant_id).where(ChantAttachment.action_id == action_id)
        stmt = stmt.where(col(Chant.id).in_(attached))
    if lang is not None:
        stmt = stmt.where(Chant.lang == lang)
    return list((await session.exec(stmt)))


async def attach(session: AsyncSession, chant_id: int, action_id: int) -> bool:
    """Put a chant on an action's sheet; returns False when it was already there."""
    return bool(await insert_ignoring_duplicates(session, ChantAttachment,
                                                 [{"chant_id": chant_id, "action_id": action_id}],
                                                 ["chant_id", "action_id"]))


async def detach(session: AsyncSession, chant_id: int, action_id: int) -> bool:
    """Take a chant off an action's sheet; returns False when it was not there."""
    result = await session.exec(delete(ChantAttachment).where(col(ChantAttachment.chant_id) == chant_id,
                                                              col(ChantAttachment.action_id) == action_id))
    return result.rowcount > 0


async def attached(session: AsyncSession, action_id: int) -> list[Chant]:
    """The chants on an action's sheet, in library order."""
    return await find(session, APPROVED, action_id=action_id)


async def count_attached(session: AsyncSession, action_id: int) -> int:
    """How many chants the sheet of :func:`attached` holds, without loading them."""
    return (await session.exec(
        select(func.count()).select_from(ChantAttachment).join(Chant, col(Chant.id) == ChantAttachment.chant_id)
        .where(ChantAttachment.action_id == action_id, Chant.status == APPROVED))).one()


async def actions_of(session: AsyncSession, chant_id: int) -> list[int]:
    """The actions whose sheets carry a chant."""
    rows = await session.exec(select(ChantAttachment.action_id).where(ChantAttachment.chant_id == chant_id)
                              .order_by(col(ChantAttachment.action_id)))
    return list(rows)
