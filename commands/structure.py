"""``/structure``: the campaign's ladder of structure tests read site by site.

Each step is an action (the share of a site's roster that checked in), a readiness poll (the share of
the roster picking its first choice, as :func:`bot.permissions.disclose` lets the viewer see it) or a
pledge (the share that signed). A site is read only against the tests it was in scope for, always as a
share of its whole roster, and the trend across the steps is what leaders look for ("12% → 35% → 71%").

Other features may add subcommands to :data:`group` (``from commands.structure import group``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot import permissions
from bot.charts import heat_map
from bot.context import Context
from bot.csvfile import to_csv
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Group, Param
from bot.types import Attachment, Reply, Role
from commands import readiness
from commands.scope import SITES, THRESHOLD, Cell, Shares, parse_sites, parse_threshold
from storage import actions, pledges, roster
from storage import readiness as polls
from storage import structure as store
from storage.members import site_ids_for_keys, worksite_by_name
from storage.structure import KINDS, StructureTest

group = Group("structure", N_("The ladder of structure tests: each worksite’s share of its roster, step by step"),
              default="show")

KIND_LABELS = {"action": N_("action"), "readiness": N_("readiness poll"), "pledge": N_("pledge")}
STEP = Param("step", N_("The test’s place on the ladder (1 is the first), as /structure shows it"), type=int,
             min_value=1)
SITE = Param("site", N_("Only this worksite"), required=False)
NAMED = 60  # worksites past which the text and the image show the top and the bottom, the CSV all of them
NAME_LENGTH = 40
COLUMN_LENGTH = 22  # a test's name under its column of the heat map


@dataclass
class Column:
    """One test as read: its name, threshold and each visible worksite's cell (absent: out of its scope)."""

    test: StructureTest
    name: str
    threshold: float
    cells: dict[int, Cell]

    def passes(self, site_id: int) -> bool | None:
        cell = self.cells.get(site_id)
        share = cell.share if cell else None
        return None if share is None else share >= self.threshold


def short(text: str) -> str:
    return text if len(text) <= NAME_LENGTH else text[:NAME_LENGTH - 1] + "…"


async def referent(ctx: Context, kind: str, ref_id: int):
    """The action, poll or pledge a test counts; a refusal when there is none."""
    if kind == "action":
        found = await actions.get(ctx.session, ref_id)
        if found is None:
            raise UserError(N_("There is no action #{id}. /action list shows the upcoming ones."), id=ref_id)
    elif kind == "readiness":
        found = await polls.get_poll(ctx.session, ref_id)
        if found is None:
            raise UserError(N_("There is no readiness poll #{id}."), id=ref_id)
    else:
        found = await pledges.get(ctx.session, ref_id)
        if found is None:
            raise UserError(N_("There is no pledge #{id}."), id=ref_id)
    return found


def default_scope(kind: str, found) -> list[int] | None:
    """What a test covers unless the leader names sites: an action's own worksite (every site when it has
    none), a pledge's sites, every site for a poll."""
    if kind == "action":
        return None if found.worksite_id is None else [found.worksite_id]
    if kind == "pledge":
        return found.site_ids
    return None


def title_of(kind: str, found) -> str:
    return short(found.title if kind == "action" else found.question if kind == "readiness" else found.text)


