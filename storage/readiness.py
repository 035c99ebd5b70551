"""Readiness polls, answers and the per-worksite tally against the roster (the structure test).

Anonymity against a copy of the database without the server key (:mod:`bot.secret_key`): an
answer row holds the poll, a keyed hash of poll and person (``voter``), the worksite and roster
status at answer time and the sealed time. For an anonymous poll its ``member_id`` and ``choice`` are
empty, the choice is sealed with the time, and nothing else records that a member answered: the missing
list and ``/member me`` recompute each member's voter keys with the key. Its counts per choice are
sealed per worksite (:class:`ReadinessCount`), so no clear number changes by the one answer a write
adds. The row has no serial id and no clear timestamp, and :func:`record_answer` writes it among up to
``MIX - 1`` other answers of the poll, every one sealed anew, in one shuffled insert: the transaction
id (PostgreSQL's ``xmin``), the place in the heap or in a dump and, on SQLite (a WITHOUT ROWID table),
the place of the cell in its page are those of the whole poll (or of ``MIX`` rows of it), and two copies
taken around one answer differ in every rewritten row.

A person's answers follow them (:func:`follow`): when they join a roster row, change worksite, go off
the roster or are forgotten, the rows under their voter keys are re-keyed and re-counted, so each person
has one answer per poll, counted where the roster has them. ``sealed`` is when the answer was given,
encrypted with the server key, so only the server can tell which of two answers merged into one is later.

The tally reads one row per (site, choice) of a named poll (a SQL ``GROUP BY``) and a few sealed rows
per site of an anonymous one, never a row per member.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    cast,
    delete,
    false,
    func,
    insert,
    null,
    or_,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy import select as core_select
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member, Worksite
from storage.sql import id_of, insert_ignoring_duplicates, locked, nonnull, table_of, upsert
from storage.types import UTCDateTime

RESULTS = ("leaders", "members", "after-close")
YES = 0  # the first choice is the one the structure test counts


class Voters(Protocol):
    """The server key's view of voters (:class:`bot.voters.Voters`)."""

    def key(self, poll_id: int, subject: str) -> str: ...

    def seal(self, moment: datetime, choice: int | None = None) -> str: ...

    def reseal(self, sealed: str | None) -> str | None: ...

    def opened(self, sealed: str | None) -> int: ...

    def choice(self, sealed: str | None) -> int | None: ...

    def seal_counts(self, counts: list[int]) -> str: ...

    def open_counts(self, sealed: str) -> list[int]: ...


class ReadinessPoll(SQLModel, table=True):
    __table_args__ = {"sqlite_autoincrement": True}  # voter keys hash the poll id: an id is never reused

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=300)
    choices: list[str] = Field(sa_column=Column(JSON, nullable=False))
    results: str = Field(default="leaders", max_length=16)
    anonymous: bool = True
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(sa_type=UTCDateTime)

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and self.closes_at <= now)


class ReadinessAnswer(SQLModel, table=True):
    """One answer per voter and poll; ``member_id`` and ``choice`` are set only for polls that are not
    anonymous."""

    # the tally index: a poll's answers per (site, roster, choice) counted in index order, no sort
    __table_args__ = (UniqueConstraint("poll_id", "member_id"),
                      Index("ix_readinessanswer_tally", "poll_id", "site_id", "on_roster", "choice"),
                      {"sqlite_with_rowid": False})

    poll_id: int = Field(sa_column=Column(Integer, ForeignKey("readinesspoll.id", ondelete="CASCADE"),
                                          primary_key=True))
    voter: str = Field(primary_key=True, max_length=64)
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=True, index=True)
    )
    site_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="SET NULL"), nullable=True)
    )
    on_roster: bool = Field(sa_column=Column(Boolean, nullable=False))
    choice: int | None = None  # a named poll's; an anonymous poll's is sealed
    sealed: str | None = Field(default=None, max_length=64)


