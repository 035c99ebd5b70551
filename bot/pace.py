"""How fast to call a platform, learned from its 429s (used by :class:`bot.delivery.Worker`)."""

from __future__ import annotations

from collections import deque


class Pace:
    """Spacing of the calls to one platform, learned from its 429s the way TCP learns a path's capacity
    from lost packets: cut on a refusal, climb back fast to just under the refused rate, then probe past
    it slowly. Each probe that overshoots costs a whole ``Retry-After`` pause of every call (often a second
    of sending), so the climb past the last refusal is slow — about 3% a minute — and a long
    fan-out runs just under the limit with a refusal every minute or so, rather than dropping the
    spacing and overshooting again (bench/fanout.py).

    A 429 tells only that the rate of the second before it was too high — that rate is an upper bound of
    the limit, and what a burst sent there can be well above it — hence the deep cut (``CUT``) followed by
    a fast climb (``CLIMB`` of the gap a second) to ``MARGIN`` of it. A 429 after fewer than ``MIN_RATE``
    accepted calls is a per-channel limit, which ``Retry-After`` alone answers: it must not slow every
    other DM; nor do the 429s of calls sent before the last one's pause ended (one refusal, one cut)."""

    CUT, MARGIN, CLIMB, PROBE, MIN_RATE, QUIET = 0.8, 0.98, 0.5, 0.0005, 10, 60.0

    def __init__(self) -> None:
        self.accepted: deque[float] = deque()  # when each call of the last second was accepted
        self.rate = 0.0  # calls a second at most; 0 when not pacing
        self.ceiling = 0.0  # the rate of the second before the last 429 that cut it
        self.resumed = float("-inf")  # when the last 429's Retry-After ended
        self.last = float("-inf")  # when the last call was accepted
        self.next_at = 0.0

    def sent(self, now: float) -> None:
        self._forget(now)
        if self.rate and len(self.accepted) >= 0.9 * self.rate * min(1.0, now - self.resumed):
            # grown only while the pace, not the sender, limits the calls; never for a pause
            dt = min(max(now - max(self.last, self.resumed), 0.0), 1.0)
            self.rate += max((self.ceiling * self.MARGIN - self.rate) * self.CLIMB, self.rate * self.PROBE) * dt
        self.accepted.append(now)
        self.last = now

    def limited(self, now: float, sent_at: float, retry_after: float) -> None:
        """A 429 at ``now`` for a call sent at ``sent_at``, after which the platform pauses ``retry_after``."""
        if sent_at < self.resumed:
            return
        span = min(1.0, now - self.resumed)  # the calls of a pause's second say nothing of the rate
        self._forget(now)
        taken = sum(1 for at in self.accepted if at > now - span)
        self.resumed = now + retry_after
        if taken < self.MIN_RATE:
            return
        self.ceiling = min(self.rate or float("inf"), taken / span)
        self.rate = self.ceiling * self.CUT

    def delay(self, at: float) -> float:
        """How long after ``at`` the next call may go; reserves that turn. Pacing is forgotten after
        ``QUIET`` seconds without a call: the platform's budget has refilled and a later burst learns anew."""
        if at - max(self.last, self.resumed) > self.QUIET:
            self.rate = 0.0
        turn = max(at, self.next_at)
        self.next_at = turn + (1 / self.rate if self.rate else 0.0)
        return turn - at

    def _forget(self, now: float) -> None:
        while self.accepted and self.accepted[0] <= now - 1:
            self.accepted.popleft()
