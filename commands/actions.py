"""``/action``: announce an action, sign up with one click (capacity and waitlist), reminders by DM,
check-in on the day, the roster by worksite, and turnout from one action to the next."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import markup, permissions
from bot.context import Context
from bot.csvfile import to_csv
from bot.dates import last_day, moment_to_come
from bot.errors import UserError, about
from bot.i18n import N_, Translator
from bot.markup import bold
from bot.paging import PAGE
from bot.paging import page as paged
from bot.recurrence import EVERY_LABELS, occurrences
from bot.registry import Group, Param
from bot.reminders import promise, reminders_before, scheduled
from bot.types import (
    Attachment,
    Button,
    Effect,
    Message,
    Notify,
    Post,
    Refresh,
    Relist,
    Render,
    Reply,
    Role,
    Unschedule,
)
from commands.members import resolve_member, resolve_site
from commands.scope import Shares
from storage import actions as store
from storage import chants as chant_store
from storage import jobs
from storage import roster as rosters
from storage.actions import GOING, WAITLIST, Action, Counts
from storage.members import Worksite, site_ids_for_keys, worksite_name
from storage.sql import id_of

group = Group("action", N_("Actions — pickets, rallies, board meetings: sign up, check in, see turnout"))

KINDS = {
    "picket": N_("Picket"),
    "rally": N_("Rally"),
    "board-meeting": N_("School-board meeting"),
    "leaflet": N_("Leafleting"),
    "purple-up": N_("Purple-up day"),
    "meeting": N_("Meeting"),
    "other": N_("Action"),
}
ID = Param("id", N_("The action’s number, as shown on its announcement"), type=int, min_value=1)
WHEN_HELP = N_("When it starts: “tomorrow 7:15am”, “Monday 5pm”, “Dec 3 5pm”")
SITE = Param("site", N_("A worksite, as on the roster"), required=False, label=N_("Worksite"))
KIND = Param("kind", N_("What kind of action"), required=False, choices=tuple(KINDS), labels=KINDS,
             label=N_("Kind of action"))
ES_TITLE = Param("es_title", N_("The title in Spanish, for Spanish-speaking members"), required=False,
                 label=N_("Title in Spanish"))
ES_WHERE = Param("es_where", N_("Where to meet, in Spanish"), required=False, label=N_("Where to meet, in Spanish"))
ES_DETAILS = Param("es_details", N_("The details in Spanish"), required=False, max_length=2000, multiline=True,
                   label=N_("Details in Spanish"))


def ref(action_id: int) -> str:
    return f"action:{action_id}"


def title_in(tr: Translator, action: Action) -> str:
    """The action's title in the reader's language (:meth:`bot.i18n.Translator.own`)."""
    return tr.own(action.title, action.title_es)


def place_in(tr: Translator, action: Action) -> str:
    return tr.own(action.location, action.location_es)


def count_line(tr: Translator, action: Action, counts: Counts) -> str:
    parts = [tr.n_("{n} going", "{n} going", counts.going)]
    if counts.waitlisted:
        parts.append(tr.n_("{n} waitlisted", "{n} waitlisted", counts.waitlisted))
    elif action.capacity is not None:
        left = max(action.capacity - counts.going, 0)
        parts.append(tr.n_("{n} place left", "{n} places left", left) if left else tr._("full"))
    return " · ".join(parts)


def summary(tr: Translator, action: Action, site: str | None) -> str:
    lines = [tr._("{kind} · {when}", kind=tr._(KINDS[action.kind]), when=markup.when(action.starts_at)),
             tr._("Where: {where}", where=place_in(tr, action))]
    if site:
        lines.append(tr._("Worksite: {site}", site=site))
    return "\n".join(lines)


def announcement(action: Action, site: str | None, counts: Counts, chants: int = 0) -> Render:
    """The post in the actions channel, and what /action show answers; with ``chants`` attached it points
    to the action's chant sheet."""
    def render(tr: Translator) -> Message:
        title = title_in(tr, action)
        title = tr._("Cancelled: {title}", title=title) if action.cancelled_at else title
        blocks = [bold(title) + f" (#{action.id})", summary(tr, action, site)]
        if action.details or action.details_es:
            blocks.append(tr.own(action.details, action.details_es))
        blocks.append(count_line(tr, action, counts))
        if action.cancelled_at:
            if action.cancel_reason or action.cancel_reason_es:
                blocks.append(tr._("Why: {reason}", reason=tr.own(action.cancel_reason, action.cancel_reason_es)))
            return Message("\n\n".join(blocks))
        buttons = [Button(tr._("I’m in"), f"/action join {action.id}", "primary"),
                   Button(tr._("Can’t make it"), f"/action leave {action.id}")]
        if chants:
            sheet = f"/chant sheet action:{action.id}"
            blocks.append(tr.n_("Chant sheet ({n} chant): {command}", "Chant sheet ({n} chants): {command}", chants,
                                command=sheet))
            buttons.append(Button(tr._("Chant sheet"), sheet))
        return Message("\n\n".join(blocks), tuple(buttons))
    return render


