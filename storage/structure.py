"""The campaign's ladder of structure tests: one ordered list of actions, readiness polls and pledges,
each with its own threshold and worksite scope. What each test counted lives with its own feature
(check-ins, answers, signatures); this table only says which tests make the ladder, in what order, and
:func:`acts_by_site` reads the visible acts of every test at once (answers stay with :mod:`storage.readiness`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, func, literal, select, union_all, update
from sqlmodel import Column, Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.actions import Action, Signup
from storage.members import Member
from storage.pledges import Pledge, PledgeSignature
from storage.readiness import ReadinessPoll
from storage.sql import locked
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
    stmt = select(StructureTest).order_by(StructureTest.position, StructureTest.id)
    return list((await session.exec(locked(stmt) if lock else stmt)).scalars())


async def add(session: AsyncSession, **values) -> StructureTest:
    """A new last step."""
    last = (await session.exec(select(func.max(StructureTest.position)))).scalar_one()
    test = StructureTest(position=(last or 0) + 1, **values)
    session.add(test)
    await session.flush()
    return test


async def renumber(session: AsyncSession, tests: list[StructureTest]) -> None:
    """Positions 1, 2, 3… in the order of ``tests`` (all of the ladder, locked)."""
    for position, test in enumerate(tests, 1):
        if test.position != position:
            await session.exec(update(StructureTest).where(StructureTest.id == test.id).values(position=position))
            test.position = position
    await session.flush()


async def referents(session: AsyncSession, ladder: list[StructureTest]) -> dict[tuple[str, int], object]:
    """The action, poll or pledge each test counts, by (kind, id): one query per kind."""
    found: dict[tuple[str, int], object] = {}
    for kind, table in (("action", Action), ("readiness", ReadinessPoll), ("pledge", Pledge)):
        ids = [t.ref_id for t in ladder if t.kind == kind]
        if ids:
            found.update(((kind, row.id), row) for row in (await session.exec(select(table).where(
                table.id.in_(ids)))).scalars())
    return found


async def acts_by_site(session: AsyncSession, action_ids: list[int], pledge_ids: list[int],
                       site_ids: list[int] | None) -> dict[tuple[str, int, int], int]:
    """Roster members who checked in at each action and who signed each pledge, per (kind, id, roster
    worksite), for the worksites ``site_ids`` (None: every one): the numerators of the visible tests in one
    statement. Over a few worksites SQLite walks their roster (``ix_member_roster_site``) and looks up each
    member's signups; over every worksite that is the whole roster times the tests, so the roster test is
    written ``IS NOT false``, which SQLite cannot seek an index with: the join then starts from the acts
    (check-ins from ``ix_signup_came`` alone) and looks each member up, 2.4 s → 0.3 s at 35,000 members."""
    roster = Member.on_roster.is_not(False) if site_ids is None else Member.on_roster
    parts = []
    for kind, ref, member, ids, extra in (
            ("action", Signup.action_id, Signup.member_id, action_ids, Signup.checked_in_at.is_not(None)),
            ("pledge", PledgeSignature.pledge_id, PledgeSignature.member_id, pledge_ids, True)):
        if ids:
            stmt = (select(literal(kind).label("kind"), ref.label("ref"), Member.worksite_id, func.count())
                    .join(Member, Member.id == member).where(ref.in_(ids), extra, roster)
                    .group_by(ref, Member.worksite_id))
            parts.append(stmt if site_ids is None else stmt.where(Member.worksite_id.in_(site_ids)))
    if not parts:
        return {}
    rows = await (await session.connection()).execute(union_all(*parts))
    return {(kind, ref, site): n for kind, ref, site, n in rows.all() if site is not None}
