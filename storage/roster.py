"""The union's roster: import from the spreadsheet (idempotent, bad rows reported by line) and export.

A row is matched to an existing member by member id, then email, then a platform's user id (each platform's
column is an :class:`IdColumn` it describes), then by name when exactly one roster member has it — so
re-importing a file changes nothing and a member who moved schools is updated, not duplicated. Each row keeps
the key it was first imported under (:func:`row_key`), which is who answers readiness polls: it comes back
with a re-import of a forgotten member, whose answers then count at the row's worksite again.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import claims
from storage.members import MAPPING, MAPPING_LENGTH, Member, MemberIdentity, Worksite, merge_members, site_key
from storage.readiness import Move, Voters, follow, moved
from storage.sql import id_of, insert_ids, nonnull, table_of

HEADERS = {
    "name": "name", "full name": "name", "worksite": "worksite", "site": "worksite", "school": "worksite",
    "email": "email", "e-mail": "email", "member id": "member_no", "member_id": "member_no", "member no": "member_no",
    "member number": "member_no", "department": "department", "dept": "department", "shift": "shift",
    "grade": "grade", "floor": "grade", "grade/floor": "grade", "grade or floor": "grade",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class IdColumn:
    """A roster column of one platform's user ids, as the platform describes it: a row's cell is kept under
    the platform's name."""

    platform: str
    headers: tuple[str, ...]  # how a spreadsheet may call it (any case); the first is written on export
    problem: Callable[[str], str | None]  # why a cell is not one of the platform's ids (None: it is)


def export_columns(columns: Sequence[IdColumn]) -> list[str]:
    """The header :func:`export_rows` writes under."""
    return ["name", "worksite", "email", "member id", *MAPPING, *(column.headers[0] for column in columns)]


@dataclass
class ImportReport:
    """What an import did (or, previewed, would do): counts, one line per change, bad rows by line."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    off: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "+ added", "~ updated", "- going off the roster"


def read_csv(text: str, columns: Sequence[IdColumn]) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """Rows keyed by canonical column, each with its line number in the file; or header problems."""
    headers = {**HEADERS, **{h.casefold(): column.platform for column in columns for h in column.headers}}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        return [], [(1, "the file is empty")]
    keys = [headers.get(h.strip().casefold()) for h in header]
    missing = {"name", "worksite"} - set(keys)
    if missing:
        return [], [(1, f"missing column(s): {', '.join(sorted(missing))} (found: {', '.join(header)})")]
    rows = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        rows.append((line, {key: cell.strip() for key, cell in zip(keys, record, strict=False) if key}))
    return rows, []


def _problem(row: dict[str, str], columns: Sequence[IdColumn]) -> str | None:
    if not row.get("name"):
        return "name is empty"
    if not row.get("worksite"):
        return "worksite is empty"
    if len(row["name"]) > 200 or len(row["worksite"]) > 200:
        return "name or worksite is longer than 200 characters"
    if row.get("email") and not EMAIL.match(row["email"]):
        return f"email “{row['email'][:60]}” is not an email address"
    if row.get("member_no") and len(row["member_no"]) > 64:
        return "member id is longer than 64 characters"
    for key in MAPPING:
        if len(row.get(key) or "") > MAPPING_LENGTH:
            return f"{key} is longer than {MAPPING_LENGTH} characters"
    for column in columns:
        cell = row.get(column.platform)
        problem = column.problem(cell) if cell else None
        if cell and problem:
            return f"{column.headers[0]} “{cell[:30]}” {problem}"
    return None


def row_key(row: dict[str, str]) -> str:
    """What names a roster row for good: its member id, else its email, else its name at its worksite."""
    if row.get("member_no"):
        return f"no:{row['member_no']}"
    if row.get("email"):
        return f"email:{row['email'].casefold()}"
    return f"name:{row['name'].casefold()}@{site_key(row['worksite'])}"


async def fold(session: AsyncSession, voters: Voters, keep_id: int, drop_id: int) -> None:
    """:func:`storage.members.merge_members`, answers included: one answer per poll (the later stands),
    filed under the merged member's voter and counted where they are now."""
    keep, drop = await session.get(Member, keep_id), await session.get(Member, drop_id)
    assert keep is not None and drop is not None
    subject = keep.roster_key or drop.roster_key or str(keep_id)
    former = tuple(sorted({k for k in (drop.roster_key, str(drop_id), str(keep_id)) if k is not None} - {subject}))
    site = keep.worksite_id if keep.worksite_id is not None else drop.worksite_id
    await follow(session, voters, [Move(subject, former, site, keep.on_roster or drop.on_roster, keep_id)])
    await merge_members(session, keep_id, drop_id)
    await claims.settled_by_merge(session, keep_id)


