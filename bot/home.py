"""When a member's own page (a home tab, on a platform whose descriptor has ``home``) is published again.

Opening the page publishes it at once; a member's own write (a signup, an answer, a signature) may change what
it shows, so it is published again after the write, coalesced to one publish per member per
``[delivery] home_interval_seconds`` (:mod:`storage.homes`). Both are outbox rows queued in the transaction,
never a platform call on a reply's path; the worker composes the page when it sends the row
(:meth:`bot.app.App.home`, :mod:`commands.home`), so it shows what the database holds then. A change made by
someone else (a new action, a poll opened) shows the next time the member opens their page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.types import Identity, Invocation
from storage import homes
from storage.outbox import OutboxItem

if TYPE_CHECKING:
    from bot.app import App


def _window(app: App) -> timedelta:
    return timedelta(seconds=app.config.delivery.home_interval_seconds)


def _page(tab_id: int, member_id: int, inv: Invocation) -> homes.Publish:
    return homes.Publish(tab_id, member_id, inv.identity.platform, inv.identity.user_id, tuple(sorted(inv.claims)),
                         inv.locale)


async def opened(app: App, session: AsyncSession, member_id: int, inv: Invocation, now: datetime) -> None:
    tab = await homes.opened(session, member_id, inv.identity.platform, inv.identity.user_id, now)
    await homes.queue(session, [_page(tab, member_id, inv)], now, _window(app), opening=True)


async def changed(app: App, session: AsyncSession, writers: Sequence[tuple[int | None, Invocation]],
                  now: datetime) -> None:
    """The writers' pages, for those who opened theirs on a platform that keeps one."""
    on_home = {(inv.identity.platform, inv.identity.user_id): (member_id, inv) for member_id, inv in writers
               if member_id is not None and inv.identity.platform in app.config.platforms
               and app.config.platforms[inv.identity.platform].home}
    if not on_home:
        return
    tabs = await homes.tabs(session, list(on_home))
    pages = [_page(tab, *on_home[account]) for account, tab in tabs.items()]
    await homes.queue(session, pages, now, _window(app), opening=False)


def invocation(item: OutboxItem) -> Invocation:
    """Who a queued page is for, as the platform vouched for them when it was queued."""
    return Invocation(Identity(item.platform, item.target), "", "", claims=frozenset(item.payload.get("claims", ())),
                      locale=item.payload.get("locale"))
