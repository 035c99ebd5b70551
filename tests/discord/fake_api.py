"""A fake of Discord's REST API on 127.0.0.1, recording every call discord.py makes.

Only the routes the bot uses are served, with bodies shaped as Discord documents them; anything
else answers 404 so an unexpected call fails the test instead of passing silently. Like Discord, it
refuses a message past its documented limits (:func:`refusal`): content over 2,000 characters, more than
ten embeds, or an embed past its own limits, with 400 and code 50035 (Invalid Form Body). It keeps the
server's scheduled events and refuses one Discord would (:func:`event_problem`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

CONTENT_LIMIT = 2000
EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256}
APP_ID = "900000000000000001"
MODAL_CALLBACK, LABEL, TEXT_INPUT, STRING_SELECT, TEXT_DISPLAY, ACTION_ROW = 9, 18, 4, 3, 10, 1
TITLE_LIMIT = LABEL_LIMIT = 45
DESCRIPTION_LIMIT = CUSTOM_ID_LIMIT = OPTION_LIMIT = 100
VALUE_LIMIT = TEXT_DISPLAY_LIMIT = 4000


def modal_problem(data: dict) -> str | None:
    """Why Discord would refuse a modal (50035 Invalid Form Body), as its documentation gives the limits:
    1 to 5 top-level components; a title and each label of at most 45 characters, a label's description
    of at most 100; a text input of at most 4,000; a select of 1 to 25 options of at most 100 characters."""
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        return f"a modal holds 1 to 5 components, not {len(components)}"
    if not 1 <= len(data.get("title") or "") <= TITLE_LIMIT or len(data.get("custom_id") or "") > CUSTOM_ID_LIMIT:
        return "title or custom_id too long"
    for top in components:
        if top["type"] == TEXT_DISPLAY:
            if len(top.get("content") or "") > TEXT_DISPLAY_LIMIT:
                return "text display too long"
            continue
        if top["type"] == ACTION_ROW:
            inner, label, description = top["components"][0], top["components"][0].get("label"), None
        elif top["type"] == LABEL:
            inner, label, description = top["component"], top.get("label"), top.get("description")
        else:
            return f"component type {top['type']} cannot be in a modal"
        if not label or len(label) > LABEL_LIMIT or len(description or "") > DESCRIPTION_LIMIT:
            return f"{inner.get('custom_id')}: label or description too long, or no label"
        if inner["type"] == TEXT_INPUT and inner.get("max_length", 0) > VALUE_LIMIT:
            return f"{inner.get('custom_id')}: max_length over {VALUE_LIMIT}"
        if inner["type"] == STRING_SELECT:
            options = inner.get("options") or []
            if not 1 <= len(options) <= 25 or any(len(o["label"]) > OPTION_LIMIT for o in options):
                return f"{inner.get('custom_id')}: 1 to 25 options of at most {OPTION_LIMIT} characters"
        elif top["type"] == LABEL and inner["type"] != TEXT_INPUT:
            return f"component type {inner['type']} cannot be in a label"
    return None


def command_problem(commands: list) -> str | None:
    """Why Discord would refuse a command sync: a description (in any language) or a choice's name past
    100 characters, more than 25 options or choices."""
    def texts(entry: dict, key: str) -> list[str]:
        return [entry.get(key) or "", *(entry.get(f"{key}_localizations") or {}).values()]

    stack = list(commands)
    while stack:
        entry = stack.pop()
        if any(len(t) > DESCRIPTION_LIMIT for t in texts(entry, "description")):
            return f"{entry['name']}: a description is over {DESCRIPTION_LIMIT} characters"
        choices = entry.get("choices") or []
        if len(entry.get("options") or []) > 25 or len(choices) > 25:
            return f"{entry['name']}: over 25 options or choices"
        if any(len(t) > DESCRIPTION_LIMIT for c in choices for t in texts(c, "name")):
            return f"{entry['name']}: a choice's name is over {DESCRIPTION_LIMIT} characters"
        stack.extend(entry.get("options") or [])
    return None
EXTERNAL, GUILD_ONLY, SCHEDULED, CANCELED = 3, 2, 1, 4
EVENT_NAME, EVENT_DESCRIPTION, EVENT_LOCATION = 100, 1000, 100


def event_problem(event: dict, now: datetime, *, start_given: bool) -> str | None:
    """Why Discord would refuse a scheduled event (created, or as a change leaves it), as its documentation gives
    the rules: a name of 1 to 100 characters, a description of at most 1,000, privacy level 2; an external event
    (entity type 3) has no channel, a location of 1 to 100 characters and an end after its start; a start given
    may not be in the past."""
    if not 1 <= len(event.get("name") or "") <= EVENT_NAME:
        return "name must be 1 to 100 characters"
    if len(event.get("description") or "") > EVENT_DESCRIPTION:
        return "description must be 1000 or fewer in length"
    if event.get("privacy_level") != GUILD_ONLY:
        return "privacy_level must be 2 (GUILD_ONLY)"
    if event.get("entity_type") == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location") or ""
        if event.get("channel_id") is not None or not 1 <= len(location) <= EVENT_LOCATION:
            return "an external event has no channel_id and entity_metadata.location of 1 to 100 characters"
        if not event.get("scheduled_end_time"):
            return "an external event needs scheduled_end_time"
    start = datetime.fromisoformat(event["scheduled_start_time"]) if event.get("scheduled_start_time") else None
    if start is None:
        return "scheduled_start_time is required"
    if start_given and start < now:
        return "Cannot schedule event in the past"
    end = event.get("scheduled_end_time")
    if end and datetime.fromisoformat(end) <= start:
        return "scheduled_end_time must be after scheduled_start_time"
    return None


BOT_USER = {"id": APP_ID, "username": "organizer-bot", "discriminator": "0", "global_name": None, "avatar": None,
            "bot": True}


@dataclass
class Call:
    method: str
    path: str
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def data(self) -> dict:
        """An interaction callback's ``data``, or a message body."""
        return self.body.get("data", self.body) if isinstance(self.body, dict) else {}