class ReadinessPublished(SQLModel, table=True):
    """A site's answer counts as readers last saw them (see :func:`bot.permissions.publication`): a tally
    shows these, not the live ones, so what one answer changed is never seen on its own; and, under
    :data:`HELD` and the slot, that the step since was held. Written when a tally or an export is read,
    never when someone answers."""

    poll_id: int = Field(sa_column=Column(Integer, ForeignKey("readinesspoll.id", ondelete="CASCADE"),
                                          primary_key=True))
    slot: str = Field(primary_key=True, max_length=24)  # a worksite id, "none" (no worksite) or "off" (off-roster)
    counts: list[int] = Field(sa_column=Column(JSON, nullable=False))


OFF_ROSTER = "off"


def slot(site_id: int | None) -> str:
    return "none" if site_id is None else str(site_id)


async def published(session: AsyncSession, poll_id: int) -> dict[str, list[int]]:
    rows = await session.exec(select(ReadinessPublished.slot, ReadinessPublished.counts)
                              .where(ReadinessPublished.poll_id == poll_id))
    return {name: list(counts) for name, counts in rows.all()}


HELD = "held:"  # before a slot: its step since the counts last published was checked once and held


async def publish(session: AsyncSession, poll_id: int, where: str, counts: list[int]) -> None:
    """Readers see ``counts`` at ``where`` from now on; a held step ends with it."""
    await upsert(session, ReadinessPublished, {"poll_id": poll_id, "slot": where, "counts": counts},
                 ["poll_id", "slot"], ["counts"])
    await session.exec(delete(ReadinessPublished).where(col(ReadinessPublished.poll_id) == poll_id,
                                                        col(ReadinessPublished.slot) == HELD + where))


async def hold(session: AsyncSession, poll_id: int, where: str) -> None:
    """Remember that the step at ``where`` was checked and held (:func:`bot.permissions.publication`)."""
    await upsert(session, ReadinessPublished, {"poll_id": poll_id, "slot": HELD + where, "counts": []},
                 ["poll_id", "slot"], ["counts"])


async def create_poll(session: AsyncSession, **values: Any) -> ReadinessPoll:
    poll = ReadinessPoll(**values)
    session.add(poll)
    await session.flush()
    return poll


_POLL = select(ReadinessPoll).where(ReadinessPoll.id == bindparam("poll_id"))  # built once: every answer reads it
_POLL_LOCKS = {None: _POLL, "share": _POLL.with_for_update(read=True), "update": locked(_POLL)}


async def get_poll(session: AsyncSession, poll_id: int, *, lock: str | None = None) -> ReadinessPoll | None:
    """``lock="share"`` for answering (answers run side by side, a close waits for them),
    ``lock="update"`` for closing."""
    return (await session.exec(_POLL_LOCKS[lock], params={"poll_id": poll_id})).one_or_none()


_ROW = ("poll_id", "voter", "member_id", "site_id", "on_roster", "choice", "sealed")
MIX = 64  # rows of an anonymous poll written at once: the whole poll while it has fewer answers
Cells = dict[tuple[int | None, bool], list[int]]  # counts per choice by (site, on the roster)


async def record_answer(session: AsyncSession, voters: Voters, poll: ReadinessPoll, member: Member, choice: int,
                        moment: datetime) -> None:
    """Insert or change a member's answer; the (poll, voter) key keeps it to one per person. An answer
    under a key they had before their roster row was known is replaced too.

    An anonymous answer's choice is sealed with its moment and the poll's sealed counts move with it;
    the row is written among up to ``MIX - 1`` other answers of the poll, all sealed again and inserted
    in shuffled order (:func:`_mix`)."""
    poll_id = id_of(poll)
    voter = voters.key(poll_id, member.voter)
    former = [voters.key(poll_id, s) for s in member.former_voters]
    sealed = voters.seal(moment, choice if poll.anonymous else None)
    row = {"poll_id": poll_id, "voter": voter, "member_id": None if poll.anonymous else member.id,
           "site_id": member.worksite_id, "on_roster": member.on_roster,
           "choice": None if poll.anonymous else choice, "sealed": sealed}
    if poll.anonymous:
        # one member at a time: their former answer is read, uncounted and replaced as one step
        await session.exec(locked(select(Member.id).where(Member.id == member.id)))
        before = await _mix(session, voters, poll_id, [voter, *former], row)
        change: Cells = {}
        for old in before:
            _move(change, len(poll.choices), old["site_id"], old["on_roster"], _choice_of(voters, old), -1)
        _move(change, len(poll.choices), member.worksite_id, member.on_roster, choice, 1)
        await _add_counts(session, voters, poll_id, change)
        return
    if former:
        await session.exec(delete(ReadinessAnswer).where(col(ReadinessAnswer.poll_id) == poll_id,
                                                         col(ReadinessAnswer.voter).in_(former)))
    # after an account merge the member's row may sit under the other account's voter key
    existing = (await session.exec(select(ReadinessAnswer).where(
        ReadinessAnswer.poll_id == poll_id, ReadinessAnswer.member_id == member.id))).one_or_none()
    if existing is not None:
        existing.site_id, existing.on_roster, existing.choice = member.worksite_id, member.on_roster, choice
        existing.sealed = sealed
        await session.flush()
        return
    await upsert(session, ReadinessAnswer, row, ["poll_id", "voter"], _CHANGED)


