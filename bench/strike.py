"""Strike day at campaign size: planning the week, the staffing view, captains signing lines in, the hours report.

    python bench/strike.py [--members 35000] [--sites 500] [--line 40] [--lines 20] [--reps 5] [--pg URL]

Seeded with bulk inserts, on the bench's fixed clock (a Wednesday, 8:00 in Los Angeles): the roster over the
worksites, two shifts (6:30-10:30, 10:30-14:30) on every weekday of the week at every site, each with a
captain from its site and a minimum of 4; Monday's and Tuesday's lines signed in and out (20-40 of each
site's members a shift, some late, some leaving early); today 0-8 of the site's members signed up to each
shift and, on the running line, 0-6 of them signed in (some signed out again).

Measured through the core, side by side with hand-written SQL through the plain driver (stdlib sqlite3, or
asyncpg) in the same run:
- ``/strike plan`` as a leader: next week's two shifts on its five weekdays at every site (500 × 2 × 5 =
  5,000 shifts); the SQL is one executemany of the same rows, skipping duplicates. Taken back between
  repetitions (untimed).
- ``/strike status`` as a leader, every site: ``chart:no`` (the query, the ordering, the wording and the CSV)
  and as shipped (with the heat map); the SQL is the one statement of per-shift counts the view needs.
- a sign-in rush at shift change: ``--lines`` captains at once, each signing a ``--line``-person line in with
  one ``/strike signin <shift> <names…>``; the SQL does what the command must, line after line, one
  transaction each: find each name among the members of the site or the shift's sign-ups, refuse an overlap,
  skip who is in, insert the rest. The sign-ins are taken back between repetitions (untimed).
- ``/strike hours`` as a leader: every member's week with the strike-pay rule, and the CSV for the fund;
  the SQL is the same two GROUP BYs (per member and day, per member) with each sign-in clamped to its shift.
  Target (issue 23): ≤ 1 s for 35,000 members on SQLite and PostgreSQL.
Wall time is what a leader or captain waits; CPU is this process's (on SQLite the database's too)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from common import (
    Clock,
    arguments,
    bench_config,
    measure_and_report,
    median,
    on_fresh_database,
    percentile,
    plain_pg,
    seed_members,
    wall_and_cpu,
)
from common import table as markdown

LA = ZoneInfo("America/Los_Angeles")
_TODAY = datetime.now(LA).date()
MONDAY = _TODAY - timedelta(days=_TODAY.weekday())
TODAY = MONDAY + timedelta(days=2)  # a Wednesday: two days of hours behind, a line running now
NOW = datetime.combine(TODAY, time(8, 0), LA).astimezone(UTC)  # the bench's fixed clock
SLOTS = ((time(6, 30), time(10, 30)), (time(10, 30), time(14, 30)))

STATUS_SQL = """
SELECT s.id, w.name, s.starts_at, s.ends_at, s.minimum, c.name,
       coalesce(u.going, 0), coalesce(u.waiting, 0), coalesce(i.came, 0), coalesce(i.on_line, 0)
  FROM shift s JOIN worksite w ON w.id = s.worksite_id LEFT JOIN member c ON c.id = s.captain_id
  LEFT JOIN (SELECT shift_id, sum(CASE WHEN status = 'going' THEN 1 ELSE 0 END) AS going,
                    sum(CASE WHEN status = 'waitlist' THEN 1 ELSE 0 END) AS waiting
               FROM shiftsignup WHERE shift_id IN (SELECT id FROM shift WHERE day = {day})
              GROUP BY shift_id) u ON u.shift_id = s.id
  LEFT JOIN (SELECT shift_id, count(*) AS came, sum(CASE WHEN out_at IS NULL THEN 1 ELSE 0 END) AS on_line
               FROM picketsignin WHERE shift_id IN (SELECT id FROM shift WHERE day = {day})
              GROUP BY shift_id) i ON i.shift_id = s.id
 WHERE s.day = {day} AND s.cancelled_at IS NULL ORDER BY s.starts_at, w.name, s.id
"""
FIND_SQL = """
SELECT m.id FROM member m LEFT JOIN worksite w ON w.id = m.worksite_id
 WHERE lower(m.name) IN ({names})
   AND (w.key = {key} OR m.id IN (SELECT member_id FROM shiftsignup WHERE shift_id = {shift}))
