"""Members, their platform identities and worksites: one person however many accounts they use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ForeignKey, Index, Integer, Table, UniqueConstraint, bindparam, delete, func, tuple_, update
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import id_of, insert_ids, insert_ignoring_duplicates, nonnull, table_of
from storage.types import ACCOUNT_ID, PLATFORM_NAME, UTCDateTime

MAPPING = ("department", "shift", "grade")  # the roster's optional columns below the site
MAPPING_LENGTH = 100


def site_key(name: str) -> str:
    """Worksite names match case- and space-insensitively ("escalante  elementary")."""
    return " ".join(name.split()).casefold()


class Worksite(SQLModel, table=True):
    __table_args__ = {"sqlite_autoincrement": True}  # answers keep their site's id: an id is never reused

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    key: str = Field(max_length=200, unique=True, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A person. ``on_roster`` marks the union's membership list, the denominator of every structure test.

    ``worksite_id`` is the roster's worksite once the member is on it: a worksite the member names for
    themselves that disagrees is kept apart, as ``declared_site_id``, for their site's reps to settle.
    ``roster_key`` names the roster row the person was first imported as (member number, else email, else
    name at site): it survives a forget and a re-import, so it, not ``id``, is who votes. Ids are never
    reused either (AUTOINCREMENT on SQLite): a newcomer never inherits a forgotten member's id.
    ``department``, ``shift`` and ``grade`` (grade or floor) map the site below itself, as the roster has them:
    one-to-ten lists reach every department and shift."""

    __table_args__ = (Index("ix_member_roster_site", "on_roster", "worksite_id"),  # roster per worksite, index-only
                      {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    worksite_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="SET NULL"), index=True)
    )
    declared_site_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="SET NULL"), index=True)
    )
    email: str | None = Field(default=None, max_length=320, index=True)
    member_no: str | None = Field(default=None, max_length=64, unique=True)
    on_roster: bool = Field(default=False, index=True)
    roster_key: str | None = Field(default=None, max_length=400, unique=True)
    lang: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    department: str | None = Field(default=None, max_length=MAPPING_LENGTH)
    shift: str | None = Field(default=None, max_length=MAPPING_LENGTH)
    grade: str | None = Field(default=None, max_length=MAPPING_LENGTH)

    @property
    def voter(self) -> str:
        """Who this person is to a readiness poll: their roster row when they have one."""
        return self.roster_key or str(self.id)

    @property
    def former_voters(self) -> tuple[str, ...]:
        """Who they may have been before: their member id, until their roster row was known."""
        return (str(self.id),) if self.roster_key else ()


class MemberIdentity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), index=True))
    platform: str = Field(max_length=PLATFORM_NAME)
    user_id: str = Field(max_length=ACCOUNT_ID)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)  # as the platform verified it
    last_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: imported, never used; SEEN_EVERY


SEEN_EVERY = timedelta(hours=1)
"""How stale ``MemberIdentity.last_seen`` may get before a command from that account moves it: often enough to
know which account a member uses now (DMs go there), rarely enough that a burst of clicks writes nothing extra."""


class Account(NamedTuple):
    member: Member
    identity_id: int
    display_name: str
    last_seen: datetime | None

    def stale(self, display_name: str, now: datetime) -> bool:
        """Whether seeing this account now should be written down (a new display name, or ``SEEN_EVERY`` passed)."""
        return bool(display_name and display_name != self.display_name) or self.seen_due(now)

    def seen_due(self, now: datetime) -> bool:
        return self.last_seen is None or now - self.last_seen >= SEEN_EVERY


# Built once: every command looks its member up, and building the statement cost nearly as much as running
# it (pyinstrument over a burst, bench/RESULTS.md "SAVEPOINTs only when a call fails").
_BY_ACCOUNT = (select(Member, MemberIdentity.id, MemberIdentity.display_name, MemberIdentity.last_seen)
               .join(MemberIdentity, col(MemberIdentity.member_id) == Member.id)
               .where(MemberIdentity.platform == bindparam("platform"), MemberIdentity.user_id == bindparam("user_id")))
