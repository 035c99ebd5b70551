"""The campaign's ladder of structure tests: one ordered list of actions, readiness polls and pledges,
each with its own threshold and worksite scope. What each test counted lives with its own feature
(check-ins, answers, signatures); this table only says which tests make the ladder, in what order, and
:func:`acts_by_site` reads the visible acts of every test at once (answers stay with :mod:`storage.readiness`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, ForeignKey, Integer, Select, func, literal, true, union_all, update
from sqlalchemy import select as core_select
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.actions import Action, Signup
from storage.members import Member
from storage.pledges import Pledge, PledgeSignature
from storage.readiness import ReadinessPoll
from storage.sql import id_of, locked
from storage.types import UTCDateTime

KINDS = ("action", "readiness", "pledge")


class StructureTest(SQLModel, table=True):
    """``position`` is 1 for the first step; ``site_ids`` None means every worksite, ``threshold`` None the
    campaign's ``[readiness] threshold``. ``ref_id`` is the action, poll or pledge, by ``kind``."""

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(index=True)
    kind: str = Field(max_length=16)
    ref_id: int
    threshold: float | None = None
    site_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(sa_type=UTCDateTime)

    def covers(self, site_id: int) -> bool:
        return self.site_ids is None or site_id in self.site_ids


async def ladder(session: AsyncSession, *, lock: bool = False) -> list[StructureTest]:
    """The tests in order; ``lock`` holds them until commit (before any change to the order)."""
    stmt = select(StructureTest).order_by(col(StructureTest.position), col(StructureTest.id))
    return list((await session.exec(locked(stmt) if lock else stmt)))


async def add(session: AsyncSession, **values: Any) -> StructureTest:
    """A new last step."""
    last = (await session.exec(select(func.max(StructureTest.position)))).one()
    test = StructureTest(position=(last or 0) + 1, **values)
    session.add(test)
    await session.flush()
    return test


async def renumber(session: AsyncSession, tests: list[StructureTest]) -> None:
    """Positions 1, 2, 3… in the order of ``tests`` (all of the ladder, locked)."""
    for position, test in enumerate(tests, 1):
        if test.position != position:
            await session.exec(update(StructureTest).where(col(StructureTest.id) == test.id).values(position=position))
            test.position = position
    await session.flush()


async def referents(session: AsyncSession, ladder: list[StructureTest]) -> dict[tuple[str, int], object]:
    """The action, poll or pledge each test counts, by (kind, id): one query per kind."""
    return {**await _by_id(session, ladder, "action", Action),
            **await _by_id(session, ladder, "readiness", ReadinessPoll),
            **await _by_id(session, ladder, "pledge", Pledge)}


_Referent = TypeVar("_Referent", Action, ReadinessPoll, Pledge)


async def _by_id(session: AsyncSession, ladder: list[StructureTest], kind: str,
                 model: type[_Referent]) -> dict[tuple[str, int], object]:
    ids = [t.ref_id for t in ladder if t.kind == kind]
    if not ids:
        return {}
    return {(kind, id_of(row)): row for row in await session.exec(select(model).where(col(model.id).in_(ids)))}


async def acts_by_site(session: AsyncSession, action_ids: list[int], pledge_ids: list[int],
                       site_ids: list[int] | None) -> dict[tuple[str, int, int], int]:
    """Roster members who checked in at each action and who signed each pledge, per (kind, id, roster
    worksite), for the worksites ``site_ids`` (None: every one): the numerators of the visible tests in one
    statement. Over a few worksites SQLite walks their roster (``ix_member_roster_site``) and looks up each
    member's signups; over every worksite that is the whole roster times the tests, so the roster test is
    written ``IS NOT false``, which SQLite cannot seek an index with: the join then starts from the acts
    (check-ins from ``ix_signup_came`` alone) and looks each member up (bench/RESULTS.md, bench/structure.py)."""
    roster = col(Member.on_roster).is_not(False) if site_ids is None else col(Member.on_roster)
    parts: list[Select[str, int, int | None, int]] = []
    for kind, ref, member, ids, extra in (
            ("action", col(Signup.action_id), col(Signup.member_id), action_ids,
             col(Signup.checked_in_at).is_not(None)),
            ("pledge", col(PledgeSignature.pledge_id), col(PledgeSignature.member_id), pledge_ids, true())):
        if ids:
            stmt: Select[str, int, int | None, int] = (
                core_select(literal(kind).label("kind"), ref.label("ref"), col(Member.worksite_id), func.count())
                .join(Member, col(Member.id) == member).where(ref.in_(ids), extra, roster)
                .group_by(ref, col(Member.worksite_id)))
            parts.append(stmt if site_ids is None else stmt.where(col(Member.worksite_id).in_(site_ids)))
    if not parts:
        return {}
    rows = await (await session.connection()).execute(union_all(*parts))
    return {(kind, ref, site): n for kind, ref, site, n in rows.all() if site is not None}
