"""Finding a member from what someone typed about them: a mention, a platform id, a member number,
an email or a name. Any feature that acts on another member (checking them in, …) uses it."""

from __future__ import annotations

import re

from sqlalchemy import Select, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import Member, MemberIdentity, Worksite, site_key

_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")  # Slack <@U123|name>, Discord <@123> / <@!123>
_PLATFORM_ID = re.compile(r"^(slack|discord|console):(\S+)$")


async def find_members(session: AsyncSession, text: str, *, within: frozenset[str] | None, site: str | None = None,
                       also: Select | None = None, limit: int = 6) -> list[tuple[Member, str | None]]:
    """The members ``text`` may mean, most certain first, each with their worksite's name: a mention or
    ``platform:user_id``; a platform user id, member number or email; a name (case-insensitive); else
    the names starting with it. Several results mean the text is ambiguous.

    Only members the asker may see are searched: those at the site keys ``within`` (None: everyone)
    or among the member ids ``also`` selects. Someone outside is not found, exactly like someone who
    does not exist. ``site`` keeps only members there."""
    text = " ".join(text.split())
    base = select(Member, Worksite.name).outerjoin(Worksite, Worksite.id == Member.worksite_id)
    if within is not None:
        visible = Worksite.key.in_(within)
        base = base.where(visible if also is None else or_(visible, Member.id.in_(also)))
    if site is not None:
        base = base.where(Worksite.key == site_key(site))
    mention, platform_id = _MENTION.match(text), _PLATFORM_ID.match(text)
    if mention or platform_id:
        where = (MemberIdentity.user_id == mention.group(1) if mention else
                 (MemberIdentity.platform == platform_id.group(1)) & (MemberIdentity.user_id == platform_id.group(2)))
        return await _members(session, base.join(MemberIdentity, MemberIdentity.member_id == Member.id).where(where),
                              limit)
    by_id = await _members(session, base.outerjoin(MemberIdentity, MemberIdentity.member_id == Member.id)
                           .where(or_(MemberIdentity.user_id == text, Member.member_no == text,
                                      func.lower(Member.email) == text.lower())), limit)
    if by_id:
        return by_id
    exact = await _members(session, base.where(func.lower(Member.name) == text.lower()), limit)
    if exact:
        return exact
    return await _members(session, base.where(func.lower(Member.name).startswith(text.lower(), autoescape=True)),
                          limit)


async def _members(session: AsyncSession, stmt, limit: int) -> list[tuple[Member, str | None]]:
    rows = await session.exec(stmt.distinct().order_by(Member.on_roster.desc(), Member.name, Member.id).limit(limit))
    return [(member, where) for member, where in rows.all()]


async def find_account(session: AsyncSession, text: str) -> tuple[MemberIdentity, Member] | None:
    """The one account ``text`` names (a mention, ``platform:user_id`` or a bare user id), with its member."""
    text = text.strip()
    mention, platform_id = _MENTION.match(text), _PLATFORM_ID.match(text)
    where = (MemberIdentity.user_id == mention.group(1) if mention else
             (MemberIdentity.platform == platform_id.group(1)) & (MemberIdentity.user_id == platform_id.group(2))
             if platform_id else MemberIdentity.user_id == text)
    rows = (await session.exec(select(MemberIdentity, Member).join(Member, Member.id == MemberIdentity.member_id)
                               .where(where).limit(2))).all()
    return (rows[0][0], rows[0][1]) if len(rows) == 1 else None
