"""Slack payloads → what the core needs: who, which command line or form values, and where; and what
Slack vouches for about the member (:class:`Directory`): their user groups (claims for roles), their
locale and the email Slack verified for them (``users:read.email``), which matches them to their roster row.

Neither lookup may hold a command behind another, or behind a Web API that hangs (when every command
reloaded the groups under one lock, every join waited on a ``usergroups`` API that hung).

User groups, and so the roles they grant, follow one rule:

- The whole workspace's memberships are loaded at once and are fresh for ``ttl`` seconds.
- Past that, the last load is still served while one refresh runs in the background; a member
  removed from a group loses its role when that refresh succeeds.
- A load that fails or takes longer than ``timeout`` is logged and remembered for ``retry``
  seconds, during which nothing calls Slack and commands go on with what is known.
- A load older than ``stale_limit`` is not served: a role that cannot be confirmed is not granted.
- With nothing to serve (the first load, or after ``stale_limit``) a command waits for the load in
  flight, at most ``timeout``; every command waits on the same load, never one after another.

So a removal takes effect within ``ttl`` plus one load while Slack answers, and within
``stale_limit`` when it does not. The locale is only a hint for the reply's language, and the email
only a way to a roster row: a failed lookup answers with what is known and is not tried again for
``retry`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.adapters.slack import PLATFORM
from bot.adapters.slack.render import PAGE_ACTION
from bot.types import Identity, pick_line

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
GROUP_CLAIM = "slack-group:"  # a user group's claim, as role rules name it

MAX_DEPTH = 32  # Slack's payloads nest about ten deep (a message's rich text inside a block_actions)
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only a JSON escape such as \ud800 makes one: not text


def unreadable(body: Any) -> str | None:
    """Why a signed payload cannot be one the bot reads (None when it can): not an object, nested far
    deeper than Slack nests, holding a lone surrogate (which no database stores), or, for a kind the
    bot handles, without the fields, of the types, Slack always sends for it. Everything the functions
    below read is checked here, before the ack, so none of them can fail after it."""
    if not isinstance(body, Mapping):
        return "not an object"
    reason = _unreadable_values(body)
    if reason:
        return reason
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions and isinstance(actions[0], Mapping)
                and isinstance(actions[0].get("action_id"), str)
                and (isinstance(actions[0].get("value"), str) or _picked(actions[0]) is not None)):
            return "a click without its action"
        if not _is(body.get("container"), Mapping):
            return "a click without its message"
        return _unreadable_user(body)
    if body.get("type") == "block_suggestion":
        if not (isinstance(body.get("action_id"), str) and _is(body.get("value"), str)):
            return "a list's question without its list"
        return _unreadable_user(body)
    if body.get("type") == "event_callback":
        return _unreadable_event(body.get("event"))
    if body.get("type") == "view_submission":
        return _unreadable_submission(body)
    if "command" in body and not (isinstance(body["command"], str) and isinstance(body.get("user_id"), str)
                                  and _is(body.get("text"), str)):
        return "a command without its member"
    return None


def _picked(action: Mapping[str, Any]) -> str | None:
    """The option picked from a list (an ``external_select`` in a block named for its command), if it is one."""
    option = action.get("selected_option")
    if isinstance(option, Mapping) and isinstance(option.get("value"), str) and isinstance(action.get("block_id"), str):
        return str(option["value"])
    return None


def _unreadable_event(event: Any) -> str | None:
    """The Events API events the bot handles, with what Slack always sends for them; any other is left to bolt."""
    if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
        return "an event without its type"
    if event["type"] == "team_join" and not (isinstance(event.get("user"), Mapping)
                                             and isinstance(event["user"].get("id"), str)
                                             and _is(event["user"].get("profile"), Mapping)):
        return "a join without its member"
    if event["type"] == "member_joined_channel" and not (isinstance(event.get("user"), str)
                                                         and isinstance(event.get("channel"), str)):
        return "a join without its member"
    return None


def _is(value: Any, kind: type) -> bool:
    """``value`` is a ``kind`` or missing."""
    return value is None or isinstance(value, kind)


def _unreadable_submission(body: Mapping[str, Any]) -> str | None:
    view = body.get("view")
    if not isinstance(view, Mapping) or not isinstance(view.get("callback_id"), str):
        return "a submission without its view"
    try:
        target = json.loads(view.get("private_metadata") or "")
    except (TypeError, ValueError):
        return "a submission without its form"
    if not (isinstance(target, Mapping) and isinstance(target.get("group"), str) and isinstance(target.get("sub"), str)
            and _is(target.get("channel"), str)):
        return "a submission without its form"
    blocks = view.get("blocks")
    if not (_is(blocks, list) and all(isinstance(b, Mapping) and _is(b.get("block_id"), str) for b in blocks or ())):
        return "a submission without its fields"
    state = view.get("state") or {}
    values = state.get("values") or {} if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping):
        return "a submission without its fields"
    for field in values.values():
        element = field.get("value") or {} if isinstance(field, Mapping) else None
        if not (isinstance(element, Mapping) and _is(element.get("value"), str)
                and _is(element.get("selected_option"), Mapping)
                and _is((element.get("selected_option") or {}).get("value"), str)):
            return "a submission without its fields"
    return _unreadable_user(body)


def _unreadable_user(body: Mapping[str, Any]) -> str | None:
    user = body.get("user")
    return None if isinstance(user, Mapping) and isinstance(user.get("id"), str) else "no member"


def _unreadable_values(body: Mapping[str, Any]) -> str | None:
    """Depth and lone surrogates, without recursion (a deep payload must not exhaust the stack)."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return "nested too deep"
        if isinstance(value, Mapping):
            pending.extend((v, depth + 1) for v in (*value.keys(), *value.values()))
        elif isinstance(value, list):
            pending.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and _SURROGATE.search(value):
            return "a lone surrogate"
    return None


