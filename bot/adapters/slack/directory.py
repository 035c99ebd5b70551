"""What Slack vouches for about a member: their user groups (claims for roles) and their locale.

Both are cached for a while; a failing lookup logs and answers with what is known, so a slow or
broken Web API never blocks a command.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, client: AsyncWebClient, *, use_groups: bool, ttl: float = 300.0, timeout: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.use_groups = use_groups  # skip the lookups when no role rule names a user group
        self.ttl, self.timeout, self.monotonic = ttl, timeout, monotonic
        self._groups: dict[str, frozenset[str]] = {}
        self._groups_at = float("-inf")
        self._locales: dict[str, tuple[float, str | None]] = {}
        self._lock = asyncio.Lock()

    async def claims(self, user_id: str) -> frozenset[str]:
        """``slack-group:<id>`` for each user group the member is in (``slack:<id>`` is implicit)."""
        if not self.use_groups:
            return frozenset()
        async with self._lock:
            if self.monotonic() - self._groups_at > self.ttl:
                try:
                    self._groups = await asyncio.wait_for(self._load_groups(), self.timeout)
                    self._groups_at = self.monotonic()
                except (SlackApiError, OSError, TimeoutError) as exc:
                    log.warning("Slack user groups unavailable (%s); using the last known", type(exc).__name__)
        return self._groups.get(user_id, frozenset())

    async def _load_groups(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        listed = await self.client.usergroups_list()
        for group in listed.get("usergroups", ()):
            members = await self.client.usergroups_users_list(usergroup=group["id"])
            for user in members.get("users", ()):
                found.setdefault(user, set()).add(f"slack-group:{group['id']}")
        return {user: frozenset(groups) for user, groups in found.items()}

    async def locale(self, user_id: str) -> str | None:
        """The member's Slack language (``es-LA``), the core's hint until they choose one."""
        cached = self._locales.get(user_id)
        if cached and self.monotonic() - cached[0] <= self.ttl:
            return cached[1]
        try:
            info = await asyncio.wait_for(self.client.users_info(user=user_id, include_locale=True), self.timeout)
            found = info.get("user", {}).get("locale")
        except (SlackApiError, OSError, TimeoutError) as exc:
            log.info("Slack locale unavailable (%s)", type(exc).__name__)
            return cached[1] if cached else None
        self._locales[user_id] = (self.monotonic(), found)
        return found
