"""The core's tiny markup, and how text is split for each platform; each platform's escaping is its
adapter's render (:attr:`bot.platforms.Platform.escape`).

Handlers write plain text. Two things need the platform's help: a time (each reader sees it
in their own timezone where the platform can show it so) and emphasis. They are marked with Unicode
private-use characters, which :func:`clean` strips from anything a member types, so member
text can never forge them. Everything else a member typed is escaped by the platform's render before it leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

_T0, _T1, _B0, _B1 = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKERS = re.compile(f"[{_T0}{_T1}{_B0}{_B1}\x00]")
_TOKEN = re.compile(f"{_T0}(\\d+){_T1}|{_B0}(.*?){_B1}", re.S)


def when(moment: datetime) -> str:
    """A moment each front-end shows in the reader's timezone where it can."""
    return f"{_T0}{int(moment.timestamp())}{_T1}"


def bold(text: str) -> str:
    return f"{_B0}{text}{_B1}"


def clean(text: str) -> str:
    """Member input: drop the markup characters (and NUL, which no database keeps); keep all else as typed."""
    return _MARKERS.sub("", text)


def render(text: str, *, escape: Callable[[str], str], time: Callable[[datetime], str],
           strong: Callable[[str], str]) -> str:
    out, pos = [], 0
    for match in _TOKEN.finditer(text):
        out.append(escape(text[pos:match.start()]))
        if match.group(1) is not None:
            out.append(time(datetime.fromtimestamp(int(match.group(1)), UTC)))
        else:
            out.append(strong(escape(match.group(2))))
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def plain(text: str) -> str:
    """Text without markup, for places that show none (notification previews, CSV)."""
    return _TOKEN.sub(lambda m: m.group(2) or "", text)


def shorten(text: str, limit: int) -> str:
    """Plain text that fits ``limit`` characters: a longer one ends at a word, with “…”."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:—-\n") + "…"


def split(paragraphs: list[str], limit: int) -> list[str]:
    """Pack rendered paragraphs into chunks of at most ``limit`` characters.

    A paragraph is never cut while it fits in a chunk of its own; one that does not is cut at line ends,
    then at spaces (only a single word longer than ``limit`` is cut inside), its first piece filling what
    the chunk before it has left, so a long text takes as few chunks as it can."""
    chunks: list[str] = []
    current = ""
    for para in paragraphs:
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) <= limit:
            current = candidate
            continue
        if len(para) <= limit:
            chunks.append(current)
            current = para
            continue
        room = limit - len(current) - 2 if current else limit
        first, rest = _prefix(para, room) if room >= FILL else ("", para)
        if first:
            current = f"{current}\n\n{first}" if current else first
        if current:
            chunks.append(current)
        pieces = _fit(rest, limit)
        chunks.extend(pieces[:-1])
        current = pieces[-1] if pieces else ""
    if current:
        chunks.append(current)
    return [c for c in chunks if c] or [""]


FILL = 200  # characters a chunk must have left for a long paragraph to begin in it


def _prefix(text: str, room: int) -> tuple[str, str]:
    """The longest beginning of ``text`` within ``room`` that ends at a line end or a space, and the rest
    (nothing fits: the whole text is the rest)."""
    for sep in ("\n", " "):
        cut = text.rfind(sep, 0, room + 1)
        if cut > 0:
            return text[:cut], text[cut + 1:]
    return "", text


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return [c for c in chunks if c]


def _fit(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    for sep in ("\n", " "):
        parts = text.split(sep)
        if len(parts) > 1:
            return _pack([piece for part in parts for piece in _fit(part, limit)], sep, limit)
    return [text[i:i + limit] for i in range(0, len(text), limit)]


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]
