"""The structure ladder at campaign size: N roster members over S worksites, a ladder of T tests.

    python bench/structure.py [--members 35000] [--sites 500] [--tests 12] [--reps 15] [--pg URL]

The ladder is half actions (every other one at a single worksite), a quarter readiness polls (named,
so a leader reads every count) and a quarter pledges, each reached by about a third of the roster;
seeded with bulk inserts. Measured through the core as a leader runs it (``/structure``, audited, so a
write): with ``chart:no`` (the text and the CSV: queries, shares, wording) and as shipped (with the heat
map). The baseline is hand-written SQL over the same tables and indexes (roster per site, then check-ins,
first choices and signatures per test and site, one UNION ALL), through the plain driver (stdlib sqlite3,
or asyncpg), run side by side. Wall time is what a leader waits; CPU is this process's (on SQLite the
database's too), steadier than wall time on a shared machine. Targets (issue 21): text p50 ≤ 200 ms and
≤ 2× the SQL; with the image ≤ 500 ms.
"""

from __future__ import annotations

import random
import sqlite3

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
    table,
    wall_and_cpu,
)

SQL = """
SELECT 'roster', 0, worksite_id, count(*) FROM member WHERE on_roster GROUP BY worksite_id
UNION ALL
SELECT 'action', s.action_id, m.worksite_id, count(*) FROM signup s JOIN member m ON m.id = s.member_id
 WHERE m.on_roster AND s.action_id IN ({actions}) AND s.checked_in_at IS NOT NULL GROUP BY s.action_id, m.worksite_id
UNION ALL
SELECT 'poll', poll_id, site_id, count(*) FROM readinessanswer
 WHERE on_roster AND choice = 0 AND poll_id IN ({polls}) GROUP BY poll_id, site_id
UNION ALL
SELECT 'pledge', p.pledge_id, m.worksite_id, count(*) FROM pledgesignature p JOIN member m ON m.id = p.member_id
 WHERE m.on_roster AND p.pledge_id IN ({pledges}) GROUP BY p.pledge_id, m.worksite_id
"""


async def seed(app, members: int, sites: int, tests: int) -> dict[str, list[int]]:
    """Roster, the tests' actions, polls and pledges, what a third of the roster did at each, and the ladder."""
    from sqlalchemy import insert

    from storage.actions import Action, Signup
    from storage.pledges import Pledge, PledgeSignature
    from storage.readiness import ReadinessAnswer, ReadinessPoll
    from storage.structure import StructureTest

    ids = await seed_members(app, members, sites=sites)
    site_of = {member_id: 1 + i % sites for i, member_id in enumerate(ids)}  # worksite ids are 1..sites
    rng = random.Random(21)
    now = app.clock()
    kinds = ["action"] * (tests // 2) + ["readiness"] * (tests // 4)
    kinds += ["pledge"] * (tests - len(kinds))
    rng.shuffle(kinds)

    async def work(session) -> dict[str, list[int]]:
        made: dict[str, list[int]] = {"action": [], "readiness": [], "pledge": []}
        for position, kind in enumerate(kinds, 1):
            reached = rng.sample(ids, members // 3)
            site = 1 + position % sites if kind == "action" and position % 2 else None
            if kind == "action":
                row = Action(title=f"Picket {position}", kind="picket", starts_at=now, location="Gate",
                             worksite_id=site, created_at=now)
            elif kind == "readiness":
                row = ReadinessPoll(question=f"Poll {position}", choices=["Yes", "No"], anonymous=False,
                                    created_at=now)
            else:
                row = Pledge(text=f"Pledge {position}", created_at=now)
            session.add(row)
            await session.flush()
            made[kind].append(row.id)
            if kind == "action":
                await session.exec(insert(Signup), params=[
                    {"action_id": row.id, "member_id": m, "status": "going", "created_at": now,
                     "checked_in_at": now if rng.random() < 0.8 else None} for m in reached])
            elif kind == "readiness":
                await session.exec(insert(ReadinessAnswer), params=[
                    {"poll_id": row.id, "voter": f"{row.id}-{m}", "member_id": m, "site_id": site_of[m],
                     "on_roster": True, "choice": rng.choice((0, 0, 1))} for m in reached])
            else:
                await session.exec(insert(PledgeSignature), params=[
                    {"pledge_id": row.id, "member_id": m, "signed_at": now} for m in reached])
            session.add(StructureTest(position=position, kind=kind, ref_id=row.id,
                                      site_ids=None if site is None else [site], created_at=now))
        return made

    return await app.db.write(work)


async def sql_seconds(url: str, made: dict[str, list[int]]) -> tuple[float, float]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sql = SQL.format(actions=",".join(map(str, made["action"])), polls=",".join(map(str, made["readiness"])),
                     pledges=",".join(map(str, made["pledge"])))
    if parsed.drivername.startswith("sqlite"):
        conn = sqlite3.connect(parsed.database)
        clock = Clock()
        rows = conn.execute(sql).fetchall()
        spent = clock.spent()
        conn.close()
    else:

        conn = await plain_pg(url)
        clock = Clock()
        rows = await conn.fetch(sql)
        spent = clock.spent()
        await conn.close()
    assert rows
    return spent


async def run(url: str, args) -> dict[str, list[tuple[float, float]]]:
    from bot.app import App
    from bot.types import Identity
    from commands import build_registry

    leader = Identity("console", "lead", "Lead")
    times: dict[str, list[tuple[float, float]]] = {"text": [], "image": [], "sql": []}
    app = App(bench_config(url), build_registry())
    await app.start()
    try:
        made = await seed(app, args.members, args.sites, args.tests)

        async def ladder(line: str) -> tuple[float, float]:
            clock = Clock()
            reply = await app.run_line(leader, line, claims={"role:leader"})
            spent = clock.spent()
            assert not reply.error, reply.message.text
            assert f"Structure tests at {args.sites} worksites" in reply.message.text, reply.message.text[:300]
            return spent

        await ladder("/structure")  # warm: imports, the font
        for _ in range(args.reps):
            times["sql"].append(await sql_seconds(url, made))
            times["text"].append(await ladder("/structure chart:no"))
            times["image"].append(await ladder("/structure"))
    finally:
        await app.close()
    return times


def report(args, times: dict[str, list[tuple[float, float]]]) -> str:
    wall, cpu = wall_and_cpu(times)
    sql = median(wall["sql"])
    engine = "PostgreSQL" if args.pg else "SQLite"
    rows = []
    for what, label, target in (("text", "`/structure chart:no` (text and CSV)", "p50 ≤ 200 ms, ≤ 2×"),
                                ("image", "`/structure` with the heat map", "≤ 500 ms"),
                                ("sql", "hand-written SQL (plain driver)", "")):
        rows.append([label, median(wall[what]) * 1e3, percentile(wall[what], 99) * 1e3, median(wall[what]) / sql,
                     cpu[what] * 1e3, cpu[what] / cpu["sql"] if args.pg is None else "", target])
    return table(f"/structure on {engine}: {args.members:,} members, {args.sites} worksites, {args.tests} tests "
                 f"({args.reps} repetitions)",
                 ["what", "p50 ms", "p99 ms", "× SQL", "CPU p50 ms", "CPU × SQL", "target"], rows)


def main() -> None:
    parser = arguments(__doc__, reps=15)
    parser.add_argument("--members", type=int, default=35_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--tests", type=int, default=12)
    args = parser.parse_args()
    measure_and_report(args, on_fresh_database(run), report)


if __name__ == "__main__":
    main()
