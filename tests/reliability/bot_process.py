"""A real ``python -m bot run`` in Slack HTTP mode, in its own process, against a fake Slack Web API.

Tokens come from the environment and the config file points ``slack.api_base_url`` at the fake,
exactly as an operator would set it up; the test talks to it only over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from bot.adapters.slack.frontend import EVENTS_PATH
from tests.slack.payloads import SIGNING_SECRET

BOT_TOKEN = "xoxb-fake"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(folder: Path, *, db_url: str, api_base_url: str, port: int) -> Path:
    path = folder / "organizer.toml"
    path.write_text(f"""
[campaign]
name = "Crash test local"
timezone = "America/Los_Angeles"

[database]
url = "{db_url}"

[slack]
mode = "http"
host = "127.0.0.1"
port = {port}
api_base_url = "{api_base_url}"

[channels.actions]
slack = "CACTIONS"

[roles]
leaders = [{{ match = ["slack:ULEAD"] }}]
""", encoding="utf-8")
    return path


class BotProcess:
    """Starts, kills and restarts the bot; its combined output goes to ``log_path``."""

    def __init__(self, config: Path, port: int, log_path: Path) -> None:
        self.config, self.port, self.log_path = config, port, log_path
        self.url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        self.proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "ORGANIZER_"))}
        return {**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "ORGANIZER_CONFIG": str(self.config)}

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "-vv", "run"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        await self.wait_listening()

    async def wait_listening(self, timeout: float = 60.0) -> None:
        """Until the port accepts connections (a guard against hanging, not a timing assertion)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            assert self.proc.poll() is None, f"the bot exited:\n{self.log_path.read_text()[-3000:]}"
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise AssertionError(f"the bot did not listen within {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole bot, the acking process and its command processes, as a power cut or the
        OOM killer would: no cleanup, no flush, no goodbye."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if the bot has not exited within ``timeout``. Waited on the event loop, not
        with ``Popen.wait(timeout)``: its ``time.sleep`` fails under libfaketime 0.9.10 with the monotonic clock
        left alone (wolfcw/libfaketime#426), which is how ``.ci/run`` shifts the wall clock."""
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.proc.poll() is None and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if self.proc.poll() is None:
            self.kill()