@dataclass(eq=False)
class _NewRow:
    """A roster row not stored yet, with a member's columns: a first import is 35,000 of them, and building
    each as a :class:`Member` (SQLModel and the ORM's attribute events) cost many times its insert."""

    name: str
    worksite_id: int
    on_roster: bool
    roster_key: str
    created_at: datetime
    email: str | None = None
    member_no: str | None = None
    declared_site_id: int | None = None
    lang: str | None = None
    department: str | None = None
    shift: str | None = None
    grade: str | None = None
    id: int | None = None
    voter = Member.voter
    former_voters = Member.former_voters


Row = Member | _NewRow
_COLUMNS = [c.name for c in table_of(Member).columns if c.name != "id"]  # what a new row inserts


async def import_rows(session: AsyncSession, rows: Iterable[tuple[int, dict[str, str]]], now: datetime,
                      voters: Voters, columns: Sequence[IdColumn], progress: Callable[[int], None] = lambda n: None,
                      *, sync: bool = False) -> ImportReport:
    """Add and update roster members from ``rows`` (read with ``columns``); with ``sync`` the rows are the whole
    roster, and roster
    members in none of them go off it (kept, with their history, out of every count). A member whose
    member id, email or account is on a bad row stays on: a typo never takes anyone off."""
    report = ImportReport()
    platforms = [column.platform for column in columns]
    members = {id_of(m): m for m in (await session.exec(select(Member)))}
    keys = {m.roster_key for m in members.values() if m.roster_key}
    changed: dict[int, Row] = {}
    added: list[_NewRow] = []  # new rows, not inserted yet
    owners: dict[tuple[str, str], _NewRow] = {}  # the accounts of new rows: inserted with them
    by_no: dict[str, Row] = {m.member_no: m for m in members.values() if m.member_no}
    by_email: dict[str, Row] = {m.email.casefold(): m for m in members.values() if m.email}
    by_name: dict[str, list[Row]] = {}
    for m in members.values():
        if m.on_roster:
            by_name.setdefault(m.name.casefold(), []).append(m)
    identities = {(i.platform, i.user_id): i for i in (await session.exec(select(MemberIdentity)))}
    verified = {i.email.casefold(): (i.platform, i.user_id) for i in identities.values() if i.email}
    rows = list(rows)
    problems = _problems(rows, columns)
    sites = await _sites(session, [row["worksite"] for (_line, row), problem in zip(rows, problems)
                                   if problem is None], now)
    names: dict[int | None, str] = {s.id: s.name for s in sites.values()}
    kept: set[int] = set()  # members a row of this file names
    for (line, row), problem in zip(rows, problems):
        progress(1)
        if problem:
            report.problems.append((line, problem))
            named = [by_no.get(row.get("member_no") or ""), by_email.get((row.get("email") or "").casefold()),
                     *(members.get(identities[(p, row[p])].member_id) for p in platforms
                       if (p, row.get(p)) in identities)]
            kept.update(m.id for m in named if m is not None and m.id is not None)
            continue
        accounts = [(p, row[p]) for p in platforms if row.get(p)]
        if row.get("email") and row["email"].casefold() in verified:  # an account whose email the platform verified
            accounts.append(verified[row["email"].casefold()])
        member: Row | None = (
            by_no.get(row.get("member_no") or "")
            or by_email.get((row.get("email") or "").casefold())
            or next((owners.get(a) or members.get(identities[a].member_id) for a in accounts if a in identities), None)
        )
        if member is None and len(by_name.get(row["name"].casefold(), [])) == 1:
            candidate = by_name[row["name"].casefold()][0]
            if not (row.get("member_no") and candidate.member_no):
                member = candidate
        key = site_key(row["worksite"])
        wanted: dict[str, Any] = {"name": row["name"], "worksite_id": sites[key].id, "on_roster": True}
        if row.get("email"):
            wanted["email"] = row["email"]
        if row.get("member_no"):
            wanted["member_no"] = row["member_no"]
        for mapped in MAPPING:  # a file without the column keeps what the roster had; an empty cell clears it
            if mapped in row:
                wanted[mapped] = " ".join(row[mapped].split()) or None
        if member is None or member.roster_key is None:
            new_key = row_key(row)  # taken already: a new email for someone the roster had
            wanted["roster_key"] = new_key if new_key not in keys else f"{new_key}~{secrets.token_hex(4)}"
            keys.add(wanted["roster_key"])
        if member is None:
            member = _NewRow(**wanted, created_at=now)  # inserted with the other new rows, after the loop
            added.append(member)
            report.added += 1
            report.changes.append(f"+ {member.name} ({sites[key].name})")
        elif all(getattr(member, k) == v for k, v in wanted.items()):
            report.unchanged += 1
        else:
            report.changes.append(_change(member, wanted, names))
            if not member.on_roster and member.worksite_id not in (None, wanted["worksite_id"]):
                member.declared_site_id = member.worksite_id  # where they said they work, for the reps
            for k, v in wanted.items():
                setattr(member, k, v)
            if member.id is not None:  # a new row is among the added
                changed[member.id] = member
            report.updated += 1
        if member.id is not None:
            kept.add(member.id)
        if member.declared_site_id == member.worksite_id:
            member.declared_site_id = None
        if member.member_no:
            by_no[member.member_no] = member
        if member.email:
            by_email[member.email.casefold()] = member
        by_name.setdefault(member.name.casefold(), [])
        if member not in by_name[member.name.casefold()]:
            by_name[member.name.casefold()].append(member)
        for platform, user_id in accounts:
            identity = identities.get((platform, user_id))
            if identity is None:
                # a new row's account gets its member id when the row is inserted (_insert_added)
                identity = MemberIdentity(member_id=member.id, platform=platform, user_id=user_id)  # type: ignore[arg-type]
                identities[(platform, user_id)] = identity
                if isinstance(member, _NewRow):
                    owners[(platform, user_id)] = member
                else:
                    session.add(identity)
            elif owners.get((platform, user_id), member) is not member or identity.member_id not in (None, member.id):
                # someone who used the bot before the roster arrived: fold that account into the roster row
                for new in (member, owners.get((platform, user_id))):
                    if isinstance(new, _NewRow):  # a new row, inserted now to fold
                        stored = await _insert_now(session, new, added, owners, identities)
                        for index in (by_no, by_email, by_name):
                            _swap(index, new, stored)
                        member = stored if member is new else member
                        changed[id_of(stored)] = stored
                other = identity.member_id
                await session.flush()
                await fold(session, voters, id_of(member), other)
                members.pop(other, None)
                changed.pop(other, None)
                identity.member_id = id_of(member)
    await _insert_added(session, added, [(owner, identities[a]) for a, owner in owners.items()])
    changed.update((id_of(member), member) for member in added)
    if sync:
        for member in members.values():
            if member.on_roster and id_of(member) not in kept:
                member.on_roster, member.declared_site_id = False, None
                changed[id_of(member)] = member
                report.off += 1
                report.changes.append(f"- {member.name} ({names.get(member.worksite_id, '?')})")
    await session.flush()
    await follow(session, voters, [moved(m) for m in changed.values()])
    return report