@group.command("add", help=N_("Add a structure test to the end of the ladder: an action, a readiness poll or a "
                              "pledge"), role=Role.leader, params=[
    Param("kind", N_("What the test counts"), choices=KINDS, labels=KIND_LABELS),
    Param("id", N_("The action’s, poll’s or pledge’s number"), type=int, min_value=1),
    THRESHOLD,
    SITES,
])
async def add(ctx: Context, kind: str, id: int, threshold: str | None, sites: str | None) -> Reply:
    share = parse_threshold(threshold)
    found = await referent(ctx, kind, id)
    scope = await parse_sites(ctx, sites)
    ladder = await store.ladder(ctx.session, lock=True)
    if any(t.kind == kind and t.ref_id == id for t in ladder):
        raise UserError(N_("That {kind} is already on the ladder."), kind=ctx._(KIND_LABELS[kind]))
    test = await store.add(ctx.session, kind=kind, ref_id=id, threshold=share,
                           site_ids=default_scope(kind, found) if scope is None else [s.id for s in scope],
                           created_by=ctx.actor.member_id, created_at=ctx.now)
    shares = Shares(ctx)
    return ctx.reply(ctx._("Step {step} of the ladder: {kind} #{id} “{title}”, passing at {threshold}.",
                           step=test.position, kind=ctx._(KIND_LABELS[kind]), id=id, title=title_of(kind, found),
                           threshold=shares.percent(share or shares.default_threshold)))


async def step_of(ctx: Context, ladder: list[StructureTest], step: int) -> StructureTest:
    if step > len(ladder):
        raise UserError(N_("The ladder has no step {step}: it has {count}."), step=step, count=len(ladder))
    return ladder[step - 1]


@group.command("remove", help=N_("Retire a test from the ladder (what it counted stays)"), role=Role.leader,
               params=[STEP])
async def remove(ctx: Context, step: int) -> Reply:
    ladder = await store.ladder(ctx.session, lock=True)
    test = await step_of(ctx, ladder, step)
    await ctx.session.delete(test)
    await ctx.session.flush()
    await store.renumber(ctx.session, [t for t in ladder if t.id != test.id])
    return ctx.reply(ctx._("Step {step} ({kind} #{id}) is off the ladder; the later steps moved up.", step=step,
                           kind=ctx._(KIND_LABELS[test.kind]), id=test.ref_id))


@group.command("move", help=N_("Move a test to another place on the ladder"), role=Role.leader, params=[
    STEP, Param("to", N_("Its new place (1 is the first)"), type=int, min_value=1)])
async def move(ctx: Context, step: int, to: int) -> Reply:
    ladder = await store.ladder(ctx.session, lock=True)
    test = await step_of(ctx, ladder, step)
    await step_of(ctx, ladder, to)
    ordered = [t for t in ladder if t.id != test.id]
    ordered.insert(to - 1, test)
    await store.renumber(ctx.session, ordered)
    return ctx.reply(ctx._("{kind} #{id} is now step {step} of the ladder.", kind=ctx._(KIND_LABELS[test.kind]),
                           id=test.ref_id, step=to))


async def measure(ctx: Context, ladder: list[StructureTest], sizes: dict[int, tuple[str, int]], shares: Shares,
                  every_site: bool) -> list[Column]:
    """Every test's cells over the visible worksites, in a few set-based reads: what the tests count (one
    query per kind), check-ins and signatures of every test (one statement), the answers of every poll (one
    statement, over the roster already read), then each poll's counts as the viewer may see them.
    ``every_site``: the viewer sees every worksite (a leader), so no worksite list narrows the acts."""
    site_ids = list(sizes)
    found = await store.referents(ctx.session, ladder)
    for test in ladder:
        if (test.kind, test.ref_id) not in found:
            await referent(ctx, test.kind, test.ref_id)  # refuses: it is gone
    ids = {kind: [t.ref_id for t in ladder if t.kind == kind] for kind in KINDS}
    acts = await store.acts_by_site(ctx.session, ids["action"], ids["pledge"], None if every_site else site_ids)
    tallies = await polls.tallies(ctx.session, ctx.app.voters, [found["readiness", i] for i in ids["readiness"]],
                                  site_ids, roster=sizes)
    columns = []
    for test in ladder:
        counted = found[test.kind, test.ref_id]
        covered = [s for s in site_ids if test.covers(s)]
        if test.kind == "readiness":
            result = tallies[test.ref_id]
            result = polls.Tally([s for s in result.sites if s.site_id is not None and test.covers(s.site_id)],
                                 result.off_roster)
            rows, _ = await readiness.shown_rows(ctx, counted, result)
            shown = {site.site_id: row for site, row in zip(result.sites, rows, strict=True)}
            cells = {s: Cell(_yes(shown.get(s)), sizes[s][1]) for s in covered}
        else:
            cells = {s: shares.cell(acts.get((test.kind, test.ref_id, s), 0), sizes[s][1]) for s in covered}
        columns.append(Column(test, title_of(test.kind, counted), test.threshold or shares.default_threshold, cells))
    return columns


