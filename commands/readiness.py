"""``/readiness``: strike-authorization readiness polls, read per worksite against the whole roster.

A site passes the structure test when the share of its roster (not of those who answered) picking
the poll's first choice reaches ``[readiness] threshold``. Who sees which results is decided in
:mod:`bot.permissions`, and so is what they see of the counts (:func:`bot.permissions.disclose`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from babel.numbers import format_decimal, format_percent

from bot import permissions
from bot.charts import share_bars
from bot.context import Context
from bot.csvfile import to_csv
from bot.dates import moment_to_come
from bot.errors import UserError, about
from bot.i18n import N_, Translator
from bot.markup import bold, when
from bot.paging import PAGE, Page, command_line
from bot.paging import page as paged
from bot.permissions import Actor, Row
from bot.registry import Group, Param
from bot.types import (
    Attachment,
    Button,
    Edit,
    Effect,
    Message,
    Notify,
    Post,
    Render,
    Reply,
    Role,
    Schedule,
    Unschedule,
)
from storage import assessments
from storage import readiness as store
from storage.members import Member, site_ids_for_keys, worksite_by_name
from storage.readiness import RESULTS, ReadinessPoll, Tally

group = Group("readiness", N_("Strike-readiness polls: answer, and read each worksite against its roster"))

DEFAULT_CHOICES = (N_("Yes, I'd vote to authorize a strike"), N_("Leaning yes"), N_("Not sure"), N_("No"))
MAX_CHOICES = 10
MAX_CHOICE_LENGTH = 80
MISSING_INLINE = 100  # longer missing lists come as a CSV file, with counts in the message
POLL = Param("poll", N_("The poll number"), type=int, min_value=1)


@dataclass(frozen=True)
class PollView:
    """What a channel post shows of a poll, copied out of the session for rendering."""

    id: int
    question: str
    choices: tuple[str, ...]
    closes_at: datetime | None
    anonymous: bool
    results: str

    @classmethod
    def of(cls, poll: ReadinessPoll) -> PollView:
        return cls(poll.id, poll.question, tuple(poll.choices), poll.closes_at, poll.anonymous, poll.results)


def poll_ref(poll_id: int) -> str:
    return f"readiness:{poll_id}"


def open_post(poll: PollView) -> Render:
    def render(tr: Translator) -> Message:
        blocks = [bold(tr._("Readiness poll #{id}", id=poll.id)) + "\n" + poll.question]
        if poll.closes_at:
            blocks.append(tr._("Closes {when}.", when=when(poll.closes_at)))
        if poll.anonymous:
            blocks.append(tr._("Anonymous: nobody, leaders included, can see how you answered."))
            blocks.append(tr._("Only you see your answer, and you can change it until the poll closes."))
        else:
            blocks.append(tr._("Not anonymous: leaders can see how each member answered, and download every answer "
                               "with each name."))
            blocks.append(tr._("You can change your answer until the poll closes."))
        buttons = tuple(Button(tr._(c)[:MAX_CHOICE_LENGTH], f"/readiness answer {poll.id} {i}",
                               "primary" if i == 1 else "default") for i, c in enumerate(poll.choices, 1))
        return Message("\n\n".join(blocks), buttons)

    return render


def closed_post(poll: PollView, outcome: Outcome | None) -> Render:
    """The poll's post once closed, with the result as members may read it (``outcome``: None when its
    ``results`` setting keeps it for leaders and reps)."""
    def render(tr: Translator) -> Message:
        blocks = [bold(tr._("Readiness poll #{id}", id=poll.id)) + "\n" + poll.question,
                  tr._("This poll is closed.")]
        blocks += result_lines(tr, poll.id, outcome)
        return Message("\n\n".join(blocks))

    return render


@dataclass(frozen=True)
class Outcome:
    """A poll's overall result from the rows a reader may see (:func:`bot.permissions.disclose`): totals add up
    shown cells only, so no total minus the shown sites gives a hidden one."""

    members: int
    answers: int
    passing: int
    sites: int
    hidden: bool  # some count was under the minimum and is left out
    threshold: float
    minimum: int

    @classmethod
    def of(cls, rows: list[Row], threshold: float, minimum: int) -> Outcome:
        shares = [share_of(row) for row in rows]
        return cls(sum(row.roster or 0 for row in rows), sum(row.answered or 0 for row in rows),
                   sum(1 for share in shares if share is not None and share >= threshold), len(rows),
                   any(row.roster is None or row.answered is None for row in rows if row.roster != 0),
                   threshold, minimum)

    def line(self, tr: Translator) -> str:
        threshold = format_percent(self.threshold, locale=tr.locale)
        number = partial(format_decimal, locale=tr.locale)
        text = tr._("Overall: {members} members on the roster, {answers} answered; {passing} of {sites} worksites "
                    "pass {threshold}.", members=number(self.members), answers=number(self.answers),
                    passing=number(self.passing), sites=number(self.sites), threshold=threshold)
        if self.hidden:
            text += " " + tr._("Counts under {min} people are hidden and left out of these totals.", min=self.minimum)
        return text


def result_lines(tr: Translator, poll_id: int, outcome: Outcome | None) -> list[str]:
    if outcome is None:
        return [tr._("Its results are for leaders and site reps.")]
    return [outcome.line(tr), tr._("See each worksite with /readiness tally {id}.", id=poll_id)]


def parse_choices(text: str) -> list[str]:
    """``a; b; c`` or ``a / b / c``."""
    separator = ";" if ";" in text else "/"
    choices = [" ".join(c.split()) for c in text.split(separator)]
    choices = [c for c in choices if c]
    if len(choices) < 2:
        raise UserError(N_("Give at least two choices, separated by ; or /."))
    if len(choices) > MAX_CHOICES:
        raise UserError(N_("A poll can have at most {max} choices."), max=MAX_CHOICES)
    for choice in choices:
        if len(choice) > MAX_CHOICE_LENGTH:
            raise UserError(N_("The choice “{choice}” is too long: the limit is {limit} characters."),
                            choice=choice[:40] + "…", limit=MAX_CHOICE_LENGTH)
    if len({c.casefold() for c in choices}) < len(choices):
        raise UserError(N_("Each choice must be different."))
    return choices


async def find_poll(ctx: Context, poll_id: int, *, lock: str | None = None) -> ReadinessPoll:
    poll = await store.get_poll(ctx.session, poll_id, lock=lock)
    if poll is None:
        raise UserError(N_("There is no readiness poll #{id}."), id=poll_id)
    return poll


def keys_of(ctx: Context, poll_id: int, member: Member) -> set[str]:
    """Every voter key an answer of ``member`` to the poll may sit under: who answered is recomputed from
    these, since nothing else records it."""
    return {ctx.app.voters.key(poll_id, subject) for subject in (member.voter, *member.former_voters)}


async def answered(ctx: Context, poll: ReadinessPoll, members: list[Member]) -> set[int]:
    """Which of ``members`` answered the poll (never what): recomputed from their voter keys, or for a poll that
    is not anonymous read from the answers that name them."""
    voted = await store.voters_of(ctx.session, poll.id)
    named = set() if poll.anonymous else await store.answered_member_ids(ctx.session, poll)
    return {m.id for m in members if m.id in named or not voted.isdisjoint(keys_of(ctx, poll.id, m))}


def pick_choice(ctx: Context, poll: ReadinessPoll, typed: str) -> int:
    """A choice by its number, its text (as stored or as shown in the member's language) or the start
    of exactly one choice ("yes")."""
    typed = typed.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(poll.choices):
        return int(typed) - 1
    shown = [(choice.casefold(), ctx._(choice).casefold()) for choice in poll.choices]
    for index, names in enumerate(shown):
        if typed.casefold() in names:
            return index
    starts = [i for i, names in enumerate(shown) if any(n.startswith(typed.casefold()) for n in names)]
    if typed and len(starts) == 1:
        return starts[0]
    raise UserError(N_("Poll #{id} has no choice “{choice}”. Choose one of: {choices}."), id=poll.id,
                    choice=typed[:60], choices=choice_list(ctx, poll))


def choice_list(ctx: Context, poll: ReadinessPoll) -> str:
    return "; ".join(f"{i} {ctx._(c)}" for i, c in enumerate(poll.choices, 1))


RESULT_LABELS = {
    "leaders": N_("Leaders (and reps, for their own sites)"),
    "members": N_("Members"),
    "after-close": N_("Members, after it closes"),
}


@group.command("open", help=N_("Open a readiness poll in the readiness channel"), role=Role.leader, form=True,
               title=N_("Open a readiness poll"), params=[
    Param("question", N_("The question members answer"), greedy=True, max_length=300, label=N_("Question")),
    Param("choices", N_("Choices split by ; or / — the first counts as yes (default: Yes / Leaning yes / Not "
                        "sure / No)"),
          required=False, max_length=1000, label=N_("Choices")),
    Param("closes", N_("When the poll closes, such as “Friday 6pm” (default: when a leader closes it)"),
          required=False, max_length=100, label=N_("When it closes")),
    Param("results", N_("Who sees results: leaders (and reps for their own sites), members, or members after-close"),
          required=False, choices=RESULTS, default="leaders", labels=RESULT_LABELS, label=N_("Who sees results")),
    Param("anonymous", N_("yes (default): nobody can see who answered what; no: leaders can export each answer"),
          type=bool, required=False, default=True, label=N_("Anonymous")),
])
async def open_poll(ctx: Context, question: str, choices: str | None, closes: str | None, results: str,
                    anonymous: bool) -> Reply:
    with about("choices"):
        options = parse_choices(choices) if choices else list(DEFAULT_CHOICES)
    with about("closes"):
        closes_at = moment_to_come(ctx, closes) if closes else None
    poll = await store.create_poll(ctx.session, question=question, choices=options, results=results,
                                   anonymous=anonymous, closes_at=closes_at, created_by=ctx.actor.member_id,
                                   created_at=ctx.now)
    view = PollView.of(poll)
    effects: list = [Post("readiness", open_post(view), ref=poll_ref(poll.id))]
    if closes_at:
        effects.append(Schedule("readiness.close", f"{poll_ref(poll.id)}:close", closes_at, {"poll": poll.id}))
    text = ctx._("Readiness poll #{id} is open and posted in the readiness channel.", id=poll.id)
    if closes_at:
        text += " " + ctx._("It closes {when}.", when=when(closes_at))
    return ctx.reply(text, effects=tuple(effects))


@group.command("answer", help=N_("Answer a readiness poll, or change your answer"), params=[
    POLL, Param("choice", N_("The number or text of your choice"), greedy=True, max_length=200),
])
async def answer(ctx: Context, poll: int, choice: str) -> Reply:
    found = await find_poll(ctx, poll, lock="share")
    if found.is_closed(ctx.now):
        raise UserError(N_("Poll #{id} is closed, so answers can’t be given or changed."), id=poll)
    index = pick_choice(ctx, found, choice)
    member = await ctx.session.get(Member, ctx.member_id)
    await store.record_answer(ctx.session, ctx.app.voters, found, member, index, ctx.now)
    if not found.anonymous:
        return ctx.reply(ctx._("Your answer to poll #{id}: {choice}. This poll is not anonymous: leaders can see how "
                               "you answered, with your name. You can change it until the poll closes.",
                               id=found.id, choice=ctx._(found.choices[index])))
    return ctx.reply(ctx._("Your answer to poll #{id}: {choice}. Only you see this; you can change it until the "
                           "poll closes.", id=found.id, choice=ctx._(found.choices[index])))


@group.command("close", help=N_("Close a readiness poll now"), role=Role.leader, params=[POLL])
async def close(ctx: Context, poll: int) -> Reply:
    found = await find_poll(ctx, poll, lock="update")
    if found.is_closed(ctx.now):
        raise UserError(N_("Poll #{id} is already closed."), id=poll)
    effects = await closing(ctx, found)
    told = sum(len(effect.member_ids) for effect in effects if isinstance(effect, Notify))
    text = ctx._("Poll #{id} is closed.", id=poll)
    if not found.anonymous:
        text += " " + ctx.n_("The {n} member who answered was told by DM.",
                             "The {n} members who answered were told by DM.", told)
    return ctx.reply(text, effects=(*effects, Unschedule(poll_ref(poll))))


async def close_when_due(ctx: Context, poll: int) -> tuple[Effect, ...]:
    """The ``readiness.close`` job: close at ``closes:`` unless a leader already did."""
    found = await store.get_poll(ctx.session, poll, lock="update")
    if found is None or found.closed_at is not None:
        return ()
    return await closing(ctx, found)


MEMBER = Actor(None, "", Role.member)  # whom a closing poll's result is written for


async def closing(ctx: Context, poll: ReadinessPoll) -> tuple[Effect, ...]:
    """Close ``poll`` now: its post shows the result as any member may read it (its ``results`` setting and
    :func:`bot.permissions.disclose`), a notice in the channel says it, and for a poll that is not anonymous
    whoever answered gets it by DM. An anonymous poll's answerers are written down nowhere (who answered is
    recomputed with the server key), so its result goes to the channel only: a DM list would record them."""
    poll.closed_at = ctx.now
    outcome = None
    if permissions.member_reads_results(poll.results, closed=True):
        settings = ctx.config.readiness
        rows, _off = await shown_rows(ctx, poll, await store.tally(ctx.session, ctx.app.voters, poll), MEMBER)
        outcome = Outcome.of(rows, settings.threshold, settings.min_cell_size)
    view = PollView.of(poll)

    def notice(tr: Translator) -> Message:
        return Message("\n\n".join([tr._("Readiness poll #{id} is closed: “{question}”. Thank you for answering.",
                                          id=view.id, question=view.question), *result_lines(tr, view.id, outcome)]))

    done = f"{poll_ref(poll.id)}:closed"
    effects: list[Effect] = [Edit(poll_ref(poll.id), closed_post(view, outcome)), Post("readiness", notice, ref=done)]
    if not poll.anonymous:
        effects.append(Notify(tuple(sorted(await store.answered_member_ids(ctx.session, poll))), notice, key=done,
                              batch=done))
    return tuple(effects)


JOBS = {"readiness.close": close_when_due}


class Counts:
    """Numbers as a viewer may see them: answer counts as :func:`bot.permissions.disclose` lets them through
    (None shows as "hidden"), assessment counts under the minimum as "<5" for anyone but a leader."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.minimum = ctx.config.readiness.min_cell_size
        self.threshold = ctx.config.readiness.threshold
        self.locale = ctx.tr.locale
        self._percent = self.locale.percent_formats[None]  # parsed once: a tally formats two per worksite
        self._hidden = ctx._("hidden")
        # a tally shows ~15 numbers for each of up to 500 worksites, most of them the same few values
        self._percents: dict[float, str] = {}
        self._notes: dict[int, str] = {}
        self._numbers: dict[int, str] = {}

    def __call__(self, n: int | None) -> str:
        """A count, grouped as the reader's language writes it (34,999), or "hidden"."""
        if n is None:
            return self._hidden
        if n not in self._numbers:
            self._numbers[n] = self.ctx.tr.number(n)
        return self._numbers[n]

    def note(self, n: int) -> str:
        """An assessment count."""
        if n not in self._notes:
            self._notes[n] = f"<{self.minimum}" if permissions.hides_count(self.ctx.actor, n, self.minimum) else str(n)
        return self._notes[n]

    def percent(self, share: float) -> str:
        if share not in self._percents:
            self._percents[share] = self._percent.apply(share, self.locale)
        return self._percents[share]


