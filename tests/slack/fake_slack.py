"""A fake Slack on 127.0.0.1: the Web API methods the bot calls, ``response_url``s, file uploads and a
Socket Mode websocket. It records every call and can be told to fail, rate-limit or hold a method.

Like Slack, it refuses a message it would not show (:func:`refusal`): blocks that slack_sdk's own Block
Kit classes reject, more than 50 of them, or more than ``BLOCK_TEXT_LIMIT`` characters of block text
in all (``msg_blocks_too_long``). It keeps the messages it shows (``history`` in each conversation,
``ephemerals`` apart) and changes them as Slack does: ``chat.update`` edits only a message of the bot's that
is not ephemeral; a click's ``response_url`` with ``replace_original`` replaces the message clicked on,
ephemeral or not, which keeps who sees it; a ``response_url`` takes ``RESPONSE_USES`` posts."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_USER = "UBOT"
BLOCK_TEXT_LIMIT = 12_000  # where Slack starts answering msg_blocks_too_long (bolt-js #2509: 11,300–13,300)
TEXT_LIMIT = 40_000  # a message's top-level text (msg_too_long)
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
RESPONSE_USES = 5  # a response_url's posts (https://api.slack.com/interactivity/handling#message_responses)


def block_text(value: Any) -> int:
    """Characters of text in blocks, every ``text`` string at any depth (how bolt-js #2867 measured it)."""
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else block_text(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(block_text(v) for v in value)
    return 0


def refusal(params: dict[str, Any]) -> str | None:
    """The error Slack answers for a message's blocks and text, None for one it shows."""
    blocks = params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if len(str(params.get("text") or "")) > TEXT_LIMIT:
        return "msg_too_long"
    if len(blocks) > 50:
        return "invalid_blocks"
    try:
        for block in blocks:
            parsed = Block.parse(block)
            if parsed is None:
                return "invalid_blocks"
            parsed.validate_json()
    except SlackObjectFormationError:
        return "invalid_blocks"
    return "msg_blocks_too_long" if block_text(blocks) > BLOCK_TEXT_LIMIT else None

VIEW_METHODS = ("views.open", "views.update", "views.push")
BLOCK_TYPES = {"section", "input", "actions", "context", "divider", "header", "image", "rich_text", "file", "video"}
INPUT_LIMIT, OPTION_TEXT_LIMIT, OPTION_VALUE_LIMIT, OPTIONS_LIMIT = 3000, 75, 150, 100


def view_problem(view: dict[str, Any] | str) -> str | None:
    """Why Slack would refuse ``view`` (``invalid_arguments``), or None: slack_sdk's own Block Kit classes
    check it, and the documented limits they leave out are checked here (a plain_text_input holds at most
    3,000 characters; a select has 1 to 100 options of at most 75 characters of text and 150 of value)."""
    view = json.loads(view) if isinstance(view, str) else view
    try:
        View(**view).to_dict()
    except SlackObjectFormationError as exc:
        return str(exc)
    for block in view.get("blocks") or ():
        if block.get("type") not in BLOCK_TYPES:
            return f"unknown block type {block.get('type')!r}"
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input" and element.get("max_length", 0) > INPUT_LIMIT:
            return f"{block.get('block_id')}: max_length must be at most {INPUT_LIMIT}"
        if element.get("type") == "static_select":
            options = element.get("options") or []
            if not 1 <= len(options) <= OPTIONS_LIMIT:
                return f"{block.get('block_id')}: a select has 1 to {OPTIONS_LIMIT} options"
            for option in options:
                if len(option["text"]["text"]) > OPTION_TEXT_LIMIT or len(option["value"]) > OPTION_VALUE_LIMIT:
                    return f"{block.get('block_id')}: option {option['value']!r} is too long"
    return None


def dm_channel(channel: str | None) -> str | None:
    """Like Slack, a user ID given as a channel means the bot's DM with that user, which has its own ID."""
    return f"D{channel}" if channel and channel.startswith(("U", "W")) else channel


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)  # each Web API method as it arrives, held or not
    responses: list[dict[str, Any]] = field(default_factory=list)  # what arrived at response_urls
    ephemerals: list[dict[str, Any]] = field(default_factory=list)  # messages only their ``user`` sees
    refused_responses: list[dict[str, Any]] = field(default_factory=list)  # what response_urls refused, and why
    response_failures: list[str] = field(default_factory=list)  # errors the next response_url posts answer
    uploads: dict[str, bytes] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # users.info's profile.email (users:read.email)
    failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    socket_replies: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (method, why) of each view Slack would refuse
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel → messages, oldest first
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # user → the Home tab view views.publish set
    home_enabled: bool = True  # the app's Home tab is turned on (the manifest's app_home.home_tab_enabled)
    url: str = ""
    epoch: float = field(default_factory=time.time)  # Slack's own "now": message ts are times, as ``oldest`` compares

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None
        self._urls: dict[str, dict[str, Any]] = {}  # response_url name → where it answers, what it replaces, uses

    # ---- control
    def fail(self, method: str, error: str, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(method, []).append((status, {"ok": False, "error": error}, headers or {}))

    def rate_limit(self, method: str, retry_after: int) -> None:
        self.fail(method, "ratelimited", status=429, headers={"Retry-After": str(retry_after)})

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def ts(self, number: int) -> str:
        """The ``ts`` of the ``number``th message (or other object) the fake created."""
        return f"{int(self.epoch)}.{number:06d}"

    def dms_to(self, user: str) -> list[dict[str, Any]]:
        """The messages in the bot's DM with ``user``."""
        return self.history.get(dm_channel(user), [])

    def response_url(self, name: str = "r", *, channel: str = "CGENERAL", user: str = "U100",
                     message_ts: str | None = None) -> str:
        """The ``response_url`` of a request from ``user`` in ``channel``: a click's names the message clicked
        on (``message_ts``), which ``replace_original`` replaces."""
        self._urls[name] = {"channel": channel, "user": user, "source": message_ts, "uses": 0}
        return f"{self.url}/respond/{name}"

    def message(self, ts: str) -> dict[str, Any]:
        """The message with ``ts``, in a conversation or ephemeral, as it reads now."""
        return next(m for m in [*self.ephemerals, *(m for ms in self.history.values() for m in ms)] if m["ts"] == ts)

    def shown(self) -> list[dict[str, Any]]:
        """Every message the bot has shown, ephemeral ones first."""
        return [*self.ephemerals, *(m for ms in self.history.values() for m in ms)]

    async def wait_for(self, predicate, timeout: float = 60.0) -> None:
        """Until ``predicate()`` holds: a guard against hanging, not a timing assertion, so it is generous
        enough for dozens of commands on a loaded machine."""
        async def until():
            async with self._changed:
                await self._changed.wait_for(predicate)
        await asyncio.wait_for(until(), timeout)

    async def _record(self, target: list, item: Any) -> None:
        async with self._changed:
            target.append(item)
            self._changed.notify_all()

    # ---- server
    async def start(self) -> web.AppRunner:
        web_app = web.Application()
        web_app.router.add_route("*", "/api/{method}", self._api)
        web_app.router.add_post("/respond/{name}", self._respond)
        web_app.router.add_post("/upload/{file_id}", self._upload)
        web_app.router.add_get("/socket", self._socket_endpoint)
        runner = web.AppRunner(web_app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return runner

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {**request.query, **await request.post()}
        params["_token"] = request.headers.get("Authorization", "")
        self.arrived.append(method)
        if method in self.holds:
            await self.holds[method].wait()
        await self._record(self.calls, Call(method, params))
        if self.failures.get(method):
            status, body, headers = self.failures[method].pop(0)
            return web.json_response(body, status=status, headers=headers)
        refused = refusal(params) if method in MESSAGE_METHODS else None
        if refused:
            return web.json_response({"ok": False, "error": refused})
        problem = view_problem(params.get("view") or {}) if method in VIEW_METHODS else None
        if problem:
            self.refused.append((method, problem))
            return web.json_response({"ok": False, "error": "invalid_arguments",
                                      "response_metadata": {"messages": [f"[ERROR] {problem}"]}})
        return web.json_response({"ok": True, **self._answer(method, params)})

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "team": "Local 1"}
        if method == "chat.postMessage":
            return self._post(params)
        if method == "chat.update":
            return self._update(params)
        if method == "conversations.history":
            return history_page(self.history, params)
        if method == "chat.postEphemeral":
            message = self._show(params, user=params.get("user"), channel=params.get("channel"))
            self.ephemerals.append(message)
            return {"message_ts": message["ts"]}
        if method == "conversations.open":
            return {"channel": {"id": dm_channel(params["users"])}}
        if method == "usergroups.list":
            return {"usergroups": [{"id": group} for group in self.usergroups]}
        if method == "usergroups.users.list":
            return {"users": self.usergroups.get(params["usergroup"], [])}
        if method == "users.info":
            return {"user": {"id": params["user"], "locale": self.locales.get(params["user"], "en-US"),
                             "profile": {"email": self.emails.get(params["user"])}}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(params["files"]) if isinstance(params["files"], str) else params["files"]
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"url": self.url.replace("http://", "ws://") + "/socket"}
        if method == "views.open":
            return {"view": {"id": "V1"}}
        if method == "views.publish":
            return self._publish(params)
        return {}

    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """``views.publish`` as Slack answers it: refused for an app without a Home tab, a view past 250 kB,
        or one Block Kit does not accept (:func:`view_problem`); else it is the member's Home tab."""
        raw = params.get("view")
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if not self.home_enabled:
            return {"ok": False, "error": "not_enabled"}
        if len(text.encode()) > VIEW_BYTES:
            return {"ok": False, "error": "view_too_large"}
        view = json.loads(text)
        problem = home_view_problem(view)
        if problem or not str(params.get("user_id", "")).startswith(("U", "W")):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": [f"[ERROR] {problem or 'invalid user_id'}"]}}
        self.homes[params["user_id"]] = view
        return {"view": {"id": f"V{params['user_id']}", "type": "home", "blocks": view["blocks"]}}

    def _show(self, params: dict[str, Any], **where: Any) -> dict[str, Any]:
        message = {"type": "message", "user": BOT_USER, "text": params.get("text", ""),
                   "blocks": blocks_of(params), "ts": self.ts(next(self._ts)), **where}
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        return message

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = dm_channel(params.get("channel"))
        message = self._show(params)
        self.history.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"]}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        """``chat.update``: only a message in the conversation (an ephemeral one is not: message_not_found),
        and only the bot's own (cant_update_message)."""
        channel = dm_channel(params.get("channel"))
        found = [m for m in self.history.get(channel, []) if m["ts"] == params.get("ts")]
        if not found:
            return {"ok": False, "error": "message_not_found"}
        if found[0]["user"] != BOT_USER:
            return {"ok": False, "error": "cant_update_message"}
        found[0].update(text=params.get("text", ""), blocks=blocks_of(params))
        return {"channel": channel, "ts": params["ts"]}

    async def _respond(self, request: web.Request) -> web.Response:
        """A ``response_url`` answers with a status and the error as text (webhooks use status codes)."""
        body = await request.json()
        name = request.match_info["name"]
        url = self._urls.setdefault(name, {"channel": "CGENERAL", "user": "U100", "source": None, "uses": 0})
        url["uses"] += 1
        refused = self.response_failures.pop(0) if self.response_failures else refusal(body)
        if not refused and url["uses"] > RESPONSE_USES:
            refused = "used_url"
        source = [m for m in self.shown() if m["ts"] == url["source"]] if body.get("replace_original") else []
        if not refused and body.get("replace_original") and url["source"] and not source:
            refused = "message_not_found"  # deleted since the click
        if refused:
            self.refused_responses.append({"url": name, "error": refused, **body})
            return web.Response(status=404 if refused in ("expired_url", "used_url") else 400, text=refused)
        if source:  # the message clicked on, in place: who sees it does not change (response_type is ignored)
            source[0].update(text=body.get("text", ""), blocks=blocks_of(body))
        elif body.get("response_type") == "in_channel":
            self.history.setdefault(dm_channel(url["channel"]), []).append(self._show(body))
        else:
            self.ephemerals.append(self._show(body, user=url["user"], channel=url["channel"]))
        await self._record(self.responses, {"url": name, **body})
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK")

    # ---- Socket Mode
    async def _socket_endpoint(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await self._record(self.socket_replies, json.loads(msg.data))
        return ws

    async def socket_send(self, envelope_type: str, payload: dict[str, Any], envelope_id: str,
                          retry_attempt: int | None = None) -> dict[str, Any]:
        """Push an envelope down the websocket and wait for the bot's acknowledgement of it."""
        await self.wait_for(lambda: self._socket is not None)
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": envelope_type != "events_api"}
        if retry_attempt is not None:
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout")
        await self._socket.send_json(envelope)
        await self.wait_for(lambda: any(r.get("envelope_id") == envelope_id for r in self.socket_replies))
        return next(r for r in self.socket_replies if r.get("envelope_id") == envelope_id)


VIEW_BYTES = 250_000  # views.publish: "view_too_large" past 250 kB
LIMITS = {"blocks": 100, "header": 150, "section": 3000, "button_text": 75, "button_value": 2000, "action_id": 255,
          "elements": 25}  # https://docs.slack.dev/reference/block-kit/blocks, .../block-elements/button-element


def home_view_problem(view: dict[str, Any]) -> str | None:
    """Why Slack would refuse a Home tab view (None when it accepts it): Block Kit's own checks
    (:func:`view_problem`), then the limits of what the bot's pages hold."""
    if problem := view_problem(view):
        return problem
    blocks = view.get("blocks")
    if view.get("type") != "home" or not isinstance(blocks, list):
        return "a home view needs type home and blocks"
    if len(blocks) > LIMITS["blocks"]:
        return f"must be no more than {LIMITS['blocks']} items [json-pointer:/view/blocks]"
    for n, block in enumerate(blocks):
        kind, text = block.get("type"), (block.get("text") or {}).get("text")
        if kind == "header" and not (block["text"].get("type") == "plain_text" and 0 < len(text) <= LIMITS["header"]):
            return f"header text must be plain_text of 1-{LIMITS['header']} characters [json-pointer:/view/blocks/{n}]"
        if kind == "section" and not (text and len(text) <= LIMITS["section"]):
            return f"section text must be 1-{LIMITS['section']} characters [json-pointer:/view/blocks/{n}]"
        if kind == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= LIMITS["elements"]:
                return f"actions must have 1-{LIMITS['elements']} elements [json-pointer:/view/blocks/{n}]"
            for button in elements:
                if not (0 < len(button["text"]["text"]) <= LIMITS["button_text"]
                        and len(button.get("value", "")) <= LIMITS["button_value"]
                        and len(button.get("action_id", "")) <= LIMITS["action_id"]):
                    return f"a button past Slack's limits [json-pointer:/view/blocks/{n}]"
        elif kind not in ("header", "section", "divider", "context", "image"):
            return f"unknown block type {kind} [json-pointer:/view/blocks/{n}]"
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        return "block_id must be unique in a view"
    return None


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def history_page(history: dict[str, list[dict[str, Any]]], params: dict[str, Any]) -> dict[str, Any]:
    """``conversations.history`` as Slack answers it: newest first, after ``oldest``, ``limit`` a page with
    a cursor to the next, and metadata only when ``include_all_metadata`` is asked for (``history``:
    channel → messages, oldest first). Shared with bench/fanout.py's fake."""
    if params["channel"] not in history and not params["channel"].startswith(("C", "D", "G")):
        return {"ok": False, "error": "channel_not_found"}
    messages = [m for m in reversed(history.get(params["channel"], []))
                if float(m["ts"]) > float(params.get("oldest") or 0)]
    start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
    page = messages[start:start + limit]
    if str(params.get("include_all_metadata")).lower() not in ("1", "true"):
        page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
    more = start + limit < len(messages)
    return {"messages": page, "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}