def _yes(row: permissions.Row | None) -> int | None:
    """A poll's first-choice count where the viewer may see it with its roster (a share of a hidden roster
    would give the roster away)."""
    if row is None or row.roster is None or not row.choices:
        return None
    return row.choices[polls.YES]


def trend(columns: list[Column], site: int) -> list[float]:
    """A site's shares at the tests it was in scope for and may be seen, in ladder order."""
    out = []
    for column in columns:
        cell = column.cells.get(site)
        if cell is not None and cell.share is not None:
            out.append(cell.share)
    return out


def fell_back(points: list[float]) -> bool:
    return len(points) >= 2 and points[-1] < points[-2]


def trend_text(ctx: Context, shares: Shares, points: list[float]) -> str:
    text = " → ".join(shares.percent(p) for p in points) if points else ctx._("nothing shown yet")
    if len(points) >= 2 and points[0] > 0 and points[-1] >= 2 * points[0]:
        text += ", " + ctx._("{factor}× since the first test", factor=int(points[-1] / points[0]))
    return text


def cell_text(ctx: Context, shares: Shares, column: Column, site: int) -> str:
    step = column.test.position
    cell = column.cells.get(site)
    if cell is None:
        return f"{step} –"
    if cell.share is None:
        return f"{step} " + ctx._("hidden")
    return f"{step} {'✓' if cell.share >= column.threshold else '✗'} {shares.percent(cell.share)}"


def step_line(ctx: Context, shares: Shares, column: Column) -> str:
    """One test of the ladder: what it is, its threshold and scope, and how many of the worksites read pass it."""
    test = column.test
    passing = sum(1 for s in column.cells if column.passes(s))
    scope = ctx._("every worksite") if test.site_ids is None else ctx.n_(
        "{n} worksite", "{n} worksites", len(test.site_ids))
    return ctx._("{step}. {kind} #{id} “{title}” — passes at {threshold}, for {scope}: {passing} of {sites} pass",
                 step=test.position, kind=ctx._(KIND_LABELS[test.kind]), id=test.ref_id, title=column.name,
                 threshold=shares.percent(column.threshold), scope=scope, passing=passing, sites=len(column.cells))


def shown_sites(order: list[int]) -> tuple[list[int], int | None]:
    """All worksites up to :data:`NAMED`; past it the top and the bottom halves of that many, and where the gap is."""
    if len(order) <= NAMED:
        return order, None
    half = NAMED // 2
    return order[:half] + order[-half:], half


@group.command("show", help=N_("Each worksite’s share of its roster at every test, the trend, who fell back; a "
                               "heat map and a CSV"), role=Role.rep, writes=False, audited=True, params=[
    SITE, Param("chart", N_("no: leave out the heat map"), type=bool, required=False, default=True)])
