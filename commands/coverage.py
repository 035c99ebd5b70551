"""``/structure coverage``: the map of the one-to-ten structure. Per worksite, the share of its whole roster
that has a captain (on a captain's list, or a captain) and the share an organizer talked with lately; for one
worksite, also who nobody is responsible for yet. Leaders see every site, reps their own; audited."""

from __future__ import annotations

from datetime import timedelta

from bot import permissions
from bot.context import Context
from bot.csvfile import to_csv
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.registry import Param
from bot.types import Attachment, Reply, Role
from commands.members import MAPPING_LABELS, UNMAPPED, placed, unmapped_last
from commands.scope import Shares
from commands.structure import group
from storage import captains
from storage import coverage as store
from storage.coverage import Coverage
from storage.members import MAPPING, site_ids_for_keys, worksite_by_name

RECENT_DAYS = 30  # "talked with lately"
SHOWN_SITES = 60  # past these, the text shows the least covered; the CSV has every site
SHOWN_PEOPLE = 40  # unassigned people named for one site


@group.command("coverage", help=N_("One-to-ten coverage: each worksite’s share of its roster with a captain, and "
                                   "talked with lately"),
               role=Role.rep, writes=False, audited=True,
               params=[Param("site", N_("Only this worksite, with who nobody is responsible for"), required=False),
                       Param("by", N_("Break each worksite down by department, shift or grade (or floor)"),
                             required=False, choices=MAPPING, labels=MAPPING_LABELS)])
async def coverage(ctx: Context, site: str | None, by: str | None) -> Reply:
    keys = permissions.structure_sites(ctx.actor, site)  # before anything is read: a refusal tells nothing
    worksite = await worksite_by_name(ctx.session, site) if site is not None else None
    if site is not None and worksite is None:
        raise UserError(N_("There is no worksite called “{name}”. Ask your site rep for its name on the roster."),
                        name=site)
    site_ids = [worksite.id] if worksite and worksite.id else (
        None if keys is None else await site_ids_for_keys(ctx.session, keys))
    parts = await store.by_site(ctx.session, ctx.now - timedelta(days=RECENT_DAYS), site_ids, by)
    grouped: dict[int, list[Coverage]] = {}
    for part in sorted(parts, key=lambda p: unmapped_last(p.part)):
        grouped.setdefault(part.site_id, []).append(part)
    rows = [Coverage(site_id, group[0].site, sum(p.roster for p in group), sum(p.covered for p in group),
                     sum(p.talked for p in group)) for site_id, group in grouped.items()]
    rows.sort(key=lambda row: (row.covered / row.roster, row.site.casefold()))
    shares = Shares(ctx)

    def of(count: int, roster: int) -> str:
        return ctx._("{count} of {roster} ({share})", count=count, roster=roster, share=shares.percent(count / roster))

    blocks = [bold(ctx._("One-to-ten coverage: the share of each worksite’s roster with a captain, and talked with "
                         "in the last {days} days", days=RECENT_DAYS))]
    if not rows:
        blocks.append(ctx._("No roster members at these worksites yet."))
    for row in rows[:SHOWN_SITES]:
        lines = [bold(row.site), ctx._("With a captain: {covered} · talked with: {talked}",
                                       covered=of(row.covered, row.roster), talked=of(row.talked, row.roster))]
        if by is not None:
            lines += [ctx._("{part}: with a captain {covered} · talked with {talked}",
                            part=part.part or ctx._(UNMAPPED), covered=of(part.covered, part.roster),
                            talked=of(part.talked, part.roster))
                      for part in grouped[row.site_id]]
        blocks.append("\n".join(lines))
    if len(rows) > SHOWN_SITES:
        blocks.append(ctx._("…and {n} more worksites in the spreadsheet.", n=len(rows) - SHOWN_SITES))
    if len(rows) > 1:
        roster = sum(row.roster for row in rows)
        blocks.append(ctx._("All these worksites: with a captain {covered} · talked with {talked}",
                            covered=of(sum(row.covered for row in rows), roster),
                            talked=of(sum(row.talked for row in rows), roster)))
    if worksite is not None and rows:
        nobody = await captains.unassigned(ctx.session, rows[0].site_id, set(), SHOWN_PEOPLE)
        left = rows[0].roster - rows[0].covered
        if not nobody:
            blocks.append(ctx._("Everyone on the roster at {site} has a captain.", site=rows[0].site))
        else:
            more = ctx._(", and {n} more", n=left - len(nobody)) if left > len(nobody) else ""
            blocks.append(ctx._("Nobody is responsible yet for: {names}{more}. Assign them with /member assign.",
                                names=", ".join(placed(member) for member in nobody), more=more))
    head = [ctx._("worksite"), *([ctx._(MAPPING_LABELS[by])] if by else []), ctx._("roster"),
            ctx._("with a captain"), ctx._("talked with lately")]
    data = to_csv(head, [(p.site, *([p.part or ""] if by else []), p.roster, p.covered, p.talked)
                         for row in rows for p in grouped[row.site_id]])
    sheet = Attachment("coverage.csv", data, "text/csv", ctx._("One-to-ten coverage"))
    return ctx.reply("\n\n".join(blocks), attachments=(sheet,))