async def announcement_now(session: AsyncSession, action: Action) -> Render:
    site = await worksite_name(session, action.worksite_id)
    chants = await chant_store.count_attached(session, action.id)
    return announcement(action, site, await store.count_of(session, action.id), chants)


def live(action_id: int) -> Refresh:
    """The announcement as the database holds it at commit (count, cancellation, chant sheet), replacing
    the one posted: read once per write batch, however many joins the batch holds."""
    async def compose(session: AsyncSession) -> Render:
        return await announcement_now(session, await store.get(session, action_id))
    return Refresh(ref(action_id), compose)


def relisted(action_id: int) -> Relist:
    """Its copy in each platform's own events list (:mod:`commands.listings`), kept in step with it."""
    return Relist(ref(action_id), "actions")


def reminders(ctx: Context, action: Action) -> tuple[Effect, ...]:
    """One job per configured offset; an offset already past when the action is (re)scheduled is dropped, and
    with every offset past, one last-chance reminder (:func:`bot.reminders.reminders_before`)."""
    return reminders_before("action.remind", ref(action.id), action.starts_at, ctx.config.actions.reminder_hours,
                            {"action_id": action.id}, ctx.now, last_chance=True)


async def get_action(ctx: Context, action_id: int, *, lock: bool = False) -> Action:
    action = await store.get(ctx.session, action_id, lock=lock)
    if action is None:
        raise UserError(N_("There is no action #{id}. /action list shows the upcoming ones."), id=action_id)
    return action


async def open_action(ctx: Context, action_id: int, *, lock: bool = False) -> Action:
    """An action that has not been cancelled: a click on an old “I’m in” answers that it was, and why."""
    action = await get_action(ctx, action_id, lock=lock)
    if action.cancelled_at is not None and (action.cancel_reason or action.cancel_reason_es):
        raise UserError(N_("“{title}” was cancelled: {reason}"), title=title_in(ctx.tr, action),
                        reason=ctx.tr.own(action.cancel_reason, action.cancel_reason_es))
    if action.cancelled_at is not None:
        raise UserError(N_("“{title}” was cancelled."), title=title_in(ctx.tr, action))
    return action


async def not_started(ctx: Context, action_id: int) -> Action:
    """An action people may still join or leave, its row locked: signups after the start would blur who came."""
    action = await open_action(ctx, action_id, lock=True)
    if action.starts_at <= ctx.now:
        raise UserError(N_("“{title}” has already started. If you’re there, check in with /action checkin {id}."),
                        title=title_in(ctx.tr, action), id=action_id)
    return action


async def require_organizer(ctx: Context, action: Action) -> None:
    """Reps run the day of the actions of their own worksites, and of any action tied to no worksite:
    its roster, check-ins and chant sheet."""
    site = await worksite_name(ctx.session, action.worksite_id)
    if site:
        ctx.require_site(site)
    else:
        ctx.require(Role.rep)


async def require_manager(ctx: Context, action: Action) -> None:
    """Who may edit or cancel it (:func:`bot.permissions.manages_action`)."""
    permissions.require_manager(ctx.actor, await worksite_name(ctx.session, action.worksite_id), action.created_by)


async def _site_filter(ctx: Context, site: str | None) -> Worksite | None:
    return await resolve_site(ctx, site) if site else None


MAX_OCCURRENCES = 20  # one post each in the actions channel: a semester of weekly meetings, not a year's flood