async def show(ctx: Context, site: str | None, chart: bool) -> Reply:
    keys = permissions.structure_sites(ctx.actor, site)  # before anything is read: a refusal tells nothing
    if site is not None and await worksite_by_name(ctx.session, site) is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    ladder = await store.ladder(ctx.session)
    if not ladder:
        return ctx.reply(ctx._("The ladder has no tests yet. A leader adds them with /structure add action <number> "
                               "(or readiness, or pledge)."))
    sizes = await roster.sizes(ctx.session, None if keys is None else await site_ids_for_keys(ctx.session, keys))
    shares = Shares(ctx)
    columns = await measure(ctx, ladder, sizes, shares, keys is None)
    points = {s: trend(columns, s) for s in sizes}
    order = sorted(sizes, key=lambda s: (-(points[s][-1] if points[s] else -1.0), sizes[s][0].casefold()))
    blocks = [bold(ctx.n_("Structure tests at {n} worksite", "Structure tests at {n} worksites", len(sizes)))]
    blocks += [step_line(ctx, shares, column) for column in columns]
    blocks[-1] += "\n\n" + ctx._("✓ passes its threshold · ✗ below it · – not in that test’s scope · hidden: fewer "
                                 "than {min} people", min=shares.minimum)
    listed, gap = shown_sites(order)
    for index, s in enumerate(listed):
        if index == gap:
            blocks.append(ctx.n_("… {n} more worksite in the attached CSV", "… {n} more worksites in the attached CSV",
                                 len(order) - len(listed)))
        name, size = sizes[s]
        blocks.append(bold(name) + ": " + trend_text(ctx, shares, points[s]) + "\n"
                      + ctx._("Roster: {roster}", roster=size) + " · "
                      + " · ".join(cell_text(ctx, shares, column, s) for column in columns))
    back = [s for s in order if fell_back(points[s])]
    if back:
        blocks.append(bold(ctx._("Fell back at the latest test")) + "\n" + "\n".join(
            f"{sizes[s][0]}: {shares.percent(points[s][-2])} → {shares.percent(points[s][-1])}" for s in back))
    if not sizes:
        blocks.append(ctx._("No worksites to show yet: import the roster."))
    attachments = [Attachment("structure.csv", table_csv(ctx, columns, sizes, order), "text/csv",
                              ctx._("Structure tests"))]
    if chart and sizes:
        attachments.insert(0, Attachment("structure.png", await picture(ctx, shares, columns, sizes, listed, gap),
                                         "image/png", ctx._("Structure tests")))
    return ctx.reply("\n\n".join(blocks), attachments=tuple(attachments))


async def picture(ctx: Context, shares: Shares, columns: list[Column], sizes: dict[int, tuple[str, int]],
                  listed: list[int], gap: int | None) -> bytes:
    def share(column: Column, s: int) -> float | None:
        cell = column.cells.get(s)
        return cell.share if cell else None

    return await asyncio.to_thread(
        heat_map, [sizes[s][0] for s in listed],
        [f"{c.test.position}. {c.name[:COLUMN_LENGTH]}\n≥ {shares.percent(c.threshold)}" for c in columns],
        [[share(c, s) for c in columns] for s in listed], [c.threshold for c in columns],
        title=ctx._("Share of each worksite’s roster at each structure test"),
        legend=ctx._("● at or above the test’s threshold · grey: not in its scope, or hidden"),
        gap_after=gap, gap_label=ctx.n_("{n} more worksite in the CSV", "{n} more worksites in the CSV",
                                        len(sizes) - len(listed)))


def table_csv(ctx: Context, columns: list[Column], sizes: dict[int, tuple[str, int]], order: list[int]) -> bytes:
    header = [ctx._("worksite"), ctx._("roster")]
    for column in columns:
        label = f"{column.test.position}. {column.name}"
        header += [label, f"{label}: " + ctx._("share"), f"{label}: " + ctx._("passes")]
    lines = []
    for s in order:
        line: list[object] = [sizes[s][0], sizes[s][1]]
        for column in columns:
            cell = column.cells.get(s)
            if cell is None:
                line += [ctx._("not in scope"), "", ""]
            elif cell.share is None:
                line += [ctx._("hidden"), "", ""]
            else:
                line += [cell.count, f"{cell.share:.3f}",
                         ctx._("yes") if cell.share >= column.threshold else ctx._("no")]
        lines.append(line)
    return to_csv(header, lines)
