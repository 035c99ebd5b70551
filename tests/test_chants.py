"""/chant: parsing what members type, the library, suggestions and review, sheets, splitting and escaping."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.adapters.discord.markdown import escape as discord_escape
from bot.adapters.slack.render import escape as slack_escape
from bot.errors import UserError
from bot.i18n import Catalogs
from bot.markup import bold, render
from commands.chant_text import MAX_CHARS, MAX_LINES, MAX_TITLE, Line, chant_paragraph, parse_lines
from storage.chants import Chant, ChantTag
from storage.outbox import OutboxItem

EN = Catalogs("en", ZoneInfo("UTC")).get("en")
REP = {"role": "rep", "site": "Escalante Elementary"}
SCHOOLS = '/chant add "Our schools" Who keeps our schools running? | We do! / Let him speak! tags:picket,Board'


def error_of(text: str) -> str:
    with pytest.raises(UserError) as caught:
        parse_lines(text)
    return caught.value.msgid.format(**caught.value.params)


async def count(app, model, *where):
    async def run(session):
        return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()
    return await app.db.read(run)


async def chant_row(app, chant_id):
    return await app.db.read(lambda s: s.get(Chant, chant_id))


def discord(text: str) -> str:
    return render(text, escape=discord_escape, time=str, strong=lambda s: f"**{s}**")


def slack(text: str) -> str:
    return render(text, escape=slack_escape, time=str, strong=lambda s: f"*{s}*")


# Parsing


def test_pairs_and_lines_everyone_says():
    assert parse_lines("Who keeps our schools running? | We do! / Let him speak!") == (
        Line("Who keeps our schools running?", "We do!"), Line("Let him speak!"))


def test_new_lines_and_blank_lines():
    assert parse_lines("\n  Whose schools? |Our schools!\r\n\n   \n / Sí se puede\n") == (
        Line("Whose schools?", "Our schools!"), Line("Sí se puede"))


def test_a_bar_or_a_slash_inside_quotes_separates_nothing():
    assert parse_lines('He said "cuts | no" | We say "no / never"') == (
        Line('He said "cuts | no"', 'We say "no / never"'),)
    assert parse_lines("“Union | strong” / «uno | dos» | ¡tres!") == (
        Line("“Union | strong”"), Line("«uno | dos»", "¡tres!"))
    assert parse_lines("and/or | yes/no") == (Line("and/or", "yes/no"),)


def test_an_unclosed_quote_is_refused_with_its_line():
    assert error_of('Fine / He said "no | way') == "Line 2 has a quote that is not closed."
    assert error_of('He said "no\n| way"') == "Line 1 has a quote that is not closed."


def test_a_bar_with_nothing_on_one_side_is_refused():
    assert error_of("| We do!") == "Line 1 has nothing before “|”: write the leader’s call there."
    assert error_of("Fine / Who keeps our schools running? |  ").startswith("Line 2 has nothing after “|”")
    assert error_of("a | b | c") == "Line 1 has more than one “|”: write one call and one response."


def test_an_empty_chant_is_refused():
    assert error_of("") == "A chant needs at least one line."
    assert error_of(" / \n\n / ") == "A chant needs at least one line."


def test_a_long_chant_is_refused_with_the_limit():
    assert error_of("Sí se puede! " * 770) == f"A chant can have at most {MAX_CHARS} characters; this one has 10010."
    assert error_of(" / ".join(["Union!"] * (MAX_LINES + 1))) == (
        f"A chant can have at most {MAX_LINES} lines; this one has {MAX_LINES + 1}.")


def test_the_longest_chant_allowed_fits_one_discord_message():
    per_line = (MAX_CHARS - 3 * (MAX_LINES - 1)) // MAX_LINES
    lines = " / ".join(f"{'c' * (per_line // 2 - 1)}|{'r' * (per_line - per_line // 2)}" for _ in range(MAX_LINES))
    assert len(lines) <= MAX_CHARS
    paragraph = chant_paragraph(EN, f"60. {'T' * MAX_TITLE}", parse_lines(lines))
    assert paragraph.count("\n") == 2 * MAX_LINES
    assert len(discord(paragraph)) <= 2000


# The library


async def test_a_rep_adds_a_chant_and_everyone_sees_call_and_response(bot, app):
    added = await bot.ok("rosa", SCHOOLS, **REP)
    assert added.startswith("Added chant #1:")
    assert await bot.ok("maria", "/chant list") == (
        "#1 Our schools (en) · board, picket\n\n"
        "/chant show <id> shows one chant; /chant sheet makes a sheet to bring along.")
    reply = await bot.say("maria", "/chant show 1")
    assert reply.message.text == "\n".join([
        bold("#1 Our schools"), "Leader: Who keeps our schools running?", bold("All: We do!"),
        bold("All: Let him speak!")]) + "\n\nLanguage: English · Tags: board, picket"
    assert await bot.ok("maria", "/chant list picket") == await bot.ok("maria", "/chant list #PICKET")
    assert await bot.ok("maria", "/chant list strike") == "No chants are tagged “strike”."


async def test_members_cannot_add_edit_or_remove(bot, app):
    await bot.ok("rosa", SCHOOLS, **REP)
    for line in (SCHOOLS, "/chant edit 1 title:Mine", "/chant remove 1", "/chant approve 1", "/chant pending"):
        assert "Only a site rep can do that" in await bot.fails("maria", line)
    assert await count(app, Chant) == 1
    assert (await chant_row(app, 1)).title == "Our schools"


async def test_bad_input_changes_nothing(bot, app):
    assert "nothing after “|”" in await bot.fails("rosa", '/chant add Bad "Who keeps our schools running? |"', **REP)
    too_long = await bot.fails("rosa", "/chant add Long " + "¡Sí se puede! " * 715, **REP)
    assert f"lines is too long: 10009 characters, the limit is {MAX_CHARS}." in too_long
    assert "“xx-klingon” is not a language code" in await bot.fails("rosa", SCHOOLS + " lang:xx-klingon", **REP)
    assert await count(app, Chant) == 0
    await bot.ok("rosa", SCHOOLS, **REP)
    for line in ("/chant show 9", "/chant edit 9 title:X", "/chant remove 9", "/chant approve 9", "/chant reject 9"):
        assert await bot.fails("rosa", line, **REP) == "There is no chant #9. /chant list shows them all."
    assert "Line 1 has more than one" in await bot.fails("rosa", '/chant edit 1 lines:"a|b|c" title:New', **REP)
    assert await bot.fails("rosa", "/chant edit 1", **REP) == "Say what to change: title:…, lines:…, tags:… or lang:…."
    row = await chant_row(app, 1)
    assert (row.title, row.lines) == ("Our schools", "Who keeps our schools running? | We do! / Let him speak!")
    assert await count(app, Chant) == 1 and await count(app, ChantTag) == 2


async def test_edit_and_remove(bot, app):
    await bot.ok("rosa", SCHOOLS, **REP)
    changed = await bot.ok("rosa", '/chant edit 1 title:"Whose schools" lines:"Whose schools? | Our schools!" '
                                   "tags:rally lang:es-MX", **REP)
    assert changed == "Changed chant #1:\n\n#1 Whose schools\nLeader: Whose schools?\nAll: Our schools!"
    assert "#1 Whose schools (es) · rally" in await bot.ok("maria", "/chant list")
    assert await bot.ok("rosa", "/chant remove 1", **REP) == "Removed chant #1 “Whose schools”."
    assert await count(app, Chant) == 0 and await count(app, ChantTag) == 0
    assert "The chant library is empty" in await bot.ok("maria", "/chant list")


# Suggestions


async def test_a_suggestion_waits_for_review_then_the_member_is_told_it_was_approved(bot, app):
    await bot.ok("maria", "/member lang es")
    said = await bot.ok("maria", '/chant suggest "Sí se puede" ¿Se puede? | ¡Sí se puede!')
    assert "#1" in said
    assert (await chant_row(app, 1)).status == "pending" and (await chant_row(app, 1)).lang == "es"
    assert "The chant library is empty" in await bot.ok("luis", "/chant list")
    assert "No approved chants match" in await bot.fails("luis", "/chant sheet")
    assert await bot.fails("luis", "/chant show 1") == "There is no chant #1. /chant list shows them all."
    assert "Estado: pendiente de revisión" in await bot.ok("maria", "/chant show 1")  # Maria reads Spanish
    pending = await bot.ok("rosa", "/chant pending", **REP)
    assert pending.startswith("1 suggested chant is waiting for review.")
    assert "#1 Sí se puede\nLeader: ¿Se puede?\nAll: ¡Sí se puede!" in pending
    shown = await bot.say("rosa", "/chant show 1", **REP)
    assert [b.command for b in shown.message.buttons] == ["/chant approve 1", "/chant reject 1"]
    assert await bot.ok("rosa", shown.message.buttons[0].command, **REP) == "Approved chant #1 “Sí se puede”."
    sent = await bot.deliver()
    assert [(s.kind, s.target, s.text) for s in sent] == [
        ("dm", "maria", "Tu consigna “Sí se puede” ya está en la colección del sindicato como la #1. ¡Gracias!")]
    assert "#1 Sí se puede (es)" in await bot.ok("luis", "/chant list")
    again = await bot.fails("rosa", "/chant approve 1", **REP)
    assert again == "Chant #1 is not waiting for review: it is already approved."
    assert await bot.deliver() == [] and await count(app, OutboxItem) == 1
    assert await bot.ok("rosa", "/chant pending", **REP) == "No suggested chants are waiting for review."


async def test_a_rejected_suggestion_tells_the_member_why_and_stays_out_of_the_library(bot, app):
    await bot.ok("maria", "/chant suggest Boo Boo the board!")
    said = await bot.ok("rosa", "/chant reject 1 We keep it positive at schools", **REP)
    assert said == "Rejected chant #1 “Boo”; the member who suggested it will be told."
    sent = await bot.deliver()
    assert [s.text for s in sent] == ["Your chant “Boo” was not added to the union’s chant library.\n\n"
                                      "The reason: We keep it positive at schools"]
    assert "it is already rejected" in await bot.fails("rosa", "/chant approve 1", **REP)
    assert "The chant library is empty" in await bot.ok("luis", "/chant list")
    assert (await chant_row(app, 1)).reject_reason == "We keep it positive at schools"
    assert await count(app, Chant) == 1


async def test_an_author_who_leaves_keeps_the_chant_in_the_library(bot, app):
    await bot.ok("maria", "/chant suggest Union Union! | Strong!")
    await bot.ok("rosa", "/chant approve 1", **REP)
    assert "Chants you wrote (they stay in the library, without your name, if you use /member forget): #1 Union" in (
        await bot.ok("maria", "/member me"))
    assert "Chants you wrote" not in await bot.ok("rosa", "/member me", **REP)
    await bot.ok("maria", "/member forget confirm:yes")
    row = await chant_row(app, 1)
    assert row.author_id is None and row.status == "approved"


# Sheets


async def test_a_sheet_for_a_tag_and_language_numbers_chants_and_attaches_a_printable_page(bot, app):
    await bot.ok("rosa", SCHOOLS, **REP)
    await bot.ok("rosa", '/chant add "Sí se puede" "¿Quién | nosotros?" | ¡Nosotros! / ¡Sí se puede! '
                 'tags:picket lang:es', **REP)
    await bot.ok("rosa", "/chant add Board Let him speak! tags:board", **REP)
    reply = await bot.say("maria", "/chant sheet tag:picket")
    assert reply.message.text.split("\n\n") == [
        bold("Chant sheet: picket"),
        "\n".join([bold("1. Our schools"), "Leader: Who keeps our schools running?", bold("All: We do!"),
                   bold("All: Let him speak!")]),
        "\n".join([bold("2. Sí se puede"), "Leader: \"¿Quién | nosotros?\"", bold("All: ¡Nosotros!"),
                   bold("All: ¡Sí se puede!")])]
    (page,) = reply.message.attachments
    assert (page.filename, page.mime) == ("chant-sheet-picket.html", "text/html")
    html = page.data.decode()
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">") and "@media print" in html
    assert ('<td class="call" dir="auto">Who keeps our schools running?</td>'
            '<td class="response" dir="auto">We do!</td>') in html
    assert '<td class="all" colspan="2" dir="auto">Let him speak!</td>' in html
    assert '<section lang="es">' in html and "2. Sí se puede" in html and "Board" not in html
    spanish = await bot.say("maria", "/chant sheet tag:picket lang:es")
    assert "1. Sí se puede" in spanish.message.text and "Our schools" not in spanish.message.text
    assert spanish.message.attachments[0].data.decode().startswith('<!DOCTYPE html>\n<html lang="es">')
    assert "No approved chants match" in await bot.fails("maria", "/chant sheet tag:strike")


async def test_chant_text_is_kept_as_written_and_can_never_ping(bot, app):
    lines = "@everyone @here <!channel> <@U123> | <@&123> <!subteam^S1> 🙌 / “Ñandú” & العمال"
    await bot.ok("rosa", f"/chant add Pings {lines}", **REP)
    assert (await chant_row(app, 1)).lines == lines
    reply = await bot.say("maria", "/chant sheet")
    out_slack, out_discord = slack(reply.message.text), discord(reply.message.text)
    for mention in ("<!channel>", "<@U123>", "<@&123>", "<!subteam^S1>"):
        assert mention in reply.message.text and mention not in out_slack
    assert "&lt;!channel&gt;" in out_slack and "&amp; العمال" in out_slack and "🙌" in out_slack
    assert "@everyone" not in out_discord and "@here" not in out_discord and "@\u200beveryone" in out_discord
    html = reply.message.attachments[0].data.decode()
    assert "&lt;!channel&gt;" in html and "<@" not in html and "“Ñandú” &amp; العمال" in html


def _slack_chunks(app, message):
    from bot.adapters.slack.render import messages, mrkdwn

    tr = app.translator("en")
    sections = [block["text"]["text"] for out in messages(message, tr) for block in out["blocks"]
                if block["type"] == "section"]
    return sections, lambda paragraph: mrkdwn(paragraph, tr)


def _discord_chunks(app, message):
    from bot.adapters.discord.render import to_discord, to_markdown

    return [out.content for out in to_discord(message, app.translator("en"))], to_markdown


@pytest.mark.parametrize("limit, front_end", [(3000, _slack_chunks), (2000, _discord_chunks)],
                         ids=["slack", "discord"])
async def test_a_long_sheet_is_split_at_the_platform_limit_between_chants(bot, app, limit, front_end):
    """The whole sheet (as the console shows it) on a platform: split between chants, never inside one, into
    no more messages than the platform's budget; what does not fit is left out, and said to be."""
    for n in range(60):
        pairs = " / ".join(f"Who stands with chant {n} line {i}? | We do, every day, at every school!"
                           for i in range(3 + n % 12))
        await bot.ok("rosa", f'/chant add "Chant {n}" {pairs} / Union strong!', **REP)
    reply = await bot.say("maria", "/chant sheet")
    chunks, to_platform = front_end(app, reply.message)  # what the front-end would send
    assert len(chunks) >= 3 and all(len(chunk) <= limit for chunk in chunks)
    rendered = [to_platform(p) for p in reply.message.text.split("\n\n")]
    assert len(rendered) == 61
    shown = [paragraph for paragraph in rendered if any(paragraph in chunk for chunk in chunks)]
    assert shown == rendered[:len(shown)] and len(shown) < 61
    for paragraph in shown:
        assert sum(paragraph in chunk for chunk in chunks) == 1
    assert "The rest of this answer did not fit here" in chunks[-1]