@group.command("create", help=N_("Announce an action in the actions channel, with sign-up buttons"), params=[
    Param("title", N_("What it is, e.g. “Informational picket”"), label=N_("Title")),
    Param("when", WHEN_HELP, max_length=100, label=N_("When it starts")),
    Param("where", N_("Where to meet, e.g. “Front gate”"), label=N_("Where to meet")),
    KIND,
    SITE,
    Param("capacity", N_("How many people can come (leave empty for no limit)"), type=int, required=False,
          min_value=1, max_value=100_000, label=N_("Spots")),
    Param("details", N_("Anything else people should know"), required=False, max_length=2000, multiline=True,
          label=N_("Details")),
    Param("every", N_("Repeat it: each time is its own action, with its own signups"), required=False,
          choices=tuple(EVERY_LABELS), labels=EVERY_LABELS, label=N_("Repeats")),
    Param("until", N_("With every:, the last day it repeats on, e.g. “Jan 25”"), required=False,
          max_length=100, label=N_("Last day it repeats")),
    ES_TITLE, ES_WHERE, ES_DETAILS,  # last: a form's last page is the Spanish, for whoever writes it
], role=Role.rep, form=True, title=N_("Announce an action"))
async def create(ctx: Context, title: str, when: str, where: str, kind: str | None, site: str | None,
                 capacity: int | None, details: str | None, every: str | None, until: str | None,
                 es_title: str | None, es_where: str | None, es_details: str | None) -> Reply:
    """With ``every:``, one declaration makes one action per occurrence (same wall-clock time, across
    daylight-saving changes), each posted with its own buttons, signups, reminders and turnout. The ``es_``
    values are what Spanish readers see in their place."""
    if site is not None:
        with about("site"):
            ctx.require_site(site)  # before the name is looked up: a rep learns nothing of other sites' names
    if (every is None) != (until is None):
        raise UserError(N_("A repeating action takes both every: and until: (the last day it repeats on)."),
                        field="until" if until is None else "every")
    with about("when"):
        starts = moment_to_come(ctx, when)
    times = [starts]
    if every is not None and until is not None:
        with about("until"):
            times = occurrences(starts, every, last_day(ctx, until, starts), ctx.config.campaign.tz,
                                limit=MAX_OCCURRENCES)
        if len(times) > MAX_OCCURRENCES:
            raise UserError(N_("That repeats more than {max} times. Pick an earlier until: and announce the rest "
                               "later."), field="until", max=MAX_OCCURRENCES)
    with about("site"):
        worksite = await _site_filter(ctx, site)
    actions, effects = [], []
    for moment in times:
        action = Action(title=title, title_es=es_title, kind=kind or "other", starts_at=moment, location=where,
                        location_es=es_where, worksite_id=worksite.id if worksite else None, capacity=capacity,
                        details=details, details_es=es_details, created_by=ctx.member_id, created_at=ctx.now)
        ctx.session.add(action)
        await ctx.session.flush()
        reminding = reminders(ctx, action)
        effects += [Post("actions", announcement(action, worksite.name if worksite else None, Counts()),
                         ref=ref(action.id)), relisted(action.id), *reminding]
        actions.append((action, reminding))
    first, reminding = actions[0]
    promised = " " + promise(ctx.tr, starts, scheduled(reminding), others=True)
    if len(actions) == 1:
        return ctx.reply(
            ctx._("Announced action #{id}: {title}, {when}. Members sign up with the buttons on the post or "
                  "/action join {id}.", id=first.id, title=title_in(ctx.tr, first), when=ctx.tr.when(starts))
            + promised,
            effects=tuple(effects))
    dates = "\n".join(f"#{action.id} {ctx.tr.when(action.starts_at, now=ctx.now)}" for action, _ in actions)
    return ctx.reply(
        ctx.n_("Announced “{title}” {n} time, each its own action with its own post and signups:",
               "Announced “{title}” {n} times, each its own action with its own post and signups:", len(actions),
               title=title_in(ctx.tr, first)) + "\n" + dates + "\n" + ctx._("Members sign up to each one on its post.")
        + promised,
        effects=tuple(effects))


@group.command("list", help=N_("Upcoming actions, with how many are going"), params=[SITE, KIND])
async def list_actions(ctx: Context, site: str | None, kind: str | None) -> Reply:
    worksite = await _site_filter(ctx, site)
    found = await store.upcoming(ctx.session, ctx.now, worksite_id=worksite.id if worksite else None, kind=kind)
    if not found:
        return ctx.reply(ctx._("No upcoming actions yet."))
    counts = await store.counts(ctx.session, [a.id for a in found])
    blocks = []
    for action in found:
        site_name = await worksite_name(ctx.session, action.worksite_id)
        blocks.append("\n".join([bold(f"#{action.id} {title_in(ctx.tr, action)}"), summary(ctx.tr, action, site_name),
                                 count_line(ctx.tr, action, counts.get(action.id, Counts()))]))
    blocks.append(ctx._("Sign up with /action join <number>."))
    return ctx.reply("\n\n".join(blocks))


@group.command("show", help=N_("One action: when, where, who is going, its chants"), params=[ID], writes=False)
async def show(ctx: Context, id: int) -> Reply:
    action = await get_action(ctx, id)
    message = (await announcement_now(ctx.session, action))(ctx.tr)
    text = message.text
    chants = await chant_store.attached(ctx.session, id)
    if chants:
        text += "\n\n" + "\n".join([bold(ctx._("Chants on its sheet")), *(f"#{c.id} {c.title}" for c in chants)])
    signup = await store.signup_of(ctx.session, id, ctx.actor.member_id) if ctx.actor.member_id else None
    if signup is not None:
        text += "\n\n" + (ctx._("You had signed up, but it is cancelled: nobody is expected there.")
                          if action.cancelled_at else ctx._("You’re going.") if signup.status == GOING
                          else ctx._("You’re on the waitlist."))
    return ctx.reply(text, buttons=message.buttons)


@group.command("join", help=N_("Sign up for an action"), params=[ID], together="id")
async def join(clicks: list[Context], id: int) -> list[Reply]:
    """Every click on “I’m in” for one action that reached the same write batch, in arrival order."""
    action = await not_started(max(clicks, key=lambda ctx: ctx.now), id)
    joined = await store.join(clicks[0].session, action, [(ctx.member_id, ctx.now) for ctx in clicks])
    dues = await jobs.pending_under(clicks[0].session, f"{ref(id)}:remind")
    return [_joined(ctx, action, signup, dues) for ctx, signup in zip(clicks, joined)]


