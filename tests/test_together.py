"""Hot commands run set-based per write batch (Database.write_together, ``together=`` on a command): a
burst of clicks on one action is one call of the handler, with every guarantee of one click at a time —
exact capacity, the waitlist in arrival order, one signup per member, a reply only after its commit,
and a failing click that takes nobody else's commit with it."""

import asyncio

import pytest
from sqlalchemy import event, func, select

from bot.types import Identity
from storage import actions as store
from storage.actions import Signup
from storage.members import MemberIdentity, ensure_worksite, worksite_by_name, worksite_names
from tests.test_actions import all_rows, picket


def member(i: int) -> Identity:
    return Identity("console", f"m{i:03d}", f"Member {i}")


async def joins(app, action: int, people: list[int]) -> list[str]:
    """Every click started at once, as a burst arrives: all reach the writer's queue before it runs."""
    replies = await asyncio.gather(*(app.run_line(member(i), f"/action join {action}") for i in people))
    return [r.message.text for r in replies]


async def signups_in_order(app, action: int) -> list[tuple[str, str]]:
    async def work(session):
        rows = await session.exec(select(MemberIdentity.user_id, Signup.status)
                                  .join(MemberIdentity, MemberIdentity.member_id == Signup.member_id)
                                  .where(Signup.action_id == action).order_by(Signup.id))
        return [tuple(row) for row in rows.all()]
    return await app.db.read(work)


async def test_a_burst_past_capacity_fills_it_exactly_and_waitlists_the_rest_in_arrival_order(bot, app):
    action = await picket(bot, "capacity:10")
    replies = await joins(app, action, list(range(40)))
    assert all(r.startswith("You’re in") for r in replies[:10])
    assert [r.split("(number ")[1].split(")")[0] for r in replies[10:]] == [str(n) for n in range(1, 31)]
    stored = await signups_in_order(app, action)
    assert stored == [(f"m{i:03d}", "going" if i < 10 else "waitlist") for i in range(40)]


async def test_a_burst_of_joins_is_one_lookup_one_count_and_one_insert(bot, app):
    """Statements per batch do not grow with its clicks: 60 first-time members joining cost what 2 do."""
    action = await picket(bot)
    await joins(app, action, [200])  # the announcement's edit is pending from now on, for both bursts alike

    async def statements(people: list[int]) -> int:
        seen: list[str] = []
        engine = app.db._write_engine.sync_engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            replies = await joins(app, action, people)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert all(r.startswith("You’re in") for r in replies)
        return len(seen)

    assert await statements([100, 101]) == await statements(list(range(60)))


async def test_clicking_twice_in_one_burst_is_one_signup(bot, app):
    action = await picket(bot, "capacity:1")
    replies = await joins(app, action, [1, 2, 1, 2, 1])
    assert replies[0].startswith("You’re in") and "waitlist (number 1)" in replies[1]
    assert all(r.startswith("You had already signed up.") for r in replies[2:])
    assert "You’re in" in replies[2] and "(number 1)" in replies[3] and "You’re in" in replies[4]
    assert await signups_in_order(app, action) == [("m001", "going"), ("m002", "waitlist")]


async def test_join_leave_join_in_one_burst_keeps_their_order(bot, app):
    action = await picket(bot)
    lines = ["join", "leave", "join", "leave"]
    replies = await asyncio.gather(*(app.run_line(member(7), f"/action {verb} {action}") for verb in lines))
    assert [r.message.text.split(":")[0] for r in replies] == [
        "You’re in", "Thanks for letting us know", "You’re in", "Thanks for letting us know"]
    assert await signups_in_order(app, action) == []


async def test_a_burst_of_leaves_promotes_the_longest_waiting_by_dm(bot, app):
    action = await picket(bot, "capacity:3")
    await joins(app, action, list(range(8)))
    await bot.deliver()
    replies = await asyncio.gather(*(app.run_line(member(i), f"/action leave {action}") for i in (0, 1, 9)))
    assert [r.message.text.startswith("Thanks") for r in replies] == [True, True, False]
    assert await signups_in_order(app, action) == [
        ("m002", "going"), ("m003", "going"), ("m004", "going"), *((f"m{i:03d}", "waitlist") for i in (5, 6, 7))]
    promoted = [s.target for s in await bot.deliver() if s.kind == "dm"]
    assert sorted(promoted) == ["Member 3", "Member 4"]


