"""A copy of the database without the server key, attacked as issue 19 did: pair the anonymous answers
with the members who gave them by PostgreSQL's transaction ids (``xmin``), by the rows' place in the
heap (``ctid``) and in a ``pg_dump``, by the order of the cells in the SQLite file, by any other table
written when someone answers, and by two copies of the SQLite file with its ``-wal`` taken around one
answer.

40 members answer one by one, each on first contact (their member row is created in the same
transaction: the strongest link time gives). Before issue 19 every attack paired 36 to 40 of 40;
with each answer written among 4 rewritten ones, 3 to 5 of 40. Now every answer rewrites the whole
poll (up to ``MIX`` = 64 rows) in one shuffled insert, every row sealed anew: the attacks pair 0 to 2
of 40 (measured: xmin 0.025, heap order 1, pg_dump order 1, SQLite cell order 2), what a blind guess
gets (1 on average; 7 or more in under 1 run of 5,000). The choice itself is sealed, and so are the
counts, so two copies around one answer differ the same way whatever it was."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter

import pytest
from sqlalchemy import MetaData, select, text

N = 40
CHANCE = 6  # pairing by a random order: 1 right on average, more than 6 (of two tries) p < 0.0002


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


async def answer_one_by_one(bot) -> dict[str, int]:
    """Each of N new accounts answers (choice by position); returns each voter hash's member id."""
    await bot.ok("boss", "/readiness open Ready?", role="leader")
    for i in range(N):
        await bot.ok(f"m{i:02d}", f"/readiness answer 1 {1 + i % 4}")
    from storage.members import Member

    members = await bot.app.db.read(lambda s: s.exec(select(Member).where(Member.name.like("m%"))))
    return {bot.app.voters.key(1, member.voter): member.id for member in members.scalars()}


def pairs_by_order(voters_in_order: list[str], truth: dict[str, int]) -> int:
    """Pair the i-th row with the i-th member to arrive (member ids grow with first contact), either way round."""
    members = sorted(truth.values())
    forward = sum(truth[v] == m for v, m in zip(voters_in_order, members, strict=True))
    backward = sum(truth[v] == m for v, m in zip(reversed(voters_in_order), members, strict=True))
    return max(forward, backward)


async def test_postgres_xmin_heap_and_dump_order_pair_no_better_than_chance(pg_url, app_for, bot_for):
    app = await app_for(pg_url)
    truth = await answer_one_by_one(bot_for(app))
    rows = (await app.db.read(lambda s: s.exec(text(
        "SELECT xmin::text::bigint, voter FROM readinessanswer ORDER BY ctid")))).all()
    members = dict((await app.db.read(lambda s: s.exec(text(
        "SELECT id, xmin::text::bigint FROM member WHERE name LIKE 'm%'")))).all())
    by_xmin: dict[int, list[str]] = {}
    for xmin, voter in rows:
        by_xmin.setdefault(xmin, []).append(voter)
    # the xmin attack: a member's answer is among the rows of the transaction that created the member
    expected = sum(1 / len(by_xmin[members[m]]) for v, m in truth.items() if v in by_xmin.get(members[m], ()))
    assert expected <= 1, expected  # the last writer's rows, all 40 of them: 1/40 expected right
    assert len(by_xmin) == 1
    assert pairs_by_order([v for _, v in rows], truth) <= CHANCE  # heap order
    dump = subprocess.run(["pg_dump", "--data-only", "--table=readinessanswer", pg_url.replace("+asyncpg", "")],
                          capture_output=True, text=True, check=True).stdout
    in_dump = [line.split("\t")[1] for line in dump.split("FROM stdin;\n")[1].split("\n\\.")[0].splitlines()]
    assert sorted(in_dump) == sorted(truth)
    assert pairs_by_order(in_dump, truth) <= CHANCE
    await app.close()


async def test_sqlite_cell_order_pairs_no_better_than_chance(tmp_path, app_for, bot_for):
    path = tmp_path / "organizer.db"
    app = await app_for(f"sqlite+aiosqlite:///{path}")
    truth = await answer_one_by_one(bot_for(app))
    await app.close()
    cells = cells_in_file_order(path, "readinessanswer")
    assert sorted(cells) == sorted(truth)
    assert pairs_by_order(cells, truth) <= CHANCE


async def test_an_answer_writes_nothing_but_answer_rows_sealed_anew(bot, app):
    await bot.ok("boss", "/readiness open Ready?", role="leader")
    for i in range(8):
        await bot.ok(f"m{i}", "/readiness answer 1 1")
    await bot.ok("m9", "/member me")  # registered before answering
    before = await everything(app)
    await bot.ok("m9", "/readiness answer 1 2")
    after = await everything(app)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"readinessanswer", "readinesscount"}, changed  # no mark, no timestamp, no member row
    assert not after["readinessanswer"] & before["readinessanswer"]  # every row rewritten, none as it was
    assert before["readinesscount"] < after["readinesscount"]  # one sealed row of what changed, nothing read
    assert len(after["readinesscount"] - before["readinesscount"]) == 1


