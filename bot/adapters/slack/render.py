"""Replies, messages and forms as Block Kit: escaped, split within Slack's limits, never cut.

Member text is escaped with :func:`escape`, no message sets ``link_names`` and every
text object that can hold it is ``verbatim`` (Slack then links no channel name, URL or mention by
itself), so nothing a member typed can become ``<!channel>``, ``<!here>``, ``<!everyone>``, a user-group
or a user mention. Only the bot's own markup (times, bold) produces Slack syntax.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.budget import Budget, cut_notice
from bot.i18n import Translator
from bot.markup import paragraphs, plain, render, shorten, split
from bot.platforms import ModalLimits
from bot.types import Button, Form, FormField, Message, Pick

log = logging.getLogger(__name__)

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
CUT_RESERVE = 300  # characters kept for the notice of a cut
FALLBACK_LIMIT = 300  # the notification preview: short, and no part of the blocks' budget
BUDGET = Budget(text=9000, messages=3, page=3500, time=90, strong=2)
"""Slack refuses a message whose blocks hold more than about 11,300 to 13,300 characters in all
(``msg_blocks_too_long``; bolt-js #2509, #2867: the limit is not documented and moves with the kinds of
blocks); 9,000 leaves a margin. A date costs up to 90 characters (``<!date^…^{date_short_pretty} {time}|…>``)."""
MODAL = ModalLimits(fields=100, title=24, submit=24, label=2000, value=3000, hint=2000, option=75)
FORM_CALLBACK = "organizer-form"
BUTTON_ACTION = "run-"
PAGE_ACTION = f"{BUTTON_ACTION}page-"  # a button that turns the page of the answer it is under (Button.turns_page)
CHANNEL_PING = "<!channel>"
PICK_ACTION = "pick-"  # an external_select's action_id: this and the core's option source
BLOCK_ID_LIMIT = 255
PLACEHOLDER_LIMIT = 150


def escape(text: str) -> str:
    """Slack's three control characters; with them escaped no ``<!channel>``, ``<!here>``, ``<@U…>`` or
    ``<!subteam^…>`` typed by a member is a mention. (The bot never sets ``link_names``, so a bare
    ``@channel`` stays text.)"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, tr: Translator) -> str:
    """Core markup → Slack mrkdwn; each reader sees times in their own timezone."""
    return render(text, escape=escape, time=lambda moment: _date(moment, tr), strong=lambda s: f"*{s}*")


def _date(moment: datetime, tr: Translator) -> str:
    fallback = escape(tr.when(moment)).replace("|", "/")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def messages(message: Message, tr: Translator, budget: Budget = BUDGET, *,
             channel_ping: bool = False) -> list[dict[str, Any]]:
    """Keyword arguments for ``chat.postMessage``/``respond``, one dict per Slack message.

    Paragraphs are packed into sections of at most 3,000 characters, sections into messages of at most
    50 blocks and ``budget.text`` characters in all, at most ``budget.messages`` of them; the buttons
    come last. What would go past that is left out and the last message says so (and the log), which a
    handler that pages its answer (:mod:`bot.paging`) never meets. Files are sent separately.
    ``channel_ping`` (``[slack] allow_channel_ping``) lets a message that asks to ping (``Message.ping``)
    open with ``<!channel>``; nothing else ever mentions anyone."""
    rendered = [mrkdwn(p, tr) for p in paragraphs(message.text)]
    if message.ping and channel_ping:
        rendered.insert(0, CHANNEL_PING)
    sections = [] if not message.text.strip() else [s for s in split(rendered, SECTION_LIMIT) if s]
    buttons = [_button(b, i) for i, b in enumerate(message.buttons)]
    rows = [{"type": "actions", "elements": buttons[i:i + BUTTONS_PER_BLOCK]}
            for i in range(0, len(buttons), BUTTONS_PER_BLOCK)] + [_pick(pick) for pick in message.picks]
    if not sections and not rows:
        return []
    labels = sum(len(b["text"]["text"]) for b in buttons)
    packed = _pack(sections, budget, len(rows), labels)
    if sum(len(chunk) for chunk in packed) < len(sections):
        left = sum(len(s) for s in sections[sum(len(chunk) for chunk in packed):])
        log.error("a Slack message was cut to fit: %d characters left out", left)
        packed[-1].append(escape(cut_notice(tr, left)))
    out = []
    for number, chunk in enumerate(packed):
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": s, "verbatim": True}}
                                        for s in chunk]
        if number == len(packed) - 1:
            blocks += rows
        out.append({"blocks": blocks, "text": _fallback(blocks, message)})
    return out