def share_of(row: Row) -> float | None:
    """The yes share of the roster, where both counts are shown."""
    yes = row.choices[store.YES] if row.choices else None
    return None if yes is None or not row.roster else yes / row.roster


async def shown_rows(ctx: Context, poll: ReadinessPoll, result: Tally,
                     actor: Actor | None = None) -> tuple[list[Row], Row]:
    """Each site's row and the off-roster row as the viewer (``actor``, by default whoever asked) may see
    them: the counts last published (moved on here when :func:`bot.permissions.publication` says so),
    through :func:`bot.permissions.disclose`."""
    settings, anonymous, actor = ctx.config.readiness, poll.anonymous, actor or ctx.actor
    minimum, unanimous = settings.min_cell_size, settings.unanimous_min
    live = {store.slot(s.site_id): (s.roster, s.choices) for s in result.sites}
    live[store.OFF_ROSTER] = (None, result.off_roster)
    if anonymous:
        await store.fold_counts(ctx.session, ctx.app.voters, poll)
    if permissions.sees_every_count(actor, anonymous):
        seen = {slot: choices for slot, (_, choices) in live.items()}
    else:
        seen = await store.published(ctx.session, poll.id)
        for slot, (_, choices) in live.items():
            before = seen.get(slot, [0] * len(choices))
            if before == choices:
                continue
            step = permissions.publication(before, choices, minimum, unanimous, held=store.HELD + slot in seen)
            if step == "publish":
                await store.publish(ctx.session, poll.id, slot, choices)
                seen[slot] = choices
            elif step == "hold":
                await store.hold(ctx.session, poll.id, slot)
    rows = {slot: permissions.disclose(actor, anonymous, roster, seen.get(slot, [0] * len(choices)), minimum,
                                       unanimous) for slot, (roster, choices) in live.items()}
    return [rows[store.slot(s.site_id)] for s in result.sites], rows[store.OFF_ROSTER]


