"""Shared by the benchmark scripts: repetitions, medians, percentiles and a plain table.

Machines here are shared and noisy, so every figure that matters is a ratio against a baseline
measured side by side in the same run, over several repetitions, median reported."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
if str(ROOT) not in sys.path:  # the benches import the bot from this checkout
    sys.path.insert(0, str(ROOT))


PG_HELP = "a PostgreSQL server URL to measure on instead of SQLite"


def arguments(doc: str, *, reps: int | None = None, pg: str | None = PG_HELP) -> argparse.ArgumentParser:
    """Every bench's command line starts the same: its docstring's first line, ``--reps`` and ``--pg``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if reps:
        parser.add_argument("--reps", type=int, default=reps)
    if pg:
        parser.add_argument("--pg", default=os.environ.get("ORGANIZER_TEST_PG_URL"), help=pg)
    return parser


def measure_and_report(args: argparse.Namespace, measure: Callable[[argparse.Namespace], Awaitable[object]],
                       report: Callable[[argparse.Namespace, object], str]) -> None:
    """Every bench ends the same: measure, then print the machine it ran on and the report."""
    measured = asyncio.run(measure(args))
    print(machine())
    print(report(args, measured))


async def plain_pg(url: str):
    """The hand-written baselines' PostgreSQL connection: asyncpg itself, on the server the bot's URL names."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return await asyncpg.connect(user=parsed.username, password=parsed.password, host=parsed.host, port=parsed.port,
                                 database=parsed.database)


class Clock:
    """Wall and process CPU time since it was made, in seconds."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def spent(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def on_fresh_database(run: Callable[[str, argparse.Namespace], Awaitable[object]]
                      ) -> Callable[[argparse.Namespace], Awaitable[object]]:
    """A bench's ``measure``: ``run(url, args)`` on a fresh database (SQLite, or ``--pg``'s server)."""
    async def measure(args: argparse.Namespace) -> object:
        async with database(args.pg) as url:
            return await run(url, args)
    return measure


def wall_and_cpu(times: dict[str, list[tuple[float, float]]]) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Each part's wall times, and its median CPU time, from (wall, CPU) pairs."""
    return ({what: [w for w, _ in spent] for what, spent in times.items()},
            {what: median([c for _, c in spent]) for what, spent in times.items()})


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(map(str, header))] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [f"### {title}", "", "| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells[1:]]
    return "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · {cpu} · "
            f"Python {platform.python_version()}")


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak, in MB, from /proc."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def pss_mb(pid: int) -> float:
    """Proportional set size in MB: resident memory with each page shared with other processes (the
    interpreter, C extensions, libraries) split among them, so two processes' PSS add up to what they
    take from the machine together, where their RSS would count the shared pages twice."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:")) / 1024


def bot(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, **kwargs)


def bench_config(url: str, **overrides):
    """A campaign config for the benches (console roles by claim, no channels unless given)."""
    from bot.adapters import installed

    return installed().config_model.model_validate(
        {"campaign": {"name": "Bench local", "timezone": "America/Los_Angeles"}, "database": {"url": url}, **overrides})


@asynccontextmanager
async def database(pg_url: str | None):
    """A fresh database for one measurement: a SQLite file in a temporary folder, or a new database on
    the PostgreSQL server at ``pg_url`` (dropped afterwards)."""
    if not pg_url:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return
    from tests.pg import fresh_database

    async with fresh_database(pg_url, "bench") as url:
        yield url


async def seed_members(app, count: int, *, sites: int = 0, platform: str = "console", prefix: str = "m") -> list[int]:
    """``count`` roster members (over ``sites`` worksites) with one account each, ``{prefix}{i}``,
    in bulk inserts; returns their ids in order."""
    from sqlalchemy import insert, select

    from storage.members import Member, MemberIdentity, Worksite

    now = app.clock()

    async def work(session) -> list[int]:
        site_ids: list[int | None] = [None]
        if sites:
            await session.exec(insert(Worksite), params=[
                {"name": f"School {s}", "key": f"school {s}", "created_at": now} for s in range(sites)])
            site_ids = list((await session.exec(select(Worksite.id).order_by(Worksite.id))).scalars())
        ids = list((await session.exec(insert(Member).returning(Member.id, sort_by_parameter_order=True), params=[
            {"name": f"Member {i}", "worksite_id": site_ids[i % len(site_ids)], "on_roster": True, "created_at": now}
            for i in range(count)])).scalars())
        await session.exec(insert(MemberIdentity), params=[
            {"member_id": member_id, "platform": platform, "user_id": f"{prefix}{i}", "display_name": f"Member {i}",
             "last_seen": now} for i, member_id in enumerate(ids)])
        return ids

    return await app.db.write(work)