"""
CLASH_SQL = """
SELECT p.member_id FROM picketsignin p JOIN shift s ON s.id = p.shift_id
 WHERE p.member_id IN ({ids}) AND s.id != {shift} AND s.starts_at < {ends} AND s.ends_at > {starts}
"""
ALREADY_SQL = "SELECT member_id FROM picketsignin WHERE shift_id = {shift} AND member_id IN ({ids})"
INSERT_SQL = "INSERT INTO picketsignin (shift_id, member_id, in_at, late, by_id) VALUES ({marks})"


PLAN_SQL = """
INSERT INTO shift (worksite_id, day, starts_at, ends_at, capacity, minimum, captain_id, created_by, created_at)
VALUES ({marks}) ON CONFLICT (worksite_id, starts_at, ends_at) DO NOTHING
"""
HOURS_SQL = """
SELECT m.id, m.name, m.member_no, w.name, h.seconds, h.pay_days
  FROM (SELECT member_id, sum(seconds) AS seconds, sum(CASE WHEN seconds >= {day_seconds} THEN 1 ELSE 0 END) AS pay_days
          FROM (SELECT p.member_id, s.day, sum({on_line}) AS seconds
                  FROM picketsignin p JOIN shift s ON s.id = p.shift_id
                 WHERE s.day >= {first} AND s.day <= {last} AND s.cancelled_at IS NULL
                 GROUP BY p.member_id, s.day) d
         GROUP BY member_id) h
  JOIN member m ON m.id = h.member_id LEFT JOIN worksite w ON w.id = m.worksite_id
 ORDER BY w.name, m.name, m.id
