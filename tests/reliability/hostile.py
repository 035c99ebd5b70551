"""Text a member (or an employer's plant) might type into any field: mention tricks for both
platforms, direction and zero-width tricks, control characters, emoji, SQL and markup. Each string
fits the shortest text field (a chant title, 100 characters) and has no double quote (so it can be
typed as one quoted value) and no “|” (which is chant syntax)."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from storage.actions import Action
from storage.bargaining import BargainingUpdate, FaqEntry
from storage.chants import Chant
from storage.members import Member, Worksite

HOSTILE = {
    "slack mentions": "<!channel> <!here> <!everyone> <@U0123ABC> <!subteam^S0123> <#C0123> <!date^1^x>",
    "discord mentions": "@everyone @here <@123456789012345678> <@&123456789012345678> <@!123456789012345678>",
    "text tricks": ("\u202eevil\u202c zero\u200bwidth\ufeff bell\x07 \x1b[31m 🌹✊🏽 '; DROP TABLE member; "
                    "-- *b* _i_ `c` > q"),
    "markdown links": "# [Vote NO here](https://evil.example/vote) ~~struck~~ <t:1:F> **loud**",
}
SITE_SUFFIX = " site"  # worksites are unique by name: each field's site differs from the member's own

_SLACK_TIME = re.compile(r"<!date\^[0-9]+\^[^|>]*\|[^>]*>")  # the bot's own time markup, not a mention


def slack_typed(text: str) -> str:
    """What Slack sends for typed text: &, < and > as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_pings(shown: str) -> list[str]:
    """Slack control sequences in what the bot sent (other than its own time markup)."""
    return re.findall(r"<[!@#][^>]*>?", _SLACK_TIME.sub("", shown))


def roster_csv(name: str, worksite: str) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([["name", "worksite"], [name, worksite]])
    return out.getvalue()


async def one(app, statement):
    async def work(session):
        return (await session.exec(statement)).scalars().first()
    return await app.db.read(work)


async def assert_stored_as_written(app, h: str, *, member: str, roster_name: str) -> None:
    """Every field typed as ``h`` (and the roster row imported as ``roster_name`` at ``h`` + site) holds it."""
    assert await one(app, select(Worksite.name).join(Member, Member.worksite_id == Worksite.id)
                     .where(Member.name == member)) == h
    action = await one(app, select(Action))
    assert (action.title, action.location) == (h, h)
    chant = await one(app, select(Chant))
    assert (chant.title, chant.lines) == (h, h)
    update = await one(app, select(BargainingUpdate))
    assert (update.title, update.body) == (h, h)
    faq = await one(app, select(FaqEntry))
    assert (faq.question, faq.answer) == (h, h)
    imported = await one(app, select(Member).where(Member.on_roster))
    assert imported.name == roster_name
    assert await one(app, select(Worksite.name).where(Worksite.id == imported.worksite_id)) == h + SITE_SUFFIX
