"""Dates and times as organizers type them, in English and Spanish, read against an injected clock.

Every command that reads a typed date asks dateparser for the member's language and the campaign's only: left
to itself dateparser tries every language it knows, and the first date it could not read in a process took
2.6–4.9 s (issue 20)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dateparser.date
import pytest

from bot.dates import read
from tests.support import TEST_CONFIG, Clock

TZ = ZoneInfo(TEST_CONFIG["campaign"]["timezone"])
MONDAY_9AM = Clock(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))  # Mon 30 Nov 2026, 09:00 PST
MONDAY_3PM = Clock(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # the same day, 15:00 PST
SPRING_FORWARD_EVE = Clock(datetime(2027, 3, 13, 23, 0, tzinfo=UTC))  # Sat 13 Mar 2027, 15:00 PST; PDT tomorrow
FALL_BACK_EVE = Clock(datetime(2026, 10, 31, 22, 0, tzinfo=UTC))  # Sat 31 Oct 2026, 15:00 PDT; PST tomorrow
LEAD = {"role": "leader"}

# phrase → the local time it names ("YYYY-MM-DD HH:MM"), the day alone ("YYYY-MM-DD"), or None (refused),
# typed on MONDAY_9AM by a member reading Spanish (day first) or English (month first).
SPANISH = {
    "el lunes 7:15am": "2026-12-07 07:15",
    "lunes 7:15 a. m.": "2026-12-07 07:15",
    "lunes 7:15": "2026-12-07 07:15",
    "el lunes a las 7:15 de la mañana": "2026-12-07 07:15",
    "lun, 7 de dic, 7:15\u202fa.m. PST": "2026-12-07 07:15",  # the bot's own output, read back
    "lun, 7 de dic, 7:15 a. m. PST": "2026-12-07 07:15",
    "vie, 3 de dic de 2027, 7:15\u202fa.m. PST": "2027-12-03 07:15",
    "vie, 4 de dic, 6:00 p.m. PST": "2026-12-04 18:00",
    "pasado mañana 5pm": "2026-12-02 17:00",
    "pasado mañana a las 5 de la tarde": "2026-12-02 17:00",
    "el próximo lunes a las 7": "2026-12-07 07:00",
    "el 9 de diciembre a las 17:00": "2026-12-09 17:00",
    "9/12 17:00": "2026-12-09 17:00",
    "9/12/2026 17:00": "2026-12-09 17:00",
    "09/12 7:15": "2026-12-09 07:15",
    "03/12/2026 7:15": "2026-12-03 07:15",
    "15/1 8:00": "2027-01-15 08:00",
    "1 de enero a las 10": "2027-01-01 10:00",
    "mañana 7:15": "2026-12-01 07:15",
    "mañana a las 7:15 a. m.": "2026-12-01 07:15",
    "mañana a las 7 de la mañana": "2026-12-01 07:00",
    "mañana al mediodía": "2026-12-01 12:00",
    "hoy 5pm": "2026-11-30 17:00",
    "hoy a las 5 de la tarde": "2026-11-30 17:00",
    "hoy a las 17:00": "2026-11-30 17:00",
    "7:15": "2026-12-01 07:15",  # a time alone that has gone by today: tomorrow's
    "a las 7": "2026-12-01 07:00",
    "a las 19 h": "2026-11-30 19:00",
    "19h": "2026-11-30 19:00",
    "19:30 h": "2026-11-30 19:30",
    "7:15 p. m.": "2026-11-30 19:15",
    "mediodía": "2026-11-30 12:00",
    "el viernes a las 18:00": "2026-12-04 18:00",
    "este viernes 18:00": "2026-12-04 18:00",
    "viernes 6pm": "2026-12-04 18:00",
    "el martes que viene a las 6:30 p. m.": "2026-12-01 18:30",
    "el sábado a la 1 de la tarde": "2026-12-05 13:00",
    "el sabado 10am": "2026-12-05 10:00",
    "domingo 8 de la noche": "2026-12-06 20:00",
    "el domingo a las 8 de la noche": "2026-12-06 20:00",
    "el miércoles a las 7:15": "2026-12-02 07:15",
    "miercoles 7:15": "2026-12-02 07:15",
    "jue, 3 de dic 5pm": "2026-12-03 17:00",
    "3 de diciembre 17:00": "2026-12-03 17:00",
    "el 3 de dic a las 5pm": "2026-12-03 17:00",
    "10 dic 18:30": "2026-12-10 18:30",
    "10 de diciembre de 2026 a las 18:30": "2026-12-10 18:30",
    "2026-12-03 17:00": "2026-12-03 17:00",
    "en 2 horas": "2026-11-30 11:00",
    "dentro de 2 horas": "2026-11-30 11:00",
    "en 30 minutos": "2026-11-30 09:30",
    "en 3 días": "2026-12-03",
    "mañana": "2026-12-01",
    "pasado mañana": "2026-12-02",
    "hoy": "2026-11-30",
    "3 de diciembre": "2026-12-03",
    "el 3 de diciembre": "2026-12-03",
    "el próximo viernes": "2026-12-04",
    "3/12": "2026-12-03",
    "ayer": "2026-11-29",
    "el jueves pasado": "2026-11-26",
    "jueves pasado": "2026-11-26",
    "el pasado jueves": "2026-11-26",
    "cuando sea": None,
    "blablá": None,
}
ENGLISH = {
    "Mon, Dec 7, 7:15\u202fAM PST": "2026-12-07 07:15",  # the bot's own output, read back
    "Mon, Dec 7, 7:15 AM PST": "2026-12-07 07:15",
    "Fri, Dec 3, 2027, 7:15 AM PST": "2027-12-03 07:15",
    "Sun, Dec 6, 6:15 AM PST": "2026-12-06 06:15",
    "Thu, Dec 3 5pm": "2026-12-03 17:00",
    "Dec 3 5pm": "2026-12-03 17:00",
    "December 3 at 5pm": "2026-12-03 17:00",
    "dec 3 at 5 pm": "2026-12-03 17:00",
    "December 3rd 5pm": "2026-12-03 17:00",
    "on Monday at 7": "2026-12-07 07:00",
    "monday 7:15am": "2026-12-07 07:15",
    "Monday 7:15 a.m.": "2026-12-07 07:15",
    "next monday 7am": "2026-12-07 07:00",
    "this friday 6pm": "2026-12-04 18:00",
    "friday 18:00": "2026-12-04 18:00",
    "Friday at 6pm": "2026-12-04 18:00",
    "sat 10am": "2026-12-05 10:00",
    "wednesday 7:15": "2026-12-02 07:15",
    "Wed 7:15am": "2026-12-02 07:15",
    "thu 5:30 pm": "2026-12-03 17:30",
    "sunday 6:15am": "2026-12-06 06:15",
    "tomorrow 7:15am": "2026-12-01 07:15",
    "tomorrow at 7:15 a.m.": "2026-12-01 07:15",
    "Tomorrow 7:15 AM": "2026-12-01 07:15",
    "tomorrow noon": "2026-12-01 12:00",
    "tomorrow at noon": "2026-12-01 12:00",
    "today 5pm": "2026-11-30 17:00",
    "today at 5:30pm": "2026-11-30 17:30",
    "tonight 8pm": "2026-11-30 20:00",
    "day after tomorrow 5pm": "2026-12-02 17:00",
    "the day after tomorrow at 5pm": "2026-12-02 17:00",
    "7:15": "2026-12-01 07:15",  # a time alone that has gone by today: tomorrow's
    "7:15am": "2026-12-01 07:15",
    "at 7": "2026-12-01 07:00",
    "7:15 pm": "2026-11-30 19:15",
    "5pm": "2026-11-30 17:00",
    "at 5pm": "2026-11-30 17:00",
    "5 PM": "2026-11-30 17:00",
    "noon": "2026-11-30 12:00",
    "in 2 hours": "2026-11-30 11:00",
    "in 30 minutes": "2026-11-30 09:30",
    "2026-12-03 17:00": "2026-12-03 17:00",
    "12/9 17:00": "2026-12-09 17:00",
    "12/9/2026 5pm": "2026-12-09 17:00",
    "12/09/2026 17:00": "2026-12-09 17:00",
    "Jan 15 8am": "2027-01-15 08:00",
    "January 15 at 8:00": "2027-01-15 08:00",
    "1/15 8am": "2027-01-15 08:00",
    "Dec 3": "2026-12-03",
    "tomorrow": "2026-12-01",
    "today": "2026-11-30",
    "yesterday": "2026-11-29",
    "in 3 days": "2026-12-03",
    "in 1 week": "2026-12-07",
    "next week": "2026-12-07",
    "next friday": "2026-12-04",
    "last thursday": "2026-11-26",
    "Last Thursday": "2026-11-26",
    "2026-12-03": "2026-12-03",
    "Dec 10": "2026-12-10",
    "Dec 10 2027": "2027-12-10",
    "December 10, 2026": "2026-12-10",
    "10 December": "2026-12-10",
    "whenever-ish": None,
    "blursday": None,
}


def _named(phrase: str, clock: Clock, languages: list[str], *, direction: str = "future") -> str | None:
    reading = read(phrase, now=clock(), tz=TZ, languages=languages, day_first=languages[0] == "es",
                   direction=direction)
    if reading is None:
        return None
    local = reading.moment.astimezone(TZ)
    return local.strftime("%Y-%m-%d %H:%M") if reading.has_time else local.strftime("%Y-%m-%d")


def test_each_table_has_sixty_phrases():
    assert len(SPANISH) >= 60 and len(ENGLISH) >= 60


@pytest.mark.parametrize(("phrase", "expected"), SPANISH.items())
def test_spanish(phrase, expected):
    assert _named(phrase, MONDAY_9AM, ["es", "en"]) == expected


@pytest.mark.parametrize(("phrase", "expected"), ENGLISH.items())
def test_english(phrase, expected):
    assert _named(phrase, MONDAY_9AM, ["en", "es"]) == expected


@pytest.mark.parametrize(("phrase", "languages", "expected"), [
    ("7:15", ["en", "es"], "2026-12-01 07:15"),
    ("7:15 pm", ["en", "es"], "2026-11-30 19:15"),
    ("4pm", ["en", "es"], "2026-11-30 16:00"),
    ("3pm", ["en", "es"], "2026-12-01 15:00"),  # now exactly: gone by
    ("a las 7", ["es", "en"], "2026-12-01 07:00"),
    ("a las 16:30", ["es", "en"], "2026-11-30 16:30"),
])
def test_a_time_alone_is_its_next_occurrence(phrase, languages, expected):
    assert _named(phrase, MONDAY_3PM, languages) == expected


@pytest.mark.parametrize(("clock", "phrase", "languages", "utc"), [
    (SPRING_FORWARD_EVE, "mañana 7:15", ["es", "en"], "2027-03-14 14:15"),  # 07:15 PDT, not 08:15
    (SPRING_FORWARD_EVE, "tomorrow 7:15am", ["en", "es"], "2027-03-14 14:15"),
    (SPRING_FORWARD_EVE, "7:15", ["en", "es"], "2027-03-14 14:15"),
    (SPRING_FORWARD_EVE, "el lunes a las 7:15", ["es", "en"], "2027-03-15 14:15"),
    (SPRING_FORWARD_EVE, "14/3 7:15", ["es", "en"], "2027-03-14 14:15"),
    (SPRING_FORWARD_EVE, "en 24 horas", ["es", "en"], "2027-03-14 23:00"),  # time elapsed: 16:00 PDT
    (FALL_BACK_EVE, "tomorrow 7:15am", ["en", "es"], "2026-11-01 15:15"),  # 07:15 PST, not 06:15
    (FALL_BACK_EVE, "7:15", ["en", "es"], "2026-11-01 15:15"),
    (FALL_BACK_EVE, "Dec 3 5pm", ["en", "es"], "2026-12-04 01:00"),
    (FALL_BACK_EVE, "in 24 hours", ["en", "es"], "2026-11-01 22:00"),  # 14:00 PST
])
def test_wall_clock_times_across_daylight_saving_changes(clock, phrase, languages, utc):
    reading = read(phrase, now=clock(), tz=TZ, languages=languages, day_first=languages[0] == "es")
    assert reading is not None and reading.moment.strftime("%Y-%m-%d %H:%M") == utc


@pytest.mark.parametrize(("phrase", "languages", "expected"), [
    ("Dec 10", ["en", "es"], "2026-12-10"),  # ten days ahead, not last year's
    ("10 de diciembre", ["es", "en"], "2026-12-10"),
    ("10/12", ["es", "en"], "2026-12-10"),
    ("12/10", ["en", "es"], "2026-12-10"),
    ("Nov 26", ["en", "es"], "2026-11-26"),
    ("Jan 5", ["en", "es"], "2027-01-05"),
    ("June 1", ["en", "es"], "2026-06-01"),  # 182 days back beats 183 ahead
    ("last thursday", ["en", "es"], "2026-11-26"),
    ("el jueves pasado", ["es", "en"], "2026-11-26"),
    ("ayer", ["es", "en"], "2026-11-29"),
    ("today", ["en", "es"], "2026-11-30"),
    ("2025-12-10", ["en", "es"], "2025-12-10"),
])
def test_a_day_that_may_be_past_is_the_nearest(phrase, languages, expected):
    assert _named(phrase, MONDAY_9AM, languages, direction="nearest") == expected


# Through the commands: what members are told.

@pytest.fixture
def asked(monkeypatch) -> list:
    asked: list = []

    class Recorder:
        def __init__(self, languages=None, **_):
            asked.append(languages)

        def get_date_data(self, _text):
            return dateparser.date.DateData(date_obj=None)

    monkeypatch.setattr(dateparser.date, "DateDataParser", Recorder)
    return asked


LINES = ['/readiness open Ready? closes:"whenever-ish"', '/action create Picket "whenever-ish" Gate',
         '/bargaining post title:Update body:News session:"whenever-ish"']


@pytest.mark.parametrize("line", LINES)
async def test_a_date_is_read_in_the_campaigns_languages_only(bot, asked, line):
    assert "whenever-ish" in await bot.fails("boss", line, **LEAD)
    assert asked and all(languages == ["en", "es"] for languages in asked)


async def test_a_spanish_members_date_is_read_in_spanish_first(bot, asked):
    await bot.ok("boss", "/member lang es", **LEAD)
    await bot.fails("boss", LINES[0], **LEAD)
    assert asked and all(languages == ["es", "en"] for languages in asked)


async def test_a_day_without_a_time_is_asked_about(bot):
    error = await bot.fails("boss", '/action create Picket "Dec 3" Gate', **LEAD)
    assert "What time on Thu, Dec 3?" in error
    await bot.ok("boss", "/member lang es", **LEAD)
    assert "¿A qué hora el jue, 3 de dic?" in await bot.fails("boss", '/action create Piquete "3 de diciembre" '
                                                                     "Puerta", **LEAD)


async def test_a_spanish_reader_writes_the_day_first(bot):
    await bot.ok("boss", "/member lang es", **LEAD)
    assert "9 de dic" in await bot.ok("boss", '/action create Piquete "9/12 17:00" Puerta', **LEAD)
    await bot.ok("boss", "/member lang en", **LEAD)
    assert "Sep 12" in await bot.ok("boss", '/action create Picket "9/12 17:00" Gate', **LEAD)


async def test_a_past_time_in_another_year_says_the_year(bot):
    assert "Dec 3, 2025" in await bot.fails("boss", '/action create Picket "2025-12-03 17:00" Gate', **LEAD)
    assert "2026" not in await bot.fails("boss", '/action create Picket "2026-11-03 17:00" Gate', **LEAD)


async def test_a_bargaining_session_is_the_nearest_day(bot):
    await bot.ok("boss", '/bargaining post title:Update body:News session:"Dec 10"', **LEAD)
    assert "Dec 10, 2026" in await bot.ok("boss", "/bargaining show 1")
    await bot.ok("boss", "/member lang es", **LEAD)
    await bot.ok("boss", '/bargaining post title:Novedades body:Noticias session:"el jueves pasado"', **LEAD)
    assert "26 nov 2026" in await bot.ok("boss", "/bargaining show 2")


QUOTED = re.compile(r"“([^”]+)”")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("line", [
    '/action create Picket "whenever-ish" Gate',
    '/action create Picket "Dec 3" Gate',
    '/action create Picket "today" Gate',
    '/readiness open Ready? closes:"whenever-ish"',
])
async def test_a_date_error_suggests_only_what_it_accepts(bot, lang, line):
    await bot.ok("boss", f"/member lang {lang}", **LEAD)
    error = await bot.fails("boss", line, **LEAD)
    suggestions = [s for s in QUOTED.findall(error) if s not in line]
    assert suggestions
    for suggestion in suggestions:
        await bot.ok("boss", f'/action create Picket "{suggestion}" Gate', **LEAD)


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_the_session_date_error_suggests_only_what_it_accepts(bot, lang):
    await bot.ok("boss", f"/member lang {lang}", **LEAD)
    error = await bot.fails("boss", '/bargaining post title:Update body:News session:"someday maybe"', **LEAD)
    suggestions = [s for s in QUOTED.findall(error) if s != "someday maybe"]
    assert len(suggestions) == 2
    for suggestion in suggestions:
        await bot.ok("boss", f'/bargaining post title:Update body:News session:"{suggestion}"', **LEAD)
