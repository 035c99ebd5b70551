"""The console front-end driven through stdin as a subprocess, as a script or a newcomer would."""

import subprocess
import sys


def console(tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "c.db"), *args],
                          input=script, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_help_site_and_me_from_stdin(tmp_path):
    done = console(tmp_path, '/help\n/member site "Escalante Elementary"\n/member me\n', "--user", "maria")
    assert done.returncode == 0, done.stderr
    assert "/member site <worksite> — Set your worksite" in done.stdout
    assert "Your worksite is now Escalante Elementary." in done.stdout
    assert "Worksite: Escalante Elementary" in done.stdout.split("> /member me")[1]


def test_errors_print_with_usage_and_the_run_goes_on(tmp_path):
    done = console(tmp_path, "/member site\n/member lang es\n/member me\n", "--user", "maria")
    assert done.returncode == 0
    assert "✗ Missing worksite.\nUsage: /member site <worksite>" in done.stdout
    assert "Desde ahora te contesto en español." in done.stdout


def test_buttons_print_as_the_command_to_type_and_data_persists_across_runs(tmp_path):
    first = console(tmp_path, "/member site Escalante Elementary\n/member forget\n", "--user", "maria")
    assert "[Yes, delete my data]  →  /member forget confirm:yes" in first.stdout
    second = console(tmp_path, "/member me\n", "--user", "maria")
    assert "Worksite: Escalante Elementary" in second.stdout


def test_site_flag_sets_the_worksite_and_role_flag_the_role(tmp_path):
    done = console(tmp_path, "/member me\n", "--user", "rosa", "--role", "rep", "--site", "Escalante Elementary")
    assert "Worksite: Escalante Elementary" in done.stdout and "Role: site rep" in done.stdout


def test_top_level_help_lists_subcommands():
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60)
    for sub in ("console", "run", "db", "roster"):
        assert f"  {sub}" in done.stdout


def test_on_a_terminal_it_prompts_and_answers(tmp_path):
    import os
    import pty
    import select
    import time

    main, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "console", "--user", "maria", "--db", str(tmp_path / "t.db")],
                            stdin=secondary, stdout=secondary, stderr=secondary, cwd=tmp_path,
                            env={**os.environ, "HOME": str(tmp_path)})
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                seen += os.read(main, 4096)
        assert marker in seen, seen.decode(errors="replace")

    try:
        read_until(b"> ")
        assert b"Type /help" in seen
        os.write(main, b"/member site Escalante Elementary\n")
        read_until(b"Your worksite is now Escalante Elementary.")
        os.write(main, b"quit\n")
        assert proc.wait(timeout=60) == 0
        assert "/member site Escalante Elementary" in (tmp_path / ".organizer_bot_history").read_text()
    finally:
        proc.kill()
        os.close(main)


def test_run_with_no_platform_configured_starts_the_console(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "r.db")], input="/member me\n",
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "No Slack or Discord token in the environment: starting the console" in done.stderr
    assert "Worksite: not set" in done.stdout
