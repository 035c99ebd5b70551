"""Every user-facing string goes through a :class:`Translator`: gettext catalogs read with Babel.

Messages are English msgids with ``{named}`` placeholders. Catalogs live in
``bot/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled in memory at start, so the
repository holds no binary files. Extract new strings with
``pybabel extract -F babel.cfg -k _ -k n_:1,2 -k N_ -k L_ -o messages.pot .``.
"""

from __future__ import annotations

import gettext
import io
import logging
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import overload
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_skeleton, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit

log = logging.getLogger(__name__)
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(msgid: str) -> str:
    """Mark a string for extraction where it is declared; it is translated where it is shown."""
    return msgid


class Lazy(str):
    """A msgid used as a placeholder value (a role's name in an error): translated when the message is."""


def L_(msgid: str) -> Lazy:
    return Lazy(msgid)


class Translator:
    def __init__(self, lang: str, translations: gettext.NullTranslations, tz: ZoneInfo, region: str = "US") -> None:
        self.lang = lang
        self.tz = tz
        self.region = region
        self._t = translations

    def _(self, msgid: str, /, **params: object) -> str:
        return self._format(self._t.gettext(msgid), msgid, params)

    def n_(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """Plural forms come from the catalog's own rules, never from string concatenation; ``{n}`` is
        written as the reader's language groups a number (:meth:`number`)."""
        params = {"n": self.number(n), **params}
        return self._format(self._t.ngettext(singular, plural, n), singular if n == 1 else plural, params)

    def _format(self, text: str, fallback: str, params: dict[str, object]) -> str:
        if not params:
            return text
        params = {k: self._t.gettext(v) if isinstance(v, Lazy) else v for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            log.error("translation of %r has placeholders that do not match; using English", fallback)
            return fallback.format(**params)

    @overload
    def own(self, text: str, es: str | None) -> str: ...

    @overload
    def own(self, text: str | None, es: str | None) -> str | None: ...

    def own(self, text: str | None, es: str | None) -> str | None:
        """What an organizer typed, in this reader's language: their Spanish for a Spanish reader, the text as
        typed for anyone else; either reader gets the other one when theirs was not given."""
        return (es or text) if self.lang == "es" else (text or es)

    @cached_property
    def locale(self) -> Locale:
        """Babel's conventions for this language where the campaign is: ``es`` in the US writes
        “mié, 2 de dic, 5:30 p.m. PST”, as members there read it."""
        try:
            return Locale.parse(f"{self.lang}_{self.region}")
        except (UnknownLocaleError, ValueError):
            return Locale.parse(self.lang)

    def number(self, n: int) -> str:
        """A count as this language writes it where the campaign is: 34,999 in English; in Spanish 34.999
        in Spain and 34,999 in the United States and Mexico (Babel's data for ``es_ES``, ``es_US``)."""
        return str(format_decimal(n, locale=self.locale))

    @property
    def language_name(self) -> str:
        """This language's own name for itself: “español”."""
        return str(Locale.parse(self.lang).get_display_name(self.lang))

    def when(self, moment: datetime, *, now: datetime | None = None) -> str:
        """A date and time in the campaign timezone, in this language, with the zone's abbreviation (and the
        year, given ``now``, when it is not now's)."""
        zone = format_datetime(moment, "zzz", tzinfo=self.tz, locale=self.locale)
        return f"{self.weekday(moment, now=now)}, {self.clock(moment)} {zone}"

    def weekday(self, moment: datetime, *, now: datetime | None = None) -> str:
        """“Thu, Dec 3”; “Fri, Dec 3, 2027” when ``now`` is given and in another year."""
        other_year = now is not None and moment.astimezone(self.tz).year != now.astimezone(self.tz).year
        return format_skeleton("yMMMEd" if other_year else "MMMEd", moment, tzinfo=self.tz, locale=self.locale)

    def clock(self, moment: datetime) -> str:
        return format_time(moment, "short", tzinfo=self.tz, locale=self.locale)

    @property
    def day_first(self) -> bool:
        """Whether this language, where the campaign is, writes 9/12 for the 9th of December."""
        pattern = str(self.locale.date_formats["short"].pattern)
        return pattern.index("d") < pattern.index("M")

    def day(self, moment: datetime) -> str:
        return format_skeleton("yMMMd", moment, tzinfo=self.tz, locale=self.locale)

    def duration(self, delta: timedelta) -> str:
        """“1 day”, “2 hours”, “25 minutes”: in the largest unit that counts it whole (minutes rounded)."""
        minutes = max(round(delta.total_seconds() / 60), 1)
        unit, size = next(((u, s) for u, s in (("day", 24 * 60), ("hour", 60)) if minutes % s == 0), ("minute", 1))
        return str(format_unit(minutes // size, f"duration-{unit}", length="long", locale=self.locale))

    def list(self, items: list[str]) -> str:
        """“a, b and c” / “a, b y c”."""
        return str(format_list(items, locale=self.locale))


class Catalogs:
    """All catalogs; ``get`` hands out translators for a language code. A catalog is compiled the first
    time its language is asked for, so a start-up in English pays nothing for Spanish."""

    def __init__(self, default_lang: str, tz: ZoneInfo, locale_dir: Path = LOCALE_DIR, *, region: str = "US") -> None:
        self.default = default_lang
        self.tz = tz
        self.region = region
        self._files = {po.parent.parent.name: po for po in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po"))}
        self._languages = sorted({"en", *self._files})
        self._cache: dict[str, Translator] = {}
        self._matched: dict[str, str | None] = {}

    @property
    def languages(self) -> list[str]:
        return self._languages

    def match(self, code: str | None) -> str | None:
        """The catalog for a code such as ``es``, ``es-419``, ``es_MX`` or ``Spanish``; None if there is none.
        Remembered per code: every command asks, and a code no catalog has costs babel lookups."""
        if not code:
            return None
        if code not in self._matched:
            self._matched[code] = self._match(code)
        return self._matched[code]

    def _match(self, code: str) -> str | None:
        code = code.strip().replace("-", "_")
        if code.split("_")[0].lower() in self._languages:
            return code.split("_")[0].lower()
        for lang in self._languages:
            try:
                locale = Locale.parse(lang)
                names = {str(locale.get_display_name(lang)).casefold(), str(locale.get_display_name("en")).casefold()}
            except UnknownLocaleError:
                continue
            if code.casefold() in names:
                return lang
        return None

    def get(self, lang: str | None) -> Translator:
        chosen = self.match(lang) or self.match(self.default) or "en"
        if chosen not in self._cache:
            self._cache[chosen] = Translator(chosen, self._compile(chosen), self.tz, self.region)
        return self._cache[chosen]

    def _compile(self, lang: str) -> gettext.NullTranslations:
        if lang not in self._files:
            return gettext.NullTranslations()
        with self._files[lang].open("rb") as fp:
            catalog = read_po(fp)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer)