def _problems(rows: list[tuple[int, dict[str, str]]], columns: Sequence[IdColumn]) -> list[str | None]:
    """Why each row is bad (None: it is good), a member id on two lines being bad the second time."""
    seen_no: dict[str, int] = {}
    problems = []
    for line, row in rows:
        problem = _problem(row, columns)
        if problem is None and row.get("member_no") and row["member_no"] in seen_no:
            problem = f"member id {row['member_no']} is also on line {seen_no[row['member_no']]}"
        elif problem is None and row.get("member_no"):
            seen_no[row["member_no"]] = line
        problems.append(problem)
    return problems


async def _sites(session: AsyncSession, names: list[str], now: datetime) -> dict[str, Worksite]:
    """Every worksite by key, those the good rows name for the first time inserted in one statement."""
    sites = {s.key: s for s in (await session.exec(select(Worksite)))}
    new = {site_key(name): " ".join(name.split()) for name in names if site_key(name) not in sites}
    if new:
        ids = await insert_ids(session, Worksite, [{"name": name, "key": key, "created_at": now}
                                                   for key, name in new.items()])
        sites.update((key, Worksite(id=site_id, name=name, key=key, created_at=now))
                     for (key, name), site_id in zip(new.items(), ids, strict=True))
    return sites


def _swap(index: dict[str, Any], new: _NewRow, stored: Member) -> None:
    """``stored`` in place of ``new`` in one of the import's indexes (values a row or a list of rows)."""
    for key, value in index.items():
        if value is new:
            index[key] = stored
        elif isinstance(value, list) and new in value:
            value[value.index(new)] = stored


