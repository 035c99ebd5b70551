"""/action as a person types it: the real ``organizer-bot console`` in a subprocess, on the real clock."""

import subprocess
import sys
from pathlib import Path

REP = ["--user", "rosa", "--role", "rep", "--site", "Escalante Elementary"]


def console(tmp_path: Path, args: list[str], lines: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "organizer.db"), *args],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_rep_announces_members_sign_up_and_the_waitlist_moves_up(tmp_path):
    out = console(tmp_path, REP, [
        '/action create "Informational picket" "tomorrow 7:15am" "Front gate" kind:picket '
        'site:"Escalante Elementary" capacity:1',
        "/action join 1",
        '/action create Rally yesterday Downtown',
        "/action export 1",
    ])
    assert "Announced action #1: Informational picket" in out
    assert "┌ posted in #actions\n│ Informational picket (#1)" in out
    assert "[I’m in]  →  /action join 1" in out
    assert "You’re in: Informational picket" in out and "1 going · full" in out
    assert "✗ " in out and "is in the past" in out
    assert "✗ Only a leader can do that." in out

    out = console(tmp_path, ["--user", "luis", "--role", "leader"], ["/action join 1", "/action export 1",
                                                                     "/action calendar 1"])
    assert "“Informational picket” is full, so you’re on the waitlist (number 1)" in out
    csv_text = (tmp_path / "organizer-files" / "action-1-roster.csv").read_text(encoding="utf-8-sig")
    assert "rosa,Escalante Elementary,going" in csv_text and "luis,,waitlisted" in csv_text
    assert "SUMMARY:Informational picket" in (tmp_path / "organizer-files" / "action-1.ics").read_text()

    out = console(tmp_path, REP, ["/action leave 1"])
    assert "you’re off “Informational picket”" in out
    assert "┌ DM to luis\n│ A place opened up: you’re in for “Informational picket”" in out
