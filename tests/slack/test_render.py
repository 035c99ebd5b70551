"""Block Kit rendering: escaping, Slack dates, and splitting within Slack's limits without cutting."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block

from bot.adapters.slack.render import BUDGET, form_errors, messages, mrkdwn
from bot.i18n import Catalogs
from bot.markup import bold, when
from bot.types import Button, Message
from tests.slack.fake_slack import BLOCK_TEXT_LIMIT, block_text

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


def _valid(out: list[dict]) -> None:
    """What Slack takes: slack_sdk's own Block Kit classes accept every block, 50 blocks at most, and the block
    text of each message within the budget, well under where Slack answers msg_blocks_too_long."""
    for message in out:
        assert len(message["blocks"]) <= 50 and len(message["text"]) <= 300
        for block in message["blocks"]:
            Block.parse(block).validate_json()
        assert block_text(message["blocks"]) <= BUDGET.text < BLOCK_TEXT_LIMIT


def test_long_messages_split_between_paragraphs_into_sections_and_messages():
    paragraphs = [f"Demand {i}: " + "x" * 1400 for i in range(16)]
    out = messages(Message("\n\n".join(paragraphs)), TR)
    _valid(out)
    sections = [b["text"]["text"] for m in out for b in m["blocks"]]
    assert len(out) == 3 and len(sections) == 8  # two paragraphs to a section, three sections to a message
    assert "\n\n".join(sections) == "\n\n".join(paragraphs)  # nothing cut, nothing lost, order kept


@pytest.mark.parametrize("lang", ["en", "es"])
def test_past_three_messages_the_rest_is_left_out_the_buttons_kept_and_the_last_message_says_so(lang, caplog):
    tr = Catalogs("en", ZoneInfo("America/Los_Angeles")).get(lang)
    paragraphs = [f"Site {i}: " + "x" * 2900 for i in range(40)]
    out = messages(Message("\n\n".join(paragraphs), (Button("Next", "/readiness tally 1 page:2"),)), tr)
    _valid(out)
    sections = [b["text"]["text"] for m in out for b in m["blocks"] if b["type"] == "section"]
    assert len(out) == 3 and sections[:-1] == paragraphs[:len(sections) - 1]  # the beginning, each part whole
    assert out[-1]["blocks"][-1]["type"] == "actions"
    assert sections[-1].startswith("The rest of this answer" if lang == "en" else "El resto de esta respuesta")
    assert tr.number(sum(map(len, paragraphs[len(sections) - 1:]))) in sections[-1]
    assert "a Slack message was cut to fit" in caplog.text


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
