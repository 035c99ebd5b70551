"""``/chant``: the union's library of call-and-response chants, members' suggestions, and picket sheets
(for a tag, or for an action: its announcement points to the sheet of the chants attached to it)."""

from __future__ import annotations

import re
from dataclasses import replace

from babel import Locale, UnknownLocaleError

from bot import permissions
from bot.context import Context
from bot.errors import UserError, about
from bot.i18n import N_, Translator
from bot.markup import bold
from bot.paging import PAGE, command_line
from bot.paging import page as paged
from bot.registry import Group, Param
from bot.types import Attachment, Button, Message, Notify, Refresh, Reply, Role
from commands import actions
from commands.chant_text import MAX_CHARS, MAX_TITLE, SheetChant, chant_paragraph, parse_lines, sheet_html
from storage import chants as store
from storage.chants import APPROVED, PENDING, Chant

group = Group("chant", N_("Chants: the library, suggestions, and a sheet to bring to a picket"))

MAX_TAGS = 10
_ID = Param("id", N_("The chant’s number, as in /chant list"), type=int, min_value=1)
_TITLE = Param("title", N_("The chant’s name (in quotes if it has spaces)"), max_length=MAX_TITLE,
               label=N_("Chant name"))
_LINES = Param("lines", N_("Lines split by “ / ” or new lines; “call | response” when the crowd answers the leader"),
               greedy=True, multiline=True, max_length=MAX_CHARS, label=N_("Lines"))
_TAGS = Param("tags", N_("Tags separated by commas, such as picket,board"), required=False, label=N_("Tags"))
_LANG = Param("lang", N_("The chant’s language code, such as en or es"), required=False, max_length=16,
              label=N_("Language code"))
_CHANT = replace(_ID, name="chant")
_ACTION = replace(actions.ID, name="action")


def _tags(raw: str | None) -> list[str]:
    tags = list(dict.fromkeys(t for t in (_tag(part) for part in (raw or "").split(",")) if t))
    if len(tags) > MAX_TAGS:
        raise UserError(N_("A chant can have at most {limit} tags."), limit=MAX_TAGS)
    for tag in tags:
        if len(tag) > 40:
            raise UserError(N_("The tag “{tag}” is too long: the limit is 40 characters."), tag=tag[:40] + "…")
    return tags


def _tag(raw: str) -> str:
    return " ".join(raw.strip().lstrip("#").split()).casefold()


def _lang(code: str) -> str:
    try:
        return Locale.parse(code.strip().replace("-", "_")).language
    except (UnknownLocaleError, ValueError):
        raise UserError(N_("“{lang}” is not a language code: use one such as en or es."), lang=code) from None


def _language_name(code: str, reader: str) -> str:
    """A chant's language as the reader names it (“inglés”), or its code if Babel has no name for it."""
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (UnknownLocaleError, ValueError):
        return code


async def _visible(ctx: Context, chant_id: int, *, for_update: bool = False) -> Chant:
    """A chant the asker may see: approved ones, or a suggestion to a reviewer or to its author."""
    chant = await store.get(ctx.session, chant_id, for_update=for_update)
    if chant is None or (chant.status != APPROVED and not permissions.may_review(ctx.actor)
                         and (ctx.actor.member_id is None or chant.author_id != ctx.actor.member_id)):
        raise UserError(N_("There is no chant #{id}. /chant list shows them all."), id=chant_id)
    return chant


async def _pending(ctx: Context, chant_id: int) -> Chant:
    chant = await _visible(ctx, chant_id, for_update=True)
    if chant.status != PENDING:
        raise UserError(N_("Chant #{id} is not waiting for review: it is already {status}."),
                        id=chant_id, status=ctx._(_STATUS[chant.status]))
    return chant


_STATUS = {APPROVED: N_("approved"), PENDING: N_("waiting for review"), store.REJECTED: N_("rejected")}


def _heading(chant: Chant) -> str:
    return f"#{chant.id} {chant.title}"


async def _profile(ctx: Context) -> list[str]:
    """What /member me shows: the chants this member wrote, which stay in the library without their name
    if they ask the bot to forget them."""
    mine = await store.by_author(ctx.session, ctx.member_id)
    if not mine:
        return []
    return [ctx._("Chants you wrote (they stay in the library, without your name, if you use /member forget): "
                  "{chants}", chants=", ".join(f"#{c.id} {c.title}" for c in mine))]


