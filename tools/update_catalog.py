"""Re-extract the English msgids and merge them into every catalog (run after adding strings).

    python tools/update_catalog.py

New strings appear untranslated in ``bot/locale/<lang>/LC_MESSAGES/messages.po``; the test suite
fails until each has a translation with the same placeholders.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "build" / "messages.pot"

POT.parent.mkdir(exist_ok=True)
subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_", "-k",
                "n_:1,2", "-k", "N_", "-k", "L_", "--no-location", "--sort-output", "-o", str(POT), "."],
               cwd=ROOT, check=True)
subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(POT), "-d",
                str(ROOT / "bot" / "locale"), "--no-fuzzy-matching", "--ignore-obsolete", "--width", "120"],
               cwd=ROOT, check=True)
