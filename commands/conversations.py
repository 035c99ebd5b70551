"""One-on-ones, under ``/member``: log a conversation (``talked``, or ``assess`` for the short form) and read a
member's history. Notes reach only the organizing team of the member's site, and the member in ``/member me``."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.i18n import N_
from bot.markup import bold, when
from bot.registry import Param
from bot.types import Button, Reply, Role
from commands.members import group, pick_member
from storage import assessments, captains, conversations
from storage.conversations import NOTES_MAX, Entry
from storage.members import Member

SCORE_LABELS = {1: N_("ready to lead"), 2: N_("supportive"), 3: N_("undecided"), 4: N_("leaning against"),
                5: N_("opposed")}
HISTORY_SHOWN = 20

MEMBER = Param("member", N_("Their name (in quotes if it has spaces) or member number"))
SCORE = Param("score", N_("1 ready to lead, 2 supportive, 3 undecided, 4 leaning against, 5 opposed"),
              type=int, min_value=1, max_value=5)
SITE = Param("site", N_("Their worksite, when two members share a name"), required=False)


async def resolve_organized(ctx: Context, text: str, site: str | None) -> tuple[Member, str | None]:
    """A member the actor organizes: a leader anyone, a rep their sites' members, a captain their own list.
    Permission comes before any name is read, so a refusal reads the same whether or not the person exists."""
    within = permissions.organizing_lookup(ctx.actor)
    if site is not None:
        permissions.require_organizing_site(ctx.actor, site)
    also = captains.people_of(ctx.actor.member_id) if ctx.actor.member_id is not None else None
    return await pick_member(ctx, text, site, within=within, also=also)


def _notes(help: str) -> Param:
    return Param("note", help, required=False, positional=True, greedy=True, max_length=NOTES_MAX)


@group.command("talked", help=N_("Log a one-on-one conversation: who you talked with, 1–5, what you learned"),
               role=Role.captain,
               params=[MEMBER, SCORE, _notes(N_("What they care about, what they said, for the organizing team")),
                       SITE, Param("confirm", N_("yes, to record it although someone else talked with them lately"),
                                   type=bool, required=False, default=False)])
async def talked(ctx: Context, member: str, score: int, note: str | None, site: str | None,
                 confirm: bool) -> Reply:
    """A second organizer calling the same person the same week makes the union look disorganized: say who
    talked with them lately before recording, and record only once confirmed."""
    person, where = await resolve_organized(ctx, member, site)
    days = ctx.config.organizing.recent_contact_days
    recent = await conversations.recent_by_others(ctx.session, person.id, ctx.actor.member_id, ctx.now, days)
    if recent and not confirm:
        line = " ".join([f"/member talked {_quoted(member)} {score}", *([_quoted(note)] if note else []),
                         *([f"site:{_quoted(site)}"] if site else []), "confirm:yes"])
        latest = recent[0]
        return ctx.reply(
            ctx.n_("{name} already had a one-on-one in the last {days} day: {who}, {at}. Nothing is recorded yet. "
                   "To record yours anyway, add confirm:yes.",
                   "{name} already had a one-on-one in the last {days} days: {who}, {at}. Nothing is recorded yet. "
                   "To record yours anyway, add confirm:yes.", days,
                   name=person.name, days=days, who=_organizer(ctx, latest), at=when(latest.talked_at)),
            buttons=(Button(ctx._("Record it anyway"), line, "primary"),))
    return await _record(ctx, person.id, person.name, where, score, note)


@group.command("assess", help=N_("Record a one-on-one assessment: 1 ready to lead … 5 opposed"), role=Role.captain,
               params=[MEMBER, SCORE, _notes(N_("What you learned, for the organizing team")), SITE])
async def assess(ctx: Context, member: str, score: int, note: str | None, site: str | None) -> Reply:
    """The short form of ``talked``: the same record in the same history, with no question asked."""
    person, where = await resolve_organized(ctx, member, site)
    return await _record(ctx, person.id, person.name, where, score, note)


async def _record(ctx: Context, member_id: int, name: str, where: str | None, score: int, note: str | None) -> Reply:
    await conversations.record(ctx.session, member_id, ctx.actor.member_id, score, note, ctx.now)
    return ctx.reply(ctx._("Assessment saved: {name} ({site}) is a {score}, {label}.", name=name,
                           site=where or ctx._("no worksite"), score=score, label=ctx._(SCORE_LABELS[score])))


@group.command("history", help=N_("A member’s one-on-ones: who talked with them, when, the 1–5 and the notes"),
               role=Role.captain, writes=False, audited=True, params=[MEMBER, SITE])
async def show_history(ctx: Context, member: str, site: str | None) -> Reply:
    person, where = await resolve_organized(ctx, member, site)
    entries = await conversations.history(ctx.session, person.id, HISTORY_SHOWN + 1)
    head = bold(f"{person.name} ({where or ctx._('no worksite')})")
    if not entries:
        return ctx.reply(head + "\n" + ctx._("No one-on-one is recorded yet. Log one with /member talked."))
    lines = [_line(ctx, entry) for entry in entries[:HISTORY_SHOWN]]
    if len(entries) > HISTORY_SHOWN:
        lines.append(ctx._("Older conversations are not shown."))
    return ctx.reply("\n\n".join([head, *lines]))


def _line(ctx: Context, entry: Entry) -> str:
    text = ctx._("{at} — {who}: {score}, {label}", at=when(entry.talked_at), who=_organizer(ctx, entry),
                 score=entry.score, label=ctx._(SCORE_LABELS[entry.score]))
    return text + (f"\n{entry.notes}" if entry.notes else "")


def _organizer(ctx: Context, entry: Entry) -> str:
    return entry.organizer or ctx._("an organizer who has left the bot")


def _quoted(text: str) -> str:
    """A value as the command parser reads it back whole."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def conversation_profile(ctx: Context) -> list[str]:
    """``/member me`` shows every conversation recorded about the member, notes included: it is held about them."""
    held = await assessments.assessment_of(ctx.session, ctx.member_id)
    entries = await conversations.history(ctx.session, ctx.member_id)
    if held is None and not entries:
        return []
    lines = []
    if held is not None:
        lines.append(ctx._("An organizer’s assessment after a one-on-one (1 ready to lead … 5 opposed): {score}, "
                           "{label}.", score=held.score, label=ctx._(SCORE_LABELS[held.score])))
    if entries:
        lines.append(ctx._("One-on-ones recorded about you:"))
        lines.extend(_line(ctx, entry) for entry in entries)
    return ["\n".join(lines)]


PROFILE = [conversation_profile]