def _pack(sections: list[str], budget: Budget, rows: int, labels: int) -> list[list[str]]:
    """Sections in order into messages within ``budget``, the button rows (and their labels) on the last
    one or on one of their own. Past ``budget.messages`` the last message takes what fits beside the buttons
    and the notice of a cut: the sections kept are always the first ones."""
    packed: list[list[str]] = []
    for section in sections:
        if packed and sum(map(len, packed[-1])) + len(section) <= budget.text and len(packed[-1]) < BLOCK_LIMIT:
            packed[-1].append(section)
        else:
            packed.append([section])
    last = packed[-1] if packed else None
    if last is None or sum(map(len, last)) + labels > budget.text or len(last) + rows > BLOCK_LIMIT:
        packed.append([])
    if len(packed) <= budget.messages:
        return packed if packed[-1] or rows or len(packed) == 1 else packed[:-1]
    kept = packed[:budget.messages - 1]
    final: list[str] = []
    used = labels + CUT_RESERVE
    for section in (s for chunk in packed[budget.messages - 1:] for s in chunk):
        if used + len(section) > budget.text or len(final) + rows + 2 > BLOCK_LIMIT:
            break
        final.append(section)
        used += len(section)
    return [*kept, final]


def _fallback(blocks: list[dict[str, Any]], message: Message) -> str:
    """The notification preview: the first section, or the first button's label."""
    for block in blocks:
        if block["type"] == "section":
            return str(block["text"]["text"])[:FALLBACK_LIMIT]
    return escape(plain(message.buttons[0].label))


def _pick(pick: Pick) -> dict[str, Any]:
    """A list with type-ahead: Slack asks the bot for its options as the member types (``block_suggestion``,
    answered by :mod:`bot.adapters.slack.onboarding`); the block is named for the command a picked option runs."""
    return {"type": "actions", "block_id": pick.command[:BLOCK_ID_LIMIT], "elements": [{
        "type": "external_select", "action_id": f"{PICK_ACTION}{pick.source}", "min_query_length": 0,
        "placeholder": {"type": "plain_text", "text": plain(pick.placeholder)[:PLACEHOLDER_LIMIT], "emoji": True}}]}


def _button(button: Button, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": f"{PAGE_ACTION if button.turns_page else BUTTON_ACTION}{index}",
        "text": {"type": "plain_text", "text": plain(button.label)[:BUTTON_LABEL_LIMIT], "emoji": True},
        "value": button.command,
    }
    if button.style != "default":
        element["style"] = button.style
    return element


def modal(form: Form, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A modal whose submission runs ``/{form.group} {form.sub}`` with the fields as arguments. One modal
    holds every field (Slack's hold 100 blocks)."""
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": json.dumps(dict(metadata)),
        "title": _plain(_shorten(form.title, MODAL.title), MODAL.title),
        "submit": _plain(_shorten(form.submit, MODAL.submit), MODAL.submit),
        "blocks": [_input(f) for f in form.fields],
    }


def _input(field: FormField) -> dict[str, Any]:
    if field.choices:
        element: dict[str, Any] = {
            "type": "static_select", "action_id": "value",
            "options": [{"text": _plain(label, MODAL.option), "value": choice}
                        for choice, label in list(zip(field.choices, field.labels or field.choices))[:100]],
        }
    else:
        element = {"type": "plain_text_input", "action_id": "value", "multiline": field.multiline}
        if field.max_length:
            element["max_length"] = min(field.max_length, MODAL.value)
    block = {"type": "input", "block_id": field.name, "optional": not field.required,
             "label": _plain(field.label, MODAL.label), "element": element}
    if field.hint and field.hint != field.label:
        block["hint"] = _plain(field.hint, MODAL.hint)
    return block


def _shorten(text: str, limit: int) -> str:
    """Slack's modal titles are short; a longer one (Spanish often is) ends at a word, with “…”."""
    return shorten(plain(text), limit)


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain(text)[:limit] or " "}


def form_errors(view: Mapping[str, Any], error_text: str, field: str | None) -> dict[str, str]:
    """``response_action: errors`` for a refused submission: on the field the refusal is about
    (:attr:`bot.types.Reply.field`), else the first; none for a view without fields (then the refusal
    goes by message)."""
    block_ids = [str(b["block_id"]) for b in view.get("blocks") or () if b.get("type") == "input" and b.get("block_id")]
    if not block_ids:
        return {}
    return {field if field is not None and field in block_ids else block_ids[0]: plain(error_text)[:2000]}
