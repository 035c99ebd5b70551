"""The readiness tally at campaign size: N roster members over S worksites, A answers over P polls.

    python bench/tally.py [--members 35000] [--sites 500] [--answers 100000] [--polls 5] [--reps 21] [--pg URL]

Seeded with bulk inserts. Measured through the core as a leader runs it (``/readiness tally <poll>``,
audited, so it is a write): once with the chart replaced by an empty one (the text: queries, counts,
wording) and once as shipped (with the PNG chart). The baseline is one hand-written SQL GROUP BY
over the same tables (roster per site joined with answers per site and choice), through the plain
driver (stdlib sqlite3, or asyncpg), run side by side. Targets (issue 10): text p50 ≤ 50 ms and
≤ 2× the GROUP BY; with the chart ≤ 500 ms.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from unittest import mock

from common import (
    arguments,
    bench_config,
    database,
    measure_and_report,
    median,
    percentile,
    plain_pg,
    seed_members,
    table,
)

ROSTER_LINE = re.compile(r"Roster: (\d+) · answered: (\d+)")
GROUP_BY = """
WITH roster AS (SELECT worksite_id, count(*) AS n FROM member WHERE on_roster GROUP BY worksite_id),
     answers AS (SELECT site_id, choice, count(*) AS n FROM readinessanswer
                 WHERE poll_id = {poll} AND on_roster GROUP BY site_id, choice)
SELECT w.name, r.n, a.choice, a.n FROM roster r JOIN worksite w ON w.id = r.worksite_id
LEFT JOIN answers a ON a.site_id = r.worksite_id ORDER BY w.name, a.choice
"""


async def seed(app, members: int, sites: int, answers: int, polls: int) -> list[int]:
    """Roster, polls and answers in bulk; answers go to random roster members, one per member and poll."""
    from sqlalchemy import insert

    from storage.readiness import ReadinessAnswer, ReadinessPoll

    ids = await seed_members(app, members, sites=sites)
    site_of = {member_id: 1 + i % sites for i, member_id in enumerate(ids)}  # worksite ids are 1..sites
    rng = random.Random(10)

    async def work(session) -> list[int]:
        poll_ids = []
        for p in range(polls):
            # named polls: a leader reads every count of those, so the totals can be checked against the seed
            poll = ReadinessPoll(question=f"Poll {p}", choices=["Yes", "Leaning yes", "Not sure", "No"],
                                 anonymous=False, created_at=app.clock())
            session.add(poll)
            await session.flush()
            poll_ids.append(poll.id)
            voters = rng.sample(ids, min(members, answers // polls))
            await session.exec(insert(ReadinessAnswer), params=[
                {"poll_id": poll.id, "voter": f"{poll.id}-{m}", "member_id": m, "site_id": site_of[m],
                 "on_roster": True, "choice": rng.choice((0, 0, 1, 2, 3))} for m in voters])
        return poll_ids

    return await app.db.write(work)


async def group_by_seconds(url: str, poll: int) -> float:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sql = GROUP_BY.format(poll=int(poll))
    if parsed.drivername.startswith("sqlite"):
        conn = sqlite3.connect(parsed.database)
        start = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        seconds = time.perf_counter() - start
        conn.close()
    else:

        conn = await plain_pg(url)
        start = time.perf_counter()
        rows = await conn.fetch(sql)
        seconds = time.perf_counter() - start
        await conn.close()
    assert rows
    return seconds


def check_totals(text: str, members: int, answers: int) -> None:
    """The tally a leader reads must add up to the whole roster and every answer given."""
    found = [tuple(map(int, pair)) for pair in ROSTER_LINE.findall(text)]
    assert sum(r for r, _ in found) == members and sum(a for _, a in found) == answers, (len(found), text[:300])


async def run(url: str, args) -> dict[str, list[float]]:
    """Seed ``url``, then time the tally and the GROUP BY side by side, checking every tally's totals."""
    from bot.app import App
    from bot.types import Identity
    from commands import build_registry

    leader = Identity("console", "lead", "Lead")
    times: dict[str, list[float]] = {"text": [], "chart": [], "sql": []}
    app = App(bench_config(url), build_registry())
    await app.start()
    try:
        polls = await seed(app, args.members, args.sites, args.answers, args.polls)

        async def tally(poll: int) -> float:
            start = time.perf_counter()
            reply = await app.run_line(leader, f"/readiness tally {poll}", claims={"role:leader"})
            seconds = time.perf_counter() - start
            assert not reply.error, reply.message.text
            check_totals(reply.message.text, args.members, min(args.members, args.answers // args.polls))
            return seconds

        await tally(polls[0])  # warm: imports, matplotlib fonts
        for rep in range(args.reps):
            poll = polls[rep % len(polls)]
            times["sql"].append(await group_by_seconds(url, poll))
            with mock.patch("commands.readiness.share_bars", return_value=b""):
                times["text"].append(await tally(poll))
            if rep % 3 == 0:  # the chart is slow; a third of the repetitions is plenty for its median
                times["chart"].append(await tally(poll))
    finally:
        await app.close()
    return times


async def measure(args) -> dict[str, list[float]]:
    async with database(args.pg) as url:
        return await run(url, args)


def report(args, times: dict[str, list[float]]) -> str:
    sql = median(times["sql"])
    text, chart = median(times["text"]), median(times["chart"])
    engine = "PostgreSQL" if args.pg else "SQLite"
    return table(f"Tally on {engine}: {args.members:,} members, {args.sites} worksites, {args.answers:,} answers "
                 f"over {args.polls} polls ({args.reps} repetitions)",
                 ["what", "p50 ms", "p99 ms", "× GROUP BY", "target"], [
                     ["`/readiness tally`, text (chart stubbed)", text * 1e3, percentile(times["text"], 99) * 1e3,
                      text / sql, "p50 ≤ 50 ms, ≤ 2×"],
                     ["`/readiness tally` with the chart", chart * 1e3, percentile(times["chart"], 99) * 1e3,
                      chart / sql, "≤ 500 ms"],
                     ["hand-written SQL GROUP BY (plain driver)", sql * 1e3, percentile(times["sql"], 99) * 1e3,
                      1.0, ""],
                 ])


def main() -> None:
    parser = arguments(__doc__, reps=21)
    parser.add_argument("--members", type=int, default=35_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--polls", type=int, default=5)
    args = parser.parse_args()
    measure_and_report(args, measure, report)


if __name__ == "__main__":
    main()