PROFILE = [_profile]


@group.command("add", help=N_("Add a chant to the library"), role=Role.rep, form=True, title=N_("Add a chant"),
               params=[_TITLE, _LINES, _TAGS, _LANG])
async def add(ctx: Context, title: str, lines: str, tags: str | None, lang: str | None) -> Reply:
    with about("lines"):
        parsed = parse_lines(lines)
    with about("lang"):
        code = _lang(lang or ctx.tr.lang)
    with about("tags"):
        tagged = _tags(tags)
    chant = await store.add(ctx.session, Chant(title=title, lines=lines, lang=code, status=APPROVED,
                                                author_id=ctx.member_id, created_at=ctx.now, updated_at=ctx.now),
                            tagged)
    shown = chant_paragraph(ctx.tr, _heading(chant), parsed)
    return ctx.reply(ctx._("Added chant #{id}:", id=chant.id) + "\n\n" + shown)


@group.command("suggest", help=N_("Suggest a chant; a rep adds it to the library"), form=True,
               title=N_("Suggest a chant"), params=[_TITLE, _LINES])
async def suggest(ctx: Context, title: str, lines: str) -> Reply:
    with about("lines"):
        parse_lines(lines)
    chant = await store.add(ctx.session, Chant(title=title, lines=lines, lang=ctx.tr.lang, status=PENDING,
                                                author_id=ctx.member_id, created_at=ctx.now, updated_at=ctx.now), [])
    return ctx.reply(ctx._("Thanks! Your chant #{id} “{title}” is waiting for a rep to review it; I’ll tell you "
                           "when they do.", id=chant.id, title=title))


@group.command("pending", help=N_("Show suggested chants waiting for review"), role=Role.rep, writes=False)
async def pending(ctx: Context) -> Reply:
    chants = await store.find(ctx.session, PENDING)
    if not chants:
        return ctx.reply(ctx._("No suggested chants are waiting for review."))
    blocks = [ctx.n_("{n} suggested chant is waiting for review. Approve with /chant approve <id> or reject with "
                     "/chant reject <id> [reason].", "{n} suggested chants are waiting for review. Approve with "
                     "/chant approve <id> or reject with /chant reject <id> [reason].", len(chants))]
    blocks += [chant_paragraph(ctx.tr, _heading(c), parse_lines(c.lines)) for c in chants]
    return ctx.reply("\n\n".join(blocks))


@group.command("approve", help=N_("Add a suggested chant to the library"), role=Role.rep,
               params=[_ID])
async def approve(ctx: Context, id: int) -> Reply:
    chant = await _pending(ctx, id)
    chant.status, chant.updated_at = APPROVED, ctx.now
    title = chant.title

    def notice(tr: Translator) -> Message:
        return Message(tr._("Your chant “{title}” is now in the union’s chant library as #{id}. Thank you!",
                            title=title, id=id))

    return ctx.reply(ctx._("Approved chant #{id} “{title}”.", id=id, title=title),
                     effects=_tell_author(chant, notice))


@group.command("reject", help=N_("Turn down a suggested chant, saying why"), role=Role.rep,
               params=[_ID, Param("reason", N_("Why, in a few words (the member sees it)"), required=False,
                                  positional=True, greedy=True, max_length=400)])
async def reject(ctx: Context, id: int, reason: str | None) -> Reply:
    chant = await _pending(ctx, id)
    chant.status, chant.reject_reason, chant.updated_at = store.REJECTED, reason, ctx.now
    title = chant.title

    def notice(tr: Translator) -> Message:
        text = tr._("Your chant “{title}” was not added to the union’s chant library.", title=title)
        if reason:
            text += "\n\n" + tr._("The reason: {reason}", reason=reason)
        return Message(text)

    return ctx.reply(ctx._("Rejected chant #{id} “{title}”; the member who suggested it will be told.",
                           id=id, title=title), effects=_tell_author(chant, notice))


def _tell_author(chant: Chant, render) -> tuple[Notify, ...]:
    if chant.author_id is None:
        return ()
    return (Notify((chant.author_id,), render, key=f"chant-review:{chant.id}"),)


@group.command("list", help=N_("List the chants in the library, or those with a tag"), writes=False,
               params=[Param("tag", N_("Only chants with this tag"), required=False, positional=True, max_length=40)])