def _joined(ctx: Context, action: Action, joined: store.Joined, dues: list[datetime]) -> Reply:
    """The reply to a join; ``dues``: the reminders still to come, which is what it promises."""
    buttons = (Button(ctx._("Can’t make it"), f"/action leave {action.id}"),
               Button(ctx._("Add to calendar"), f"/action calendar {action.id}"))
    if joined.status == GOING:
        text = ctx._("You’re in: {title}, {when}, at {where}.", title=title_in(ctx.tr, action),
                     when=markup.when(action.starts_at), where=place_in(ctx.tr, action))
        text += " " + promise(ctx.tr, action.starts_at, dues)
    else:
        text = ctx._("“{title}” is full, so you’re on the waitlist (number {place}). If a place frees up, "
                     "you’ll get a DM.", title=title_in(ctx.tr, action), place=joined.place)
    if not joined.new:
        return ctx.reply(ctx._("You had already signed up.") + " " + text, buttons=buttons)
    return ctx.reply(text, buttons=buttons, effects=(live(action.id),))


@group.command("leave", help=N_("Take back your signup"), params=[ID], together="id")
async def leave(clicks: list[Context], id: int) -> list[Reply]:
    """Every click on “Can’t make it” for one action that reached the same write batch: the places they
    free go to the longest waiting, by DM, in one promotion."""
    action = await not_started(max(clicks, key=lambda ctx: ctx.now), id)
    removed, effects = await withdraw(clicks[0], action, [ctx.member_id for ctx in clicks])
    replies = []
    for ctx in clicks:
        if ctx.member_id not in removed:
            replies.append(ctx.reply(ctx._("You weren’t signed up for “{title}”.", title=title_in(ctx.tr, action))))
            continue
        replies.append(ctx.reply(ctx._("Thanks for letting us know: you’re off “{title}”.",
                                       title=title_in(ctx.tr, action)),
                                 effects=effects))
        removed.discard(ctx.member_id)
        effects = ()
    return replies


async def withdraw(ctx: Context, action: Action, member_ids: list[int]) -> tuple[set[int], tuple[Effect, ...]]:
    """Take members off an action (its row locked): the longest waiting get the places they freed, by DM,
    and the announcement is refreshed. Returns who was signed up, and the effects (none if nobody was)."""
    removed = await store.leave(ctx.session, action.id, member_ids)
    if not removed:
        return set(), ()
    effects: list[Effect] = []
    if any(signup.status == GOING for signup in removed):
        effects += _promotion_notices(action, await store.promote(ctx.session, action))
    effects.append(live(action.id))
    return {signup.member_id for signup in removed}, tuple(effects)


async def leave_all(ctx: Context, member_id: int) -> tuple[Effect, ...]:
    """Before a member is forgotten: off every action still to come, as if they had left each one."""
    effects: list[Effect] = []
    for action, _status in await store.upcoming_for(ctx.session, member_id, ctx.now):
        effects += (await withdraw(ctx, await get_action(ctx, action.id, lock=True), [member_id]))[1]
    return tuple(effects)


def _promotion_notices(action: Action, member_ids: list[int]) -> list[Effect]:
    if not member_ids:
        return []

    def render(tr: Translator) -> Message:
        return Message(tr._("A place opened up: you’re in for “{title}”, {when}, at {where}.",
                            title=title_in(tr, action), when=markup.when(action.starts_at),
                            where=place_in(tr, action)),
                       (Button(tr._("Can’t make it"), f"/action leave {action.id}"),))
    return [Notify(tuple(member_ids), render)]


EDITED = {"title": "title", "es_title": "title_es", "where": "location", "es_where": "location_es",
          "details": "details", "es_details": "details_es", "capacity": "capacity", "kind": "kind"}
"""What /action edit may set, param → column; ``when`` and ``site`` are read first (a date, a worksite)."""
CHANGE_ORDER = ("when", "location", "title", "capacity", "details", "kind", "site")
TEXTS = ("location", "title", "details")  # what has a Spanish column beside it


def _changed(tr: Translator, action: Action, what: str, site: str | None) -> str:
    """One line of the notice of an edit, saying what ``what`` (a column, its Spanish with it) now is."""
    if what == "when":
        return tr._("The time is now {when}.", when=markup.when(action.starts_at))
    if what == "location":
        return tr._("The place is now {where}.", where=place_in(tr, action))
    if what == "title":
        return tr._("It is now called “{title}”.", title=title_in(tr, action))
    if what == "capacity":
        return tr._("It now has room for {capacity}.", capacity=action.capacity)
    if what == "details":
        return tr._("New details: {details}", details=tr.own(action.details, action.details_es))
    if what == "kind":
        return tr._("The kind of action is now {kind}.", kind=tr._(KINDS[action.kind]))
    return tr._("The worksite is now {site}.", site=site)


