"""/pledge through the real app and database: a public post with a Sign button, signing once however
often one clicks, withdrawing until it closes, the tally per worksite as a share of the whole roster,
its scope, and that no pledge path touches a readiness answer."""

import csv
import io

from sqlalchemy import event

from tests.support import add_roster, typed_date

ESC, ROO, LIN = "Escalante Elementary", "Roosevelt High", "Lincoln Middle"
LEAD = {"role": "leader"}


async def open_pledge(bot, extra: str = "") -> int:
    reply = await bot.ok("boss", f'/pledge open "I will vote YES to authorize a strike" {extra}', **LEAD)
    return int(reply.split("#")[1].split(" ")[0])


async def test_the_post_says_who_sees_signers_and_signing_twice_is_one_signature(bot, app):
    await add_roster(app, {ESC: ["ana", "bea"]})
    pledge = await open_pledge(bot)
    [post] = [s for s in await bot.deliver() if s.kind == "post"]
    assert post.target == "#announcements" and "I will vote YES to authorize a strike" in post.text
    assert "not an anonymous poll: the organizing team sees who signed" in post.text
    assert [(b.label, b.command) for b in post.message.buttons] == [
        ("Sign", f"/pledge sign {pledge}"), ("Withdraw", f"/pledge withdraw {pledge}")]

    signed = await bot.ok("ana", post.message.buttons[0].command)
    assert "The organizing team sees that you signed" in signed
    again = await bot.ok("ana", post.message.buttons[0].command)
    assert "already signed" in again
    [edit] = [s for s in await bot.deliver() if s.kind == "edit"]
    assert "1 signed" in edit.text
    help_text = await bot.ok("ana", "/organizer help pledge")
    assert "the organizing team sees who signed" in help_text


async def test_withdraw_until_close_then_nothing_changes(bot, app):
    await add_roster(app, {ESC: ["ana", "bea"]})
    pledge = await open_pledge(bot)
    await bot.ok("ana", f"/pledge sign {pledge}")
    await bot.ok("bea", f"/pledge sign {pledge}")
    assert "withdrawn" in await bot.ok("ana", f"/pledge withdraw {pledge}")
    assert "had not signed" in await bot.ok("ana", f"/pledge withdraw {pledge}")
    assert "closed with 1 signature" in await bot.ok("boss", f"/pledge close {pledge}", **LEAD)
    assert "closed" in await bot.fails("bea", f"/pledge withdraw {pledge}")
    assert "closed" in await bot.fails("ana", f"/pledge sign {pledge}")
    assert "already closed" in await bot.fails("boss", f"/pledge close {pledge}", **LEAD)
    posts = await bot.deliver()
    assert "This pledge is closed." in posts[-1].text and not posts[-1].message.buttons
    data = (await bot.say("boss", f"/pledge signers {pledge}", **LEAD)).message.attachments[0].data
    assert [row[:2] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))][1:] == [["bea", ESC]]


async def test_a_pledge_closes_by_itself_at_its_time(bot, app, clock):
    await add_roster(app, {ESC: ["ana"]})
    pledge = await open_pledge(bot, f'closes:"{typed_date(clock(), days=2)}"')
    clock.advance(days=3)
    await bot.deliver()
    assert "closed" in await bot.fails("ana", f"/pledge sign {pledge}")


async def test_the_tally_is_a_share_of_each_whole_roster_within_the_pledges_scope(bot, app):
    await add_roster(app, {ESC: [f"e{i}" for i in range(10)], ROO: [f"r{i}" for i in range(10)],
                           LIN: [f"l{i}" for i in range(10)]})
    pledge = await open_pledge(bot, f'threshold:70% sites:"{ESC},{ROO}"')
    for name in [f"e{i}" for i in range(8)] + [f"r{i}" for i in range(5)]:
        await bot.ok(name, f"/pledge sign {pledge}")
    assert "other worksites" in await bot.fails("l0", f"/pledge sign {pledge}")
    tally = await bot.ok("boss", f"/pledge tally {pledge}", **LEAD)
    assert "1 of 2 worksites pass 70%" in tally
    assert f"{ESC} — passes: 80%" in tally and f"{ROO} — below 70%: 50%" in tally and LIN not in tally
    assert "Signed: 8 of 10 on the roster" in tally
    rep = await bot.say("someone", f"/pledge tally {pledge}", role="rep", site=ROO)
    assert ROO in rep.message.text and ESC not in rep.message.text
    assert rep.message.attachments[0].mime == "image/png"


async def test_small_counts_are_hidden_from_reps_not_from_leaders(bot, app):
    await add_roster(app, {ESC: [f"e{i}" for i in range(10)]})
    pledge = await open_pledge(bot)
    for name in ("e0", "e1"):
        await bot.ok(name, f"/pledge sign {pledge}")
    rep = await bot.ok("someone", f"/pledge tally {pledge}", role="rep", site=ESC)
    assert "Signed: <5 of 10" in rep and "20%" not in rep
    assert "Signed: 2 of 10" in await bot.ok("boss", f"/pledge tally {pledge}", **LEAD)
    assert "Only a site rep" in await bot.fails("e0", f"/pledge tally {pledge}")


async def test_no_pledge_command_reads_or_writes_a_readiness_answer(bot, app):
    await add_roster(app, {ESC: ["ana"]})
    await bot.ok("boss", "/readiness open Ready?", **LEAD)
    await bot.ok("ana", "/readiness answer 1 1")
    await bot.deliver()
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement.lower())

    engines = {app.db.engine.sync_engine, app.db._write_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        pledge = await open_pledge(bot)
        for line in (f"/pledge sign {pledge}", f"/pledge withdraw {pledge}", f"/pledge sign {pledge}"):
            await bot.ok("ana", line)
        for line in (f"/pledge tally {pledge}", f"/pledge signers {pledge}", f"/pledge close {pledge}"):
            await bot.ok("boss", line, **LEAD)
        await bot.deliver()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    assert any("pledgesignature" in s for s in statements)
    assert not [s for s in statements if "readiness" in s]
