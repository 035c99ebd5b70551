"""The app object, built once and passed to every front-end: config, database, commands, catalogs.

:meth:`App.run` is the single path from an invocation to a reply. It resolves the member and
their role, checks permissions, runs the handler in a (group-committed) transaction, stores the
handler's effects in that same transaction, and turns every failure into a reply a member can
act on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import effects, home, incidents
from bot.clock import system_clock
from bot.config import Config
from bot.context import Context
from bot.errors import UserError
from bot.forms import form_for
from bot.i18n import N_, Catalogs, Translator
from bot.permissions import Actor, resolve_role, with_appointment
from bot.registry import Command, Registry
from bot.secret_key import server_key
from bot.types import Home, Identity, Invocation, Listing, Message, Reply, Role
from bot.voters import Voters
from storage import captains, listings, migrate, unreached
from storage.audit import AuditEntry
from storage.db import Database, DatabaseUnavailable, Together
from storage.members import Account, Member, Visit, find_account, find_member, members_for, seen
from storage.roster import by_verified_email
from storage.sql import id_of

log = logging.getLogger(__name__)


class App:
    def __init__(self, config: Config, registry: Registry, *, db: Database | None = None,
                 platforms: Iterable[str] | None = None, clock: Callable[[], datetime] = system_clock) -> None:
        """``registry`` holds the commands (:func:`commands.build_registry`, composed by the caller: the CLI, the
        runner, a test); ``platforms`` names the registered platforms effects go to (by default those that run in
        this terminal, :attr:`bot.platforms.Platform.foreground`)."""
        self.config = config
        self.registry = registry
        self.db = db or Database(config.database.url)
        self.catalogs = Catalogs(config.campaign.default_lang, config.campaign.tz, region=config.campaign.region)
        self.platforms = tuple(p.name for p in config.platforms if p.foreground) if platforms is None \
            else tuple(platforms)
        unknown = [name for name in self.platforms if name not in config.platforms]
        if unknown:
            raise ValueError(f"no platform registered as {', '.join(unknown)} (registered: {config.platforms})")
        self.clock = clock
        self.wakers: list[Callable[[], None]] = []  # background workers to nudge when effects were stored

    @cached_property
    def server_key(self) -> bytes:
        """The key behind keyed hashes (anonymous answers), read once: a vote burst hashes every answer."""
        return server_key(self.db.url)

    @cached_property
    def voters(self) -> Voters:
        return Voters(self.server_key)

    @property
    def edit_interval(self) -> timedelta:
        return timedelta(seconds=self.config.delivery.live_edit_interval_seconds)

    async def start(self) -> None:
        """Bring the database schema up to date; safe to run from every process at once."""
        await migrate.upgrade(self.db)

    async def close(self) -> None:
        await self.db.close()

    def translator(self, lang: str | None) -> Translator:
        return self.catalogs.get(lang)

    async def run_line(self, identity: Identity, line: str, *, channel: str | None = None,
                       claims: Iterable[str] = (), locale: str | None = None, can_open_forms: bool = False,
                       outside: bool = False, email: str | None = None) -> Reply:
        """Parse a command line as typed (a text command, a button) and run it."""
        inv = Invocation(identity, "", "", {}, channel, frozenset(claims), locale, can_open_forms, outside, email)
        if outside:
            return await self.run(inv)
        try:
            command, values = self.registry.parse_line(line)
        except UserError as exc:
            return self.error_reply(exc, await self._translator_for(inv))
        return await self.run(replace(inv, group=command.group, sub=command.name, args=values))

    async def run(self, inv: Invocation) -> Reply:
        tr = None
        try:
            if inv.outside:
                raise UserError(N_("This bot works only in the union’s own server. Use it there, or in a direct "
                                   "message to the bot."))
            command = self.registry.find(inv.group, inv.sub)
            if command.form and not inv.args and inv.can_open_forms:
                tr = await self._translator_for(inv)
                platform = self.config.platforms[inv.identity.platform] \
                    if inv.identity.platform in self.config.platforms else None
                return Reply(form=form_for(command, tr, platform.modal if platform else None), lang=tr.lang)
            try:
                args = command.bind(inv.args, self.catalogs)
            except UserError as exc:
                raise exc.with_usage(command.usage()) from None
            reply, tr = await self._execute(command, inv, args)
            if reply.effects:
                for wake in self.wakers:
                    wake()
            return replace(reply, lang=tr.lang)
        except UserError as exc:
            return self.error_reply(exc, tr or await self._translator_for(inv))
        except _Refused as refused:
            return self.error_reply(refused.error, refused.tr)
        except DatabaseUnavailable:
            log.warning("database unavailable during /%s %s", inv.group, inv.sub)
            return self._failure(N_("The database isn’t answering right now, so nothing was changed. "
                                    "Please try again in a minute."), tr)
        except Exception:  # noqa: BLE001 - every failure becomes a reply
            ref = incidents.report(log, "/%s %s", inv.group, inv.sub)
            return self._failure(N_("Something broke on our side (ref {ref}) and nothing was changed. "
                                    "Please try again; if it keeps happening, tell an organizer the ref."), tr, ref=ref)

    async def _execute(self, command: Command, inv: Invocation, args: dict[str, Any]) -> tuple[Reply, Translator]:
        role, sites = resolve_role(self.config.roles, inv, self.config.platforms)
        now = self.clock()
        if command.together:
            click = _Click(inv, role, sites, now)
            key = ((command.group, args[command.together]), (command.path, tuple(sorted(args.items()))))
            done: tuple[Reply, Translator] = await self.db.write_together(key, self._together(command, args), click)
            return done

        stale: list[Account] = []  # a read-only command's account, to be marked seen after the read

        async def work(session: AsyncSession) -> tuple[Reply, Translator]:
            ident = inv.identity
            member: Member | None
            if command.writes:
                member = (await self._members(session, [_Click(inv, role, sites, now)]))[0]
            else:
                account = await find_account(session, ident.platform, ident.user_id)
                member = account.member if account else None
                if account is not None and account.stale(ident.display_name, now):
                    stale[:] = [account]
            ctx = await self._appointed_context(session, _Click(inv, role, sites, now), member)
            try:
                ctx.require(command.role)
                reply = await command.one(ctx, **args)
            except UserError as exc:
                raise _Refused(exc, ctx.tr, ctx.actor.name) from None
            await effects.store(self, session, reply.effects, now)
            if command.writes:
                await home.changed(self, session, [(ctx.actor.member_id, inv)], now)
            if command.audited and not reply.error:
                session.add(audit_entry(ctx.actor.name, refused=False))
            return reply, ctx.tr

        def audit_entry(viewer: str, *, refused: bool) -> AuditEntry:
            return AuditEntry(at=now, viewer=viewer, platform=inv.identity.platform, user_id=inv.identity.user_id,
                              command=command.path, args=_jsonable(args), refused=refused)

        if not (command.writes or command.audited):
            result = await self.db.read(work)
            if stale:
                await self.db.write(lambda s: seen(s, stale[0], inv.identity.display_name, now))
            return result
        try:
            return await self.db.write(work)
        except _Refused as refused:
            if command.audited:  # the refused attempt is kept, in a transaction of its own
                entry = audit_entry(refused.viewer, refused=True)
                await self.db.write(lambda session: _add(session, entry))
            raise

    def _together(self, command: Command, args: dict[str, Any]) -> Together:
        """The writer's call for clicks of ``command`` with the same ``args`` that arrived together: their
        members looked up at once, then one call of the handler with every click's context (a batch of
        one is a single click). A refusal fails the call, and each click then runs alone (storage/db.py),
        so the click it concerns is refused in its own language and nothing of it is kept."""
        async def run(session: AsyncSession, clicks: list[_Click]) -> list[tuple[Reply, Translator]]:
            members = await self._members(session, clicks)
            contexts = [self._context(session, click, member) for click, member in zip(clicks, members)]
            try:
                for ctx in contexts:
                    ctx.require(command.role)
                replies = await command.batch(contexts, **args)
            except UserError as exc:
                raise _Refused(exc, contexts[0].tr, contexts[0].actor.name) from None
            for ctx, reply in zip(contexts, replies, strict=True):
                await effects.store(self, session, reply.effects, ctx.now)
            await home.changed(self, session, [(m.id, c.inv) for c, m in zip(clicks, members)], clicks[-1].now)
            return [(reply, ctx.tr) for ctx, reply in zip(contexts, replies)]
        return run

    async def _members(self, session: AsyncSession, clicks: list[_Click]) -> list[Member]:
        """Each click's member, registered on first contact in the language the platform hints at (kept until
        /member lang, so DMs speak as replies do), and matched to its roster row by a verified email. An account
        that had refused DMs (:mod:`storage.unreached`) is in use again, so its next DM is tried."""
        hints = [self.catalogs.match(click.inv.locale) for click in clicks]
        members = await members_for(session, [Visit(c.inv.identity.platform, c.inv.identity.user_id,
                                                    c.inv.identity.display_name, hint)
                                              for c, hint in zip(clicks, hints)], clicks[0].now)
        await unreached.clear(session, {(c.inv.identity.platform, c.inv.identity.user_id) for c in clicks})
        out = []
        for click, hint, member in zip(clicks, hints, members):
            if member.lang is None:
                member.lang = hint
            if click.inv.email and not member.on_roster:
                member = await by_verified_email(session, self.voters, member, click.inv.identity.platform,
                                                 click.inv.identity.user_id, click.inv.email)
            out.append(member)
        return out

    async def _appointed_context(self, session: AsyncSession, click: _Click, member: Member | None) -> Context:
        """The context of a member whose role config alone gives, raised to captain where a rep appointed them."""
        appointed = await captains.site_of(session, id_of(member)) if member and click.role < Role.captain else None
        held = with_appointment(click.role, click.sites, appointed.name if appointed else None)
        return self._context(session, replace(click, role=held[0], sites=held[1]), member)

    def _context(self, session: AsyncSession, click: _Click, member: Member | None) -> Context:
        tr = self.catalogs.get((member.lang if member else None) or click.inv.locale)
        actor = Actor(member.id if member else None, member.name if member else click.inv.identity.display_name,
                      click.role, click.sites)
        return Context(self, session, actor, tr, click.now, click.inv)

    async def event(self, name: str, inv: Invocation) -> bool:
        """A platform event about a member (``joined``): its handler runs as that member, who is registered and
        matched to the roster as a command's invoker is, and the effects it returns are stored in the same
        transaction. Returns whether it stored any. ``inv`` carries only the member and the platform's hints."""
        handler = self.registry.events[name]
        role, sites = resolve_role(self.config.roles, inv, self.config.platforms)
        click = _Click(inv, role, sites, self.clock())

        async def work(session: AsyncSession) -> bool:
            [member] = await self._members(session, [click])
            stored = await handler(self._context(session, click, member))
            await effects.store(self, session, stored, click.now)
            return bool(stored)

        stored = await self.db.write(work)
        if stored:
            for wake in self.wakers:
                wake()
        return stored

    async def event_due(self, name: str, identity: Identity) -> bool:
        """Whether an event about this account could still do anything (``Registry.done``; an event without that
        check always could). Read-only: a platform asks first when learning more of the member costs it a
        rate-limited call."""
        done = self.registry.done.get(name)
        if done is None:
            return True
        return not await self.db.read(lambda session: done(session, identity.platform, identity.user_id))

    async def options(self, source: str, typed: str, limit: int) -> list[str]:
        """Up to ``limit`` options of a type-ahead list (:attr:`bot.registry.Registry.options`) for what the member
        typed so far."""
        found = self.registry.options[source]
        return await self.db.read(lambda session: found(session, typed, limit))

    async def run_job(self, name: str, args: dict[str, Any], session: AsyncSession) -> None:
        """Run a scheduled job inside the caller's transaction, storing the effects it returns."""
        handler = self.registry.jobs[name]
        tr = self.catalogs.get(None)
        now = self.clock()
        ctx = Context(self, session, Actor(None, "organizer-bot", Role.leader), tr, now)
        await effects.store(self, session, tuple(await handler(ctx, **args)), now)

    async def listing(self, ref: str, platform: str, lang: str | None) -> tuple[Listing | None, str | None]:
        """The event ``ref`` names as platforms list it now, in ``lang`` (None: it should not be listed), and
        ``platform``'s id for its copy of it, if it holds one (:mod:`storage.listings`)."""
        prefix, _, number = ref.partition(":")
        source = self.registry.listings[prefix]

        async def work(session: AsyncSession) -> tuple[Listing | None, str | None]:
            tr = self.catalogs.get(lang)
            ctx = Context(self, session, Actor(None, "organizer-bot", Role.leader), tr, self.clock())
            return await source(ctx, int(number)), await listings.copy_of(session, ref, platform)

        return await self.db.read(work)

    async def home_opened(self, inv: Invocation) -> None:
        """The member opened their page: registered as a command's invoker is, and the page queued (:mod:`bot.home`)."""
        click = _Click(inv, Role.member, frozenset(), self.clock())

        async def work(session: AsyncSession) -> None:
            [member] = await self._members(session, [click])
            await home.opened(self, session, id_of(member), inv, click.now)

        await self.db.write(work)
        for wake in self.wakers:
            wake()

    async def home(self, inv: Invocation) -> Home:
        """The member's page as they would see it now, for the role ``inv``'s claims give them
        (:mod:`commands.home`)."""
        from commands.home import compose

        role, sites = resolve_role(self.config.roles, inv, self.config.platforms)
        now = self.clock()

        async def work(session: AsyncSession) -> Home:
            account = await find_account(session, inv.identity.platform, inv.identity.user_id)
            member = account.member if account else None
            return await compose(await self._appointed_context(session, _Click(inv, role, sites, now), member))

        return await self.db.read(work)

    def error_reply(self, error: UserError, tr: Translator) -> Reply:
        text = tr._(error.msgid, **error.params)
        if error.usage:
            text += "\n" + tr._("Usage: {usage}", usage=error.usage)
        return Reply(Message(text), error=True, lang=tr.lang, field=error.field)

    def _failure(self, msgid: str, tr: Translator | None, **params: object) -> Reply:
        tr = tr or self.catalogs.get(None)
        return Reply(Message(tr._(msgid, **params)), error=True, lang=tr.lang)

    async def _translator_for(self, inv: Invocation) -> Translator:
        async def lang(session: AsyncSession) -> str | None:
            member = await find_member(session, inv.identity.platform, inv.identity.user_id)
            return member.lang if member else None

        try:
            return self.catalogs.get(await self.db.read(lang) or inv.locale)
        except DatabaseUnavailable:
            return self.catalogs.get(inv.locale)


def _jsonable(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v) for k, v in args.items()}


async def _add(session: AsyncSession, row: AuditEntry) -> None:
    session.add(row)


@dataclass(frozen=True)
class _Click:
    """One invocation on its way to the writer: who, with what role, at what moment."""

    inv: Invocation
    role: Role
    sites: frozenset[str]
    now: datetime


class _Refused(Exception):
    """A UserError raised inside the transaction, carrying the member's translator (and name, for the
    audit trail) out of it."""

    def __init__(self, error: UserError, tr: Translator, viewer: str) -> None:
        super().__init__(error.msgid)
        self.error, self.tr, self.viewer = error, tr, viewer