async def _insert_added(session: AsyncSession, added: list[_NewRow],
                        accounts: list[tuple[_NewRow, MemberIdentity]]) -> None:
    """The new rows of an import in one insert (a first import is 35,000 of them), then their accounts
    in another. The members stay out of the session: nothing after the import changes them."""
    if not added:
        return
    ids = await insert_ids(session, Member, [{c: getattr(m, c) for c in _COLUMNS} for m in added])
    for member, member_id in zip(added, ids, strict=True):
        member.id = member_id
    if accounts:
        await session.exec(insert(table_of(MemberIdentity)), params=[
            {"member_id": member.id, "platform": identity.platform, "user_id": identity.user_id,
             "display_name": identity.display_name, "email": identity.email, "last_seen": identity.last_seen}
            for member, identity in accounts])


async def _insert_now(session: AsyncSession, new: _NewRow, added: list[_NewRow], owners: dict[tuple[str, str], _NewRow],
                      identities: dict[tuple[str, str], MemberIdentity]) -> Member:
    """A new row stored as a member before the others, with its accounts: an account in use is folded into it."""
    added.remove(new)
    member = Member(**{c: getattr(new, c) for c in _COLUMNS})
    session.add(member)
    await session.flush()
    new.id = member.id
    for account in [a for a, owner in owners.items() if owner is new]:
        identities[account].member_id = id_of(member)
        session.add(identities[account])
        del owners[account]
    return member


async def preview_rows(session: AsyncSession, rows: list[tuple[int, dict[str, str]]], now: datetime,
                       voters: Voters, columns: Sequence[IdColumn], *, sync: bool) -> ImportReport:
    """What :func:`import_rows` would do, done in a SAVEPOINT that is rolled back: the very same code."""
    savepoint = await session.begin_nested()
    try:
        return await import_rows(session, rows, now, voters, columns, sync=sync)
    finally:
        await savepoint.rollback()