async def test_a_failing_click_loses_nobody_elses_commit_and_is_not_confirmed(bot, app, monkeypatch):
    action = await picket(bot, "capacity:5")
    await joins(app, action, [13])
    bad = (await all_rows(app, Signup))[0].member_id  # m013's; their next click breaks
    await app.run_line(member(13), f"/action leave {action}")
    join = store.join

    async def breaks_on_bad(session, action_, signups):
        if any(member_id == bad for member_id, _ in signups):
            raise RuntimeError("disk on fire")
        return await join(session, action_, signups)

    monkeypatch.setattr(store, "join", breaks_on_bad)
    replies = await joins(app, action, [10, 11, 12, 13, 14, 15])
    failed = [r for r in replies if r.startswith("Something broke")]
    assert replies.index(failed[0]) == 3 and len(failed) == 1
    assert [r.split(":")[0] for r in replies[:3]] == ["You’re in"] * 3
    stored = await signups_in_order(app, action)
    assert stored == [("m010", "going"), ("m011", "going"), ("m012", "going"), ("m014", "going"), ("m015", "going")]


async def test_a_refusal_in_a_burst_refuses_only_its_own_click(bot, app, clock):
    """Clicks judged at their own moment: the one that came after the start is refused, the others kept."""
    action = await picket(bot)
    starts = (await all_rows(app, store.Action))[0].starts_at
    moments = iter([clock.now, starts, clock.now])
    app.clock = lambda: next(moments)
    replies = await joins(app, action, [1, 2, 3])
    assert "has already started" in replies[1]
    assert await signups_in_order(app, action) == [("m001", "going"), ("m003", "going")]


@pytest.mark.parametrize("fails", [True, False])
async def test_a_callers_answer_waits_for_the_commit_that_holds_its_request(app, clock, fails):
    """write_together gathers one key's items in one call; a call that raises is run again item by item,
    so only the failing item's caller hears the error; and an answer comes only once another
    transaction can read what was written for it."""
    calls: list[list[int]] = []

    async def run(session, items: list[int]) -> list[int]:
        calls.append(list(items))
        for i in items:
            await ensure_worksite(session, f"School {i}", clock())
        if fails and 2 in items:
            raise ValueError("item 2 is bad")
        return [i * 10 for i in items]

    async def submit(i: int) -> tuple[int, bool]:
        result = await app.db.write_together((("thing", 1), "kind"), run, i)
        return result, await app.db.read(lambda session: worksite_by_name(session, f"School {i}")) is not None

    results = await asyncio.gather(*(submit(i) for i in range(4)), return_exceptions=True)
    if fails:
        assert calls == [[0, 1, 2, 3], [0], [1], [2], [3]]
        assert results[:2] + results[3:] == [(0, True), (10, True), (30, True)]
        assert isinstance(results[2], ValueError)
    else:
        assert calls == [[0, 1, 2, 3]] and results == [(0, True), (10, True), (20, True), (30, True)]
    assert await app.db.read(worksite_names) == [f"School {i}" for i in range(4) if not (fails and i == 2)]


async def test_requests_of_other_actions_wait_their_turn_in_one_batch(bot, app):
    """Joins to two actions in one burst are two calls, each exact for its own action."""
    first, second = await picket(bot, "capacity:2"), await picket(bot, "capacity:1")
    replies = await asyncio.gather(*(app.run_line(member(i), f"/action join {(first, second)[i % 2]}")
                                     for i in range(6)))
    assert [r.message.text.startswith("You’re in") for r in replies] == [True, True, True, False, False, False]

    async def per_action(session):
        rows = await session.exec(select(Signup.action_id, Signup.status, func.count())
                                  .group_by(Signup.action_id, Signup.status))
        return {(a, s): n for a, s, n in rows.all()}
    assert await app.db.read(per_action) == {(first, "going"): 2, (first, "waitlist"): 1,
                                             (second, "going"): 1, (second, "waitlist"): 2}
