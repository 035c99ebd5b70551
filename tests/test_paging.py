"""Long answers in pages sized for the member's platform: every entry on some page, none cut or left out
unsaid, Previous/Next buttons that carry the command and the page (nothing kept between clicks), a click
checked again as any command is, and counts grouped as the reader's language writes them."""

from __future__ import annotations

import re

import pytest

from bot.adapters.discord import BUDGET as DISCORD
from bot.adapters.slack.render import BUDGET as SLACK
from bot.adapters.slack.render import escape as slack_escape
from bot.paging import command_line, pages
from commands import build_registry
from tests.support import add_roster

REP = {"role": "rep", "site": "Escalante Elementary"}
DISCORD_REP = ("discord-role:1000000000000000202",)


async def faq_of(bot, count: int) -> None:
    for n in range(count):
        await bot.ok("rosa", f'/bargaining faq-add "Question {n} about the strike?" "{"Answer. " * 190}{n}"', **REP)


async def read(bot, user: str, line: str, *, platform: str = "discord", claims: tuple[str, ...] = ()):
    reply = await bot.say(user, line, platform=platform, claims=claims)
    assert not reply.error, reply.message.text
    return reply


@pytest.mark.parametrize("platform, budget", [("discord", DISCORD), ("slack", SLACK)])
async def test_the_faq_pages_every_entry_and_says_where_it_is(bot, platform, budget):
    await faq_of(bot, 12)
    first = await read(bot, "maria", "/bargaining faq", platform=platform)
    assert first.message.text.startswith("\ue002Rumor control: 12 questions answered\ue003")
    total = int(re.search(r"Page 1 of (\d+)", first.message.text).group(1))
    assert total > 1 and [b.command for b in first.message.buttons] == ["/bargaining faq page:2"]
    seen, reply = [], first
    for number in range(1, total + 1):
        assert f"Page {number} of {total}" in reply.message.text
        assert budget.measure(reply.message.text) <= min(budget.text, budget.page + 600)
        seen += re.findall(r"#(\d+) ", reply.message.text)
        buttons = {b.label: b for b in reply.message.buttons}
        assert all(b.turns_page for b in buttons.values())
        assert ("◀ Previous" in buttons) == (number > 1) and ("Next ▶" in buttons) == (number < total)
        if number < total:
            reply = await read(bot, "maria", buttons["Next ▶"].command, platform=platform)
    assert sorted(map(int, seen)) == list(range(1, 13))  # each entry once, none left out


async def test_a_search_pages_too_and_a_page_past_the_end_shows_the_last(bot):
    await faq_of(bot, 10)
    first = await read(bot, "maria", "/bargaining faq about strike")
    assert first.message.text.startswith("10 answers match “about strike”:")
    [following] = first.message.buttons
    assert following.command == '/bargaining faq search:"about strike" page:2'
    total = int(re.search(r"Page 1 of (\d+)", first.message.text).group(1))
    last = await read(bot, "maria", '/bargaining faq search:"about strike" page:999')
    assert f"Page {total} of {total}" in last.message.text
    assert [b.label for b in last.message.buttons] == ["◀ Previous"]


async def test_a_page_turn_is_checked_again_like_any_command(bot, app):
    await add_roster(app, {"Escalante Elementary": [f"Member {n} Fernández-Villanueva" for n in range(90)]})
    await bot.ok("lead", '/readiness open "Ready?"', role="leader")
    first = await read(bot, "rep", "/readiness missing 1", claims=DISCORD_REP)
    assert first.message.buttons[-1].command == "/readiness missing 1 page:2"
    refused = await bot.say("member", first.message.buttons[-1].command, platform="discord")
    assert refused.error and "Member 1" not in refused.message.text


async def test_spanish_readers_see_pages_and_counts_as_spanish_writes_them(bot, app):
    await faq_of(bot, 12)
    await bot.ok("luis", "/member lang es", platform="discord")
    reply = await read(bot, "luis", "/bargaining faq")
    assert reply.message.text.startswith("\ue002Control de rumores: 12 preguntas respondidas\ue003")
    assert "Página 1 de " in reply.message.text and [b.label for b in reply.message.buttons] == ["Siguiente ▶"]
    us, spain = app.translator("es"), type(app.catalogs)("en", app.catalogs.tz, region="ES").get("es")
    assert "2,000" in us.n_("{n} signed up", "{n} signed up", 2000)  # Spanish as written in the US (es_US)
    assert "2.000" in spain.n_("{n} signed up", "{n} signed up", 2000)  # and in Spain
    assert app.translator("en").number(34_999) == "34,999" and spain.number(34_999) == "34.999"


def test_an_entry_longer_than_a_page_is_split_between_its_lines_never_inside_a_word():
    long = "\n".join(f"line {n} " + "palabra " * 30 for n in range(40))
    found = pages(["short", long, "after"], 1000, lambda text: SLACK.measure(text, slack_escape))
    assert all(sum(len(item) for item in page) + 2 * (len(page) - 1) <= 1000 for page in found)
    assert "\n".join(p for page in found for p in page if p not in ("short", "after")) == long
    assert found[0][0] == "short" and found[-1][-1] == "after"


def test_a_button_line_reads_back_as_the_same_command():
    line = command_line("/readiness missing 3", site='Escalante "East" Elementary', page=2)
    command, values = build_registry().parse_line(line)
    assert (command.path, values) == ("readiness missing", {"poll": "3", "site": 'Escalante "East" Elementary',
                                                            "page": "2"})
