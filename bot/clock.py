"""The wall clock, read in one place: the App's default ``clock``. Everything the bot stores or compares takes
its time from ``App.clock`` (``ctx.now`` in a handler), so tests and CI can run it at any date."""

from datetime import UTC, datetime


def system_clock() -> datetime:
    return datetime.now(UTC)
