"""The FAQ through the real app: entries by id that reps add, edit and remove; duplicates refused; an English
and a Spanish entry of one question paired, each reader seeing theirs; a search ranks answers with all the
words first."""

from sqlalchemy import func, select

from storage.bargaining import FaqEntry

REP = {"role": "rep", "site": "Escalante Elementary"}
STRIKE = '/bargaining faq-add "Will we strike?" "Not now: a strike needs impasse and a strike-authorization vote."'
PAY = '/bargaining faq-add "Will I lose pay for picketing?" "No: pickets are before school, on our own time."'


async def test_entries_have_ids_to_edit_and_remove(bot, app):
    assert (await bot.ok("rosa", STRIKE, **REP)).startswith("Added to the FAQ as #1:")
    await bot.ok("rosa", PAY, **REP)
    assert "Changed FAQ entry #1:" in await bot.ok("rosa", '/bargaining faq-edit 1 answer:"Not yet."', **REP)
    assert "#1 Will we strike?\nNot yet." in await bot.ok("maria", "/bargaining faq")
    assert await bot.ok("rosa", "/bargaining faq-remove 2", **REP) == \
        "Removed FAQ entry #2: “Will I lose pay for picketing?”."
    assert "picketing" not in await bot.ok("maria", "/bargaining faq")
    assert "There is no FAQ entry #2" in await bot.fails("rosa", "/bargaining faq-edit 2 answer:x", **REP)
    assert "Only a site rep" in await bot.fails("maria", "/bargaining faq-remove 1")


async def test_a_duplicate_question_is_refused(bot, app):
    await bot.ok("rosa", STRIKE, **REP)
    error = await bot.fails("rosa", '/bargaining faq-add "will we STRIKE" "Maybe."', **REP)
    assert "already in the FAQ as #1" in error and "/bargaining faq-edit 1" in error
    await bot.ok("rosa", PAY, **REP)
    assert "already in the FAQ as #1" in await bot.fails("rosa", '/bargaining faq-edit 2 question:"Will we strike"',
                                                        **REP)
    await bot.ok("rosa", '/bargaining faq-add "Will we strike?" "Todavía no." lang:es', **REP)  # another language
    count = await app.db.read(lambda s: s.exec(select(func.count()).select_from(FaqEntry)))
    assert count.scalar_one() == 3


async def test_a_paired_question_shows_once_in_each_readers_language(bot):
    await bot.ok("rosa", STRIKE, **REP)
    await bot.ok("rosa", PAY, **REP)
    await bot.ok("rosa", '/bargaining faq-add "¿Vamos a hacer huelga?" "Ahora no: una huelga necesita impasse y un '
                         'voto de autorización." lang:es pair:1', **REP)
    english = await bot.ok("maria", "/bargaining faq")
    assert "#1 Will we strike?" in english and "huelga" not in english and "#2 Will I lose pay" in english
    await bot.ok("luis", "/member lang es")
    spanish = await bot.ok("luis", "/bargaining faq")
    assert "#3 ¿Vamos a hacer huelga?" in spanish and "Will we strike" not in spanish
    assert "#2 Will I lose pay" in spanish  # no Spanish version yet: the English one
    assert "#3 ¿Vamos a hacer huelga?" in await bot.ok("luis", "/bargaining faq strike")  # either language's words
    assert "are both in English" in await bot.fails("rosa", "/bargaining faq-pair 1 2", **REP)
    await bot.ok("rosa", '/bargaining faq-add "¿Perderé paga?" "No." lang:es', **REP)
    assert "Paired #2 and #4" in await bot.ok("rosa", "/bargaining faq-pair 2 4", **REP)
    assert "#4 ¿Perderé paga?" in await bot.ok("luis", "/bargaining faq")


async def test_a_search_shows_answers_with_all_the_words_first(bot):
    await bot.ok("rosa", STRIKE, **REP)
    await bot.ok("rosa", PAY, **REP)
    found = await bot.ok("maria", '/bargaining faq "will we strike"')
    head, entry = found.split("\n\n", 1)
    assert head == "1 answer matches “will we strike”:"
    assert entry.startswith("#1 Will we strike?") and "picketing" not in found
    some = await bot.ok("maria", "/bargaining faq will strike pension")
    assert some.startswith("No answer has all of “will strike pension”")
    assert some.index("#1 Will we strike?") < some.index("#2 Will I lose pay")
