"""Text a member (or an employer's plant) might type into any field: mention tricks for both
platforms, direction and zero-width tricks, control characters, emoji, SQL and markup. Each string
fits the shortest text field (a chant title, 100 characters) and has no double quote (so it can be
typed as one quoted value) and no “|” (which is chant syntax)."""

from __future__ import annotations

import csv
import io
import re

HOSTILE = {
    "slack mentions": "<!channel> <!here> <!everyone> <@U0123ABC> <!subteam^S0123> <#C0123> <!date^1^x>",
    "discord mentions": "@everyone @here <@123456789012345678> <@&123456789012345678> <@!123456789012345678>",
    "text tricks": "\u202eevil\u202c zero\u200bwidth\ufeff bell\x07 \x1b[31m 🌹✊🏽 '; DROP TABLE member; -- *b* _i_ `c` > q",
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