@pytest.mark.parametrize("first, second", [(1, 2), (2, 4)])
async def test_two_copies_with_their_wal_around_one_answer_differ_alike_whatever_it_was(tmp_path, app_for, bot_for,
                                                                                        first, second):
    """Two worlds with the same history, where m9 then answers ``first`` or ``second`` (and m0 changes
    their answer the same way): what an attacker reads from the SQLite file and its ``-wal``, copied
    before and after, changes alike in both."""
    diffs = []
    for world, choice in (("a", first), ("b", second)):
        path = tmp_path / world / "organizer.db"
        path.parent.mkdir()
        app = await app_for(f"sqlite+aiosqlite:///{path}")
        bot = bot_for(app)
        await bot.ok("boss", "/readiness open Ready?", role="leader")
        for i in range(8):
            await bot.ok(f"m{i}", f"/readiness answer 1 {1 + i % 4}")
        await bot.ok("m9", "/member me")
        copies = [copy_with_wal(path, tmp_path / world / "before")]
        await bot.ok("m9", f"/readiness answer 1 {choice}")
        copies.append(copy_with_wal(path, tmp_path / world / "new"))
        await bot.ok("m0", f"/readiness answer 1 {choice}")
        copies.append(copy_with_wal(path, tmp_path / world / "changed"))
        await app.close()
        assert all(copy.with_name(copy.name + "-wal").stat().st_size for copy in copies)  # the WAL holds the writes
        seen = [readable(copy) for copy in copies]
        diffs.append([(after - before, before - after) for before, after in zip(seen, seen[1:])])
    assert diffs[0] == diffs[1]
    (added, removed), (changed_added, changed_removed) = diffs[0]
    # one more answer row and one more sealed count row (its key is random), in either world
    assert Counter(table for table, _ in added) == {"readinessanswer": 1, "readinesscount": 1} and not removed
    assert Counter(table for table, _ in changed_added) == {"readinesscount": 1} and not changed_removed


def copy_with_wal(path, to):
    to.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{path}{suffix}", to / f"{path.name}{suffix}")
    return to / path.name


SEALED = {"voter", "sealed"}  # keyed hashes and sealed values: without the key, random-looking strings


def _readable_cell(value):
    return value.rsplit(":", 1)[0] if isinstance(value, str) and value.count(":") == 2 else value


def readable(path) -> Counter:
    """Every row of every table of a copy as an attacker without the key reads it."""
    conn = sqlite3.connect(path)
    rows: Counter = Counter()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] not in SEALED]
        rows.update((table, tuple(map(_readable_cell, row)))
                    for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"))
    conn.close()
    return rows


async def everything(app) -> dict[str, set[tuple]]:
    async def read(session):
        meta = MetaData()
        await (await session.connection()).run_sync(lambda c: meta.reflect(c))
        return {t.name: {tuple(map(repr, row)) for row in (await session.exec(select(t))).all()}
                for t in meta.sorted_tables}
    return await app.db.read(read)


def cells_in_file_order(path, table: str) -> list[str]:
    """The voter of every cell of a WITHOUT ROWID table, read off the file's pages the way an attacker
    would: pages in order, cells within a page by their offset."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = path.read_bytes()
    found: list[tuple[int, int, str]] = []

    def page(number: int) -> None:
        start = (number - 1) * size
        head = start + (100 if number == 1 else 0)
        kind, count = data[head], int.from_bytes(data[head + 3:head + 5], "big")
        pointers = head + (12 if kind == 0x02 else 8)
        for i in range(count):
            offset = int.from_bytes(data[pointers + 2 * i:pointers + 2 * i + 2], "big")
            cell = start + offset
            if kind == 0x02:  # interior index page: a child page, then a key
                page(int.from_bytes(data[cell:cell + 4], "big"))
                cell += 4
            found.append((number, offset, _voter(data, cell)))
        if kind == 0x02:
            page(int.from_bytes(data[head + 8:head + 12], "big"))

    page(root)
    return [voter for _, _, voter in sorted(found, key=lambda c: (c[0], -c[1]))]


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("bad varint")


def _voter(data: bytes, cell: int) -> str:
    """The second column (voter) of an index cell's record: (poll_id, voter, …)."""
    _, record = _varint(data, cell)  # the payload's size, then the record
    header_size, at = _varint(data, record)
    first, at = _varint(data, at)  # poll_id's serial type
    second, _ = _varint(data, at)  # voter's: text of (n - 13) / 2 bytes
    skip = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}[first]
    content = record + header_size + skip
    return data[content:content + (second - 13) // 2].decode()


@pytest.fixture
def app_for(clock):
    from bot.app import App
    from commands import build_registry
    from storage.db import Database
    from tests.support import make_config

    async def make(url):
        app = App(make_config(), build_registry(), db=Database(url), clock=clock)
        await app.start()
        return app
    return make


@pytest.fixture
def bot_for(clock):
    from tests.support import Harness

    return lambda app: Harness(app, clock)
