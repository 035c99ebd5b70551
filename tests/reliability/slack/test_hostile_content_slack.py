"""Hostile text in every free-text field, typed on Slack and imported from a roster file: stored as
written, and nothing the fake Web API receives (replies, channel posts, DMs) can ping anyone."""

from __future__ import annotations

import json

import pytest

from bot.delivery import Worker
from storage.roster import import_rows, read_csv
from tests.reliability.hostile import (
    HOSTILE,
    SITE_SUFFIX,
    assert_stored_as_written,
    roster_csv,
    slack_pings,
    slack_typed,
)
from tests.slack.payloads import slash
from tests.support import ID_COLUMNS, typed_date

LEADER = "ULEAD"


async def typed(slack, fake, line: str, user: str = LEADER) -> dict:
    """Send a slash command as Slack would and return the answer that came back to its response_url."""
    command, _, rest = line.partition(" ")
    name = f"r{len(fake.responses)}"
    status, _ = await slack.send(slash(command, slack_typed(rest), user=user, response_url=fake.response_url(name)))
    assert status == 200
    await fake.wait_for(lambda: any(r["url"] == name for r in fake.responses))
    answer = next(r for r in fake.responses if r["url"] == name)
    assert "Something broke" not in answer["text"], answer["text"]
    return answer



@pytest.mark.parametrize("kind", HOSTILE)
async def test_hostile_text_is_stored_as_written_and_never_pings_on_slack(slack, fake, app, front, kind):
    h = HOSTILE[kind]
    fake.usergroups = {"SLEADERS": [LEADER]}
    await typed(slack, fake, f"/member site {h}", user="U100")
    await typed(slack, fake, f'/action create title:"{h}" when:"{typed_date(app.clock(), days=3)}" where:"{h}"')
    await typed(slack, fake, f'/chant add title:"{h}" lines:"{h}"')
    await typed(slack, fake, '/chant show 1')
    await typed(slack, fake, f'/bargaining post title:"{h}" body:"{h}"')
    await typed(slack, fake, f'/bargaining faq-add question:"{h}" answer:"{h}"')
    await typed(slack, fake, "/bargaining faq")
    rows, problems = read_csv(roster_csv(h, h + SITE_SUFFIX), ID_COLUMNS)
    assert not problems
    report = await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    assert report.added == 1
    await typed(slack, fake, '/readiness open "Ready?"')
    await typed(slack, fake, "/readiness missing 1")
    await Worker(app, {"slack": front.sender}).drain()

    await assert_stored_as_written(app, h, member="u100", roster_name=h)

    posted = [c.params for c in fake.calls if c.method.startswith("chat.")]
    assert {"CACTIONS", "CANNOUNCE", "CREADY"} <= {p.get("channel") for p in posted}
    shown = [json.dumps(r, ensure_ascii=False) for r in fake.responses]
    shown += [json.dumps({k: p.get(k) for k in ("text", "blocks")}, ensure_ascii=False) for p in posted]
    assert sum(h[:10] in s or slack_typed(h)[:10] in s for s in shown) >= 8, "the hostile text was not shown"
    for payload in shown:
        assert not slack_pings(payload), payload