@group.command("edit", help=N_("Change any of an action’s details; everyone signed up is told what changed"),
               params=[ID, Param("when", WHEN_HELP, required=False, max_length=100),
                       Param("where", N_("Where to meet"), required=False), ES_WHERE,
                       Param("title", N_("What it is"), required=False), ES_TITLE,
                       Param("capacity", N_("How many people can come"), type=int, required=False, min_value=1,
                             max_value=100_000),
                       Param("details", N_("Anything else people should know"), required=False, max_length=2000,
                             multiline=True), ES_DETAILS,
                       KIND, SITE],
               role=Role.rep)
async def edit(ctx: Context, id: int, when: str | None, where: str | None, es_where: str | None, title: str | None,
               es_title: str | None, capacity: int | None, details: str | None, es_details: str | None,
               kind: str | None, site: str | None) -> Reply:
    """A started action keeps its time: moving it would rewrite who came to what. Moving it to another worksite
    takes being able to manage actions at both."""
    action = await open_action(ctx, id, lock=True)
    await require_manager(ctx, action)
    if site is not None:
        ctx.require_site(site)  # before the name is looked up, as /action create does
    values = {"where": where, "es_where": es_where, "title": title, "es_title": es_title, "capacity": capacity,
              "details": details, "es_details": es_details, "kind": kind}
    if when is None and site is None and all(value is None for value in values.values()):
        raise UserError(N_("Say what to change: when:, where:, title:, capacity:, details:, kind: or site:, or the "
                           "Spanish es_title:, es_where: or es_details:."))
    if when is not None and action.starts_at <= ctx.now:
        raise UserError(N_("“{title}” started {when}, so its time stays: moving it would rewrite who came. "
                           "Announce the next one with /action create."),
                        title=title_in(ctx.tr, action), when=ctx.tr.when(action.starts_at, now=ctx.now))
    with about("when"):
        starts = moment_to_come(ctx, when) if when is not None else action.starts_at
    with about("site"):
        worksite = await resolve_site(ctx, site) if site is not None else None
    changes, effects = await _change(ctx, action, starts, worksite, values)
    if not changes:
        return ctx.reply(ctx._("Nothing to change: “{title}” already looks like that.", title=title_in(ctx.tr, action)))
    told = sum(len(effect.member_ids) for effect in effects if isinstance(effect, Notify))
    text = ctx.n_("Updated “{title}”. {n} person signed up was told.", "Updated “{title}”. {n} people signed up were "
                  "told.", told, title=title_in(ctx.tr, action))
    return ctx.reply(text + _stale_note(ctx, changes), effects=tuple(effects))


def _stale_note(ctx: Context, changes: list[str]) -> str:
    stale = [f"{what}:" for what in changes if what.startswith("es_")]
    if not stale:
        return ""
    return " " + ctx._("Its old Spanish no longer fits, so Spanish readers see what you typed until you give "
                       "{options}.", options=ctx.tr.list(stale))


async def _change(ctx: Context, action: Action, starts: datetime, worksite: Worksite | None,
                  values: dict[str, object]) -> tuple[list[str], list[Effect]]:
    """Set what differs on ``action`` (its row locked). Returns what changed (columns, in :data:`CHANGE_ORDER`,
    then the ``es_`` param of a text changed without its Spanish, whose old Spanish is dropped) and the effects:
    a notice to everyone signed up in their language, places a larger capacity frees, the post refreshed and,
    if it moved, its reminders again."""
    old = {column: getattr(action, column) for column in EDITED.values()}
    changed = set()
    if starts != action.starts_at:
        action.starts_at = starts
        changed.add("when")
    for param, column in EDITED.items():
        if values[param] is not None and values[param] != getattr(action, column):
            setattr(action, column, values[param])
            changed.add(column.removesuffix("_es"))
    stale = [f"es_{param}" for param in ("title", "where", "details") if EDITED[param] in changed
             and values[f"es_{param}"] is None and getattr(action, EDITED[f"es_{param}"]) is not None]
    for param in stale:  # Spanish of the old text would tell Spanish readers what no longer holds
        setattr(action, EDITED[param], None)
    if worksite is not None and worksite.id != action.worksite_id:
        action.worksite_id = worksite.id
        changed.add("site")
    if not changed:
        return [], []
    await ctx.session.flush()
    promoted = await store.promote(ctx.session, action)
    told = [m for m in await store.member_ids(ctx.session, action.id, GOING, WAITLIST) if m not in promoted]
    reminding = reminders(ctx, action) if "when" in changed else ()
    changes = [what for what in CHANGE_ORDER if what in changed] + stale
    site = worksite.name if worksite else None
    action_id = id_of(action)

    def seen(tr: Translator, what: str) -> bool:
        """Whether this reader sees ``what`` change: not an English reader when only its Spanish did."""
        if what not in TEXTS:
            return what in changed
        return tr.own(old[what], old[f"{what}_es"]) != tr.own(getattr(action, what), getattr(action, f"{what}_es"))

    def render(tr: Translator) -> Message:
        lines = [_changed(tr, action, what, site) for what in changes if seen(tr, what)]
        lines.insert(0, tr._("“{title}” has changed:", title=tr.own(old["title"], old["title_es"])))
        if len(lines) == 1:
            lines.append(tr._("Only its Spanish wording changed."))
        if "when" in changed:
            lines.append(promise(tr, action.starts_at, scheduled(reminding)))
        return Message("\n".join(lines), (Button(tr._("Can’t make it"), f"/action leave {action_id}"),))

    return changes, [Notify(tuple(told), render), *_promotion_notices(action, promoted), live(action_id), *reminding]


