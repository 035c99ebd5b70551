"""The core names no platform: a platform is a package under bot/adapters that registers its descriptor
(bot/platforms.py), and nothing in bot/ outside it, commands/ or storage/ may know one by name."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("bot", "commands", "storage")
NAMED = re.compile(r"slack|discord", re.IGNORECASE)


def _core_files() -> list[Path]:
    files = []
    for folder in CORE:
        for path in sorted((ROOT / folder).rglob("*")):
            inside = path.relative_to(ROOT).parts
            if path.is_file() and "__pycache__" not in inside and inside[:2] != ("bot", "adapters"):
                files.append(path)
    return files


def test_no_core_file_names_a_platform():
    named = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
             for path in _core_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if NAMED.search(line)]
    assert named == []


def test_the_guard_reads_the_core():
    """It looks where the core is: the app, the registry, every feature, every migration, the catalogs."""
    shown = {str(path.relative_to(ROOT)) for path in _core_files()}
    assert {"bot/app.py", "bot/registry.py", "commands/actions.py", "storage/db.py",
            "bot/locale/es/LC_MESSAGES/messages.po"} <= shown
    assert not any(name.startswith("bot/adapters/") for name in shown)
