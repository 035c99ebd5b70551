"""Every benchmark, one after another, each printing its markdown table (paste into bench/RESULTS.md).

    python bench/run_all.py [--quick] [--pg URL]

``--quick`` is a smoke run at small sizes (a minute or two; the figures mean little). ``--pg URL``
(or ``ORGANIZER_TEST_PG_URL``) also runs the Slack, burst and tally benches on that PostgreSQL server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common import PYTHON, arguments, machine

HERE = Path(__file__).resolve().parent

FULL = {
    "startup_memory.py": [],
    "slack_e2e.py": [],
    "burst.py": [],
    "openloop.py": [],
    "roster_import.py": [],
    "tally.py": [],
    "structure.py": [],
    "fanout.py": [],
    "hostile.py": [],
}
QUICK = {
    "startup_memory.py": ["--members", "2000", "--reps", "3"],
    "slack_e2e.py": ["--commands", "300", "--reps", "1"],
    "burst.py": ["--members", "400", "--reps", "1"],
    "openloop.py": ["--rates", "100", "--seconds", "2"],
    "roster_import.py": ["--members", "2000", "--reps", "1"],
    "tally.py": ["--members", "2000", "--sites", "50", "--answers", "5000", "--reps", "5"],
    "structure.py": ["--members", "2000", "--sites", "50", "--reps", "3"],
    "fanout.py": ["--subscribers", "1000", "--limit", "200"],
    "hostile.py": ["--seconds", "3", "--reps", "1"],
}
ON_POSTGRES = ("slack_e2e.py", "burst.py", "openloop.py", "tally.py")


def main() -> int:
    parser = arguments(__doc__, pg="also measure the Slack, burst and tally benches on this PostgreSQL server")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    runs = [(script, [*extra, "--pg", ""] if script in (*ON_POSTGRES, "fanout.py", "hostile.py")
             else extra)
            for script, extra in plan.items()]
    if args.pg:
        runs += [(script, [*plan[script], "--pg", args.pg]) for script in ON_POSTGRES]
    print(machine(), flush=True)
    failed = []
    for script, extra in runs:
        shown = " ".join(a for a in extra if a and a != "--pg" and "postgresql" not in a)
        print(f"\n## {script} {shown}".rstrip(), flush=True)
        done = subprocess.run([PYTHON, str(HERE / script), *extra], cwd=HERE, capture_output=True, text=True)
        print("\n".join(line for line in done.stdout.splitlines() if not line.startswith("20")), flush=True)
        if done.returncode:
            failed.append(script)
            print(done.stderr[-3000:], file=sys.stderr, flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
