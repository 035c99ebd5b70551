"""Slack payloads → what the core needs: who, which command line or form values, and where."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.types import Identity


def unescape(text: str) -> str:
    """Slack sends ``&``, ``<`` and ``>`` in typed text as entities; the core gets them as typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_line(body: Mapping[str, Any]) -> str:
    """A slash command as the line the member typed: ``/member site Escalante Elementary``."""
    return f"{body['command']} {unescape(body.get('text') or '')}".strip()


def identity(body: Mapping[str, Any]) -> Identity:
    """The member, from a slash command (``user_id``) or an interaction (``user``)."""
    user = body.get("user")
    if isinstance(user, Mapping):
        return Identity("slack", user["id"], user.get("username") or user.get("name") or "")
    return Identity("slack", body["user_id"], body.get("user_name") or "")


def channel(body: Mapping[str, Any]) -> str | None:
    found = body.get("channel")
    if isinstance(found, Mapping):
        return found.get("id")
    return body.get("channel_id") or (body.get("container") or {}).get("channel_id")


def click_key(body: Mapping[str, Any], action: Mapping[str, Any]) -> tuple[str, ...]:
    """The same button on the same message clicked by the same member: a double click."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or ""
    return body["user"]["id"], where, action.get("action_id", ""), action.get("value", "")


def is_ephemeral(body: Mapping[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def form_target(view: Mapping[str, Any]) -> dict[str, Any]:
    """What the modal was opened for (set by :func:`bot.adapters.slack.render.modal`)."""
    return json.loads(view.get("private_metadata") or "{}")


def form_values(view: Mapping[str, Any]) -> dict[str, str]:
    """Submitted fields by name; empty optional fields are left out."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or {}
        value = (element.get("selected_option") or {}).get("value") if element.get("type") == "static_select" \
            else element.get("value")
        if value not in (None, ""):
            values[block_id] = value
    return values