async def list_chants(ctx: Context, tag: str | None) -> Reply:
    chants = await store.find(ctx.session, APPROVED, tag=_tag(tag) if tag else None)
    if not chants:
        if tag:
            return ctx.reply(ctx._("No chants are tagged “{tag}”.", tag=tag))
        return ctx.reply(ctx._("The chant library is empty. Reps add chants with /chant add; anyone can "
                               "/chant suggest one."))
    tags = await store.tags_of(ctx.session, [c.id for c in chants])
    rows = [f"#{c.id} {c.title} ({c.lang})" + (" · " + ", ".join(tags[c.id]) if tags[c.id] else "") for c in chants]
    return ctx.reply("\n".join(rows) + "\n\n" + ctx._("/chant show <id> shows one chant; /chant sheet makes a "
                                                      "sheet to bring along."))


@group.command("show", help=N_("Show one chant, the leader’s calls and the crowd’s responses"), writes=False,
               params=[_ID])
async def show(ctx: Context, id: int) -> Reply:
    chant = await _visible(ctx, id)
    tags = (await store.tags_of(ctx.session, [id]))[id]
    about = [ctx._("Language: {lang}", lang=_language_name(chant.lang, ctx.tr.lang))]
    if tags:
        about.append(ctx._("Tags: {tags}", tags=", ".join(tags)))
    if chant.status != APPROVED:
        about.append(ctx._("Status: {status}", status=ctx._(_STATUS[chant.status])))
    buttons: tuple[Button, ...] = ()
    if chant.status == PENDING and permissions.may_review(ctx.actor):
        buttons = (Button(ctx._("Approve"), f"/chant approve {id}", "primary"),
                   Button(ctx._("Reject"), f"/chant reject {id}", "danger"))
    return ctx.reply(chant_paragraph(ctx.tr, _heading(chant), parse_lines(chant.lines)) + "\n\n" + " · ".join(about),
                     buttons=buttons)


@group.command("edit", help=N_("Change a chant’s title, lines, tags or language"), role=Role.rep,
               params=[_ID, Param("title", _TITLE.help, required=False, max_length=MAX_TITLE),
                       Param("lines", _LINES.help, required=False, multiline=True, max_length=MAX_CHARS), _TAGS, _LANG])
async def edit(ctx: Context, id: int, title: str | None, lines: str | None, tags: str | None,
               lang: str | None) -> Reply:
    if title is None and lines is None and tags is None and lang is None:
        raise UserError(N_("Say what to change: title:…, lines:…, tags:… or lang:…."))
    chant = await _visible(ctx, id, for_update=True)
    await _require_sheets(ctx, await store.actions_of(ctx.session, id))
    if lines is not None:
        parse_lines(lines)
        chant.lines = lines
    if title is not None:
        chant.title = title
    if lang is not None:
        chant.lang = _lang(lang)
    if tags is not None:
        await store.set_tags(ctx.session, id, _tags(tags))
    chant.updated_at = ctx.now
    return ctx.reply(ctx._("Changed chant #{id}:", id=id) + "\n\n"
                     + chant_paragraph(ctx.tr, _heading(chant), parse_lines(chant.lines)))


@group.command("remove", help=N_("Take a chant out of the library"), role=Role.rep, params=[_ID])
async def remove(ctx: Context, id: int) -> Reply:
    chant = await _visible(ctx, id, for_update=True)
    action_ids = await store.actions_of(ctx.session, id)
    await _require_sheets(ctx, action_ids)
    await ctx.session.delete(chant)
    await ctx.session.flush()
    return ctx.reply(ctx._("Removed chant #{id} “{title}”.", id=id, title=chant.title),
                     effects=_announcements(action_ids))


async def _require_sheets(ctx: Context, action_ids: list[int]) -> None:
    """A chant on an action's sheet is changed or removed only by someone who may take it off that sheet."""
    for action_id in action_ids:
        await actions.require_organizer(ctx, await actions.get_action(ctx, action_id))


def _announcements(action_ids: list[int]) -> tuple[Refresh, ...]:
    """The live announcements of these actions, so each shows (or drops) its pointer to the chant sheet."""
    return tuple(actions.live(action_id) for action_id in action_ids)


@group.command("attach", help=N_("Put a chant on an action’s sheet; the action’s announcement points to it"),
               role=Role.rep, params=[_CHANT, _ACTION])