"""
ON_LINE = {  # a sign-in's seconds within its shift and until now, never below 0
    "sqlite": "max(0, (julianday(min(coalesce(p.out_at, s.ends_at), s.ends_at, {now})) "
              "- julianday(max(p.in_at, s.starts_at))) * 86400)",
    "postgresql": "greatest(0, extract(epoch FROM least(coalesce(p.out_at, s.ends_at), s.ends_at, {now}) "
                  "- greatest(p.in_at, s.starts_at)))",
}


def at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, LA).astimezone(UTC)


def week(monday: date) -> list[tuple[date, datetime, datetime]]:
    return [(day, at(day, start), at(day, end)) for day in (monday + timedelta(days=n) for n in range(5))
            for start, end in SLOTS]


async def seed(app, members: int, sites: int) -> dict[int, tuple[int, int]]:
    """Returns, per worksite index, its running shift's id and its captain's member index."""
    from sqlalchemy import insert, select, text

    from storage.picket import PicketSignin
    from storage.shifts import Shift, ShiftSignup

    ids = await seed_members(app, members, sites=sites)
    rng = random.Random(23)
    by_site = {s: [i for i in range(s, members, sites)] for s in range(sites)}

    async def work(session) -> dict[int, tuple[int, int]]:
        await session.exec(insert(Shift), params=[
            {"worksite_id": 1 + s, "day": day, "starts_at": start, "ends_at": end, "capacity": None, "minimum": 4,
             "captain_id": ids[s], "created_by": None, "created_at": NOW, "cancelled_at": None}
            for s in range(sites) for day, start, end in week(MONDAY)])
        shifts = list((await session.exec(select(Shift.id, Shift.worksite_id, Shift.day, Shift.starts_at,
                                                 Shift.ends_at).order_by(Shift.id))).all())
        signups, signins, running = [], [], {}
        for shift_id, site_id, day, starts, ends in shifts:
            site = site_id - 1
            if day < TODAY:  # a whole line, signed in and out
                people = rng.sample(by_site[site], min(len(by_site[site]), rng.randint(20, 40)))
                signins += [{"shift_id": shift_id, "member_id": ids[i], "late": False, "by_id": ids[site],
                             "in_at": starts + timedelta(minutes=rng.choice((0, 0, 0, 10, 25))),
                             "out_at": ends - timedelta(minutes=rng.choice((0, 0, 0, 30, 60)))} for i in people]
                continue
            if day > TODAY:
                continue
            people = rng.sample(by_site[site][1:], min(len(by_site[site]) - 1, rng.randint(0, 8)))
            signups += [{"shift_id": shift_id, "member_id": ids[i], "status": "going", "created_at": NOW}
                        for i in people]
            if starts < NOW:
                running[site] = (shift_id, site)
                signins += [{"shift_id": shift_id, "member_id": ids[i], "in_at": starts, "late": False,
                             "by_id": ids[site], "out_at": NOW if rng.random() < 0.2 else None}
                            for i in people[:rng.randint(0, 6)]]
        if signups:
            await session.exec(insert(ShiftSignup), params=signups)
        await session.exec(insert(PicketSignin), params=signins)
        return running

    running = await app.db.write(work)
    await app.db.write(lambda session: session.exec(text("ANALYZE")))  # statistics, as after a day's autovacuum
    return running


def line_names(site: int, sites: int, per_site: int, line: int) -> list[str]:
    """``line`` of a site's members other than its captain (member ``site``): the back of the site's list."""
    return [f"Member {site + sites * (per_site - 1 - k)}" for k in range(line)]


async def burst_core(app, running: dict[int, tuple[int, int]], sites: int, per_site: int, line: int,
                     lines: int) -> tuple[float, float]:
    from bot.types import Identity

    async def one(site: int) -> None:
        shift_id, captain = running[site]
        reply = await app.run_line(Identity("console", f"m{captain}", f"Member {captain}"),
                                   f"/strike signin {shift_id} {', '.join(line_names(site, sites, per_site, line))}")
        assert not reply.error and f"Signed in {line} people" in reply.message.text, reply.message.text[:300]

    clock = Clock()
    await asyncio.gather(*(one(site) for site in range(lines)))
    return clock.spent()


def _in_list(n: int, mark) -> str:
    return ", ".join(mark(k) for k in range(n))


def _sqlite_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _is_sqlite(url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(url).drivername.startswith("sqlite")


def _sqlite(url: str) -> sqlite3.Connection:
    from sqlalchemy.engine import make_url

    conn = sqlite3.connect(make_url(url).database, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


async def burst_sql(url: str, running: dict[int, tuple[int, int]], sites: int, per_site: int, line: int,
                    lines: int, by_id: dict[int, int]) -> tuple[float, float]:
    """Each line in its own transaction, as each captain's command is."""
    starts, ends = SLOTS[0]
    starts_at, ends_at = at(TODAY, starts), at(TODAY, ends)
    if _is_sqlite(url):
        conn = _sqlite(url)
        clock = Clock()
        for site in range(lines):
            shift_id, captain = running[site]
            names = [name.lower() for name in line_names(site, sites, per_site, line)]
            conn.execute("BEGIN IMMEDIATE")
            found = [row[0] for row in conn.execute(FIND_SQL.format(names=_in_list(line, lambda k: "?"), key="?",
                                                                    shift="?"), [*names, f"school {site}", shift_id])]
            assert len(found) == line
            marks = _in_list(len(found), lambda k: "?")
            assert not conn.execute(CLASH_SQL.format(ids=marks, shift="?", starts="?", ends="?"),
                                    [*found, shift_id, _sqlite_stamp(ends_at), _sqlite_stamp(starts_at)]).fetchall()
            already = {row[0] for row in conn.execute(ALREADY_SQL.format(shift="?", ids=marks), [shift_id, *found])}
            conn.executemany(INSERT_SQL.format(marks="?, ?, ?, ?, ?"),
                             [(shift_id, m, _sqlite_stamp(NOW), 0, by_id[captain]) for m in found if m not in already])
            conn.execute("COMMIT")
        spent = clock.spent()
        conn.close()
        return spent
    conn = await plain_pg(url)
    clock = Clock()
    for site in range(lines):
        shift_id, captain = running[site]
        names = [name.lower() for name in line_names(site, sites, per_site, line)]
        async with conn.transaction():
            found = [row[0] for row in await conn.fetch(FIND_SQL.format(
                names=_in_list(line, lambda k: f"${k + 1}"), key=f"${line + 1}", shift=f"${line + 2}"),
                *names, f"school {site}", shift_id)]
            assert len(found) == line
            marks = _in_list(len(found), lambda k: f"${k + 1}")
            n = len(found)
            assert not await conn.fetch(CLASH_SQL.format(ids=marks, shift=f"${n + 1}", starts=f"${n + 3}",
                                                         ends=f"${n + 2}"), *found, shift_id, ends_at, starts_at)
            already = {row[0] for row in await conn.fetch(ALREADY_SQL.format(
                shift="$1", ids=_in_list(n, lambda k: f"${k + 2}")), shift_id, *found)}
            await conn.executemany(INSERT_SQL.format(marks="$1, $2, $3, $4, $5"),
                                   [(shift_id, m, NOW, False, by_id[captain]) for m in found if m not in already])
    spent = clock.spent()
    await conn.close()
    return spent