def site_block(ctx: Context, choices: list[str], name: str | None, row: Row, counts: Counts,
               assessed: list[int] | None) -> str:
    """One worksite's paragraph, given the poll's choices already translated (once per tally: there may
    be 500 worksites)."""
    name = name or ctx._("No worksite set")
    share = share_of(row)
    if share is None:
        status = ctx._("yes share not shown (fewer than {min} people)", min=counts.minimum) \
            if row.roster is None or row.roster else ctx._("no one from this site is on the roster")
    elif share >= counts.threshold:
        status = ctx._("passes: {share} of the roster say yes", share=counts.percent(share))
    else:
        status = ctx._("below {threshold}: {share} of the roster say yes",
                       threshold=counts.percent(counts.threshold), share=counts.percent(share))
    lines = [bold(name) + " — " + status,
             ctx._("Roster: {roster} · answered: {answers}", roster=counts(row.roster), answers=counts(row.answered)),
             " · ".join(f"{c}: {counts(n)}" for c, n in zip(choices, row.choices, strict=True))]
    if assessed is not None:
        lines.append(ctx._("Assessments (1 ready to lead … 5 opposed): {counts}",
                           counts=" · ".join(f"{score}: {counts.note(n)}" for score, n in enumerate(assessed, 1))))
    return "\n".join(lines)


