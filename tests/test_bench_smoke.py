"""The burst, tally and Slack benchmarks at tiny sizes, for correctness only (their timings mean nothing
here): a burst fills exactly the capacity and waitlists the rest, once each; a vote burst stores every
answer once, as sent; the floors insert into the bot's own schema; the tally adds up to the
roster; every signed slash command is stored, through a command process and without one; the open-loop
bench confirms every click, through the core and its hand-written floor, as the join rule says; the strike
bench's plan, staffing view, sign-in rush and hours agree with its hand-written SQL."""

from __future__ import annotations

import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import burst  # noqa: E402
import openloop  # noqa: E402
import slack_e2e  # noqa: E402
import strike  # noqa: E402
import structure  # noqa: E402
import tally  # noqa: E402


async def test_a_burst_fills_the_places_and_waitlists_the_rest_once_each(db_url):
    stored = await burst.burst(db_url, 60)
    assert (stored["going"], stored["waitlisted"], stored["duplicates"]) == (30, 30, 0)


@pytest.mark.parametrize("path", ["floor", "core"])
async def test_the_open_loop_confirms_every_click_as_the_join_rule_says(db_url, path):
    result = await openloop.RUNS[path](db_url, 200, 40, 30)
    assert (len(result["latencies"]), result["errors"]) == (40, 0)
    assert (result["going"], result["waitlisted"], result["duplicates"], result["waitlist_in_order"]) == (20, 20, 0,
                                                                                                         True)


async def test_a_vote_burst_stores_every_answer_once_as_sent(db_url):
    stored = await burst.vote(db_url, 60)
    assert (stored["answers"], stored["answered"], stored["duplicates"], stored["as_sent"]) == (60, 60, 0, 1)


@pytest.mark.parametrize("what", ["join", "answer"])
async def test_a_burst_floor_inserts_its_rows_into_the_bots_own_schema(db_url, what):
    from sqlalchemy import text

    from storage.db import Database

    await burst.floor(db_url, 40, what)
    db = Database(db_url)
    try:
        stored = {name: await db.read(lambda s, name=name: _count(s, text(f"SELECT count(*) FROM {name}")))
                  for name in burst.floor_rows(what, 40)}
    finally:
        await db.close()
    assert stored == {name: 40 for name in burst.floor_rows(what, 40)}


async def _count(session, stmt) -> int:
    return (await session.exec(stmt)).scalar_one()


async def test_the_tally_bench_adds_up_to_the_roster_and_every_answer(db_url):
    args = Namespace(members=120, sites=7, answers=240, polls=3, reps=2)
    times = await tally.run(db_url, args)  # each tally's totals are checked inside
    assert len(times["text"]) == 2 and len(times["chart"]) == 1 and len(times["sql"]) == 2


async def test_the_structure_bench_reads_every_worksite_of_its_ladder(db_url):
    args = Namespace(members=120, sites=7, tests=4, reps=2)
    times = await structure.run(db_url, args)  # each view's worksite count is checked inside
    assert len(times["text"]) == len(times["image"]) == len(times["sql"]) == 2  # the image every repetition too


async def test_the_strike_bench_plans_signs_in_and_counts_the_hours_of_every_line(db_url):
    args = Namespace(members=140, sites=4, line=5, lines=2, reps=1)
    times = await strike.run(db_url, args)  # each reply is checked inside against what was seeded or planned
    assert {part: len(spent) for part, spent in times.items()} == {part: 1 for part in strike.PARTS}


def test_the_tally_check_catches_a_tally_that_does_not_add_up():
    text = "**School 0** — passes\\nRoster: 3 · answered: 2\\n\\n**School 1** — passes\\nRoster: 4 · answered: 1"
    tally.check_totals(text, 7, 3)
    with pytest.raises(AssertionError):  # a roster of 8 must not be taken for 7
        tally.check_totals(text, 8, 3)


def test_the_slack_bench_stores_every_signup_with_and_without_a_command_process():
    run = subprocess.run([sys.executable, slack_e2e.__file__, "--commands", "30", "--concurrency", "5", "--reps", "1",
                          "--inline", "--pg", ""], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "signups stored per run: {'bot': [30], 'inline': [30]} (all)" in run.stdout