async def attach(ctx: Context, chant: int, action: int) -> Reply:
    event = await actions.open_action(ctx, action)
    await actions.require_organizer(ctx, event)
    found = await _visible(ctx, chant)
    if found.status != APPROVED:
        raise UserError(N_("Only approved chants go on a sheet, and chant #{id} is {status}."),
                        id=chant, status=ctx._(_STATUS[found.status]))
    if not await store.attach(ctx.session, chant, action):
        return ctx.reply(ctx._("Chant #{id} “{title}” is already on the sheet for “{action}”.",
                               id=chant, title=found.title, action=event.title))
    return ctx.reply(ctx._("Chant #{id} “{title}” is on the sheet for “{action}”: /chant sheet action:{action_id}",
                           id=chant, title=found.title, action=event.title, action_id=action),
                     effects=_announcements([action]))


@group.command("detach", help=N_("Take a chant off an action’s sheet"), role=Role.rep, params=[_CHANT, _ACTION])
async def detach(ctx: Context, chant: int, action: int) -> Reply:
    event = await actions.get_action(ctx, action)
    await actions.require_organizer(ctx, event)
    found = await _visible(ctx, chant)
    if not await store.detach(ctx.session, chant, action):
        return ctx.reply(ctx._("Chant #{id} “{title}” was not on the sheet for “{action}”.",
                               id=chant, title=found.title, action=event.title))
    return ctx.reply(ctx._("Took chant #{id} “{title}” off the sheet for “{action}”.",
                           id=chant, title=found.title, action=event.title),
                     effects=_announcements([action]))


@group.command("sheet", help=N_("A numbered chant sheet for a picket, with a printable file"), writes=False,
               params=[Param("tag", N_("Only chants with this tag"), required=False, max_length=40),
                       Param("action", N_("Only the chants attached to this action"), type=int, required=False,
                             min_value=1), _LANG, PAGE])
async def sheet(ctx: Context, tag: str | None, action: int | None, lang: str | None, page: int) -> Reply:
    """Filters combine: ``action:12 tag:spanish`` is the chants on action 12's sheet that carry the tag."""
    code = _lang(lang) if lang else None
    event = await actions.get_action(ctx, action) if action else None
    chants = await store.find(ctx.session, APPROVED, tag=_tag(tag) if tag else None, lang=code, action_id=action)
    if not chants and event is not None and not await store.attached(ctx.session, action):
        raise UserError(N_("No chants are attached to “{title}” yet. A rep adds them with /chant attach <chant> "
                           "{id}."), title=event.title, id=action)
    if not chants:
        raise UserError(N_("No approved chants match, so there is no sheet to make. /chant list shows the library."))
    heading = ctx._("Chant sheet: {tag}", tag=tag) if tag else ctx._("Chant sheet")
    if event is not None:
        heading = ctx._("Chant sheet for “{title}”", title=event.title) + (f" · {tag}" if tag else "")
    entries = [SheetChant(c.title, c.lang, parse_lines(c.lines)) for c in chants]
    return sheet_page(ctx, heading, entries, page, tag=tag, action=action, lang=lang)


def sheet_page(ctx: Context, heading: str, entries: list[SheetChant], page: int, *, tag: str | None = None,
               action: int | None = None, lang: str | None = None) -> Reply:
    """Page ``page`` of a chant sheet, the printable file with the first (a pure function of the chants, so a
    campaign-size sheet can be rendered and checked without a database)."""
    shown = paged(ctx, bold(heading), [chant_paragraph(ctx.tr, f"{n}. {c.title}", c.lines)
                                       for n, c in enumerate(entries, start=1)], page,
                  command_line("/chant sheet", tag=tag, action=action, lang=lang))
    if not shown.first:
        return ctx.reply(shown.text, buttons=shown.buttons)
    slug = "-".join(part for part in (f"action-{action}" if action else "",
                                      re.sub(r"[^\w-]+", "-", _tag(tag)).strip("-") if tag else "") if part)
    code = _lang(lang) if lang else None
    sheet_file = Attachment(f"chant-sheet-{slug}.html" if slug else "chant-sheet.html",
                            sheet_html(ctx.tr, heading, code or ctx.tr.lang, entries), "text/html", heading)
    return ctx.reply(shown.text, buttons=shown.buttons, attachments=(sheet_file,))