SUMMARY_SITES = 5  # sites named in a tally's summary, each way


def tally_head(ctx: Context, poll: ReadinessPoll, result: Tally, rows: list[Row], off: Row, counts: Counts) -> str:
    """What a tally says before its pages: the overall figure, the sites that pass, the ones closest to passing,
    and answers from off the roster; the same on every page."""
    state = ctx._("closed") if poll.is_closed(ctx.now) else (
        ctx._("open until {when}", when=when(poll.closes_at)) if poll.closes_at else ctx._("open"))
    shares = [(share_of(row), site.name or ctx._("No worksite set")) for site, row in zip(result.sites, rows,
                                                                                          strict=True)]
    passing = sorted(((share, name) for share, name in shares if share is not None and share >= counts.threshold),
                     key=lambda s: -s[0])
    short = sorted(((share, name) for share, name in shares if share is not None and share < counts.threshold),
                   key=lambda s: -s[0])
    # totals add up shown cells only: a total minus the shown sites never gives a hidden one
    members = sum(row.roster or 0 for row in rows)
    answers = sum(row.answered or 0 for row in rows)
    threshold = counts.percent(counts.threshold)
    overall = ctx._("Overall: {members} members on the roster, {answers} answered; {passing} of {sites} worksites "
                    "pass {threshold}.", members=counts(members), answers=counts(answers),
                    passing=counts(len(passing)), sites=counts(len(result.sites)), threshold=threshold)
    if any(row.roster is None or row.answered is None for row in rows if row.roster != 0):
        overall += " " + ctx._("Counts under {min} people are hidden and left out of these totals.",
                               min=counts.minimum)
    blocks = [bold(ctx._("Readiness poll #{id}: {question}", id=poll.id, question=poll.question)) + f" ({state})",
              overall]

    def named(sites: list[tuple[float, str]]) -> str:
        shown = ", ".join(f"{name} {counts.percent(share)}" for share, name in sites[:SUMMARY_SITES])
        more = len(sites) - SUMMARY_SITES
        return shown + (" " + ctx.n_("and {n} more", "and {n} more", more) if more > 0 else "")

    if passing:
        blocks.append(ctx._("Passing {threshold}: {sites}", threshold=threshold, sites=named(passing)))
    if short:
        blocks.append(ctx._("Closest to {threshold}: {sites}", threshold=threshold, sites=named(short)))
    if sum(result.off_roster):
        choices = [ctx._(c) for c in poll.choices]
        per_choice = " · ".join(f"{c}: {counts(n)}" for c, n in zip(choices, off.choices, strict=True))
        blocks.append(ctx._("Not on the roster (not counted above): {answers} answered — {choices}",
                            answers=counts(off.answered), choices=per_choice))
    return "\n\n".join(blocks)