def unescape(text: str) -> str:
    """Slack sends ``&``, ``<`` and ``>`` in typed text as entities; the core gets them as typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_line(body: Mapping[str, Any]) -> str:
    """A slash command as the line the member typed: ``/member site Escalante Elementary``."""
    return f"{body['command']} {unescape(body.get('text') or '')}".strip()


def typed(body: Mapping[str, Any]) -> str | None:
    """The command line behind a request, to suggest again: a slash command's, a button's or a picked option's."""
    if "command" in body:
        return command_line(body)
    actions = body.get("actions")
    return action_line(actions[0]) if actions else None


def action_line(action: Mapping[str, Any]) -> str:
    """What a click runs: a button's command line, or the command of the list an option was picked from, with it."""
    picked = _picked(action)
    return str(action["value"]) if picked is None else pick_line(str(action["block_id"]), picked)


def identity(body: Mapping[str, Any]) -> Identity:
    """The member, from a slash command (``user_id``) or an interaction (``user``)."""
    user = body.get("user")
    if isinstance(user, Mapping):
        return Identity(PLATFORM.name, user["id"], user.get("username") or user.get("name") or "")
    return Identity(PLATFORM.name, body["user_id"], body.get("user_name") or "")


def from_elsewhere(body: Mapping[str, Any], team_id: str | None) -> bool:
    """Whether a request comes from outside the campaign's workspace ``team_id``: sent in another
    workspace, or by a member of another one (a shared channel). Unset, every workspace is the campaign's."""
    if team_id is None:
        return False
    team, user = body.get("team"), body.get("user")
    teams = {body.get("team_id"), team.get("id") if isinstance(team, Mapping) else team,
             user.get("team_id") if isinstance(user, Mapping) else None, body.get("user_team")} - {None}
    return teams != {team_id}


def channel(body: Mapping[str, Any]) -> str | None:
    found = body.get("channel")
    if isinstance(found, Mapping):
        return found.get("id")
    return body.get("channel_id") or (body.get("container") or {}).get("channel_id")


def click_key(body: Mapping[str, Any], action: Mapping[str, Any]) -> tuple[str, ...]:
    """The same button on the same message clicked by the same member: a double click."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or ""
    return body["user"]["id"], where, action.get("action_id", ""), action.get("value") or _picked(action) or ""


def is_ephemeral(body: Mapping[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def turns_page(body: Mapping[str, Any]) -> bool:
    """A click on a Previous/Next button (:attr:`bot.types.Button.turns_page`)."""
    actions = body.get("actions") or [{}]
    return str(actions[0].get("action_id", "")).startswith(PAGE_ACTION)


def source_message(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """The conversation and ``ts`` of the message a button was clicked on (None on the Home tab)."""
    container = body.get("container") or {}
    where, ts = container.get("channel_id"), container.get("message_ts")
    return (str(where), str(ts)) if where and ts else None


def form_target(view: Mapping[str, Any]) -> dict[str, Any]:
    """What the modal was opened for (set by :func:`bot.adapters.slack.render.modal`; checked by
    :func:`unreadable`)."""
    target: dict[str, Any] = json.loads(view["private_metadata"])
    return target


def form_values(view: Mapping[str, Any]) -> dict[str, str]:
    """Submitted fields by name; empty optional fields are left out."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        element = actions.get("value") or {}
        value = (element.get("selected_option") or {}).get("value") if element.get("type") == "static_select" \
            else element.get("value")
        if value not in (None, ""):
            values[block_id] = value
    return values


