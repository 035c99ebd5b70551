"""Finding a member from what someone typed about them: an account, a platform id, a member number,
an email or a name. Any feature that acts on another member (checking them in, …) uses it.

What names an account (a mention, ``platform:user_id``) is read by the platforms
(:meth:`bot.platforms.Platforms.accounts`): here an account is only ``(platform, user_id)``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy.sql.selectable import SelectBase
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.members import Member, MemberIdentity, Worksite, site_key
from storage.sql import id_of

Account = tuple[str, str]  # (platform, user_id)


def _holds(accounts: Sequence[Account]) -> ColumnElement[bool]:
    return or_(*(and_(col(MemberIdentity.platform) == platform, col(MemberIdentity.user_id) == user_id)
                 for platform, user_id in accounts))


async def find_members(session: AsyncSession, text: str, accounts: Sequence[Account] = (), *,
                       within: frozenset[str] | None, site: str | None = None, also: SelectBase | None = None,
                       limit: int = 6) -> list[tuple[Member, str | None]]:
    """The members ``text`` may mean, most certain first, each with their worksite's name: the holders of
    ``accounts`` when it names any; else a platform user id, member number or email; a name
    (case-insensitive); else the names starting with it. Several results mean the text is ambiguous.

    Only members the asker may see are searched: those at the site keys ``within`` (None: everyone)
    or among the member ids ``also`` selects. Someone outside is not found, exactly like someone who
    does not exist. ``site`` keeps only members there."""
    text = " ".join(text.split())
    base = select(Member, Worksite.name).outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
    if within is not None:
        visible = col(Worksite.key).in_(within)
        base = base.where(visible if also is None else or_(visible, col(Member.id).in_(also)))
    if site is not None:
        base = base.where(Worksite.key == site_key(site))
    if accounts:
        return await _members(session, base.join(MemberIdentity, col(MemberIdentity.member_id) == Member.id)
                              .where(_holds(accounts)), limit)
    by_id = await _members(session, base.outerjoin(MemberIdentity, col(MemberIdentity.member_id) == Member.id)
                           .where(or_(col(MemberIdentity.user_id) == text, col(Member.member_no) == text,
                                      func.lower(Member.email) == text.lower())), limit)
    if by_id:
        return by_id
    exact = await _members(session, base.where(func.lower(Member.name) == text.lower()), limit)
    if exact:
        return exact
    return await _members(session, base.where(func.lower(Member.name).startswith(text.lower(), autoescape=True)),
                          limit)


async def find_each(session: AsyncSession, texts: Sequence[str], *, within: frozenset[str] | None,
                    also: SelectBase | None = None, limit: int = 6) -> dict[str, list[tuple[Member, str | None]]]:
    """:func:`find_members` for many texts at once (none naming an account), by the same rules, in two queries
    for all of them — ids, member numbers and emails, then exact names — and one more for each text that is
    neither (the names starting with it). Keys are the texts as given."""
    typed = {text: " ".join(text.split()) for text in texts}
    wanted = set(typed.values())
    lowered = {text.lower() for text in wanted}
    base = select(Member, Worksite.name).outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
    shown: ColumnElement[bool] = true()
    if within is not None:
        visible = col(Worksite.key).in_(within)
        shown = visible if also is None else or_(visible, col(Member.id).in_(also))
        base = base.where(shown)
    found: dict[str, dict[int, tuple[Member, str | None]]] = {text: {} for text in wanted}
    by_id = (select(Member, Worksite.name, MemberIdentity.user_id, func.lower(Member.email))
             .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
             .outerjoin(MemberIdentity, col(MemberIdentity.member_id) == Member.id)
             .where(shown, or_(col(MemberIdentity.user_id).in_(wanted), col(Member.member_no).in_(wanted),
                               func.lower(Member.email).in_(lowered))))
    for member, where, user_id, email in (await session.exec(by_id)).all():
        for text in wanted:
            if text in (user_id, member.member_no) or email == text.lower():
                found[text][id_of(member)] = (member, where)
    pending = [text for text in wanted if not found[text]]
    names = {text.lower() for text in pending}
    if names:
        exact = (select(Member, Worksite.name, func.lower(Member.name))
                 .outerjoin(Worksite, col(Worksite.id) == Member.worksite_id)
                 .where(shown, func.lower(Member.name).in_(names)))
        for member, where, name in (await session.exec(exact)).all():
            for text in pending:
                if text.lower() == name:
                    found[text][id_of(member)] = (member, where)
    rows: dict[str, list[tuple[Member, str | None]]] = {}
    for text, members in found.items():
        rows[text] = sorted(members.values(), key=lambda row: (not row[0].on_roster, row[0].name, id_of(row[0])))
        if not rows[text]:
            rows[text] = await _members(session, base.where(
                func.lower(Member.name).startswith(text.lower(), autoescape=True)), limit)
    return {text: rows[typed[text]][:limit] for text in texts}


async def _members(session: AsyncSession, stmt: Select[Member, str], limit: int) -> list[tuple[Member, str | None]]:
    ordered = stmt.distinct().order_by(col(Member.on_roster).desc(), Member.name, col(Member.id))
    rows = await session.exec(ordered.limit(limit))
    return [(member, where) for member, where in rows.all()]


async def find_account(session: AsyncSession, text: str,
                       accounts: Sequence[Account] = ()) -> tuple[MemberIdentity, Member] | None:
    """The one account ``accounts`` names, or else the one whose user id ``text`` is, with its member."""
    where = _holds(accounts) if accounts else MemberIdentity.user_id == text.strip()
    rows = (await session.exec(select(MemberIdentity, Member).join(Member, col(Member.id) == MemberIdentity.member_id)
                               .where(where).limit(2))).all()
    return (rows[0][0], rows[0][1]) if len(rows) == 1 else None
