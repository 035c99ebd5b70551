"""Every user-facing string has a Spanish entry with the same placeholders.

Strings are extracted from the source exactly as `tools/update_catalog.py` does, so a new
message without a translation fails here, not in front of a Spanish-speaking member."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "L_": None, "n_": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^}]*\}")


def _extracted() -> set[str | tuple[str, str]]:
    found = set()
    for folder in ("bot", "commands"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalog(lang: str):
    with (ROOT / "bot" / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp)


def test_every_message_has_a_spanish_translation_with_the_same_placeholders():
    catalog = _catalog("es")
    missing, mismatched = [], []
    for message in sorted(_extracted(), key=str):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        translations = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else entry.string)
        if entry is None or entry.fuzzy or not all(translations):
            missing.append(msgid)
            continue
        expected = set(PLACEHOLDER.findall(msgid if isinstance(message, str) else message[1]))
        for text in translations:
            if set(PLACEHOLDER.findall(text)) - expected - {"n"} or expected - set(PLACEHOLDER.findall(text)) - {"n"}:
                mismatched.append((msgid, text))
    assert not missing, f"{len(missing)} strings have no Spanish entry (run tools/update_catalog.py):\n" + \
        "\n".join(missing[:40])
    assert not mismatched, f"placeholders differ: {mismatched[:10]}"
