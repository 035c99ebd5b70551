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
