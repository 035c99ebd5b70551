"""Shared by the reliability suite: the crash test's count of acknowledged-but-lost signups is written
to the terminal summary, so a CI log shows it even without ``-s``."""

from __future__ import annotations

LOST_SIGNUPS: list[tuple[str, int, int]] = []  # (test id, acknowledged, acknowledged but lost)


def pytest_terminal_summary(terminalreporter):
    for test_id, acknowledged, lost in LOST_SIGNUPS:
        terminalreporter.write_line(f"{test_id}: {acknowledged} acknowledged signups, "
                                    f"acknowledged-but-lost signups: {lost}", bold=True, red=bool(lost))