@group.command("cancel", help=N_("Cancel an action, saying why; everyone signed up is told"), params=[
    ID, Param("reason", N_("Why it is cancelled, told to everyone signed up"), required=False, positional=True,
              greedy=True, max_length=500),
    Param("es_reason", N_("Why, in Spanish"), required=False, max_length=500),
], role=Role.rep)
async def cancel(ctx: Context, id: int, reason: str | None, es_reason: str | None) -> Reply:
    """Signups are kept, so /action restore can bring a mistaken cancellation back as it was."""
    action = await open_action(ctx, id, lock=True)
    await require_manager(ctx, action)
    action.cancelled_at, action.cancel_reason, action.cancel_reason_es = ctx.now, reason, es_reason
    await ctx.session.flush()
    told = await store.member_ids(ctx.session, id, GOING, WAITLIST)

    def render(tr: Translator) -> Message:
        text = tr._("Cancelled: “{title}”, {when}, at {where}, is not happening. Thank you for signing up.",
                    title=title_in(tr, action), when=markup.when(action.starts_at), where=place_in(tr, action))
        why = tr.own(reason, es_reason)
        return Message(text + ("\n" + tr._("Why: {reason}", reason=why) if why else ""))

    effects = (Notify(tuple(told), render), Unschedule(ref(id)), live(id))
    return ctx.reply(ctx.n_("Cancelled “{title}”. {n} person signed up was told.",
                            "Cancelled “{title}”. {n} people signed up were told.", len(told),
                            title=title_in(ctx.tr, action))
                     + " " + ctx._("If that was a mistake, /action restore {id} brings it back.", id=id),
                     effects=effects)


@group.command("restore", help=N_("Undo a cancellation before the action was to start; everyone signed up is told"),
               params=[ID], role=Role.rep)
async def restore(ctx: Context, id: int) -> Reply:
    """Signups come back as they were at the cancellation (nobody could join or leave meanwhile), and so do
    the reminders still ahead."""
    action = await get_action(ctx, id, lock=True)
    await require_manager(ctx, action)
    if action.cancelled_at is None:
        raise UserError(N_("“{title}” is not cancelled."), title=title_in(ctx.tr, action))
    if action.starts_at <= ctx.now:
        raise UserError(N_("“{title}” was to start {when}: too late to restore it. Announce it again with "
                           "/action create."), title=title_in(ctx.tr, action),
                        when=ctx.tr.when(action.starts_at, now=ctx.now))
    action.cancelled_at, action.cancel_reason, action.cancel_reason_es = None, None, None
    await ctx.session.flush()
    told = await store.member_ids(ctx.session, id, GOING, WAITLIST)
    going = set(await store.member_ids(ctx.session, id, GOING))
    reminding = reminders(ctx, action)

    def render(tr: Translator) -> Message:
        return Message(tr._("Back on: “{title}”, {when}, at {where}, is happening after all, and you are still "
                            "signed up.", title=title_in(tr, action), when=markup.when(action.starts_at),
                            where=place_in(tr, action)) + " " + promise(tr, action.starts_at, scheduled(reminding)),
                       (Button(tr._("Can’t make it"), f"/action leave {id}"),))

    def waiting(tr: Translator) -> Message:
        return Message(tr._("Back on: “{title}”, {when}, at {where}, is happening after all. You are still on its "
                            "waitlist.", title=title_in(tr, action), when=markup.when(action.starts_at),
                            where=place_in(tr, action)), (Button(tr._("Can’t make it"), f"/action leave {id}"),))

    effects = (Notify(tuple(m for m in told if m in going), render),
               Notify(tuple(m for m in told if m not in going), waiting), live(id), *reminding)
    return ctx.reply(ctx.n_("Restored “{title}”. {n} person signed up was told.",
                            "Restored “{title}”. {n} people signed up were told.", len(told),
                            title=title_in(ctx.tr, action)),
                     effects=effects)


