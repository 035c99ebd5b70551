"""Actions in each platform's own events list: the copy a platform keeps of an action (its descriptor's
``lists_events``) is composed here, when its outbox row is sent (:mod:`storage.listings`), from what the database
holds then; a cancelled action is taken off the list, and listed again if it is restored."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.types import Listing
from commands.actions import KINDS, place_in, title_in
from storage import actions as store
from storage.members import worksite_name


async def action(ctx: Context, action_id: int) -> Listing | None:
    """Its title and place in the channel's language; the description says what kind of action it is, for which
    worksite, its details and how to sign up. It lasts as long as its calendar file says."""
    found = await store.get(ctx.session, action_id)
    if found is None or found.cancelled_at is not None:
        return None
    tr = ctx.tr
    site = await worksite_name(ctx.session, found.worksite_id)
    kind = tr._(KINDS[found.kind])
    parts = [tr._("{kind} for {site}", kind=kind, site=site) if site else kind]
    details = tr.own(found.details, found.details_es)
    if details:
        parts.append(details)
    parts.append(tr._("Sign up with /action join {id}.", id=action_id))
    return Listing(title_in(tr, found), "\n\n".join(parts), place_in(tr, found), found.starts_at,
                   found.starts_at + timedelta(hours=ctx.config.actions.calendar_duration_hours))


LISTINGS = {"action": action}