class Profile(NamedTuple):
    """What Slack tells of a member: their language (``es-LA``), the core's hint until they choose one, the email
    Slack verified for them, and the name they go by."""

    locale: str | None
    email: str | None
    name: str | None


UNKNOWN = Profile(None, None, None)


class Directory:
    def __init__(self, client: AsyncWebClient, *, use_groups: bool, ttl: float = 300.0, timeout: float = 2.0,
                 retry: float = 30.0, stale_limit: float = 900.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.use_groups = use_groups  # skip the lookups when no role rule names a user group
        self.ttl, self.timeout, self.retry, self.stale_limit = ttl, timeout, retry, stale_limit
        self.monotonic = monotonic
        self._groups: dict[str, frozenset[str]] = {}
        self._groups_at = float("-inf")
        self._groups_retry_at = float("-inf")
        self._refresh: asyncio.Task[None] | None = None
        self._profiles: dict[str, tuple[float, Profile]] = {}
        self._profiles_retry_at = float("-inf")

    async def claims(self, user_id: str) -> frozenset[str]:
        """``slack-group:<id>`` for each user group the member is in (``slack:<id>`` is implicit)."""
        if not self.use_groups:
            return frozenset()
        now = self.monotonic()
        if now - self._groups_at > self.ttl and now >= self._groups_retry_at and self._refresh is None:
            self._refresh = asyncio.create_task(self._reload())
        if now - self._groups_at > self.stale_limit:
            await self.refreshed()  # bounded by the load's own timeout
        if self.monotonic() - self._groups_at > self.stale_limit:
            return frozenset()
        return self._groups.get(user_id, frozenset())

    async def refreshed(self) -> None:
        """Until the user-group load in flight, if any, has ended."""
        if self._refresh is not None:
            await asyncio.wait({self._refresh})

    async def _reload(self) -> None:
        try:
            groups = await asyncio.wait_for(self._load_groups(), self.timeout)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the roles it would grant are not confirmed
            self._groups_retry_at = self.monotonic() + self.retry
            log.warning("Slack user groups unavailable (%s); trying again in %.0f s", type(exc).__name__, self.retry)
        else:
            self._groups, self._groups_at = groups, self.monotonic()
        finally:
            self._refresh = None

    async def _load_groups(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        listed = await self.client.usergroups_list()
        group: dict[str, Any]
        for group in listed.get("usergroups", ()):
            members = await self.client.usergroups_users_list(usergroup=group["id"])
            user: str
            for user in members.get("users", ()):
                found.setdefault(user, set()).add(f"{GROUP_CLAIM}{group['id']}")
        return {user: frozenset(groups) for user, groups in found.items()}

    async def profile(self, user_id: str) -> Profile:
        """What Slack tells of the member (:class:`Profile`)."""
        cached = self._profiles.get(user_id)
        now = self.monotonic()
        if cached and now - cached[0] <= self.ttl or now < self._profiles_retry_at:
            return cached[1] if cached else UNKNOWN
        try:
            info = await asyncio.wait_for(self.client.users_info(user=user_id, include_locale=True), self.timeout)
            user: dict[str, Any] = info.get("user", {})
            profile: dict[str, Any] = user.get("profile", {})
            found = Profile(user.get("locale"), profile.get("email"),
                            profile.get("display_name") or profile.get("real_name") or user.get("name"))
        except Exception as exc:  # noqa: BLE001 - only hints: the reply goes out in the campaign's language
            self._profiles_retry_at = self.monotonic() + self.retry
            log.warning("Slack profiles unavailable (%s); trying again in %.0f s", type(exc).__name__, self.retry)
            return cached[1] if cached else UNKNOWN
        self._profiles[user_id] = (self.monotonic(), found)
        return found