_CHANGED = ["site_id", "on_roster", "choice", "sealed"]
_random = random.SystemRandom()


def _choice_of(voters: Voters, row: dict[str, Any]) -> int | None:
    return row["choice"] if row["choice"] is not None else voters.choice(row["sealed"])


def _move(change: Cells, n: int, site_id: int | None, on_roster: bool, choice: int | None, by: int) -> None:
    if choice is not None and 0 <= choice < n:
        change.setdefault((site_id, bool(on_roster)), [0] * n)[choice] += by


async def _mix(session: AsyncSession, voters: Voters, poll_id: int, mine: list[str],
               replacement: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rewrite the anonymous rows under ``mine`` (replaced by ``replacement`` if given) among up to
    ``MIX - 1`` others of the poll, every row sealed again, all in one shuffled insert: a copy of the
    database sees the rows of one write with one transaction id, in a random place in the heap and in
    their pages, each sealed anew, whatever changed. Returns the rows that were under ``mine``."""
    table = table_of(ReadinessAnswer)
    before = await _rows(session, table.c.voter.in_(mine), poll_id)
    rows = await _companions(session, poll_id, mine, MIX - 1) + ([replacement] if replacement else before)
    await session.exec(delete(table).where(table.c.poll_id == poll_id,
                                           table.c.voter.in_([*mine, *(row["voter"] for row in rows)])))
    for row in rows:
        row["sealed"] = voters.reseal(row["sealed"]) if row is not replacement else row["sealed"]
    _random.shuffle(rows)
    await insert_ignoring_duplicates(session, ReadinessAnswer, rows, ["poll_id", "voter"])
    return before


async def _rows(session: AsyncSession, where: ColumnElement[bool], poll_id: int, *, limit: int | None = None,
                skip_locked: bool = False) -> list[dict[str, Any]]:
    table = table_of(ReadinessAnswer)
    query = select(*(table.c[name] for name in _ROW)).where(table.c.poll_id == poll_id, where)
    if limit is not None:
        query = query.order_by(table.c.voter).limit(limit)
    return [dict(zip(_ROW, values, strict=True))
            for values in await session.exec(locked(query, skip_locked=skip_locked))]


async def _companions(session: AsyncSession, poll_id: int, mine: list[str], n: int) -> list[dict[str, Any]]:
    """Up to ``n`` other rows of the poll, from a random point in voter order (voters are hashes, so that
    is a random sample), locked; rows another answer is rewriting are skipped, not waited for."""
    start, others = secrets.token_hex(32), col(ReadinessAnswer.voter).not_in(mine)
    found = await _rows(session, others & (col(ReadinessAnswer.voter) >= start), poll_id, limit=n, skip_locked=True)
    if len(found) < n:
        found += await _rows(session, others & (col(ReadinessAnswer.voter) < start), poll_id, limit=n - len(found),
                             skip_locked=True)
    return found


class ReadinessCount(SQLModel, table=True):
    """An anonymous poll's answers per choice at one worksite and roster status, sealed with the server
    key (:meth:`bot.voters.Voters.seal_counts`). An answer adds a row of what it changed (so answers at
    once never wait for each other), and reading a tally folds a cell's rows into one
    (:func:`fold_counts`): a copy of the database sees counts sealed anew, not which choice grew."""

    poll_id: int = Field(sa_column=Column(Integer, ForeignKey("readinesspoll.id", ondelete="CASCADE"),
                                          primary_key=True))
    cell: str = Field(primary_key=True, max_length=32)  # see cell()
    site_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worksite.id", ondelete="SET NULL"), nullable=True)
    )
    on_roster: bool = Field(sa_column=Column(Boolean, nullable=False))
    sealed: str = Field(max_length=160)


def cell(site_id: int | None, on_roster: bool) -> str:
    """A new count row's key: its site and roster status, and a random part (a cell has several rows)."""
    return f"{slot(site_id)}:{'on' if on_roster else 'off'}:{secrets.token_hex(6)}"


def _count_rows(voters: Voters, poll_id: int, counts: Cells) -> list[dict[str, Any]]:
    return [{"poll_id": poll_id, "cell": cell(*key), "site_id": key[0], "on_roster": key[1],
             "sealed": voters.seal_counts(by)} for key, by in counts.items()]


async def _add_counts(session: AsyncSession, voters: Voters, poll_id: int, change: Cells) -> None:
    """Add ``change`` (one choice up, perhaps one down) as new sealed rows: nothing is locked or read. A
    row is written even where nothing changed (the same answer again), so no copy tells that apart."""
    await session.exec(insert(table_of(ReadinessCount)), params=_count_rows(voters, poll_id, change))


async def fold_counts(session: AsyncSession, voters: Voters, poll: ReadinessPoll) -> None:
    """One sealed row per cell again: the rows deleted here (and only those, whatever another fold or
    answer does at once) are summed into one new row each."""
    table, n = table_of(ReadinessCount), len(poll.choices)
    gone = await session.exec(delete(table).where(table.c.poll_id == poll.id)
                              .returning(table.c.site_id, table.c.on_roster, table.c.sealed))
    counts: Cells = {}
    for site_id, on_roster, sealed in gone.all():
        key = (site_id, bool(on_roster))
        counts[key] = [a + b for a, b in zip(counts.get(key, [0] * n), voters.open_counts(sealed)[:n], strict=True)]
    counts = {key: by for key, by in counts.items() if any(by)}
    if counts:
        await session.exec(insert(table), params=_count_rows(voters, id_of(poll), counts))


async def _recount(session: AsyncSession, voters: Voters, poll: ReadinessPoll,
                   cells: set[tuple[int | None, bool]]) -> None:
    """Seal the counts of ``cells`` again from the rows they count: after answers moved between cells."""
    if not cells:
        return
    table, n = table_of(ReadinessCount), len(poll.choices)
    counts: Cells = {key: [0] * n for key in cells}
    sites = [site for site, _ in cells]
    answer = table_of(ReadinessAnswer)
    rows = await session.exec(select(answer.c.site_id, answer.c.on_roster, answer.c.choice, answer.c.sealed)
                              .where(answer.c.poll_id == poll.id,
                                     or_(answer.c.site_id.in_([s for s in sites if s is not None]),
                                         answer.c.site_id.is_(None) if None in sites else false())))
    for site_id, on_roster, choice, sealed in rows.all():
        if (site_id, on_roster) in counts:
            _move(counts, n, site_id, on_roster, choice if choice is not None else voters.choice(sealed), 1)
    await session.exec(delete(table).where(table.c.poll_id == poll.id, or_(*(
        and_(table.c.site_id.is_(None) if site is None else table.c.site_id == site, table.c.on_roster == roster)
        for site, roster in cells))))
    counts = {key: by for key, by in counts.items() if any(by)}
    if counts:
        await session.exec(insert(table), params=_count_rows(voters, id_of(poll), counts))


@dataclass(frozen=True)
class Move:
    """Where a person's answers belong now: under ``subject`` (also found under any ``former`` subject),
    counted at ``site_id`` and ``on_roster``; ``member_id`` is the member they are now (None: forgotten)."""

    subject: str
    former: tuple[str, ...]
    site_id: int | None
    on_roster: bool
    member_id: int | None


_RECOUNT = (update(ReadinessAnswer)
            .where(col(ReadinessAnswer.poll_id) == bindparam("p"), col(ReadinessAnswer.voter) == bindparam("v"))
            .values(site_id=bindparam("site"), on_roster=bindparam("roster")))


async def follow(session: AsyncSession, voters: Voters, moves: Sequence[Move]) -> None:
    """Answers follow their people, in every poll: one answer per person (of answers found under several
    of their keys the later stands, re-keyed to ``subject``), counted where the roster has them now. In an
    anonymous poll the moved rows are mixed again (:func:`_mix`) and the cells they left or joined recounted."""
    if not moves:
        return
    for poll in (await session.exec(select(ReadinessPoll))).all():
        poll_id = id_of(poll)
        present = {voter: (sealed, (site_id, on_roster)) for voter, sealed, site_id, on_roster in (await session.exec(
            select(ReadinessAnswer.voter, ReadinessAnswer.sealed, ReadinessAnswer.site_id, ReadinessAnswer.on_roster)
            .where(ReadinessAnswer.poll_id == poll_id))).all()}
        recount, moved_keys, cells = [], [], set()
        for move in moves:
            keys = list(dict.fromkeys(voters.key(poll_id, s) for s in (move.subject, *move.former)))
            found = [k for k in keys if k in present]
            if not found:
                continue
            latest = max(found, key=lambda k: voters.opened(present[k][0]))
            stale = [k for k in found if k != latest]
            if stale:
                await session.exec(delete(ReadinessAnswer).where(col(ReadinessAnswer.poll_id) == poll_id,
                                                                 col(ReadinessAnswer.voter).in_(stale)))
            if latest != keys[0]:
                values: dict[str, Any] = {"voter": keys[0]}
                if not poll.anonymous and move.member_id is not None:
                    values["member_id"] = move.member_id
                await session.exec(update(ReadinessAnswer).where(col(ReadinessAnswer.poll_id) == poll_id,
                                                                 col(ReadinessAnswer.voter) == latest).values(values))
            for k in found:
                cells.add(present.pop(k)[1])
            present[keys[0]] = (None, (move.site_id, move.on_roster))
            cells.add((move.site_id, move.on_roster))
            moved_keys.append(keys[0])
            recount.append({"p": poll_id, "v": keys[0], "site": move.site_id, "roster": move.on_roster})
        if recount:
            await (await session.connection()).execute(_RECOUNT, recount)
            if poll.anonymous:
                await _mix(session, voters, poll_id, moved_keys, None)
                await _recount(session, voters, poll, cells)
    await session.flush()


class Placed(Protocol):
    """What :func:`moved` reads of a member: a :class:`Member`, or a roster row not stored as one yet."""

    @property
    def id(self) -> int | None: ...
    @property
    def worksite_id(self) -> int | None: ...
    @property
    def on_roster(self) -> bool: ...
    @property
    def voter(self) -> str: ...
    @property
    def former_voters(self) -> tuple[str, ...]: ...


def moved(member: Placed, *former: str) -> Move:
    """The :class:`Move` of a member as they are now, also found under ``former`` subjects."""
    return Move(member.voter, (*member.former_voters, *former), member.worksite_id, member.on_roster, member.id)


async def voters_of(session: AsyncSession, poll_id: int) -> set[str]:
    """Every voter key of a poll: who answered, for whoever holds the key to recompute them."""
    return set((await session.exec(select(ReadinessAnswer.voter).where(ReadinessAnswer.poll_id == poll_id))))


async def answered_polls(session: AsyncSession, member_id: int,
                         keys_of: dict[int, set[str]]) -> list[tuple[ReadinessPoll, int | None]]:
    """Polls a member answered (``keys_of`` gives their voter keys per poll), with the choice where the
    poll is not anonymous (for ``/member me``)."""
    pairs = [(poll_id, key) for poll_id, keys in keys_of.items() for key in keys]
    if not pairs:
        return []
    mine = or_(tuple_(ReadinessAnswer.poll_id, ReadinessAnswer.voter).in_(pairs),
               col(ReadinessAnswer.member_id) == member_id)
    rows = await session.exec(
        select(ReadinessPoll, ReadinessAnswer.member_id, ReadinessAnswer.choice)
        .join(ReadinessAnswer, col(ReadinessAnswer.poll_id) == ReadinessPoll.id).where(mine)
        .order_by(col(ReadinessPoll.id)))
    shown: dict[int, tuple[ReadinessPoll, int | None]] = {}
    for poll, owner, choice in rows.all():
        shown[id_of(poll)] = (poll, choice if owner is not None else None)
    return list(shown.values())


async def current_poll(session: AsyncSession, now: datetime) -> ReadinessPoll | None:
    """The newest poll still open, if any."""
    rows = await session.exec(select(ReadinessPoll).where(col(ReadinessPoll.closed_at).is_(None))
                              .order_by(col(ReadinessPoll.id).desc()).limit(5))
    return next((poll for poll in rows if not poll.is_closed(now)), None)


async def poll_ids(session: AsyncSession) -> list[int]:
    return list(await session.exec(select(nonnull(ReadinessPoll.id)).order_by(col(ReadinessPoll.id))))


@dataclass
class SiteTally:
    site_id: int | None
    name: str | None
    roster: int = 0
    answers: int = 0
    choices: list[int] = field(default_factory=list)

    @property
    def yes(self) -> int:
        return self.choices[YES] if self.choices else 0

    def share(self) -> float:
        return self.yes / self.roster if self.roster else 0.0

    def passes(self, threshold: float) -> bool:
        return self.roster > 0 and self.share() >= threshold


@dataclass
class Tally:
    sites: list[SiteTally]
    off_roster: list[int]

    @property
    def roster(self) -> int:
        return sum(s.roster for s in self.sites)

    @property
    def answers(self) -> int:
        return sum(s.answers for s in self.sites)


def _site_filter(column: int | None, site_ids: list[int] | None) -> ColumnElement[bool]:
    return true() if site_ids is None else col(column).in_(site_ids)


async def tally(session: AsyncSession, voters: Voters, poll: ReadinessPoll, site_ids: list[int] | None = None) -> Tally:
    """Roster size and answers per choice for each worksite (all, or ``site_ids``), plus off-roster answers."""
    return (await tallies(session, voters, [poll], site_ids))[id_of(poll)]


async def tallies(session: AsyncSession, voters: Voters, polls: Sequence[ReadinessPoll],
                  site_ids: list[int] | None = None, *,
                  roster: dict[int, tuple[str, int]] | None = None) -> dict[int, Tally]:
    """:func:`tally` of every poll in ``polls``, in one Core statement: the roster per site (its ``poll_id``
    and ``choice`` NULL) once, unless the caller read it already (``roster``: each worksite's name and size,
    as :func:`storage.roster.sizes` gives them), a named poll's answers per (poll, site, roster status,
    choice) and an anonymous poll's sealed counts (a few rows per site and roster status, opened here with
    the key) side by side, each with its site's name."""
    if not polls:
        return {}
    answer, count_row, nothing = ReadinessAnswer, ReadinessCount, cast(null(), String)
    named = [id_of(p) for p in polls if not p.anonymous]
    anonymous = [id_of(p) for p in polls if p.anonymous]
    parts: list[Select[int | None, int | None, bool | None, int | None, int, str | None]] = []
    if named:
        parts.append(core_select(col(answer.poll_id), col(answer.site_id), col(answer.on_roster), col(answer.choice),
                                 func.count().label("n"), nothing.label("sealed"))
                     .where(col(answer.poll_id).in_(named), _site_filter(answer.site_id, site_ids))
                     .group_by(col(answer.poll_id), col(answer.site_id), col(answer.on_roster), col(answer.choice)))
    if anonymous:
        parts.append(core_select(col(count_row.poll_id), col(count_row.site_id), col(count_row.on_roster),
                                 cast(null(), Integer).label("choice"), cast(null(), Integer).label("n"),
                                 col(count_row.sealed))
                     .where(col(count_row.poll_id).in_(anonymous), _site_filter(count_row.site_id, site_ids)))
    if roster is None:
        parts.append(core_select(cast(null(), Integer).label("poll_id"), col(Member.worksite_id).label("site_id"),
                                 cast(null(), Boolean).label("on_roster"), cast(null(), Integer).label("choice"),
                                 func.count().label("n"), nothing.label("sealed"))
                     .where(col(Member.on_roster), _site_filter(Member.worksite_id, site_ids))
                     .group_by(col(Member.worksite_id)))
    counts = union_all(*parts).subquery()
    poll_id, site_id, on_roster, choice, count, sealed = counts.c
    rows = (await (await session.connection()).execute(
        core_select(poll_id, site_id, col(Worksite.name), on_roster, choice, count, sealed)
        .outerjoin(Worksite, col(Worksite.id) == site_id))).all()
    rosters = dict(roster or {})
    rosters.update((site, (name, number)) for poll, site, name, _, _, number, _ in rows if poll is None)
    n_of = {id_of(p): len(p.choices) for p in polls}
    by_poll: dict[int, list[tuple[int | None, str | None, bool, list[int]]]] = {p: [] for p in n_of}
    for poll, site, name, answered_on_roster, picked, number, cell_counts in rows:
        if poll is None:
            continue
        n = n_of[poll]
        if cell_counts is not None:
            per_choice = voters.open_counts(cell_counts)[:n]
        elif picked is not None and 0 <= picked < n:
            per_choice = [number if i == picked else 0 for i in range(n)]
        else:
            continue
        by_poll[poll].append((site, name, bool(answered_on_roster), per_choice))
    return {p: _tally(n_of[p], rosters, by_poll[p]) for p in n_of}


def _tally(n: int, rosters: dict[int, tuple[str, int]],
           answers: list[tuple[int | None, str | None, bool, list[int]]]) -> Tally:
    sites: dict[int | None, SiteTally] = {site: SiteTally(site, name, roster=number, choices=[0] * n)
                                          for site, (name, number) in rosters.items()}
    off_roster = [0] * n
    for site, name, answered_on_roster, per_choice in answers:
        if not any(per_choice):
            continue  # a cell its answers all left
        if not answered_on_roster:
            off_roster = [a + b for a, b in zip(off_roster, per_choice, strict=True)]
            continue
        entry = sites.get(site)
        if entry is None:
            entry = sites[site] = SiteTally(site, name, choices=[0] * n)
        entry.choices = [a + b for a, b in zip(entry.choices, per_choice, strict=True)]
        entry.answers += sum(per_choice)
    ordered = sorted(sites.values(), key=lambda s: (s.name is None, (s.name or "").casefold()))
    return Tally(ordered, off_roster)


async def roster_members(session: AsyncSession, site_ids: list[int] | None) -> list[tuple[str, Member]]:
    """Roster members (at ``site_ids``, or everywhere) by worksite and name: the missing list keeps those
    none of whose voter keys is among a poll's :func:`voters_of`."""
    rows = await session.exec(
        select(Worksite.name, Member).outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
        .where(Member.on_roster, _site_filter(Member.worksite_id, site_ids))
        .order_by(Worksite.name, Member.name, col(Member.id)))
    return [(name or "", member) for name, member in rows.all()]


async def answered_member_ids(session: AsyncSession, poll: ReadinessPoll) -> set[int]:
    """For a poll that is not anonymous, the members its rows name."""
    rows = await session.exec(select(nonnull(ReadinessAnswer.member_id))
                              .where(ReadinessAnswer.poll_id == poll.id, col(ReadinessAnswer.member_id).is_not(None)))
    return set(rows)


async def member_answers(session: AsyncSession, poll: ReadinessPoll) -> list[tuple[Member, str | None, int | None]]:
    """For a poll that is not anonymous: every roster member and every answerer, with their choice."""
    assert not poll.anonymous, "anonymous polls have no per-member answers"
    rows = await session.exec(
        select(Member, Worksite.name, ReadinessAnswer.choice)
        .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
        .outerjoin(ReadinessAnswer, and_(col(ReadinessAnswer.poll_id) == poll.id,
                                         col(ReadinessAnswer.member_id) == Member.id))
        .where(col(Member.on_roster) | col(ReadinessAnswer.choice).is_not(None))
        .order_by(Worksite.name, Member.name, col(Member.id)))
    return [(member, site, choice) for member, site, choice in rows.all()]
