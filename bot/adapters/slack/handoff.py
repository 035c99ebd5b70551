"""Where acknowledged work runs: in the process that acks, or in command processes beside it.

Slack gives a request 3 seconds to be acknowledged. A join, the member's ``users.info`` lookup
and the ``response_url`` answer all cost CPU; in the acking process, every ack in a burst waits
behind the work of the requests acked before it (bench/slack_e2e.py measured acks at 0.4× a bare
bolt app that way). So by default the acking process only acks and hands each request, as Slack
sent it, to a command process that runs only on CPU the acking process leaves idle
(:func:`yield_cpu`): acks come first, and the work scales to more cores with
``slack.command_processes``.

A request handed off is in memory until its command commits, exactly as when it runs in the
acking process: a crash loses it unanswered (the member never saw "you're in"), never half-done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import struct
from multiprocessing.connection import Connection
from typing import Any

from bot.adapters.slack.work import CommandWork
from bot.config import Config

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 64  # requests one command process works on at once (they mostly wait on I/O)
STOP_SECONDS = 10.0  # how long closing waits for a command process to finish what it has


class Inline:
    """The work runs in the acking process, right after the ack (``command_processes = 0``)."""

    def __init__(self, work: CommandWork) -> None:
        self.work = work

    async def start(self) -> None:
        pass

    async def run(self, kind: str, body: dict[str, Any]) -> None:
        await self.work.handle(kind, body)

    async def close(self) -> None:
        pass


class CommandProcesses:
    """Hands acknowledged requests to ``count`` child processes, in turn, each through its own pipe.

    Writing to a pipe through the event loop never blocks an ack (the loop buffers what the child
    has not read yet) and needs no thread. A child that dies is replaced in its slot: what it held,
    read or still in its pipe, is lost (the death is logged), and requests that arrive while the
    replacement starts wait for it. A child whose pipe closes (the acking process stopped or died)
    finishes what it read and exits.
    """

    def __init__(self, config: Config, count: int) -> None:
        self.config = config
        self.mp = multiprocessing.get_context("spawn")  # a fresh interpreter: no event loop or sockets inherited
        self.children = [_Child() for _ in range(count)]
        self._turn = 0
        self._closing = False

    async def start(self) -> None:
        for child in self.children:
            await self._spawn(child)

    async def run(self, kind: str, body: dict[str, Any]) -> None:
        data = json.dumps([kind, body]).encode()
        self._turn = (self._turn + 1) % len(self.children)
        self.children[self._turn].send(struct.pack("!I", len(data)) + data)

    async def _spawn(self, child: _Child) -> None:
        loop = asyncio.get_running_loop()
        reading, writing = os.pipe()
        end = Connection(reading, writable=False)
        child.process = self.mp.Process(target=serve, args=(self.config, end, logging.getLogger().level),
                                        name="slack-commands", daemon=True)
        child.process.start()
        end.close()  # the child has its own copy
        pipe, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, open(writing, "wb"))
        child.connected(pipe)
        loop.add_reader(child.process.sentinel, self._ended, child)

    def _ended(self, child: _Child) -> None:
        asyncio.get_running_loop().remove_reader(child.process.sentinel)
        child.pipe.close()
        child.pipe = None  # until the replacement is connected, requests wait in the slot
        if not self._closing:
            log.warning("a Slack command process ended (exit %s); starting another", child.process.exitcode)
            child.restarting = asyncio.create_task(self._spawn(child))

    async def close(self) -> None:
        """Let each child finish what it has, then stop it."""
        self._closing = True
        loop = asyncio.get_running_loop()
        for child in self.children:
            if child.pipe is not None:
                child.pipe.close()  # after what is buffered: the child reads to the end, then stops
        for child in self.children:
            await loop.run_in_executor(None, child.process.join, STOP_SECONDS)
            if child.process.is_alive():
                child.process.kill()


class _Child:
    """One command process and the pipe to it."""

    def __init__(self) -> None:
        self.process: multiprocessing.Process | None = None
        self.pipe: asyncio.WriteTransport | None = None
        self.waiting: list[bytes] = []
        self.restarting: asyncio.Task | None = None  # held so the task is not collected mid-way

    def send(self, frame: bytes) -> None:
        if self.pipe is None:
            self.waiting.append(frame)
        else:
            self.pipe.write(frame)

    def connected(self, pipe: asyncio.WriteTransport) -> None:
        self.pipe = pipe
        pipe.writelines(self.waiting)
        self.waiting.clear()


def serve(config: Config, reading: Connection, log_level: int) -> None:
    """A command process: work on each request from the pipe, until it closes."""
    yield_cpu()
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(config, reading))


def yield_cpu() -> None:
    """Run only on CPU that nothing else wants: Linux's ``SCHED_IDLE`` (a waking acking process takes
    the CPU at once), elsewhere the lowest nice level. bench/slack_e2e.py, side by side: acks at 0.94×
    a bare bolt app and p99 1.7× with ``SCHED_IDLE``; 0.74× and 4× at nice 19; 0.35× and 13× with the
    work in the acking process. The cost: on a host whose CPU other programs keep busy, commands wait
    (``command_processes = 0`` then shares the CPU evenly)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or a sandbox that forbids it
        os.nice(19)


async def _serve(config: Config, reading: Connection) -> None:
    from bot.app import App

    app = App(config, platforms=("slack",))
    work = CommandWork.for_app(app)
    loop = asyncio.get_running_loop()
    requests = asyncio.StreamReader(limit=2**24)
    pipe = open(os.dup(reading.fileno()), "rb")
    reading.close()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(requests), pipe)
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    running: set[asyncio.Task] = set()

    async def one(kind: str, body: dict[str, Any]) -> None:
        try:
            await work.handle(kind, body)
        except Exception:  # noqa: BLE001 - one failed request must not end the process
            log.exception("a Slack %s failed after its ack", kind)
        finally:
            gate.release()

    try:
        while True:
            try:
                size, = struct.unpack("!I", await requests.readexactly(4))
                kind, body = json.loads(await requests.readexactly(size))
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