_IDENTITY = table_of(MemberIdentity)  # the table, not the model: many accounts are marked seen in one executemany
_SEEN = update(_IDENTITY).where(_IDENTITY.c.id == bindparam("identity_id")).values(
    display_name=bindparam("seen_name"), last_seen=bindparam("seen_at"))


async def find_account(session: AsyncSession, platform: str, user_id: str) -> Account | None:
    row = (await session.exec(_BY_ACCOUNT, params={"platform": platform, "user_id": user_id})).first()
    return Account(*row) if row is not None else None


async def seen(session: AsyncSession, account: Account, display_name: str, now: datetime) -> None:
    """Record that ``account`` was used now (throttled by :meth:`Account.stale`), under its current display name."""
    if account.stale(display_name, now):
        await session.exec(_SEEN, params=_seen_params(account, display_name, now))


def _seen_params(account: Account, display_name: str, now: datetime) -> dict[str, object]:
    return {"identity_id": account.identity_id, "seen_name": display_name or account.display_name,
            "seen_at": now if account.seen_due(now) else account.last_seen}


async def member_for(session: AsyncSession, platform: str, user_id: str, display_name: str, now: datetime,
                     lang: str | None = None) -> Member:
    """The member behind an account, registering a new one (speaking ``lang``) on first contact; the account
    is marked seen (see :func:`seen`).

    Two processes may meet the same new account at once (a double click reaching two workers): the
    identity insert skips on conflict, and the loser drops its fresh member and reads the winner's."""
    account = await find_account(session, platform, user_id)
    if account is not None:
        await seen(session, account, display_name, now)
        return account.member
    member = Member(name=display_name or user_id, lang=lang, created_at=now)
    session.add(member)
    await session.flush()
    row = {"member_id": member.id, "platform": platform, "user_id": user_id, "display_name": display_name,
           "last_seen": now}
    if not await insert_ignoring_duplicates(session, MemberIdentity, [row], ["platform", "user_id"]):
        await session.delete(member)
        await session.flush()
        winner = await find_member(session, platform, user_id)
        assert winner is not None
        return winner
    return member


class Visit(NamedTuple):
    """An account seen by a command: who it is, under what name, speaking what (for a first contact)."""

    platform: str
    user_id: str
    display_name: str
    lang: str | None = None


async def members_for(session: AsyncSession, visits: list[Visit], now: datetime) -> list[Member]:
    """:func:`member_for` for many accounts at once (a burst of clicks), one member per visit, in order:
    one lookup for all, one update for the accounts to mark seen, and for first contacts one insert
    of members and one of accounts. An account another process registered meanwhile is read back,
    the fresh member made for it dropped, as in :func:`member_for`."""
    keys = list(dict.fromkeys((v.platform, v.user_id) for v in visits))
    found = await _accounts(session, keys)
    first = {v[:2]: v for v in visits if v[:2] not in found}
    if first:
        fresh = await insert_ids(session, Member, [{"name": v.display_name or v.user_id, "lang": v.lang,
                                                    "on_roster": False, "created_at": now} for v in first.values()])
        await insert_ignoring_duplicates(session, MemberIdentity, [
            {"member_id": member_id, "platform": v.platform, "user_id": v.user_id, "display_name": v.display_name,
             "last_seen": now} for member_id, v in zip(fresh, first.values())], ["platform", "user_id"])
        found.update(await _accounts(session, list(first)))
        lost = set(fresh) - {found[key].member.id for key in first}
        if lost:
            await session.exec(delete(Member).where(col(Member.id).in_(lost)))
    seen_now: dict[int, dict[str, object]] = {}
    for visit in visits:
        account = found[visit[:2]]
        if visit[:2] not in first and account.stale(visit.display_name, now):
            seen_now[account.identity_id] = _seen_params(account, visit.display_name, now)
    if seen_now:
        await session.exec(_SEEN, params=list(seen_now.values()))
    return [found[v[:2]].member for v in visits]


