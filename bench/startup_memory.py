"""Start-up time and resident memory of the console bot, and memory of the Slack bot.

    python bench/startup_memory.py [--members 35000] [--reps 7]

Start-up: `organizer-bot console` from launch to its first answer, against a bare `python -c pass`
in the same run (the floor no Python program beats). Memory: RSS of the running console idle on an
empty database, and with a roster of N members loaded (imported, then `/member me` answered); and
of `organizer-bot run` in Slack HTTP mode, whose acking process and command process are two
interpreters (each row gives both, the sum of their RSS, which counts the pages they share twice, and
the sum of their PSS, which counts them once: what the two take from the machine together).
Targets (issue 10): start-up ≤ 1 s, idle ≤ 150 MB, with 35,000 members ≤ 250 MB.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, arguments, bot, machine, median, pss_mb, rss_mb, table


def first_answer_seconds(db: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "bot", "console", "--db", str(db)], input="/member me\n",
                          capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Worksite" in done.stdout
    return time.perf_counter() - start


def bare_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", "pass"], check=True)
    return time.perf_counter() - start


def resident(db: Path) -> tuple[float, float]:
    """RSS of a console that has answered one command and now waits for the next."""
    proc = subprocess.Popen([PYTHON, "-m", "bot", "console", "--db", str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    proc.stdin.write("/member me\n")
    proc.stdin.flush()
    while "To delete all of this" not in proc.stdout.readline():
        pass
    time.sleep(0.5)
    memory = rss_mb(proc.pid)
    proc.stdin.close()
    proc.wait(timeout=60)
    return memory


def slack_resident(db: Path, folder: Path) -> tuple[list[float], float]:
    """RSS of the acking process and of its command process, listening in Slack HTTP mode and idle,
    and the sum of their PSS."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = folder / "slack.toml"
    config.write_text(f'[campaign]\nname = "Bench local"\ntimezone = "America/Los_Angeles"\n'
                      f'[slack]\nmode = "http"\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
    env = {**os.environ, "ORGANIZER_CONFIG": str(config), "ORGANIZER_DB": str(db),
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench"}
    proc = subprocess.Popen([PYTHON, "-m", "bot", "run"], cwd=ROOT, env=env)
    try:
        for _ in range(600):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        children = []
        for _ in range(600):  # the command process is up once it has read its config and imported the bot
            children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
            if children and rss_mb(children[0])[0] > 60:
                break
            time.sleep(0.1)
        time.sleep(2)
        pids = [proc.pid, *children]
        return [rss_mb(pid)[0] for pid in pids], sum(pss_mb(pid) for pid in pids)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def roster_csv(path: Path, members: int) -> None:
    sites = 500
    with path.open("w", encoding="utf-8") as out:
        out.write("name,worksite,email,member id\n")
        for i in range(members):
            out.write(f"Member {i},School {i % sites},m{i}@example.org,{100000 + i}\n")


def main() -> None:
    parser = arguments(__doc__, reps=7, pg=None)
    parser.add_argument("--members", type=int, default=35_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty.db", Path(tmp) / "full.db"
        bot("db", "upgrade", "--db", str(empty), check=True)
        ours, floor = [], []
        for _ in range(args.reps):
            floor.append(bare_seconds())
            ours.append(first_answer_seconds(empty))
        idle = resident(empty)
        slack_idle = slack_resident(empty, Path(tmp))
        roster = Path(tmp) / "roster.csv"
        roster_csv(roster, args.members)
        start = time.perf_counter()
        bot("roster", "import", str(roster), "--db", str(full), check=True)
        import_seconds = time.perf_counter() - start
        loaded = resident(full)
        slack_loaded = slack_resident(full, Path(tmp))
    print(machine())
    print(table("Start-up (median of %d)" % args.reps, ["what", "seconds", "× bare python", "target"], [
        ["console: launch → first answer", median(ours), median(ours) / median(floor), "≤ 1 s"],
        ["bare `python -c pass`", median(floor), 1.0, ""],
    ]))
    print(table("Memory", ["state", "RSS MB", "peak MB", "target"], [
        ["console idle, empty database", idle[0], idle[1], "≤ 150 MB"],
        [f"console with {args.members:,} members loaded", loaded[0], loaded[1], "≤ 250 MB"],
    ]))
    print(table("Memory of the Slack bot (HTTP mode, listening, idle)",
                ["state", "acking process RSS MB", "command process RSS MB", "sum of RSS MB", "sum of PSS MB",
                 "target"], [
                    ["empty database", *slack_idle[0], sum(slack_idle[0]), slack_idle[1], "≤ 150 MB"],
                    [f"{args.members:,} members in the database", *slack_loaded[0], sum(slack_loaded[0]),
                     slack_loaded[1], "≤ 250 MB"],
                ]))
    print(f"roster import of {args.members:,} members: {import_seconds:.1f} s")


if __name__ == "__main__":
    main()