@group.command("checkin", help=N_("Check in at an action (reps can check in others)"), params=[
    ID, Param("member", N_("Someone else to check in: name, member number, email or @mention"), required=False,
              positional=True, greedy=True),
], together="id")
async def checkin(clicks: list[Context], id: int, member: str | None) -> list[Reply]:
    """Every check-in at one action that reached the same write batch, in arrival order (members at the gate
    checking themselves in, or a rep the same person): recorded together. A refusal (too early, too late)
    runs each click alone, judged at its own moment."""
    action = await open_action(clicks[0], id, lock=True)
    who: list[tuple[int, str]] = []
    for ctx in clicks:
        if member:
            await require_organizer(ctx, action)  # before the name is looked up, so a refusal tells nothing
            target = (await resolve_member(ctx, member, also=store.signed_up(id)))[0]  # as this rep may see
            who.append((id_of(target), target.name))
        else:
            who.append((ctx.member_id, ctx.actor.name))
        _check_in_open(ctx, action, someone_else=who[-1][0] != ctx.member_id)
    new = await store.check_in(clicks[0].session, id, [(member_id, ctx.now) for ctx, (member_id, _) in
                                                        zip(clicks, who)])
    replies = []
    for ctx, (member_id, name) in zip(clicks, who):
        if member_id not in new:
            replies.append(ctx.reply(ctx._("{name} is already checked in at “{title}”.", name=name,
                                           title=title_in(ctx.tr, action))))
            continue
        new.discard(member_id)
        replies.append(ctx.reply(ctx._("Checked in: {name} at “{title}”. Thank you for showing up!", name=name,
                                       title=title_in(ctx.tr, action)), effects=(live(id),)))
    return replies


def _check_in_open(ctx: Context, action: Action, *, someone_else: bool) -> None:
    """Check-in opens some hours before the start; after it closes, only a rep checks someone in."""
    settings = ctx.config.actions
    opens = action.starts_at - timedelta(hours=settings.checkin_opens_hours_before)
    closes = action.starts_at + timedelta(hours=settings.checkin_closes_hours_after)
    if ctx.now < opens:
        raise UserError(N_("Check-in for “{title}” opens {when}."), title=title_in(ctx.tr, action),
                        when=ctx.tr.when(opens))
    if ctx.now > closes and not someone_else:
        raise UserError(N_("Check-in for “{title}” closed {when}. Ask your site rep to check you in."),
                        title=title_in(ctx.tr, action), when=ctx.tr.when(closes))


@group.command("roster", help=N_("Who signed up for an action and who came, by worksite"), params=[ID, PAGE],
               role=Role.rep, writes=False, audited=True)
async def roster(ctx: Context, id: int, page: int) -> Reply:
    action = await get_action(ctx, id)
    await require_organizer(ctx, action)
    return roster_page(ctx, action, await store.roster(ctx.session, id), page)


def roster_page(ctx: Context, action: Action, lines: list[store.RosterLine], page: int) -> Reply:
    """Page ``page`` of an action's roster, by worksite under a summary (a pure function of the rows, so a
    campaign-size roster can be rendered and checked without a database)."""
    came = sum(1 for line in lines if line.checked_in_at)
    head = (bold(f"#{action.id} {title_in(ctx.tr, action)}") + "\n" + ctx.tr.when(action.starts_at) + "\n"
            + ctx.n_("{n} signed up", "{n} signed up", len(lines)) + " · " + ctx.n_("{n} came", "{n} came", came))
    by_site: dict[str | None, list[store.RosterLine]] = {}
    for line in lines:
        by_site.setdefault(line.worksite, []).append(line)
    blocks = []
    for site, people in by_site.items():
        header = bold(site or ctx._("No worksite")) + " — " + ctx.n_(
            "{n} came", "{n} came", sum(1 for p in people if p.checked_in_at))
        rows = [("✓ " if p.checked_in_at else "· ") + p.name
                + (" " + ctx._("(waitlisted)") if p.status == WAITLIST else "") for p in people]
        blocks.append("\n".join([header, *rows]))
    if not lines:
        blocks.append(ctx._("Nobody has signed up yet."))
    shown = paged(ctx, head, blocks, page, f"/action roster {action.id}")
    return ctx.reply(shown.text, buttons=shown.buttons)


@group.command("export", help=N_("Download an action’s roster as a spreadsheet (CSV)"), params=[ID],
               role=Role.leader, writes=False, audited=True)
async def export(ctx: Context, id: int) -> Reply:
    action = await get_action(ctx, id)
    tz = ctx.config.campaign.tz

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""

    lines = await store.roster(ctx.session, id)
    data = to_csv(
        [ctx._("name"), ctx._("worksite"), ctx._("status"), ctx._("signed up"), ctx._("checked in")],
        [(p.name, p.worksite or "", ctx._("going") if p.status == GOING else ctx._("waitlisted"),
          local(p.signed_up_at), local(p.checked_in_at)) for p in lines],
    )
    attachment = Attachment(f"action-{id}-roster.csv", data, "text/csv",
                            ctx._("Roster of {title}", title=title_in(ctx.tr, action)))
    return ctx.reply(ctx.n_("The roster of “{title}”: {n} person.", "The roster of “{title}”: {n} people.",
                            len(lines), title=title_in(ctx.tr, action)), attachments=(attachment,))