def tally_page(ctx: Context, poll: ReadinessPoll, result: Tally, rows: list[Row], off: Row, counts: Counts,
               assessed: dict[int | None, list[int]], page: int) -> Page:
    """Page ``page`` of a tally: the summary, then the worksites (a pure function of the counts, so a
    campaign-size tally can be rendered and checked without a database)."""
    head = tally_head(ctx, poll, result, rows, off, counts)
    return paged(ctx, head, tally_sites(ctx, poll, result, rows, counts, assessed), page, f"/readiness tally {poll.id}",
                 title=head.split("\n\n", 1)[0])


def tally_sites(ctx: Context, poll: ReadinessPoll, result: Tally, rows: list[Row], counts: Counts,
                assessed: dict[int | None, list[int]]) -> list[str]:
    """Each worksite's paragraph, in the tally's order: what the pages hold."""
    choices = [ctx._(c) for c in poll.choices]
    blocks = []
    for site, row in zip(result.sites, rows, strict=True):
        shows = permissions.sees_assessments(ctx.actor, site.name)
        blocks.append(site_block(ctx, choices, site.name, row, counts,
                                 assessed.get(site.site_id, [0] * 5) if shows else None))
    if not result.sites:
        blocks.append(ctx._("No worksites to show yet: import the roster or wait for answers."))
    return blocks


