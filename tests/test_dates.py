"""Every command that reads a typed date asks dateparser for the member's language and the campaign's
only: left to itself dateparser tries every language it knows, and the first date it could not read in
a process took 2.6–4.9 s (issue 20)."""

from __future__ import annotations

import dateparser
import pytest

LEAD = {"role": "leader"}
LINES = ['/readiness open Ready? closes:"whenever-ish"', '/action create Picket "whenever-ish" Gate',
         '/bargaining post title:Update body:News session:"whenever-ish"']


@pytest.fixture
def asked(monkeypatch) -> list:
    asked: list = []
    monkeypatch.setattr(dateparser, "parse", lambda text, languages=None, **_: asked.append(languages))
    return asked


@pytest.mark.parametrize("line", LINES)
async def test_a_date_is_read_in_the_campaigns_languages_only(bot, asked, line):
    assert "whenever-ish" in await bot.fails("boss", line, **LEAD)
    assert asked == [["en", "es"]]


async def test_a_spanish_members_date_is_read_in_spanish_first(bot, asked):
    await bot.ok("boss", "/member lang es", **LEAD)
    await bot.fails("boss", LINES[0], **LEAD)
    assert asked == [["es", "en"]]