async def _accounts(session: AsyncSession, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Account]:
    rows = await session.exec(
        select(Member, MemberIdentity).join(MemberIdentity, col(MemberIdentity.member_id) == Member.id)
        .where(tuple_(MemberIdentity.platform, MemberIdentity.user_id).in_(keys)))
    return {(identity.platform, identity.user_id): Account(member, id_of(identity), identity.display_name,
                                                            identity.last_seen)
            for member, identity in rows.all()}


async def find_member(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    account = await find_account(session, platform, user_id)
    return account.member if account else None


async def identities_of(session: AsyncSession, member_id: int) -> list[MemberIdentity]:
    rows = await session.exec(
        select(MemberIdentity).where(MemberIdentity.member_id == member_id).order_by(MemberIdentity.platform)
    )
    return list(rows)


async def worksite_by_name(session: AsyncSession, name: str) -> Worksite | None:
    return (await session.exec(select(Worksite).where(Worksite.key == site_key(name)))).one_or_none()


async def worksite_names(session: AsyncSession) -> list[str]:
    return list((await session.exec(select(Worksite.name).order_by(Worksite.name))))


async def ensure_worksite(session: AsyncSession, name: str, now: datetime) -> Worksite:
    site = await worksite_by_name(session, name)
    if site is None:
        site = Worksite(name=" ".join(name.split()), key=site_key(name), created_at=now)
        session.add(site)
        await session.flush()
    return site


async def worksite_name(session: AsyncSession, worksite_id: int | None) -> str | None:
    if worksite_id is None:
        return None
    return (await session.exec(select(Worksite.name).where(Worksite.id == worksite_id))).one_or_none()


async def site_ids_for_keys(session: AsyncSession, keys: frozenset[str]) -> list[int]:
    return list(await session.exec(select(nonnull(Worksite.id)).where(col(Worksite.key).in_(keys))))


async def site_names(session: AsyncSession, site_ids: list[int]) -> dict[int, str]:
    rows = await session.exec(select(nonnull(Worksite.id), Worksite.name).where(col(Worksite.id).in_(site_ids)))
    return dict(rows.all())


async def count_worksites(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Worksite))).one()


async def merge_members(session: AsyncSession, keep_id: int, drop_id: int) -> None:
    """Fold ``drop`` into ``keep``: every row pointing at ``drop`` is moved, unless ``keep`` already has
    its twin (the same signup, the same answer), and ``drop`` is deleted.

    Feature tables are found through their foreign keys to ``member.id``, so a new feature needs
    nothing here."""
    keep, drop = await session.get(Member, keep_id), await session.get(Member, drop_id)
    assert keep is not None and drop is not None
    for attr in ("worksite_id", "email", "member_no", "roster_key", "lang"):
        if getattr(keep, attr) is None and getattr(drop, attr) is not None:
            value = getattr(drop, attr)
            if attr in ("member_no", "roster_key"):  # unique: taken off ``drop`` first
                setattr(drop, attr, None)
                await session.flush()
            setattr(keep, attr, value)
    said = drop.declared_site_id or drop.worksite_id  # where the dropped account said it works
    if keep.declared_site_id is None and said not in (None, keep.worksite_id):
        keep.declared_site_id = said
    keep.on_roster = keep.on_roster or drop.on_roster
    if keep.name == "" or (not keep.on_roster and drop.on_roster):
        keep.name = drop.name
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not any(fk.column.table.name == "member" and fk.column.name == "id" for fk in column.foreign_keys):
                continue
            for unique_cols in _unique_column_sets(table):
                if column.name not in unique_cols:
                    continue
                twin = table.alias()
                same = [twin.c[name] == table.c[name] for name in unique_cols if name != column.name]
                has_twin = select(1).select_from(twin).where(twin.c[column.name] == keep_id, *same).exists()
                await session.exec(delete(table).where(column == drop_id, has_twin))
            await session.exec(update(table).where(column == drop_id).values({column.name: keep_id}))
    await session.flush()
    await session.delete(drop)
    await session.flush()


def _unique_column_sets(table: Table) -> list[set[str]]:
    sets = [{c.name for c in con.columns} for con in table.constraints if isinstance(con, UniqueConstraint)]
    sets += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    sets.append({c.name for c in table.primary_key.columns})
    return sets