async def _fetch(url: str, sql: str, sqlite_params: dict, pg_params: list) -> tuple[list, tuple[float, float]]:
    """One statement through the plain driver: its rows and the time it took."""
    if _is_sqlite(url):
        conn = _sqlite(url)
        clock = Clock()
        rows = conn.execute(sql.format(**{key: f":{key}" for key in sqlite_params}), sqlite_params).fetchall()
        spent = clock.spent()
        conn.close()
        return rows, spent
    pg = await plain_pg(url)
    clock = Clock()
    rows = await pg.fetch(sql.format(**{key: f"${n + 1}" for n, key in enumerate(sqlite_params)}), *pg_params)
    spent = clock.spent()
    await pg.close()
    return rows, spent


async def status_sql(url: str) -> tuple[float, float]:
    rows, spent = await _fetch(url, STATUS_SQL, {"day": TODAY.isoformat()}, [TODAY])
    assert rows
    return spent


async def hours_sql(url: str, day_seconds: float) -> tuple[int, tuple[float, float]]:
    """How many members have hours this week, and the time it took to read them all."""
    first, last = MONDAY, MONDAY + timedelta(days=6)
    engine = "sqlite" if _is_sqlite(url) else "postgresql"
    sql = HOURS_SQL.replace("{on_line}", ON_LINE[engine])
    rows, spent = await _fetch(
        url, sql, {"day_seconds": day_seconds, "first": first.isoformat(), "last": last.isoformat(),
                   "now": _sqlite_stamp(NOW)}, [day_seconds, first, last, NOW])
    return len(rows), spent


async def plan_sql(url: str, sites: int) -> tuple[float, float]:
    """Next week at every site in one transaction, as the command's one insert."""
    if _is_sqlite(url):
        conn = _sqlite(url)
        clock = Clock()
        rows = [(1 + s, day.isoformat(), _sqlite_stamp(start), _sqlite_stamp(end), None, 4, None, None,
                 _sqlite_stamp(NOW)) for s in range(sites) for day, start, end in week(MONDAY + timedelta(days=7))]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(PLAN_SQL.format(marks=_in_list(9, lambda k: "?")), rows)
        conn.execute("COMMIT")
        spent = clock.spent()
        conn.close()
        return spent
    pg = await plain_pg(url)
    clock = Clock()
    rows = [(1 + s, day, start, end, None, 4, None, None, NOW) for s in range(sites)
            for day, start, end in week(MONDAY + timedelta(days=7))]
    async with pg.transaction():
        await pg.executemany(PLAN_SQL.format(marks=_in_list(9, lambda k: f"${k + 1}")), rows)
    spent = clock.spent()
    await pg.close()
    return spent


async def take_back(app, running: dict[int, tuple[int, int]], lines: int) -> None:
    """The burst's sign-ins and next week's plan, gone again."""
    from sqlalchemy import delete
    from sqlmodel import col

    from storage.picket import PicketSignin
    from storage.shifts import Shift

    shifts = [running[site][0] for site in range(lines)]

    async def work(session) -> None:
        await session.exec(delete(PicketSignin).where(col(PicketSignin.shift_id).in_(shifts)))
        await session.exec(delete(Shift).where(col(Shift.day) > TODAY + timedelta(days=4)))
    await app.db.write(work)


PARTS = ("plan", "plan_sql", "text", "image", "sql", "burst", "burst_sql", "hours", "hours_sql")


