"""Platforms deliver some things more than once: a double click, a Socket Mode envelope sent again, a
Discord interaction replayed after a gateway resume. Each front-end remembers what it ran recently
(per process) so a repeat is acknowledged but runs its command once."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable


class Recent:
    """Keys seen in the last ``window`` seconds, oldest first, so forgetting them is cheap."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: OrderedDict[Hashable, float] = OrderedDict()

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen within the window; False for a repeat."""
        now = time.monotonic()
        while self._seen and now - next(iter(self._seen.values())) >= self.window:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True