class FakeDiscord:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock  # Discord's now, for a start in the past
        self.calls: list[Call] = []
        self.scheduled_events: dict[str, dict] = {}  # by id, as Discord holds them
        self.refuse: dict[str, tuple[int, dict, dict]] = {}  # path prefix → (status, body, headers)
        self.closed_dms: set[str] = set()  # users whose DMs are closed to the bot: a message there gets 50007
        self._dm_channels: dict[str, str] = {}  # DM channel id → its recipient
        self.refused: list[tuple[Call, str]] = []  # messages refused for Discord's limits, and why
        self.refuse_once: list[tuple[str, int, dict]] = []  # the next call to a path prefix → (status, body)
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        return self.base

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def of(self, method: str, prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    async def wait_for(self, method: str, prefix: str, count: int = 1) -> list[Call]:
        """Wait until discord.py has made ``count`` such calls (interactions run in their own tasks)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.of(method, prefix)) >= count), 10)
        return self.of(method, prefix)

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _read(request)
        call = Call(request.method, path, body, files)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        for prefix, (status, error, headers) in self.refuse.items():
            if path.startswith(prefix):
                return _json(error, status=status, headers=headers)
        parts = path.strip("/").split("/")
        if request.method == "POST" and parts[0] == "channels" and self._dm_channels.get(parts[1]) in self.closed_dms:
            return _json({"message": "Cannot send messages to this user", "code": 50007}, status=403)
        for once in self.refuse_once:
            if path.startswith(once[0]):
                self.refuse_once.remove(once)
                return _json(once[2], status=once[1])
        refused = refusal(call.data) if request.method in ("POST", "PATCH") and isinstance(call.body, dict) else None
        if refused:
            self.refused.append((call, refused))
            return _json({"code": 50035, "message": "Invalid Form Body", "errors": {"content": {"_errors": [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": refused}]}}}, status=400)
        return self._answer(request.method, path, call)

    def _answer(self, method: str, path: str, call: Call) -> web.Response:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/users/@me"):
            return _json(BOT_USER)
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json({"id": APP_ID, "name": "organizer-bot", "description": "", "icon": None,
                                      "bot_public": False, "bot_require_code_grant": False, "owner": BOT_USER,
                                      "verify_key": "0" * 64, "flags": 0})
        problem = modal_problem(call.body["data"]) if method == "POST" and parts[0] == "interactions" \
            and call.body and call.body.get("type") == MODAL_CALLBACK else None
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            problem = command_problem(call.body)
        if problem:
            self.refused.append((call, problem))
            return _json({"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": [problem]}},
                         status=400)
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            return _json([{**c, "id": str(next(self._ids)), "application_id": APP_ID, "version": "1"}
                                      for c in call.body])
        if method == "POST" and parts[0] == "interactions":
            return _json({"interaction": {"id": parts[1], "type": 2}})
        if parts[0] == "guilds" and parts[2:3] == ["scheduled-events"]:
            return self._scheduled_event(method, parts[1], parts[3] if len(parts) > 3 else None, call)
        if method == "DELETE":
            return web.Response(status=204)
        if method == "POST" and path == "/users/@me/channels":
            channel = str(next(self._ids))
            self._dm_channels[channel] = str(call.body["recipient_id"])
            return _json({"id": channel, "type": 1, "recipients": [
                {"id": call.body["recipient_id"], "username": "member", "discriminator": "0", "avatar": None}]})
        if method in ("POST", "PATCH") and (parts[0] == "webhooks" or parts[0] == "channels"):
            channel = parts[1] if parts[0] == "channels" else "1000000000000000009"
            return _json(_message(str(next(self._ids)), channel, call.body))
        return _json({"message": "404: Not Found", "code": 0}, status=404)


    def _scheduled_event(self, method: str, guild_id: str, event_id: str | None, call: Call) -> web.Response:
        """GET, POST /guilds/{id}/scheduled-events and PATCH, DELETE /guilds/{id}/scheduled-events/{id}."""
        event = self.scheduled_events.get(event_id or "")
        if event_id is not None and (event is None or event["guild_id"] != guild_id):
            return _json({"message": "Unknown Guild Scheduled Event", "code": 10070}, status=404)
        if method == "GET" and event_id is None:
            return _json([e for e in self.scheduled_events.values() if e["guild_id"] == guild_id])
        if method == "DELETE" and event is not None:
            del self.scheduled_events[event["id"]]
            return web.Response(status=204)
        if method == "POST" and event_id is None:
            changed = {"id": str(next(self._ids)), "guild_id": guild_id, "channel_id": None, "creator_id": APP_ID,
                       "creator": BOT_USER, "description": None, "scheduled_end_time": None, "status": SCHEDULED,
                       "entity_id": None, "entity_metadata": None, "image": None, "user_count": 0, **call.body}
        elif method == "PATCH" and event is not None:
            if event["status"] == CANCELED:
                return _json({"message": "Cannot update a cancelled event", "code": 180000}, status=400)
            changed = {**event, **call.body}
        else:
            return _json({"message": "405: Method Not Allowed", "code": 0}, status=405)
        problem = event_problem(changed, self.clock(), start_given="scheduled_start_time" in call.body)
        if problem:
            self.refused.append((call, problem))
            return _json({"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": [problem]}}, status=400)
        self.scheduled_events[changed["id"]] = changed
        return _json(changed)


def refusal(message: dict) -> str | None:
    """Why Discord would refuse a message body (content, embeds), None when it takes it."""
    if len(message.get("content") or "") > CONTENT_LIMIT:
        return f"Must be {CONTENT_LIMIT} or fewer in length."
    embeds = message.get("embeds") or []
    if len(embeds) > 10:
        return "Must be 10 or fewer in length."
    total = 0
    for embed in embeds:
        parts = {"title": embed.get("title") or "", "description": embed.get("description") or "",
                 "footer": (embed.get("footer") or {}).get("text") or "",
                 "author": (embed.get("author") or {}).get("name") or ""}
        for name, text in parts.items():
            if len(text) > EMBED_LIMITS[name]:
                return f"embed {name} must be {EMBED_LIMITS[name]} or fewer in length."
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "embed fields must be 25 or fewer in length."
        for item in fields:
            if len(item.get("name") or "") > 256 or len(item.get("value") or "") > 1024:
                return "embed field name or value too long."
        total += sum(map(len, parts.values())) + sum(len(f.get("name") or "") + len(f.get("value") or "")
                                                     for f in fields)
    return "Embed size exceeds maximum size of 6000" if total > 6000 else None


async def _read(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    if request.content_type.startswith("multipart/"):
        body, files = None, {}
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files[part.filename] = bytes(await part.read())
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), {}


def _message(message_id: str, channel_id: str, body: dict | None) -> dict:
    body = body or {}
    return {"id": message_id, "channel_id": channel_id, "type": 0, "content": body.get("content") or "",
            "author": BOT_USER, "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": "2026-11-30T17:00:00+00:00",
            "edited_timestamp": None, "flags": body.get("flags", 0), "components": body.get("components", []),
            "nonce": body.get("nonce")}


def _json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    """JSON with the bare content type Discord sends (discord.py compares it exactly)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers,
                        content_type="application/json")
