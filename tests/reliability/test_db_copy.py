"""A copy of the database without the server key, attacked as issue 19 did: pair the anonymous answers
with the members who gave them by PostgreSQL's transaction ids (``xmin``), by the rows' place in the
heap (which is also the order of a ``pg_dump``), by the order of the cells in the SQLite file, and by
any other table written when someone answers.

40 members answer one by one, each on first contact (their member row is created in the same
transaction: the strongest link time gives). Guessing blindly pairs 1 of 40 on average; before the fix
every attack paired 36 to 40. Now the rows written with an answer are at least ``MIX`` (min_cell_size)
at once, in shuffled order, so an attack can only pick among them."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import MetaData, select, text

N, MIX = 40, 5
BOUND = N / MIX + 3  # what picking among MIX rows written together gives, and a little luck


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


async def test_postgres_xmin_heap_and_dump_order_pair_no_better_than_picking_among_the_mix(pg_url, app_for, bot_for):
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
    assert expected <= BOUND, expected
    # heap order, which is a dump's order too (COPY reads the heap)
    assert pairs_by_order([v for _, v in rows], truth) <= BOUND
    marks = await app.db.read(lambda s: s.exec(text(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'readinessanswered'")))
    assert marks.scalar_one() == 0
    await app.close()


async def test_sqlite_cell_order_pairs_no_better_than_picking_among_the_mix(tmp_path, app_for, bot_for):
    path = tmp_path / "organizer.db"
    app = await app_for(f"sqlite+aiosqlite:///{path}")
    truth = await answer_one_by_one(bot_for(app))
    await app.close()
    cells = cells_in_file_order(path, "readinessanswer")
    assert sorted(cells) == sorted(truth)
    assert pairs_by_order(cells, truth) <= BOUND


async def test_an_answer_writes_nothing_but_its_mix_of_answer_rows(bot, app):
    await bot.ok("boss", "/readiness open Ready?", role="leader")
    for i in range(8):
        await bot.ok(f"m{i}", "/readiness answer 1 1")
    await bot.ok("m9", "/member me")  # registered before answering
    before = await everything(app)
    await bot.ok("m9", "/readiness answer 1 2")
    after = await everything(app)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"readinessanswer"}, changed  # no mark, no timestamp, no member row touched
    assert len(after["readinessanswer"] - before["readinessanswer"]) == 1  # the rewritten rows are as they were


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
    from storage.db import Database
    from tests.support import make_config

    async def make(url):
        app = App(make_config(), db=Database(url), clock=clock)
        await app.start()
        return app
    return make


@pytest.fixture
def bot_for(clock):
    from tests.support import Harness

    return lambda app: Harness(app, clock)
