"""``/bargaining faq…``: rumor control. Reps add, edit and remove answers by id; an English and a Spanish entry
of one question are paired, so each reader sees the question once, in their language where it is written."""

from __future__ import annotations

import re
import unicodedata

from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold
from bot.paging import PAGE, command_line
from bot.paging import page as paged
from bot.registry import Param
from bot.types import Reply, Role
from commands.bargaining import body_text, group
from storage import faq as store
from storage.bargaining import FaqEntry

LANGS = {"en": N_("English"), "es": N_("Spanish")}
ID = Param("id", N_("The entry’s number, as shown in /bargaining faq"), type=int, min_value=1)
LANG = Param("lang", N_("The language it is written in (default: yours)"), required=False, choices=tuple(LANGS),
             labels=LANGS)


def _fold(text: str) -> str:
    """Search ignores case and accents: “huelga” finds “Huelga”, “que” finds “qué”."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def _text(entry: FaqEntry) -> str:
    return f"#{entry.id} " + bold(entry.question) + "\n" + entry.answer


async def _entry(ctx: Context, entry_id: int) -> FaqEntry:
    entry = await ctx.session.get(FaqEntry, entry_id)
    if entry is None:
        raise UserError(N_("There is no FAQ entry #{id}. /bargaining faq lists them."), id=entry_id)
    return entry


async def _refuse_duplicate(ctx: Context, question: str, lang: str, entry_id: int | None = None) -> None:
    """One entry per question and language: the same words, whatever the case, accents or punctuation."""
    asked = _words(question)
    for entry in await store.entries(ctx.session):
        if entry.id != entry_id and entry.lang == lang and _words(entry.question) == asked:
            raise UserError(N_("That question is already in the FAQ as #{id}; change it with /bargaining faq-edit "
                               "{id}."), id=entry.id)


@group.command("faq-add", help=N_("Answer a question members are asking (rumor control)"), role=Role.rep, params=[
    Param("question", N_("The question, as members ask it"), max_length=500),
    Param("answer", N_("The accurate answer"), greedy=True, max_length=4000, multiline=True),
    LANG,
    Param("pair", N_("The number of the same question in the other language"), type=int, required=False,
          min_value=1)])
async def faq_add(ctx: Context, question: str, answer: str, lang: str | None, pair: int | None) -> Reply:
    lang = lang or ctx.tr.lang
    await _refuse_duplicate(ctx, question, lang)
    other = await _entry(ctx, pair) if pair is not None else None
    entry = FaqEntry(question=question, answer=body_text(answer), lang=lang, author_id=ctx.actor.member_id,
                     created_at=ctx.now)
    ctx.session.add(entry)
    await ctx.session.flush()
    if other is not None:
        await _pair(ctx, entry, other)
    return ctx.reply(ctx._("Added to the FAQ as #{id}:", id=entry.id) + "\n\n" + _text(entry))


@group.command("faq-edit", help=N_("Change a FAQ entry’s question or answer"), role=Role.rep, params=[
    ID,
    Param("question", N_("The question, as members ask it"), required=False, max_length=500),
    Param("answer", N_("The accurate answer"), required=False, max_length=4000, multiline=True)])
async def faq_edit(ctx: Context, id: int, question: str | None, answer: str | None) -> Reply:
    if question is None and answer is None:
        raise UserError(N_("Say what to change: question: or answer:."))
    entry = await _entry(ctx, id)
    if question is not None:
        await _refuse_duplicate(ctx, question, entry.lang, entry.id)
        entry.question = question
    entry.answer = body_text(answer) or entry.answer
    ctx.session.add(entry)
    return ctx.reply(ctx._("Changed FAQ entry #{id}:", id=id) + "\n\n" + _text(entry))


@group.command("faq-remove", help=N_("Take an entry out of the FAQ"), role=Role.rep, params=[ID])
async def faq_remove(ctx: Context, id: int) -> Reply:
    entry = await _entry(ctx, id)
    await store.unpair(ctx.session, entry)
    await ctx.session.delete(entry)
    return ctx.reply(ctx._("Removed FAQ entry #{id}: “{question}”.", id=id, question=entry.question))


@group.command("faq-pair", help=N_("Make an English and a Spanish entry one question, each reader seeing theirs"),
               role=Role.rep, params=[ID, Param("other", N_("The same question’s entry in the other language"),
                                                type=int, min_value=1)])
async def faq_pair(ctx: Context, id: int, other: int) -> Reply:
    first, second = await _entry(ctx, id), await _entry(ctx, other)
    await _pair(ctx, first, second)
    return ctx.reply(ctx._("Paired #{id} and #{other}: each reader sees the one in their language.", id=id,
                           other=other))


async def _pair(ctx: Context, first: FaqEntry, second: FaqEntry) -> None:
    if first.lang == second.lang:
        raise UserError(N_("#{id} and #{other} are both in {lang}: pair a question with its translation."),
                        id=first.id, other=second.id, lang=ctx._(LANGS.get(first.lang, first.lang)))
    await store.pair(ctx.session, first, second)


def _questions(ctx: Context, entries: list[FaqEntry]) -> list[tuple[FaqEntry, str]]:
    """Each question once — in the reader's language when written in it — with the words of every version,
    so a search in either language finds it."""
    by_id = {e.id: e for e in entries}
    out = []
    for entry in entries:
        partner = by_id.get(entry.pair_id) if entry.pair_id else None
        if partner is not None and partner.id < entry.id:
            continue
        versions = [entry, *([partner] if partner else [])]
        shown = next((e for e in versions if e.lang == ctx.tr.lang), entry)
        out.append((shown, " ".join(f"{e.question} {e.answer}" for e in versions)))
    return out


@group.command("faq", help=N_("Answers to the questions going around, or those matching your words"), writes=False,
               params=[Param("search", N_("Words to look for"), required=False, positional=True, greedy=True), PAGE])
async def faq(ctx: Context, search: str | None, page: int) -> Reply:
    questions = _questions(ctx, await store.entries(ctx.session))
    if not questions:
        return ctx.reply(ctx._("The FAQ is empty so far. Ask your site rep."))
    line = command_line("/bargaining faq", search=search)
    if not search:
        head = bold(ctx.n_("Rumor control: {n} question answered", "Rumor control: {n} questions answered",
                           len(questions)))
        return faq_page(ctx, head, [entry for entry, _words_of in questions], page, line)
    asked = list(dict.fromkeys(_words(search)))
    scored = []
    for entry, text in questions:
        words = _words(text)
        score = sum(any(w.startswith(a) for w in words) for a in asked)
        if score:
            scored.append((score, entry))
    if not scored:
        return ctx.reply(ctx._("Nothing in the FAQ matches “{search}”. Ask your site rep, so the answer can go in the "
                               "FAQ.", search=search))
    every = [entry for score, entry in scored if score == len(asked)]
    if every:
        head = ctx.n_("{n} answer matches “{search}”:", "{n} answers match “{search}”:", len(every), search=search)
        return faq_page(ctx, head, every, page, line)
    some = [entry for _score, entry in sorted(scored, key=lambda s: -s[0])]
    return faq_page(ctx, ctx._("No answer has all of “{search}”; these have some of the words:", search=search), some,
                  page, line)


def faq_page(ctx: Context, head: str, entries: list[FaqEntry], page: int, line: str) -> Reply:
    """Every entry, a page at a time: none is left out unsaid (a pure function of the entries, so a long FAQ
    can be rendered and checked without a database)."""
    shown = paged(ctx, head, [_text(e) for e in entries], page, line)
    return ctx.reply(shown.text, buttons=shown.buttons)
