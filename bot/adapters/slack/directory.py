"""What Slack vouches for about a member: their user groups (claims for roles), their locale and the email
Slack verified for them (``users:read.email``), which matches them to their roster row.

Neither may hold a command behind another, or behind a Web API that hangs (when every command
reloaded the groups under one lock, 30 joins took 61 s against a ``usergroups`` API that hung).

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
import logging
import time
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
GROUP_CLAIM = "slack-group:"  # a user group's claim, as role rules name it


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
        self._refresh: asyncio.Task | None = None
        self._profiles: dict[str, tuple[float, tuple[str | None, str | None]]] = {}
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
        for group in listed.get("usergroups", ()):
            members = await self.client.usergroups_users_list(usergroup=group["id"])
            for user in members.get("users", ()):
                found.setdefault(user, set()).add(f"{GROUP_CLAIM}{group['id']}")
        return {user: frozenset(groups) for user, groups in found.items()}

    async def profile(self, user_id: str) -> tuple[str | None, str | None]:
        """The member's Slack language (``es-LA``), the core's hint until they choose one, and the email Slack
        verified for them."""
        cached = self._profiles.get(user_id)
        now = self.monotonic()
        if cached and now - cached[0] <= self.ttl or now < self._profiles_retry_at:
            return cached[1] if cached else (None, None)
        try:
            info = await asyncio.wait_for(self.client.users_info(user=user_id, include_locale=True), self.timeout)
            user = info.get("user", {})
            found = (user.get("locale"), user.get("profile", {}).get("email"))
        except Exception as exc:  # noqa: BLE001 - only hints: the reply goes out in the campaign's language
            self._profiles_retry_at = self.monotonic() + self.retry
            log.warning("Slack profiles unavailable (%s); trying again in %.0f s", type(exc).__name__, self.retry)
            return cached[1] if cached else (None, None)
        self._profiles[user_id] = (self.monotonic(), found)
        return found
