"""Bargaining: session updates, who subscribes to them, the demand tracker and its history, the FAQ.

Authors are kept with ``SET NULL``: a rep who asks the bot to forget them takes their name off,
not the public record of what was said at the table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, ForeignKey, Integer, Text, and_, delete, func, or_
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member
from storage.sql import id_of, locked, nonnull, upsert
from storage.types import UTCDateTime

STATUSES = ("proposed", "countered", "tentative", "won", "dropped")


def _author() -> Column[int]:
    return Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)


def topic_key(topic: str) -> str:
    """Topics match case- and space-insensitively ("Class size" is "class  size")."""
    return " ".join(topic.split()).casefold()


class BargainingUpdate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_es: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    session_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    author_id: int | None = Field(default=None, sa_column=_author())
    posted_at: datetime = Field(sa_type=UTCDateTime, index=True)


class BargainingUpdateTopic(SQLModel, table=True):
    update_id: int = Field(
        sa_column=Column(Integer, ForeignKey("bargainingupdate.id", ondelete="CASCADE"), primary_key=True)
    )
    topic: str = Field(max_length=60, primary_key=True, index=True)


class BargainingSubscription(SQLModel, table=True):
    """A member's own choice; with no row, config decides (roster members subscribed by default or not)."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), unique=True, nullable=False)
    )
    subscribed: bool
    changed_at: datetime = Field(sa_type=UTCDateTime)


class Demand(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=60)
    key: str = Field(max_length=60, unique=True)
    ours: str = Field(sa_column=Column(Text, nullable=False))
    district: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="proposed", max_length=16)
    changed_at: datetime = Field(sa_type=UTCDateTime)


class DemandChange(SQLModel, table=True):
    """One row per add or update: the demand's state after the change."""

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(sa_column=Column(Integer, ForeignKey("demand.id", ondelete="CASCADE"), index=True,
                                            nullable=False))
    status: str = Field(max_length=16)
    ours: str = Field(sa_column=Column(Text, nullable=False))
    district: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author_id: int | None = Field(default=None, sa_column=_author())
    changed_at: datetime = Field(sa_type=UTCDateTime)


class FaqEntry(SQLModel, table=True):
    """One question in one language; ``pair_id`` points to the same question in the other language."""

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    lang: str = Field(default="en", max_length=8)
    pair_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("faqentry.id", ondelete="SET NULL"),
                                                               nullable=True))
    author_id: int | None = Field(default=None, sa_column=_author())
    created_at: datetime = Field(sa_type=UTCDateTime)


async def add_update(session: AsyncSession, update: BargainingUpdate, topics: list[str]) -> BargainingUpdate:
    session.add(update)
    await session.flush()
    for topic in dict.fromkeys(topics):
        session.add(BargainingUpdateTopic(update_id=id_of(update), topic=topic))
    await session.flush()
    return update


async def set_topics(session: AsyncSession, update_id: int, topics: list[str]) -> None:
    await session.exec(delete(BargainingUpdateTopic).where(col(BargainingUpdateTopic.update_id) == update_id))
    for topic in dict.fromkeys(topics):
        session.add(BargainingUpdateTopic(update_id=update_id, topic=topic))
    await session.flush()


async def update_locked(session: AsyncSession, update_id: int) -> BargainingUpdate | None:
    """The update, its row locked until commit: two corrections at once are made one after the other."""
    query = locked(select(BargainingUpdate).where(BargainingUpdate.id == update_id))
    return (await session.exec(query)).one_or_none()


async def topics_of(session: AsyncSession, update_ids: list[int]) -> dict[int, list[str]]:
    rows = await session.exec(
        select(BargainingUpdateTopic.update_id, BargainingUpdateTopic.topic)
        .where(col(BargainingUpdateTopic.update_id).in_(update_ids))
        .order_by(BargainingUpdateTopic.topic)
    )
    out: dict[int, list[str]] = {i: [] for i in update_ids}
    for update_id, topic in rows.all():
        out[update_id].append(topic)
    return out


async def updates(session: AsyncSession, *, limit: int, topic: str | None = None) -> list[BargainingUpdate]:
    """Newest first; only those tagged ``topic`` if given."""
    query = select(BargainingUpdate).order_by(col(BargainingUpdate.posted_at).desc(), col(BargainingUpdate.id).desc())
    if topic is not None:
        query = query.join(BargainingUpdateTopic, col(BargainingUpdateTopic.update_id) == BargainingUpdate.id).where(
            BargainingUpdateTopic.topic == topic)
    return list((await session.exec(query.limit(limit))))


async def all_topics(session: AsyncSession) -> list[str]:
    rows = await session.exec(select(BargainingUpdateTopic.topic).distinct().order_by(BargainingUpdateTopic.topic))
    return list(rows)


async def set_subscribed(session: AsyncSession, member_id: int, subscribed: bool, now: datetime) -> None:
    row = {"member_id": member_id, "subscribed": subscribed, "changed_at": now}
    await upsert(session, BargainingSubscription, row, ["member_id"], ["subscribed", "changed_at"])


def _subscribed_clause(roster_default: bool) -> ColumnElement[bool]:
    explicit = col(BargainingSubscription.subscribed).is_(True)
    if not roster_default:
        return explicit
    return or_(explicit, and_(col(BargainingSubscription.id).is_(None), col(Member.on_roster).is_(True)))


async def subscriber_ids(session: AsyncSession, roster_default: bool) -> list[int]:
    """Every subscriber in one query: an explicit opt-in, or (when config says so) a roster member who
    has not opted out. Indexed on both sides, so it stays one pass at 35,000 members."""
    rows = await session.exec(
        select(nonnull(Member.id))
        .outerjoin(BargainingSubscription, col(BargainingSubscription.member_id) == Member.id)
        .where(_subscribed_clause(roster_default))
        .order_by(col(Member.id))
    )
    return list(rows)


async def is_subscribed(session: AsyncSession, member_id: int, roster_default: bool) -> bool:
    row = await session.exec(
        select(func.count())
        .select_from(Member)
        .outerjoin(BargainingSubscription, col(BargainingSubscription.member_id) == Member.id)
        .where(Member.id == member_id, _subscribed_clause(roster_default))
    )
    return bool(row.one())


async def demand(session: AsyncSession, topic: str) -> Demand | None:
    return (await session.exec(select(Demand).where(Demand.key == topic_key(topic)))).one_or_none()


async def demands(session: AsyncSession) -> list[Demand]:
    return list((await session.exec(select(Demand).order_by(Demand.topic))))


async def record_change(session: AsyncSession, item: Demand, author_id: int | None, now: datetime) -> None:
    item.changed_at = now
    session.add(item)
    await session.flush()
    session.add(DemandChange(demand_id=id_of(item), status=item.status, ours=item.ours, district=item.district,
                             author_id=author_id, changed_at=now))
    await session.flush()


async def changes(session: AsyncSession, demand_id: int) -> list[DemandChange]:
    rows = await session.exec(
        select(DemandChange).where(DemandChange.demand_id == demand_id).order_by(col(DemandChange.changed_at),
                                                                                  col(DemandChange.id))
    )
    return list(rows)


async def faq_entries(session: AsyncSession) -> list[FaqEntry]:
    return list((await session.exec(select(FaqEntry).order_by(col(FaqEntry.id)))))
