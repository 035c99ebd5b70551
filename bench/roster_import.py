"""Roster import: N new rows, then the same file again, plain and ``--sync``, beside a plain executemany.

    python bench/roster_import.py [--members 35000] [--reps 3] [--pg URL]

The bot's row is ``storage.roster.import_rows`` (what ``organizer-bot roster import`` runs, in one write
transaction) over the rows of a CSV of N members at 500 worksites (name, worksite, email, member id),
read with ``read_csv``. The floor inserts the same member rows into the bot's own schema (worksites
already there) with one ``executemany``, in one transaction: stdlib ``sqlite3`` with the bot's file
settings, or asyncpg. Then the unchanged file again: a plain re-import, and ``--sync`` (its preview
and the import, as the command runs them). Targets (issue 25): a first import ≤ 3× the floor; a
re-import and a ``--sync`` of an unchanged file ≤ 2 s each.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from common import arguments, bench_config, database, machine, median, plain_pg, table
from startup_memory import roster_csv

SITES = 500


async def bot_runs(url: str, rows) -> dict[str, float]:
    from bot.app import App
    from commands import build_registry
    from storage.roster import import_rows, preview_rows

    app = App(bench_config(url), build_registry())
    await app.start()
    columns = app.config.platforms.id_columns()
    try:
        times = {}
        for name, sync in (("first", False), ("again", False), ("sync", True)):
            start = time.perf_counter()
            if sync:
                await app.db.write(lambda s: preview_rows(s, rows, app.clock(), app.voters, columns, sync=True))
            report = await app.db.write(lambda s, sync=sync: import_rows(s, rows, app.clock(), app.voters, columns,
                                                                              sync=sync))
            times[name] = time.perf_counter() - start
            expected = (len(rows), 0, 0) if name == "first" else (0, 0, len(rows))
            assert (report.added, report.updated, report.unchanged) == expected, (name, report)
        return times
    finally:
        await app.close()


async def floor(url: str, rows) -> float:
    """The member rows alone, one executemany, on a schema the bot created with the worksites in it."""
    from sqlalchemy import insert
    from sqlalchemy.engine import make_url

    from bot.app import App
    from commands import build_registry
    from storage.members import Worksite
    from storage.roster import row_key

    app = App(bench_config(url), build_registry())
    await app.start()
    now = app.clock()

    async def sites(session) -> None:
        await session.exec(insert(Worksite), params=[{"name": f"School {s}", "key": f"school {s}", "created_at": now}
                                                     for s in range(SITES)])

    await app.db.write(sites)
    await app.close()
    records = [(row["name"], 1 + int(row["worksite"].split()[1]), row["email"], row["member_no"], True, row_key(row),
                now) for _line, row in rows]
    columns = "name, worksite_id, email, member_no, on_roster, roster_key, created_at"
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO member ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(*r[:-1], stamp) for r in records])
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
        return seconds

    conn = await plain_pg(url)
    start = time.perf_counter()
    async with conn.transaction():
        await conn.executemany(f"INSERT INTO member ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)", records)
    seconds = time.perf_counter() - start
    await conn.close()
    return seconds


async def measure(args) -> tuple[list[dict[str, float]], list[float]]:
    from storage.roster import read_csv

    columns = bench_config("sqlite://").platforms.id_columns()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        roster_csv(path, args.members)
        rows, problems = read_csv(path.read_text(encoding="utf-8"), columns)
    assert not problems and len(rows) == args.members
    runs, floors = [], []
    for _ in range(args.reps):
        async with database(args.pg) as url:
            floors.append(await floor(url, rows))
        async with database(args.pg) as url:
            runs.append(await bot_runs(url, rows))
    return runs, floors


def main() -> None:
    parser = arguments(__doc__, reps=3)
    parser.add_argument("--members", type=int, default=35_000)
    args = parser.parse_args()
    print(machine())
    runs, floors = asyncio.run(measure(args))
    base = median(floors)
    first, again, sync = (median([r[k] for r in runs]) for k in ("first", "again", "sync"))
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(table(f"Roster import on {engine}: {args.members:,} members at {SITES} worksites (median of {args.reps})",
                ["what", "seconds", "× floor", "target"], [
                    ["bot: first import (all rows new), import_rows", first, first / base, "≤ 3×"],
                    ["bot: the same file again", again, again / base, "≤ 2 s"],
                    ["bot: the same file again, --sync (preview and import)", sync, sync / base, "≤ 2 s"],
                    ["floor: one executemany of the member rows", base, 1.0, ""],
                ]))


if __name__ == "__main__":
    main()