async def visible_site_ids(ctx: Context, keys: frozenset[str] | None) -> list[int] | None:
    return None if keys is None else await site_ids_for_keys(ctx.session, keys)


@group.command("tally", help=N_("Results per worksite against the roster, with a chart"), writes=False,
               audited=True, params=[POLL, PAGE])
async def tally(ctx: Context, poll: int, page: int) -> Reply:
    found = await find_poll(ctx, poll)
    keys = permissions.readiness_sites(ctx.actor, found.results, found.is_closed(ctx.now))
    site_ids = await visible_site_ids(ctx, keys)
    result = await store.tally(ctx.session, ctx.app.voters, found, site_ids)
    assessed = await assessments.counts_by_site(ctx.session, site_ids)
    counts = Counts(ctx)
    rows, off = await shown_rows(ctx, found, result)
    shown = tally_page(ctx, found, result, rows, off, counts, assessed, page)
    attachments: tuple[Attachment, ...] = ()
    if result.sites and shown.first:
        chart = await asyncio.to_thread(
            share_bars, [s.name or ctx._("No worksite set") for s in result.sites], [share_of(r) for r in rows],
            line=counts.threshold,
            line_label=ctx._("Threshold {threshold}", threshold=counts.percent(counts.threshold)),
            title=ctx._("Poll #{id}: share of each worksite’s roster answering yes", id=found.id),
            ylabel=ctx._("Share of the roster"))
        attachments = (Attachment(f"readiness-{found.id}.png", chart, "image/png",
                                  ctx._("Readiness poll #{id}", id=found.id)),)
    return ctx.reply(shown.text, buttons=shown.buttons, attachments=attachments)


@group.command("missing", help=N_("Roster members who have not answered: whom to talk to next"), role=Role.rep,
               writes=False, audited=True, params=[POLL, Param("site", N_("Only this worksite"), required=False),
                                                   PAGE])
async def missing(ctx: Context, poll: int, site: str | None, page: int) -> Reply:
    keys = permissions.missing_sites(ctx.actor, site)  # before the site is looked up: a refusal tells nothing
    found = await find_poll(ctx, poll)
    if site is not None and await worksite_by_name(ctx.session, site) is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    sites = await visible_site_ids(ctx, keys)
    roster = await store.roster_members(ctx.session, sites)
    replied = await answered(ctx, found, [m for _, m in roster])
    rows = [(site_name, m) for site_name, m in roster if m.id not in replied]
    if not rows:
        return ctx.reply(ctx._("Everyone on the roster here has answered poll #{id}.", id=found.id))
    return missing_page(ctx, found.id, rows, site, page)