async def run(url: str, args) -> dict[str, list[tuple[float, float]]]:
    from sqlalchemy import select

    from bot.app import App
    from bot.types import Identity
    from commands import build_registry
    from storage.members import Member

    leader = Identity("console", "lead", "Lead")
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in PARTS}
    app = App(bench_config(url), build_registry(), clock=lambda: NOW)
    await app.start()
    try:
        running = await seed(app, args.members, args.sites)

        async def member_ids(session) -> dict[int, int]:
            rows = await session.exec(select(Member.id).order_by(Member.id))
            return dict(enumerate(rows.scalars()))
        by_index = await app.db.read(member_ids)

        async def lead(line: str, expected: str) -> tuple[float, float]:
            clock = Clock()
            reply = await app.run_line(leader, line, claims={"role:leader"})
            spent = clock.spent()
            assert not reply.error and expected in reply.message.text, reply.message.text[:300]
            return spent

        shifts_today = f"{2 * args.sites} shifts at {args.sites} sites"
        next_week = MONDAY + timedelta(days=7)
        plan = (f"/strike plan {next_week.isoformat()} {(next_week + timedelta(days=6)).isoformat()} "
                "6:30-10:30 10:30-14:30")
        planned = f"Planned {10 * args.sites} picket shifts"
        await lead("/strike status", shifts_today)  # warm: imports, the font
        per_site = args.members // args.sites
        assert args.line < per_site and args.lines <= args.sites
        burst = (running, args.sites, per_site, args.line, args.lines)
        await take_back(app, running, args.lines)  # the burst's lines start with nobody in
        day_seconds = app.config.strike.hours_per_day * 3600
        on_the_line, _ = await hours_sql(url, day_seconds)  # what the command must count too
        assert on_the_line > args.members // 2, on_the_line
        for _ in range(args.reps):
            times["plan_sql"].append(await plan_sql(url, args.sites))
            await take_back(app, running, args.lines)
            times["plan"].append(await lead(plan, planned))
            await take_back(app, running, args.lines)
            times["sql"].append(await status_sql(url))
            times["text"].append(await lead("/strike status chart:no", shifts_today))
            times["image"].append(await lead("/strike status", shifts_today))
            times["burst_sql"].append(await burst_sql(url, *burst, by_index))
            await take_back(app, running, args.lines)
            times["burst"].append(await burst_core(app, *burst))
            await take_back(app, running, args.lines)
            counted, spent = await hours_sql(url, day_seconds)
            assert counted == on_the_line, (counted, on_the_line)
            times["hours_sql"].append(spent)
            times["hours"].append(await lead(f"/strike hours week:{TODAY.isoformat()}",
                                             f"{on_the_line} members were on the line"))
    finally:
        await app.close()
    return times


def report(args, times: dict[str, list[tuple[float, float]]]) -> str:
    wall, cpu = wall_and_cpu(times)
    engine = "PostgreSQL" if args.pg else "SQLite"
    signins = args.line * args.lines
    out = []
    for title, parts, base in (
        (f"/strike plan on {engine}: next week at {args.sites} sites × 2 shifts × 5 weekdays "
         f"({10 * args.sites:,} shifts)",
         (("plan", "`/strike plan <mon> <sun> 6:30-10:30 10:30-14:30`"),
          ("plan_sql", "hand-written SQL (plain driver, one executemany)")), "plan_sql"),
        (f"/strike status on {engine}: {args.members:,} members, {args.sites} sites × 2 shifts today",
         (("text", "`/strike status chart:no` (text and CSV)"), ("image", "`/strike status` with the heat map"),
          ("sql", "hand-written SQL (plain driver)")), "sql"),
        (f"Sign-in rush on {engine}: {args.lines} captains at once, {args.line} people each ({signins:,} sign-ins)",
         (("burst", f"`/strike signin <shift> <{args.line} names>` × lines, concurrently"),
          ("burst_sql", "hand-written SQL, one transaction a line")), "burst_sql"),
        (f"/strike hours on {engine}: a leader's week of {args.members:,} members (target ≤ 1 s)",
         (("hours", "`/strike hours` (text and the fund's CSV)"),
          ("hours_sql", "hand-written SQL (plain driver)")), "hours_sql")):
        rows = []
        for what, label in parts:
            extra = [signins / median(wall[what])] if base == "burst_sql" else []
            rows.append([label, median(wall[what]) * 1e3, percentile(wall[what], 99) * 1e3,
                         median(wall[what]) / median(wall[base]), cpu[what] * 1e3,
                         cpu[what] / cpu[base] if not args.pg else "", *extra])
        header = ["what", "p50 ms", "p99 ms", "× SQL", "CPU p50 ms", "CPU × SQL"]
        out.append(markdown(f"{title} ({args.reps} repetitions)",
                            header + (["sign-ins/s"] if base == "burst_sql" else []), rows))
    return "\n".join(out)


def main() -> None:
    parser = arguments(__doc__, reps=5)
    parser.add_argument("--members", type=int, default=35_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--line", type=int, default=40)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
    measure_and_report(args, on_fresh_database(run), report)


if __name__ == "__main__":
    main()
