"""``/structure leaders``: the members climbing the ladder of involvement fastest, for their site's organizers,
and each member's own steps in ``/member me``.

The ladder is read from what the bot holds (:mod:`storage.leaders`): signed up → came → came three times or
more → brought others (someone they invited signed up) → led (a captain, announced an action or captained a
picket shift)."""

from __future__ import annotations

from datetime import timedelta

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Param
from bot.types import Reply, Role
from commands.structure import group
from storage import leaders as store
from storage.members import site_ids_for_keys, worksite_by_name

STEP_LABELS = {"signed_up": N_("signed up for an action"), "came": N_("came"),
               "came_often": N_("came three times or more"),
               "brought": N_("brought others (someone they invited signed up)"),
               "led": N_("led (a captain, announced an action or captained a picket shift)")}
RECENT_DAYS = 60  # "climbing fastest": the steps reached in this many days
SHOWN = 30


def steps_text(ctx: Context, climb: store.Climb) -> str:
    """The steps reached, in ladder order, each with its day."""
    return " → ".join(f"{ctx._(STEP_LABELS[step])} {ctx.tr.day(climb.reached[step])}"
                      for step in store.STEPS if step in climb.reached)


@group.command("leaders", help=N_("Emerging leaders: who climbed the most steps of involvement lately, by worksite"),
               role=Role.rep, writes=False, audited=True,
               params=[Param("site", N_("Only this worksite"), required=False)])
async def leaders(ctx: Context, site: str | None) -> Reply:
    """Leaders see every worksite, reps their own; ranked by the steps reached in the last :data:`RECENT_DAYS`
    days, then by the highest step."""
    keys = permissions.structure_sites(ctx.actor, site)  # before anything is read: a refusal tells nothing
    if site is not None and await worksite_by_name(ctx.session, site) is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    site_ids = None if keys is None else await site_ids_for_keys(ctx.session, keys)
    since = ctx.now - timedelta(days=RECENT_DAYS)
    climbing = []
    for climb in await store.climbs(ctx.session, ctx.now, site_ids=site_ids):
        recent = sum(1 for at in climb.reached.values() if at >= since)
        if recent:
            top = max(store.STEPS.index(step) for step in climb.reached)
            climbing.append((-recent, -top, climb.name.casefold(), climb, recent))
    climbing.sort(key=lambda entry: entry[:3])
    blocks = [bold(ctx._("Emerging leaders: the most steps climbed in the last {days} days", days=RECENT_DAYS))]
    if not climbing:
        blocks.append(ctx._("No one climbed a step in the last {days} days at these worksites.", days=RECENT_DAYS))
    for *_, climb, recent in climbing[:SHOWN]:
        blocks.append(bold(climb.name) + f" ({climb.site or ctx._('No worksite set')}) — "
                      + ctx.n_("{n} step lately", "{n} steps lately", recent) + "\n" + steps_text(ctx, climb))
    if len(climbing) > SHOWN:
        blocks.append(ctx.n_("… and {n} more climbing", "… and {n} more climbing", len(climbing) - SHOWN))
    blocks.append(ctx._("Steps: signed up → came → came three times or more → brought others (someone they "
                        "invited with /action invite signed up) → led (a captain, announced an action or "
                        "captained a picket shift)."))
    return ctx.reply("\n\n".join(blocks))


async def profile(ctx: Context) -> list[str]:
    """``/member me``: your own steps on the ladder of involvement."""
    [climb] = await store.climbs(ctx.session, ctx.now, member_id=ctx.member_id) or [None]
    if climb is None or not climb.reached:
        return []
    return ["\n".join([bold(ctx._("Your steps of involvement")), steps_text(ctx, climb)])]


PROFILE = [profile]