def missing_page(ctx: Context, poll_id: int, rows: list[tuple[str, Member]], site: str | None, page: int) -> Reply:
    """Page ``page`` of who has not answered, by worksite (names inline for a short list, else counts and the
    list as a CSV with the first page): a pure function of the rows, so a campaign-size list can be rendered
    and checked without a database."""
    by_site: dict[str, list[Member]] = {}
    for site_name, member in rows:
        by_site.setdefault(site_name, []).append(member)
    inline = len(rows) <= MISSING_INLINE
    head = bold(ctx.n_("Poll #{id}: {n} roster member has not answered yet",
                       "Poll #{id}: {n} roster members have not answered yet", len(rows), id=poll_id))
    if not inline:
        head += "\n" + ctx._("The full list is in the attached file.")
    blocks = []
    for site_name, people in by_site.items():
        heading = f"{bold(site_name or ctx._('No worksite set'))} ({ctx.tr.number(len(people))})"
        blocks.append(heading + "\n" + "\n".join(m.name for m in people) if inline else heading)
    shown = paged(ctx, head, blocks, page, command_line(f"/readiness missing {poll_id}", site=site))
    attachments: tuple[Attachment, ...] = ()
    if not inline and shown.first:
        data = to_csv([ctx._("name"), ctx._("worksite"), ctx._("email"), ctx._("member id")],
                      [[m.name, site_name, m.email, m.member_no] for site_name, m in rows])
        attachments = (Attachment(f"readiness-{poll_id}-missing.csv", data, "text/csv",
                                  ctx._("Not answered yet: poll #{id}", id=poll_id)),)
    return ctx.reply(shown.text, buttons=shown.buttons, attachments=attachments)


@group.command("export", help=N_("Download a poll's answers: per member, or per worksite for anonymous polls"),
               role=Role.leader, writes=False, audited=True, params=[POLL])
async def export(ctx: Context, poll: int) -> Reply:
    found = await find_poll(ctx, poll)
    choices = [ctx._(c) for c in found.choices]
    if permissions.lists_individual_answers(ctx.actor, found.anonymous):
        rows = [[m.name, m.member_no, site, ctx._("yes") if m.on_roster else ctx._("no"),
                 "" if choice is None else choices[choice]]
                for m, site, choice in await store.member_answers(ctx.session, found)]
        data = to_csv([ctx._("name"), ctx._("member id"), ctx._("worksite"), ctx._("on the roster"), ctx._("answer")],
                      rows)
        return ctx.reply(ctx.n_("Poll #{id}: {n} member.", "Poll #{id}: {n} members.", len(rows), id=found.id),
                         attachments=(Attachment(f"readiness-{found.id}-members.csv", data, "text/csv"),))
    result = await store.tally(ctx.session, ctx.app.voters, found)
    rows, off = await shown_rows(ctx, found, result)
    threshold = ctx.config.readiness.threshold

    def cell(n: int | None) -> int | str:
        return "" if n is None else n

    lines = []
    for site, row in zip(result.sites, rows, strict=True):
        share = share_of(row)
        lines.append([site.name or ctx._("No worksite set"), cell(row.roster), cell(row.answered),
                      *map(cell, row.choices), "" if share is None else f"{share:.3f}",
                      "" if share is None else ctx._("yes") if share >= threshold else ctx._("no")])
    lines.append([ctx._("not on the roster"), "", cell(off.answered), *map(cell, off.choices), "", ""])
    data = to_csv([ctx._("worksite"), ctx._("roster"), ctx._("answered"), *choices, ctx._("yes share of roster"),
                   ctx._("passes")], lines)
    return ctx.reply(ctx._("Poll #{id} is anonymous, so the export has one row per worksite and none per member.",
                           id=found.id),
                     attachments=(Attachment(f"readiness-{found.id}-sites.csv", data, "text/csv"),))


async def profile(ctx: Context) -> list[str]:
    """``/member me``: the polls you answered, and your answer where the poll is not anonymous."""
    member = await ctx.session.get(Member, ctx.member_id)
    voter_of = {poll_id: keys_of(ctx, poll_id, member) for poll_id in await store.poll_ids(ctx.session)}
    answered = await store.answered_polls(ctx.session, ctx.member_id, voter_of)
    if not answered:
        return []
    lines = [bold(ctx._("Readiness polls you answered"))]
    for poll, choice in answered:
        shown = ctx._("anonymous: your answer is not linked to you") if choice is None else ctx._(poll.choices[choice])
        lines.append(ctx._("#{id} {question}: {answer}", id=poll.id, question=poll.question, answer=shown))
    return ["\n".join(lines)]


async def forgotten(ctx: Context, member_id: int) -> tuple:
    """A forgotten member's anonymous answers stay, counted once, off the roster: a re-import of their roster
    row counts them at its worksite again (their voter is the row), and a new answer replaces them."""
    member = await ctx.session.get(Member, member_id)
    await store.follow(ctx.session, ctx.app.voters, [store.Move(member.voter, member.former_voters, None, False, None)])
    return ()


PROFILE = [profile]
FORGET = [forgotten]