@group.command("calendar", help=N_("Get a calendar file (.ics) for an action"), params=[ID], writes=False)
async def calendar(ctx: Context, id: int) -> Reply:
    from icalendar import Calendar, Event  # loaded on first use, like dateparser

    action = await get_action(ctx, id)
    site = await worksite_name(ctx.session, action.worksite_id)
    event = Event()
    event.add("uid", f"action-{id}@organizer-bot")
    event.add("dtstamp", ctx.now)
    event.add("dtstart", action.starts_at)
    event.add("dtend", action.starts_at + timedelta(hours=ctx.config.actions.calendar_duration_hours))
    event.add("summary", title_in(ctx.tr, action))
    event.add("location", f"{place_in(ctx.tr, action)} ({site})" if site else place_in(ctx.tr, action))
    if action.details or action.details_es:
        event.add("description", ctx.tr.own(action.details, action.details_es))
    if action.cancelled_at:
        event.add("status", "CANCELLED")
    cal = Calendar()
    cal.add("prodid", "-//organizer-bot//actions//EN")
    cal.add("version", "2.0")
    cal.add_component(event)
    attachment = Attachment(f"action-{id}.ics", cal.to_ical(), "text/calendar", title_in(ctx.tr, action))
    return ctx.reply(ctx._("Open the file to add “{title}” to your calendar.", title=title_in(ctx.tr, action)),
                     attachments=(attachment,))


@group.command("turnout", help=N_("Check-ins per worksite as a share of its roster, over recent actions it was in "
                                   "scope for"), params=[SITE], role=Role.rep,
               writes=False, audited=True)
async def turnout(ctx: Context, site: str | None) -> Reply:
    """Scoped as ``/structure`` is (:func:`bot.permissions.structure_sites`): a leader every site, a rep their own.
    An action at one worksite is not charged to the others: their turnout skips it rather than dropping."""
    keys = permissions.structure_sites(ctx.actor, site)  # before the name is looked up: a refusal tells nothing
    if site is not None:
        await resolve_site(ctx, site)
    recent = await store.recent(ctx.session, ctx.now, ctx.config.actions.turnout_actions)
    if not recent:
        return ctx.reply(ctx._("No action has taken place yet, so there is no turnout to show."))
    sizes = await rosters.sizes(ctx.session, None if keys is None else await site_ids_for_keys(ctx.session, keys))
    data = await store.came_by_site(ctx.session, [a.id for a in recent], list(sizes))
    shares = Shares(ctx)
    blocks = [bold(ctx.n_("Turnout at the last action", "Turnout over the last {n} actions", len(recent)))]
    for site_id in sorted(sizes, key=lambda s: sizes[s][0].casefold()):
        name, size = sizes[site_id]
        rows, previous = [bold(name) + " — " + ctx._("Roster: {roster}", roster=size)], None
        for action in (a for a in recent if a.worksite_id in (None, site_id)):
            signed, came = data.get((action.id, site_id), (0, 0))
            cell = shares.cell(came, size)
            row = ctx._("{day} · {title}: {came} of the roster came ({share}), {signed} signed up",
                        day=ctx.tr.day(action.starts_at), title=title_in(ctx.tr, action), came=shares.count(cell),
                        share=ctx._("hidden") if cell.share is None else shares.percent(cell.share),
                        signed=shares.count(shares.cell(signed, size)))
            if previous is not None and cell.share is not None:
                row += f" ({round((cell.share - previous) * 100):+d})"
            rows.append(row)
            previous = cell.share
        if len(rows) == 1:
            rows.append(ctx._("None of these actions was for this worksite."))
        blocks.append("\n".join(rows))
    if not sizes:
        blocks.append(ctx._("No worksites to show yet: import the roster."))
    return ctx.reply("\n\n".join(blocks))


async def remind(ctx: Context, action_id: int, hours: float) -> tuple[Effect, ...]:
    """Reminder DMs to everyone going now; the key (with the start time) makes each one go out once."""
    action = await store.get(ctx.session, action_id)
    if action is None or action.cancelled_at is not None or action.starts_at <= ctx.now:
        return ()
    going = await store.member_ids(ctx.session, action_id, GOING)

    def render(tr: Translator) -> Message:
        return Message(
            tr._("Reminder: “{title}”, {when}, at {where}.", title=title_in(tr, action),
                 when=markup.when(action.starts_at), where=place_in(tr, action))
            + "\n\n" + tr._("When you get there, check in with /action checkin {id}.", id=action_id),
            (Button(tr._("Can’t make it"), f"/action leave {action_id}"),),
        )
    key = f"{ref(action_id)}:remind:{hours:g}h:{action.starts_at.isoformat()}"
    return (Notify(tuple(going), render, key=key, batch=key),)


async def my_actions(ctx: Context) -> list[str]:
    """For /member me: the actions you are signed up for."""
    rows = await store.upcoming_for(ctx.session, ctx.member_id, ctx.now)
    if not rows:
        return []
    lines = [bold(ctx._("Your upcoming actions"))]
    for action, status in rows:
        line = f"#{action.id} {title_in(ctx.tr, action)} — {markup.when(action.starts_at)}"
        lines.append(line + (" " + ctx._("(waitlisted)") if status == WAITLIST else ""))
    return ["\n".join(lines)]


JOBS = {"action.remind": remind}
PROFILE = [my_actions]
FORGET = [leave_all]
