"""Onboarding: a member who joins the campaign's workspace, channels or server gets one welcome by DM, in their
language: what the bot is, how to set their worksite (a type-ahead list where the platform has one), that
readiness polls are anonymous, and the language buttons; a member the platform's verified email matched to the
roster is told where they count instead of being asked.

A platform tells of a join as often as it likes (a redelivery, a join to each campaign channel, the same person
joining on a second platform); the stored welcome (:mod:`storage.onboarding`) makes it one DM per member, in
whichever process hears it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Context
from bot.i18n import Translator
from bot.markup import bold
from bot.types import Button, Effect, Message, Notify, Pick
from storage import onboarding as store
from storage.members import Member, worksite_name

WORKSITES = "worksites"  # the type-ahead list of the roster's worksites


async def worksites(session: AsyncSession, typed: str, limit: int) -> list[str]:
    return await store.worksites_like(session, typed, limit)


async def joined(ctx: Context) -> tuple[Effect, ...]:
    """The welcome of a member who just joined, once per member. A member whose language nobody knows yet
    (a platform may tell no locale of a join) reads it in every language the bot speaks; their first command, in
    their client's language, settles it."""
    assert ctx.inv is not None, "an event is about the member it names"
    member = await ctx.session.get(Member, ctx.member_id)
    assert member is not None
    if not await store.first_welcome(ctx.session, ctx.member_id, ctx.inv.identity.platform,
                                     ctx.inv.identity.user_id, ctx.now):
        return ()
    site = await worksite_name(ctx.session, member.worksite_id)
    catalogs = ctx.app.catalogs
    languages = [member.lang] if member.lang else catalogs.languages
    welcome = Welcome(ctx.config.campaign.name, member.name, site, member.on_roster, member.lang is not None)

    def render(tr: Translator) -> Message:
        buttons = tuple(Button(catalogs.get(lang).language_name.capitalize(), f"/member lang {lang}")
                        for lang in catalogs.languages)
        picks = () if welcome.counted else (Pick(tr._("Pick your worksite"), "/member site", WORKSITES),)
        return Message("\n\n".join(welcome.text(catalogs.get(lang)) for lang in languages), buttons, picks=picks)

    return (Notify((ctx.member_id,), render, key="welcome"),)


@dataclass(frozen=True)
class Welcome:
    """What a welcome says, given what the bot knows of the member when they join."""

    campaign: str
    name: str
    site: str | None
    on_roster: bool
    lang_known: bool

    @property
    def counted(self) -> bool:
        """The roster says where the member counts: nothing to pick."""
        return self.on_roster and self.site is not None

    def text(self, tr: Translator) -> str:
        lines = [bold(tr._("Welcome to {campaign}, {name}!", campaign=self.campaign, name=self.name)),
                 tr._("I’m the campaign’s bot: action sign-ups and reminders, bargaining news and polls, in your "
                      "language."),
                 self._site(tr),
                 tr._("Readiness polls are anonymous unless a poll says plainly that it is not: nobody else, and "
                      "nothing in any log, can see how you answered; organizers see only totals per worksite. Pledges "
                      "are the opposite: signed in public, on purpose.")]
        if self.lang_known:
            lines.append(tr._("Language: {lang}. Pick another with a button, or type /member lang and a code such as "
                              "es.", lang=tr.language_name))
        else:
            lines.append(tr._("Pick your language with a button, or type /member lang and a code such as es."))
        lines.append(tr._("/organizer help shows everything you can do."))
        return "\n".join(lines)

    def _site(self, tr: Translator) -> str:
        if self.counted:
            return tr._("You’re on the union’s roster as {name} ({site}): your answers count for your worksite.",
                        name=self.name, site=self.site)
        if self.site:
            return tr._("Your worksite: {site}. Another? Type /member site and its name.", site=self.site)
        return tr._("Set your worksite, where your answers count: type /member site and its name. On the union’s "
                    "roster? Type /member claim with your member number or email, and a rep will confirm it.")


OPTIONS = {WORKSITES: worksites}
EVENTS = {"joined": joined}
DONE = {"joined": store.welcomed}  # a member welcomed from any account: another join of theirs needs no lookup
