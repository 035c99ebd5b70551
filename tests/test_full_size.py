"""A real local at full size, answered on both platforms in both languages: 500 worksites, 35,000 roster
members, 60 long Spanish chants, 2,000 signups on one action, 2,000 answers on one poll, 40 long FAQ answers.

Each listing command's own page function (the part of the handler after its queries) is given the rows in
memory, so the check takes seconds of CPU, not the minutes a database of that size costs (the queries at
that size are the benches' business: bench/RESULTS.md).
Every page is rendered by each platform's own render and checked as the platform checks it: Slack's blocks by
slack_sdk's own Block Kit classes and by the fake Slack's refusal
(``msg_blocks_too_long`` past the cumulative block text), Discord's messages by the fake Discord's refusal
(2,000 characters, embed limits) and its custom_id limit; at most three messages an answer, files included,
and nothing cut by the render's safety net. Pages are followed through their buttons, as a member clicks
them, and together hold every entry once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.adapters.discord.render import CUSTOM_ID_LIMIT, to_discord
from bot.adapters.slack.render import BUDGET as SLACK_BUDGET
from bot.adapters.slack.render import messages
from bot.app import App
from bot.context import Context
from bot.markup import plain
from bot.permissions import Actor, Row
from bot.types import Attachment, Identity, Invocation, Reply, Role
from commands import build_registry
from commands.actions import roster_page
from commands.chants import SheetChant, parse_lines, sheet_page
from commands.faq import faq_page
from commands.readiness import Counts, missing_page, tally_page
from storage.actions import Action, RosterLine
from storage.bargaining import FaqEntry
from storage.readiness import ReadinessPoll, SiteTally, Tally
from tests.discord.fake_api import refusal as discord_refusal
from tests.slack.fake_slack import block_text
from tests.slack.fake_slack import refusal as slack_refusal
from tests.support import Clock, make_config

SITES, MEMBERS, CHANTS, SIGNUPS, ANSWERS, FAQ = 500, 35_000, 60, 2_000, 2_000, 40
PER_SITE = MEMBERS // SITES
CHANT = ("¿Quién mantiene abiertas nuestras escuelas cada mañana, con lluvia o con sol? | ¡Nosotros, las "
         "trabajadoras y los trabajadores de la educación pública!")
CHART = Attachment("readiness-1.png", b"png", "image/png", "chart")  # what the tally handler adds to page one


def site(s: int) -> str:
    return f"Escuela Primaria {s} “César Chávez” de la Comunidad"


class Local:
    """The campaign's rows, made once, as each command's queries hand them to its page function."""

    def __init__(self, clock: Clock) -> None:
        now = self.now = clock()
        self.poll = ReadinessPoll(id=1, question="Si hoy se votara la autorización de huelga, ¿cómo votarías?",
                                  choices=["Yes", "Leaning yes", "Not sure", "No"], anonymous=False, created_at=now)
        per_site_answers = ANSWERS // SITES
        self.tally = Tally([SiteTally(s + 1, site(s), PER_SITE, per_site_answers, [2 + s % 3, 1, 1, 0])
                            for s in range(SITES)], [0, 0, 0, 0])
        self.rows = [Row(t.roster, t.answers, tuple(t.choices)) for t in self.tally.sites]
        self.off = Row(None, 0, (0, 0, 0, 0))
        members = [SimpleNamespace(name=f"María Fernanda {i} Villanueva-Ortega", email=None, member_no=None)
                   for i in range(MEMBERS)]
        self.missing = [(site(i % SITES), m) for i, m in enumerate(members)][ANSWERS:]
        self.action = Action(id=1, title="Piquete informativo en la entrada principal", kind="picket",
                             starts_at=now + timedelta(days=3), location="Puerta principal", created_at=now)
        self.signups = [RosterLine(f"María Fernanda {i} Villanueva-Ortega", site(i * SITES // SIGNUPS), "going", now,
                                   now if i % 3 == 0 else None) for i in range(SIGNUPS)]
        self.chants = [SheetChant(f"Canto {n}: ¡Sí se puede, escuelas dignas para nuestras comunidades!", "es",
                                  parse_lines(" / ".join([CHANT] * 7))) for n in range(CHANTS)]
        self.faq = [FaqEntry(id=n + 1, question=f"Pregunta {n}: ¿habrá huelga y qué pasa con mi salario y mi seguro?",
                             answer="Todavía no: una huelga necesita impasse y una votación de autorización. " * 20,
                             lang="es", created_at=now) for n in range(FAQ)]


@pytest.fixture(scope="module")
def local() -> tuple[App, Local]:
    """No database: the page functions take rows, and the app gives config, catalogs and platforms."""
    clock = Clock()
    return App(make_config(), build_registry(), platforms=("slack", "discord"), clock=clock), Local(clock)


def context(app: App, platform: str, lang: str, now: Any) -> Context:
    who = Identity(platform, "ULEAD", "Rosa")
    return Context(app, None, Actor(1, "Rosa", Role.leader), app.translator(lang), now,  # type: ignore[arg-type]
                   Invocation(who, "readiness", "tally"))


def answers(local: Local) -> dict[str, tuple[Callable[[Context, int], Reply], re.Pattern[str], range]]:
    """Each listing command's answer to page N, what marks one of its entries (by its number), and the
    numbers of all its entries in order."""
    def tally(ctx: Context, page: int) -> Reply:
        shown = tally_page(ctx, local.poll, local.tally, local.rows, local.off, Counts(ctx), {}, page)
        return ctx.reply(shown.text, buttons=shown.buttons, attachments=(CHART,) if shown.first else ())

    entry = r"Escuela Primaria (\d+) “César Chávez” de la Comunidad"
    return {
        "/readiness tally": (tally, re.compile(entry + " — "), range(SITES)),
        "/readiness missing": (lambda ctx, page: missing_page(ctx, 1, local.missing, None, page),  # type: ignore[arg-type]
                               re.compile(entry + r" \("), range(SITES)),
        "/action roster": (lambda ctx, page: roster_page(ctx, local.action, local.signups, page),
                           re.compile(r"[✓·] María Fernanda (\d+) Villanueva-Ortega"), range(SIGNUPS)),
        "/chant sheet": (lambda ctx, page: sheet_page(ctx, "Hoja de cantos", local.chants, page),
                         re.compile(r"(\d+)\. Canto \d+:"), range(1, CHANTS + 1)),
        "/bargaining faq": (lambda ctx, page: faq_page(ctx, "Control de rumores", local.faq, page, "/bargaining faq"),
                            re.compile(r"#(\d+) Pregunta"), range(1, FAQ + 1)),
    }


def check_slack(app: App, reply: Reply) -> None:
    """What Slack would be sent takes at most three messages (files too), every one of them accepted."""
    sent = messages(reply.message, app.translator(reply.lang))
    assert len(sent) + len(reply.message.attachments) <= 3
    for message in sent:
        for block in message["blocks"]:
            Block.parse(block).validate_json()  # slack_sdk's own limits: sections, buttons, values
        assert block_text(message["blocks"]) <= SLACK_BUDGET.text
        assert slack_refusal(message) is None


def check_discord(app: App, reply: Reply) -> None:
    """Files ride on the last message (up to ten), so only the messages count."""
    sent = to_discord(reply.message, app.translator(reply.lang))
    assert len(sent) <= 3 and len(reply.message.attachments) <= 10
    for part in sent:
        assert discord_refusal({"content": part.content, "embeds": []}) is None
        for item in part.view.children if part.view else ():
            assert len(item.custom_id) <= CUSTOM_ID_LIMIT  # type: ignore[attr-defined]


CHECKS = {"slack": check_slack, "discord": check_discord}
GROUPED = {"/readiness tally": ("35,000", "2,000"), "/readiness missing": ("33,000",),  # Spanish as in the US (es_US)
           "/action roster": ("2,000",)}


def walk(app: App, ctx: Context, platform: str, answer: Callable[[Context, int], Reply]) -> tuple[list[str], int]:
    """The first page, the second through the first's Next button, and the last through the last Previous
    button's line (each page a member can reach is a click on such a line): every page checked as the
    platform would check it. Walking all of them (84 pages of tally on Discord) costs seconds a command;
    tests/test_paging.py walks every page of a long FAQ. Returns the pages' texts and how many there are."""
    first = answer(ctx, 1)
    CHECKS[platform](app, first)
    text = plain(first.message.text)
    found = re.search(r"(?:Page|Página) 1 (?:of|de) ([\d,.]+)", text)
    assert found, "a full-size answer takes pages"
    total = int(re.sub(r"\D", "", found.group(1)))
    [following] = [b for b in first.message.buttons if b.turns_page]
    shown = [text]
    for number in sorted({2, total}):
        line = following.command.rsplit(" page:", 1)[0] + f" page:{number}"
        reply = answer(ctx, int(line.rsplit(" page:", 1)[1]))
        CHECKS[platform](app, reply)
        assert not reply.message.attachments  # files come with the first page only
        assert f"{number} " in plain(reply.message.text).rsplit("\n\n", 1)[-1]  # "Page 2 of 84"
        shown.append(plain(reply.message.text))
    return shown, total


@pytest.mark.parametrize("platform", ["slack", "discord"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_long_answer_fits_the_platform_at_full_size(local, platform, lang, caplog):
    """Each command's summary counts as the reader writes them; its pages fit; together they hold each entry."""
    app, rows = local
    caplog.set_level(logging.ERROR)
    ctx = context(app, platform, lang, rows.now)
    for line, (answer, entry, expected) in answers(rows).items():
        (first, second, *last), total = walk(app, ctx, platform, answer)
        assert all(count in first for count in GROUPED.get(line, ())), f"{line}: counts grouped as the reader writes"
        numbers = [[int(n) for n in entry.findall(page)] for page in (first, second, *last)]
        assert numbers[0][0] == expected[0] and numbers[1][0] == numbers[0][-1] + 1, f"{line}: page 2 follows page 1"
        assert numbers[-1][-1] == expected[-1], f"{line}: the last page ends with the last entry"
        for page in numbers:
            assert page == list(range(page[0], page[0] + len(page))), f"{line}: a page holds a run of entries"
        assert total * max(map(len, numbers)) >= len(expected), f"{line}: {total} pages cannot hold every entry"
    assert "cut to fit" not in caplog.text  # paging, never the render's safety net
