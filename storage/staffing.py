"""How each picket line of a day is staffed: per shift, who signed up (going and waitlisted), who signed in,
and who is still on the line, in one query of three GROUP BYs joined to the day's shifts.

What counts against a shift's minimum depends on where the shift is in its day: before it starts, the
people going; while it runs, the people on the line (signed in, not yet out); once it is over, everyone
who came. :attr:`Staffing.short` is that shortfall, which leaders read first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as core_select
from sqlmodel import col, select, union
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.actions import GOING, WAITLIST
from storage.members import Member, Worksite
from storage.picket import PicketSignin
from storage.shifts import Shift, ShiftSignup
from storage.sql import nonnull

COMING, RUNNING, OVER = "coming", "running", "over"


@dataclass(frozen=True)
class Staffing:
    shift_id: int
    worksite_id: int
    site: str
    starts_at: datetime
    ends_at: datetime
    minimum: int
    captain: str | None
    going: int
    waitlisted: int
    came: int  # everyone who signed in
    on_line: int  # signed in and not signed out
    state: str  # COMING, RUNNING or OVER

    @property
    def counted(self) -> int:
        """Who counts against the minimum now: going before the shift, on the line during it, who came after."""
        return {COMING: self.going, RUNNING: self.on_line, OVER: self.came}[self.state]

    @property
    def short(self) -> int:
        return max(self.minimum - self.counted, 0)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def of_day(session: AsyncSession, day: date, now: datetime, *, site_keys: frozenset[str] | None,
                 captain_id: int | None = None) -> list[Staffing]:
    """The day's shifts that were not cancelled, at ``site_keys`` (None: every site) and those ``captain_id``
    captains, by start and site."""
    signups = (select(ShiftSignup.shift_id, _count(col(ShiftSignup.status) == GOING).label("going"),
                      _count(col(ShiftSignup.status) == WAITLIST).label("waiting"))
               .join(Shift, col(Shift.id) == ShiftSignup.shift_id).where(Shift.day == day)
               .group_by(col(ShiftSignup.shift_id)).subquery())
    signins = (select(PicketSignin.shift_id, func.count().label("came"),
                      _count(col(PicketSignin.out_at).is_(None)).label("on_line"))
               .join(Shift, col(Shift.id) == PicketSignin.shift_id).where(Shift.day == day)
               .group_by(col(PicketSignin.shift_id)).subquery())
    stmt = (core_select(col(Shift.id), col(Shift.worksite_id), col(Worksite.name), col(Shift.starts_at),
                        col(Shift.ends_at), col(Shift.minimum), col(Member.name), func.coalesce(signups.c.going, 0),
                        func.coalesce(signups.c.waiting, 0), func.coalesce(signins.c.came, 0),
                        func.coalesce(signins.c.on_line, 0))
            .join(Worksite, col(Worksite.id) == Shift.worksite_id)
            .outerjoin(Member, col(Member.id) == Shift.captain_id)
            .outerjoin(signups, signups.c.shift_id == Shift.id).outerjoin(signins, signins.c.shift_id == Shift.id)
            .where(col(Shift.day) == day, col(Shift.cancelled_at).is_(None)))
    if site_keys is not None:
        visible = col(Worksite.key).in_(site_keys)
        stmt = stmt.where(visible if captain_id is None else or_(visible, col(Shift.captain_id) == captain_id))
    stmt = stmt.order_by(col(Shift.starts_at), col(Worksite.name), col(Shift.id))
    rows = await (await session.connection()).execute(stmt)
    return [Staffing(shift_id, site_id, site, starts, ends, minimum, captain, int(going), int(waiting), int(came),
                     int(on_line), COMING if now < starts else RUNNING if now < ends else OVER)
            for shift_id, site_id, site, starts, ends, minimum, captain, going, waiting, came, on_line in rows.all()]


async def captains_on(session: AsyncSession, member_id: int, day: date) -> bool:
    """Whether a member captains a shift on a day (which lets them read their lines' staffing)."""
    found = select(func.count()).select_from(Shift).where(Shift.captain_id == member_id, Shift.day == day,
                                                          col(Shift.cancelled_at).is_(None))
    return bool((await session.exec(found)).one())



@dataclass(frozen=True)
class OnSheet:
    """One person on a shift's sign-in sheet: signed up (``status``), signed in, or both."""

    member_id: int
    name: str
    status: str | None
    in_at: datetime | None
    out_at: datetime | None


async def sheet(session: AsyncSession, shift_id: int) -> list[OnSheet]:
    """Everyone signed up for a shift or signed in on it, in name order."""
    signup = and_(col(ShiftSignup.shift_id) == shift_id, col(ShiftSignup.member_id) == Member.id)
    signin = and_(col(PicketSignin.shift_id) == shift_id, col(PicketSignin.member_id) == Member.id)
    people = union(select(ShiftSignup.member_id).where(ShiftSignup.shift_id == shift_id),
                   select(PicketSignin.member_id).where(PicketSignin.shift_id == shift_id)).subquery()
    rows = await (await session.connection()).execute(
        core_select(nonnull(Member.id), col(Member.name), col(ShiftSignup.status), col(PicketSignin.in_at),
                    col(PicketSignin.out_at))
        .join(people, people.c.member_id == Member.id).outerjoin(ShiftSignup, signup).outerjoin(PicketSignin, signin)
        .order_by(col(Member.name), col(Member.id)))
    return [OnSheet(member_id, name, status, in_at, out_at) for member_id, name, status, in_at, out_at in rows]
