"""``/action invite``: a member asks coworkers to an action. Each invitee gets the action by DM once, with its
buttons; a signup after an invitation counts for whoever asked first ("brought others" on the ladder of
involvement, :mod:`storage.leaders`)."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.registry import Param
from bot.types import Message, Notify, Reply
from commands.actions import ID, announcement_now, group, not_started, ref, title_in
from commands.members import pick_each
from storage import actions as actions_store
from storage import invites as store
from storage.actions import GOING, WAITLIST
from storage.members import Member, worksite_name

MAX_INVITES = 10  # coworkers one invitation names: one-to-ten


@group.command("invite", help=N_("Invite coworkers to an action: each gets it by DM, with its buttons"), params=[
    ID,
    Param("names", N_("Coworkers, separated by commas: names as on the roster, member numbers or @mentions"),
          greedy=True, max_length=2000),
])
async def invite(ctx: Context, id: int, names: str) -> Reply:
    """Coworkers of the inviter's own site (a rep's or captain's sites too; a leader anyone) who have not
    signed up and were not invited yet get one DM; the others are named in the reply."""
    me = await ctx.session.get(Member, ctx.member_id)
    within = permissions.invite_lookup(ctx.actor, await worksite_name(ctx.session, me.worksite_id if me else None))
    if len([text for text in names.split(",") if text.strip()]) > MAX_INVITES:
        raise UserError(N_("Invite at most {max} coworkers at a time."), max=MAX_INVITES)
    action = await not_started(ctx, id)
    people = dict(await pick_each(ctx, names, within=within))
    people.pop(ctx.member_id, None)
    if not people:
        raise UserError(N_("Name the coworkers to invite, separated by commas (not yourself)."))
    signed_up = set(await actions_store.member_ids(ctx.session, id, GOING, WAITLIST)) & set(people)
    new = await store.invite(ctx.session, id, [m for m in people if m not in signed_up], ctx.member_id, ctx.now)
    already = [m for m in people if m not in signed_up and m not in new]
    post = await announcement_now(ctx.session, action)
    inviter = me.name if me and me.name else ctx.actor.name

    def render(tr: Translator) -> Message:
        message = post(tr)
        return Message(tr._("{name} invites you to this action. Sign up with the button below.", name=inviter)
                       + "\n\n" + message.text, message.buttons)

    parts = [ctx.n_("Invited {n} coworker to “{title}”: {names}. They get it by DM, with its buttons.",
                    "Invited {n} coworkers to “{title}”: {names}. They get it by DM, with its buttons.", len(new),
                    title=title_in(ctx.tr, action), names=", ".join(people[m] for m in new) or "—")]
    if already:
        parts.append(ctx._("Already invited: {names}.", names=", ".join(people[m] for m in already)))
    if signed_up:
        parts.append(ctx._("Already signed up: {names}.", names=", ".join(people[m] for m in people
                                                                          if m in signed_up)))
    key = f"{ref(id)}:invite"
    return ctx.reply(" ".join(parts), effects=(Notify(tuple(new), render, key=key, batch=key),) if new else ())
