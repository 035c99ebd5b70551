"""Where acknowledged work runs: in the process that acks, or in command processes beside it.

A platform that wants each request acknowledged within seconds (and does the work afterwards) hands it
here. A join, the member's profile lookup and the answer all cost CPU; in the acking process, every ack
in a burst waits behind the work of the requests acked before it (bench/RESULTS.md, the end-to-end bench).
So by default the acking process only acks and hands each request, as the platform sent it, to a command
process that runs only on CPU the acking process leaves idle (:func:`yield_cpu`): acks come first, and the
work scales to more cores with the platform's setting.

A command process builds its work with ``work`` (``"module:factory"``, called with the process's own
app, on the installed platforms with only ``platform`` running); the work's ``handle(kind, body)`` runs
one request. Nothing here knows which platform it serves.

A request handed off is in memory until its command commits, exactly as when it runs in the
acking process: a crash loses it unanswered (the member never saw "you're in"), never half-done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import struct
import sys
from importlib import import_module
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from bot import heap, incidents
from bot.config import Config

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 64  # requests one command process works on at once (they mostly wait on I/O)
STOP_SECONDS = 10.0  # how long closing waits for a command process to finish what it has
RESTART_SECONDS = 1.0  # pause before a dead command process is replaced


class Work(Protocol):
    """What runs acknowledged requests: one ``handle`` per request, ``close`` once at the end."""

    async def handle(self, kind: str, body: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


class Inline:
    """The work runs in the acking process, right after the ack (no command processes)."""

    def __init__(self, work: Work) -> None:
        self.work = work

    async def start(self) -> None:
        pass

    async def run(self, kind: str, body: dict[str, Any]) -> None:
        await self.work.handle(kind, body)

    async def close(self) -> None:
        pass


class CommandProcesses:
    """Hands acknowledged requests to ``count`` child processes, in turn, each through its stdin.

    Writing to a pipe through the event loop never blocks an ack (the loop buffers what the child
    has not read yet) and needs no thread. The first frame a child reads is the config (secrets
    included, so never on a command line). A child that dies is replaced in its slot: what it held,
    read or still in its pipe, is lost (the death is logged), and requests that arrive while the
    replacement starts wait for it. A child whose stdin closes (the acking process stopped or died)
    finishes what it read and exits.
    """

    def __init__(self, config: Config, count: int, *, work: str, platform: str) -> None:
        self.config = config
        self.work, self.platform = work, platform
        self.children = [_Child() for _ in range(count)]
        self._turn = 0
        self._closing = False

    async def start(self) -> None:
        for child in self.children:
            await self._spawn(child)

    async def run(self, kind: str, body: dict[str, Any]) -> None:
        self._turn = (self._turn + 1) % len(self.children)
        self.children[self._turn].send(_frame(json.dumps([kind, body]).encode()))

    async def _spawn(self, child: _Child) -> None:
        root = str(Path(__file__).resolve().parents[1])  # where ``bot`` is, installed or not
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", f"from {__name__} import main; main()", str(logging.getLogger().level),
            self.work, self.platform, stdin=asyncio.subprocess.PIPE, env=env)
        assert process.stdin is not None
        child.process = process
        process.stdin.write(_frame(self.config.model_dump_json().encode()))
        child.connected(process.stdin)
        child.watch = asyncio.create_task(self._replace_when_ended(child))

    async def _replace_when_ended(self, child: _Child) -> None:
        assert child.process is not None
        code = await child.process.wait()
        if self._closing:
            return
        child.pipe = None  # until the replacement is connected, requests wait in the slot
        log.warning("a %s command process ended (exit %s); starting another", self.platform, code)
        await asyncio.sleep(RESTART_SECONDS)  # one that cannot start at all must not spin
        await self._spawn(child)

    async def close(self) -> None:
        """Let each child finish what it has, then stop it."""
        self._closing = True
        for child in self.children:
            if child.pipe is not None:
                child.pipe.close()  # after what is buffered: the child reads to the end, then stops
        for child in self.children:
            if child.process is None:
                continue
            try:
                await asyncio.wait_for(child.process.wait(), STOP_SECONDS)
            except TimeoutError:
                child.process.kill()
                await child.process.wait()


class _Child:
    """One command process and the pipe to it."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.pipe: asyncio.StreamWriter | None = None
        self.waiting: list[bytes] = []
        self.watch: asyncio.Task[None] | None = None  # held so the task is not collected mid-way

    def send(self, frame: bytes) -> None:
        if self.pipe is None:
            self.waiting.append(frame)
        else:
            self.pipe.write(frame)

    def connected(self, pipe: asyncio.StreamWriter) -> None:
        self.pipe = pipe
        pipe.writelines(self.waiting)
        self.waiting.clear()


def _frame(data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + data


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    size, = struct.unpack("!I", await reader.readexactly(4))
    return await reader.readexactly(size)


def main() -> None:
    """A command process (argv: log level, work, platform): the config, then each request, from stdin, until
    it closes."""
    yield_cpu()
    level, work, platform = sys.argv[1:4]
    logging.basicConfig(level=int(level), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(work, platform))


def yield_cpu() -> None:
    """Run only on CPU that nothing else wants: Linux's ``SCHED_IDLE`` (a waking acking process takes
    the CPU at once), elsewhere the lowest nice level; bench/RESULTS.md compares the two with work in the
    acking process (the end-to-end bench). The cost: on a host whose CPU other
    programs keep busy, commands wait (``command_processes = 0`` then shares the CPU evenly)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or a sandbox that forbids it
        os.nice(19)


async def _serve(work_factory: str, platform: str) -> None:
    from bot.adapters import installed
    from bot.commandline import make_app

    loop = asyncio.get_running_loop()
    requests = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(requests), sys.stdin.buffer)
    config = installed().config_model.model_validate_json(await _read_frame(requests))
    app = make_app(config, (platform,))
    module, _, factory = work_factory.partition(":")
    work: Work = attrgetter(factory)(import_module(module))(app)
    heap.settle()
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    running: set[asyncio.Task[None]] = set()

    async def one(kind: str, body: dict[str, Any]) -> None:
        try:
            await work.handle(kind, body)
        except Exception:  # noqa: BLE001 - one failed request must not end the process
            incidents.report(log, "a %s %s after its ack", platform, kind)
        finally:
            gate.release()

    try:
        while True:
            try:
                kind, body = json.loads(await _read_frame(requests))
            except asyncio.IncompleteReadError:
                break
            await gate.acquire()
            task = asyncio.create_task(one(kind, body))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.wait(running)
    finally:
        await work.close()
        await app.close()
