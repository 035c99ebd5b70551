"""Hot commands run set-based per write batch (Database.write_together, ``together=`` on a command): a
burst of clicks on one action (joins, leaves, check-ins) or one pledge (signatures) is one call of the
handler, with every guarantee of one click at a time — exact capacity, the waitlist in arrival order, one
signup (or signature) per member, a reply only after its commit, and a failing or refused click that takes
nobody else's commit with it."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from bot.types import Identity
from storage import actions as store
from storage.actions import Signup
from storage.members import MemberIdentity, ensure_worksite, worksite_by_name, worksite_names
from storage.pledges import PledgeSignature
from tests.support import add_roster, count_rows, typed_date
from tests.test_actions import all_rows, picket
from tests.test_pledges import open_pledge


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
        count, replies = await statements_of(app, joins(app, action, people))
        assert all(r.startswith("You’re in") for r in replies)
        return count

    assert await statements([100, 101]) == await statements(list(range(60)))


async def statements_of(app, burst):
    """How many statements the writer ran for ``burst`` (awaited), and what it returned."""
    seen: list[str] = []
    engine = app.db._write_engine.sync_engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        result = await burst
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen), result


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


async def burst(app, line: str, people: list[int]) -> list[str]:
    replies = await asyncio.gather(*(app.run_line(member(i), line) for i in people))
    return [r.message.text for r in replies]


async def answered_after_commit(app, line: str, accounts: list[str], row) -> list[tuple[str, bool]]:
    """Each click's reply, and whether a read started the moment that reply came back already sees the
    click's row (``row(user_id)`` → a query for it): a reply is only sent once its commit is readable."""
    async def click(account: str) -> tuple[str, bool]:
        reply = await app.run_line(Identity("console", account, account), line)
        found = await app.db.read(lambda session: session.exec(row(account)))
        return reply.message.text, found.first() is not None
    return list(await asyncio.gather(*(click(account) for account in accounts)))


def signature_of(pledge: int):
    return lambda account: (select(PledgeSignature.member_id)
                            .join(MemberIdentity, MemberIdentity.member_id == PledgeSignature.member_id)
                            .where(PledgeSignature.pledge_id == pledge, MemberIdentity.user_id == account))


def check_in_of(action: int):
    return lambda account: (select(Signup.member_id).join(MemberIdentity, MemberIdentity.member_id == Signup.member_id)
                            .where(Signup.action_id == action, MemberIdentity.user_id == account,
                                   Signup.checked_in_at.is_not(None)))


async def test_a_burst_of_check_ins_at_the_gate_checks_each_member_in_once(bot, app):
    """Signed up or not (then going), each member is checked in once, a second click told so; the
    statements do not grow with the clicks."""
    action = await picket(bot, when_text="in 30 minutes")
    await joins(app, action, list(range(5)))
    count_two, two = await statements_of(app, burst(app, f"/action checkin {action}", [100, 101]))
    count_many, many = await statements_of(app, burst(app, f"/action checkin {action}", [*range(10), 102, 3, 7]))
    assert all(r.startswith("Checked in: Member") for r in two + many[:11])
    assert many[11:] == [f"Member {i} is already checked in at “Informational picket”." for i in (3, 7)]
    assert count_two == count_many
    signups = await all_rows(app, Signup)
    assert len(signups) == 13 and all(s.status == "going" and s.checked_in_at for s in signups)


async def test_each_check_in_of_a_burst_is_answered_once_its_commit_is_readable(bot, app):
    action = await picket(bot, when_text="in 30 minutes")
    await add_roster(app, {"Escalante Elementary": ["ana"]})
    answers = await answered_after_commit(app, f"/action checkin {action}", ["ana", "newcomer", "ana", "lu"],
                                          check_in_of(action))
    assert [text.split(" ")[0] for text, _ in answers] == ["Checked", "Checked", "ana", "Checked"]
    assert all(seen for _, seen in answers)


async def test_a_check_in_before_it_opens_is_refused_alone(bot, app, clock):
    action = await picket(bot, when_text="in 30 minutes")
    starts = (await all_rows(app, store.Action))[0].starts_at
    moments = iter([clock.now, starts - timedelta(hours=6), clock.now])
    app.clock = lambda: next(moments)
    replies = await burst(app, f"/action checkin {action}", [1, 2, 3])
    assert "opens" in replies[1] and replies[0].startswith("Checked in") and replies[2].startswith("Checked in")
    assert await signups_in_order(app, action) == [("m001", "going"), ("m003", "going")]
    assert all(s.checked_in_at for s in await all_rows(app, Signup))


async def test_a_burst_of_signatures_is_one_each_in_one_insert(bot, app):
    pledge = await open_pledge(bot)
    count_two, two = await statements_of(app, burst(app, f"/pledge sign {pledge}", [100, 101]))
    count_many, many = await statements_of(app, burst(app, f"/pledge sign {pledge}", [*range(10), 4, 100]))
    assert all(r.startswith(f"You signed pledge #{pledge}") for r in two + many[:10])
    assert all(r.startswith(f"You had already signed pledge #{pledge}.") for r in many[10:])
    assert count_two == count_many
    assert await count_rows(app, PledgeSignature) == 12  # one per member: the key is (pledge, member)


async def test_a_signature_from_outside_the_pledges_worksites_is_refused_alone(bot, app):
    """One answer per click: the roster members of the pledge's site and a member not on the roster sign,
    once each; the member of another site is refused; every signer is answered after their commit."""
    await add_roster(app, {"Escalante Elementary": ["ana", "bea"], "Lincoln Middle": ["lia"]})
    pledge = await open_pledge(bot, 'sites:"Escalante Elementary"')
    answers = await answered_after_commit(app, f"/pledge sign {pledge}", ["ana", "lia", "newcomer", "ana", "bea"],
                                          signature_of(pledge))
    texts = [text for text, _ in answers]
    assert texts[1] == f"Pledge #{pledge} is for other worksites than yours." and not answers[1][1]
    assert [t.split(" pledge")[0] for t in texts[:1] + texts[2:]] == ["You signed", "You signed", "You had already "
                                                                      "signed", "You signed"]
    assert all(seen for _, seen in answers[:1] + answers[2:])
    assert await count_rows(app, PledgeSignature) == 3


async def test_a_signature_after_the_pledge_closed_is_refused_alone(bot, app, clock):
    pledge = await open_pledge(bot, f'closes:"{typed_date(clock(), days=2)}"')
    moments = iter([clock.now, clock.now + timedelta(days=3), clock.now])
    app.clock = lambda: next(moments)
    replies = await burst(app, f"/pledge sign {pledge}", [1, 2, 3])
    assert replies[1] == f"Pledge #{pledge} is closed, so it can’t be signed or withdrawn from."
    assert replies[0].startswith("You signed") and replies[2].startswith("You signed")
    assert await count_rows(app, PledgeSignature) == 2
