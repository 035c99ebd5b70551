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


def submission(view: dict[str, Any], values: dict[str, str], *, user: str = "U100") -> dict[str, Any]:
    state = {name: {"value": {"type": "plain_text_input", "value": value}} for name, value in values.items()}
    return {"type": "view_submission", "team": {"id": "T1"}, "api_app_id": "A1",
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "view": {**view, "id": "V1", "state": {"values": state}}}


def form_body(payload: dict[str, Any]) -> str:
    if "type" in payload:
        return urlencode({"payload": json.dumps(payload)})
    return urlencode(payload)


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   retry: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body),
    }
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return headers
