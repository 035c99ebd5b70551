"""Requests exactly as Slack sends them: form-encoded slash commands and interaction payloads, signed."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"


def slash(command: str, text: str, *, user: str = "U100", channel: str = "CGENERAL", response_url: str,
          trigger_id: str = "trigger-1") -> dict[str, str]:
    return {"token": "deprecated", "team_id": "T1", "team_domain": "local1", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A1", "is_enterprise_install": "false", "response_url": response_url,
            "trigger_id": trigger_id}


def click(value: str, *, user: str = "U100", channel: str = "CGENERAL", response_url: str,
          message_ts: str = "1700000000.000001", action_id: str = "run-0", ephemeral: bool = True) -> dict[str, Any]:
    return {
        "type": "block_actions", "team": {"id": "T1"}, "api_app_id": "A1", "trigger_id": "trigger-2",
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "general"}, "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                     "action_ts": str(time.time())}],
    }


def submission(view: dict[str, Any] | str, values: dict[str, str], *, user: str = "U100") -> dict[str, Any]:
    """The view submitted with ``values`` by block id: typed into a text input, or picked from a select."""
    view = json.loads(view) if isinstance(view, str) else view
    kinds = {b.get("block_id"): b.get("element", {}).get("type") for b in view.get("blocks") or ()
             if isinstance(b, dict)}  # a hostile test's blocks may be anything
    state = {name: {"value": {"type": "static_select", "selected_option": {"value": value}}
                    if kinds.get(name) == "static_select" else {"type": "plain_text_input", "value": value}}
             for name, value in values.items()}
    return {"type": "view_submission", "team": {"id": "T1"}, "api_app_id": "A1",
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "view": {**view, "id": "V1", "state": {"values": state}}}


def home_opened(user: str = "U100", *, event_id: str = "Ev1", tab: str = "home") -> dict[str, Any]:
    """An Events API envelope of ``app_home_opened``, as Slack posts it (JSON) when a member opens the app."""
    return {"token": "deprecated", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "authorizations": [],
            "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab,
                      "event_ts": str(time.time())}}


def home_click(value: str, *, user: str = "U100", action_id: str = "run-0") -> dict[str, Any]:
    """A button clicked on the member's Home tab: its container is the view, with no channel and no response_url."""
    return {
        "type": "block_actions", "team": {"id": "T1"}, "api_app_id": "A1", "trigger_id": "trigger-3",
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "container": {"type": "view", "view_id": f"V{user}"}, "view": {"id": f"V{user}", "type": "home"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                     "action_ts": str(time.time())}],
    }


def form_body(payload: dict[str, Any]) -> str:
    if "type" in payload:
        return urlencode({"payload": json.dumps(payload)})
    return urlencode(payload)


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   retry: int | None = None, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body),
    }
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


def event(inner: dict[str, Any], *, event_id: str = "Ev0001") -> dict[str, Any]:
    """An Events API envelope, as Slack POSTs it (JSON) to the request URL."""
    return {"token": "deprecated", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": {"event_ts": "1700000000.000100", **inner}, "event_id": event_id, "event_time": 1700000000,
            "authorizations": [{"enterprise_id": None, "team_id": "T1", "user_id": "UBOT", "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-eyJldCI6InRlYW1fam9pbiJ9"}


def team_join(user: str, *, name: str, email: str | None = None, is_bot: bool = False) -> dict[str, Any]:
    """``team_join``: the new member's user object (no locale: only users.info with include_locale has it)."""
    profile = {"real_name": name, "display_name": name.split()[0], **({"email": email} if email else {})}
    return {"type": "team_join", "cache_ts": 1700000000, "user": {
        "id": user, "team_id": "T1", "name": name.split()[0].lower(), "deleted": False, "real_name": name,
        "tz": "America/Los_Angeles", "profile": profile, "is_bot": is_bot, "is_admin": False, "updated": 1700000000}}


def member_joined_channel(user: str, channel: str, *, team: str = "T1") -> dict[str, Any]:
    """``member_joined_channel``: ``team`` is the joining member's workspace (another in a shared channel)."""
    return {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": team,
            "inviter": "U100"}


def suggestion(action_id: str, typed: str, *, user: str = "U100", block_id: str = "b1") -> dict[str, Any]:
    """``block_suggestion``: Slack asking for an external_select's options as the member types."""
    return {"type": "block_suggestion", "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "DU100",
                          "is_ephemeral": False},
            "api_app_id": "A1", "token": "deprecated", "action_id": action_id, "block_id": block_id, "value": typed,
            "team": {"id": "T1", "domain": "local1"}}


def pick(block_id: str, action_id: str, option: str, *, user: str = "U100", response_url: str) -> dict[str, Any]:
    """``block_actions`` for an option picked from an external_select."""
    return {"type": "block_actions", "team": {"id": "T1"}, "api_app_id": "A1", "trigger_id": "trigger-3",
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "DU100",
                          "is_ephemeral": False},
            "channel": {"id": "DU100", "name": "directmessage"}, "response_url": response_url,
            "actions": [{"type": "external_select", "action_id": action_id, "block_id": block_id,
                         "selected_option": {"text": {"type": "plain_text", "text": option}, "value": option},
                         "action_ts": "1700000000.000200"}]}