def _change(member: Row, wanted: dict[str, Any], site_names: dict[int | None, str]) -> str:
    site = site_names[wanted["worksite_id"]]
    if not member.on_roster:
        return f"~ {member.name} ({site}): back on the roster"
    if member.worksite_id != wanted["worksite_id"]:
        return f"~ {member.name}: {site_names.get(member.worksite_id, '?')} → {site}"
    fields = [k.replace("_", " ") for k, v in wanted.items() if getattr(member, k) != v and k != "roster_key"]
    return f"~ {member.name} ({site})" + (": " + ", ".join(fields) if fields else "")


async def by_verified_email(session: AsyncSession, voters: Voters, member: Member, platform: str, user_id: str,
                            email: str) -> Member:
    """An account whose email the platform verified: kept on the account (a later import matches it), and
    folded into the one roster row with that email that no account on the platform holds yet."""
    await session.exec(update(MemberIdentity).where(
        col(MemberIdentity.platform) == platform, col(MemberIdentity.user_id) == user_id,
        col(MemberIdentity.email).is_distinct_from(email)).values(email=email))
    row = await claims.claimable(session, email, platform)
    if row is None or row.email is None or row.email.casefold() != email.casefold():
        return member
    await fold(session, voters, id_of(row), id_of(member))
    return row


async def take_off(session: AsyncSession, voters: Voters, member: Member) -> None:
    """Off the roster (retired, moved away): kept with their history, out of every count."""
    member.on_roster, member.declared_site_id = False, None
    await session.flush()
    await follow(session, voters, [moved(member)])


async def discrepancies(session: AsyncSession, site_ids: list[int] | None) -> list[tuple[Member, str, str]]:
    """Roster members who say they work somewhere else than the roster has them (either site in
    ``site_ids``, or all), with both sites' names."""
    roster_site, said = aliased(Worksite), aliased(Worksite)
    stmt = (select(Member, roster_site.name, said.name).join(roster_site, col(roster_site.id) == Member.worksite_id)
            .join(said, col(said.id) == Member.declared_site_id).where(Member.on_roster))
    if site_ids is not None:
        stmt = stmt.where(or_(col(Member.worksite_id).in_(site_ids), col(Member.declared_site_id).in_(site_ids)))
    rows = await session.exec(stmt.order_by(roster_site.name, Member.name, col(Member.id)))
    return [(member, at, says) for member, at, says in rows.all()]


async def export_rows(session: AsyncSession, columns: Sequence[IdColumn]) -> list[list[str]]:
    """The roster as rows under :func:`export_columns`, in the shape it is imported."""
    sites = {s.id: s.name for s in (await session.exec(select(Worksite)))}
    accounts: dict[tuple[int, str], str] = {}
    for identity in (await session.exec(select(MemberIdentity))):
        accounts[(identity.member_id, identity.platform)] = identity.user_id
    roster = (await session.exec(select(Member).where(Member.on_roster).order_by(Member.name, col(Member.id))))
    return [[m.name, sites.get(m.worksite_id, ""), m.email or "", m.member_no or "",
             *(getattr(m, mapped) or "" for mapped in MAPPING),
             *(accounts.get((id_of(m), column.platform), "") for column in columns)] for m in roster]


async def sizes(session: AsyncSession, site_ids: list[int] | None = None) -> dict[int, tuple[str, int]]:
    """Each worksite's name and roster size (the denominator of every structure test), for the worksites
    ``site_ids`` (or every one with someone on the roster); one ``GROUP BY`` over the roster index."""
    stmt = (select(nonnull(Member.worksite_id), Worksite.name, func.count())
            .join(Worksite, col(Worksite.id) == Member.worksite_id)
            .where(Member.on_roster).group_by(col(Member.worksite_id), Worksite.name))
    if site_ids is not None:
        stmt = stmt.where(col(Member.worksite_id).in_(site_ids))
    return {site: (name, n) for site, name, n in (await session.exec(stmt)).all()}
