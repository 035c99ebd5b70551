"""Block Kit rendering: escaping, Slack dates, and splitting within Slack's limits without cutting."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.slack.render import form_errors, messages, mrkdwn
from bot.i18n import Catalogs
from bot.markup import bold, when
from bot.types import Button, Message

TR = Catalogs("en", ZoneInfo("America/Los_Angeles")).get("en")


@pytest.mark.parametrize("typed", ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0REPS|@reps>", "<@U0BOSS>",
                                   "<#C0GENERAL>", "<https://x.example|click>"])
def test_nothing_a_member_types_becomes_slack_syntax(typed):
    [out] = messages(Message(f"{typed} {bold(typed)}", (Button(typed, "/organizer help"),)), TR)
    section = out["blocks"][0]["text"]["text"]
    assert out["blocks"][0]["text"]["verbatim"] is True  # Slack links no name, URL or mention by itself
    assert "<" not in section and "<" not in out["text"]
    escaped = typed.replace('<', '&lt;').replace('>', '&gt;')
    assert section == f"{escaped} *{escaped}*"
    assert out["blocks"][1]["elements"][0]["text"] == {"type": "plain_text", "text": typed, "emoji": True}


def test_a_time_uses_slack_date_formatting_with_a_campaign_timezone_fallback():
    moment = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert mrkdwn(f"Rally {when(moment)}", TR) == \
        f"Rally <!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|Fri, Dec 4, 3:30\u202fPM PST>"


def test_long_messages_split_between_paragraphs_into_sections_and_messages():
    paragraphs = [f"Demand {i}: " + "x" * 1400 for i in range(120)]
    out = messages(Message("\n\n".join(paragraphs)), TR)
    sections = [b["text"]["text"] for m in out for b in m["blocks"]]
    assert all(len(s) <= 3000 for s in sections) and all(len(m["blocks"]) <= 50 for m in out)
    assert len(out) == 2 and len(sections) == 60
    assert "\n\n".join(sections) == "\n\n".join(paragraphs)  # nothing cut, nothing lost, order kept


def test_buttons_come_last_in_rows_of_at_most_25_with_unique_action_ids():
    buttons = tuple(Button(f"Site {i}", f"/member site {i}", "primary" if i == 0 else "default") for i in range(60))
    [out] = messages(Message("Pick your site", buttons), TR)
    rows = out["blocks"][1:]
    assert [len(r["elements"]) for r in rows] == [25, 25, 10]
    ids = [e["action_id"] for r in rows for e in r["elements"]]
    assert len(set(ids)) == 60
    assert rows[0]["elements"][0]["style"] == "primary" and "style" not in rows[0]["elements"][1]


def test_a_refused_form_field_is_the_one_the_refusal_names_not_the_first_name_in_its_text():
    view = {"blocks": [{"type": "section", "text": {"type": "plain_text", "text": "Announce an action"}},
                       {"type": "input", "block_id": "title"}, {"type": "input", "block_id": "subtitle"}]}
    assert form_errors(view, "subtitle is too long: 90 characters, the limit is 80.", "subtitle") == {
        "subtitle": "subtitle is too long: 90 characters, the limit is 80."}
    assert list(form_errors(view, "That action has already started.", None)) == ["title"]
