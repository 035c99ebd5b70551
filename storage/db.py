"""The one session pattern: ``await db.write(fn)`` and ``await db.read(fn)``.

``fn`` receives an ``AsyncSession`` inside a transaction. Writes are *group-committed*: calls
that arrive while a transaction is running are queued and run together in the next one. A batch
first runs without SAVEPOINTs (two statements fewer per call, a third of a join's); if a call
fails, that transaction rolls back and the batch runs again with each call in its own SAVEPOINT,
so the failing call rolls back alone while the others commit. Calls must therefore be safe to run
twice: they change nothing but the session. A write's result is only returned after its
transaction has committed — which is what lets a handler tell a member "you're in" and mean it.

Work that only needs doing once per transaction however many calls asked for it (the live count
of an announcement after a burst of joins) is handed to :func:`once_before_commit`.

A hot command (a burst of joins to one action) submits a typed request with
:meth:`Database.write_together` instead: the writer hands every request of the batch with the same
key to one call, so a thousand clicks cost one member lookup, one count and one insert per batch
rather than per click. Each caller still hears back only after the commit that holds its request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import incidents

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[T]]
Together = Callable[[AsyncSession, list[Any]], Awaitable[Sequence[Any]]]


_DEFERRED = "once_before_commit"


async def once_before_commit(session: AsyncSession, key: object, fn: Work[None]) -> None:
    """Run ``fn(session)`` after every call of this write batch, just before it commits; a later call
    with the same ``key`` replaces it (the latest wins). What a call deferred is dropped if that call
    rolls back. Outside a group-committed write (a job's own transaction) it runs at once."""
    pending = session.info.get(_DEFERRED)
    if pending is None:
        await fn(session)
    else:
        pending.pop(key, None)
        pending[key] = fn


class _CallFailed(Exception):
    """A call failed in a batch run without SAVEPOINTs; carries its error out of the rolled-back transaction."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


@dataclass(eq=False)
class _Request:
    """One caller's write: plain work (``key`` None), or an item for ``together`` under ``key``."""

    run: Together
    item: Any
    future: asyncio.Future[Any]
    key: tuple[Hashable, Hashable] | None = None


@dataclass(eq=False)
class _Step:
    """What the writer calls once in a transaction: one plain work, or every request of a key."""

    run: Together
    requests: list[_Request]


def _steps(batch: list[_Request], *, together: bool) -> list[_Step]:
    """Requests in arrival order, those with the same key gathered into the step of the first one.

    A request joins an earlier one's step only when nothing that might depend on their order came
    in between: plain work (which may touch anything) and a request for the same resource of
    another kind (a leave between two joins of one action) start new steps."""
    steps: list[_Step] = []
    gathering: dict[tuple[Hashable, Hashable], _Step] = {}
    for request in batch:
        if request.future.cancelled():
            continue
        if request.key is None or not together:
            gathering.clear()
            steps.append(_Step(request.run, [request]))
            continue
        resource, _kind = request.key
        for key in [k for k in gathering if k[0] == resource and k != request.key]:
            del gathering[key]
        step = gathering.get(request.key)
        if step is None:
            step = gathering[request.key] = _Step(request.run, [])
            steps.append(step)
        step.requests.append(request)
    return steps


def _plain(fn: Work[Any]) -> Together:
    async def run(session: AsyncSession, _items: list[Any]) -> list[Any]:
        return [await fn(session)]
    return run


class DatabaseUnavailable(Exception):
    """The database could not be reached; the command had no effect and can be retried."""


def normalize_url(url_or_path: str) -> str:
    """Accept a bare file path or any SQLAlchemy URL; pick the async driver for the common ones."""
    if "://" not in url_or_path:
        return f"sqlite+aiosqlite:///{Path(url_or_path).expanduser()}"
    url = make_url(url_or_path)
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
    if url.drivername in drivers:
        url = url.set(drivername=drivers[url.drivername])
    return url.render_as_string(hide_password=False)


class Database:
    SQLITE_BUSY_SECONDS = 30  # how long a SQLite write waits for another program's lock before giving up

    def __init__(self, url: str, *, max_batch: int = 256) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.max_batch = max_batch
        self.engine: AsyncEngine = self._create_engine(writer=False)
        self._write_engine = self._create_engine(writer=True) if self.is_sqlite else self.engine
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self._write_engine, class_=AsyncSession, expire_on_commit=False)
        self._queue: asyncio.Queue[_Request] | None = None
        self._writers: list[asyncio.Task[None]] = []

    def _create_engine(self, *, writer: bool) -> AsyncEngine:
        if not self.is_sqlite:
            return create_async_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        path = make_url(self.url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(self.url, connect_args={"timeout": self.SQLITE_BUSY_SECONDS},
                                     pool_size=1 if writer else 5)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: object) -> None:
            # Let SQLAlchemy, not the driver, issue BEGIN, so SAVEPOINTs work (SQLAlchemy's documented recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                           f"busy_timeout={self.SQLITE_BUSY_SECONDS * 1000}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
            # SQLite's own lower() folds ASCII only: "Álvarez" would never match what a member typed
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # The writer takes SQLite's write lock up front, so a second process waits instead of failing.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine

    async def write(self, fn: Work[T]) -> T:
        """Run ``fn`` in a write transaction shared with other concurrent writes; return after commit."""
        result: T = await self._submit(_plain(fn), None, None)
        return result

    async def write_together(self, key: tuple[Hashable, Hashable], run: Together, item: Any) -> Any:
        """Submit ``item`` to be written by ``run(session, items)`` together with the other items of the
        batch under the same ``key`` — ``(resource, kind)``: (the action, the join) — in arrival order;
        ``run`` returns one result per item, and this item's result is returned after commit.

        If ``run`` raises, no item of the call is kept: the transaction rolls back and runs again with
        every item in a call (and a SAVEPOINT) of its own, so only the failing item's caller hears
        the error. Items under different resources must not depend on each other's order."""
        return await self._submit(run, item, key)

    async def _submit(self, run: Together, item: Any, key: tuple[Hashable, Hashable] | None) -> Any:
        if self._queue is None:
            self._queue = asyncio.Queue()
            lanes = 1 if self.is_sqlite else 4
            self._writers = [asyncio.create_task(self._writer()) for _ in range(lanes)]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Request(run, item, future, key))
        return await future

    async def read(self, fn: Work[T]) -> T:
        """Run ``fn`` in its own read-only transaction (WAL lets reads proceed beside the writer)."""
        try:
            async with self._sessions() as session, session.begin():
                return await fn(session)
        except (OperationalError, DBAPIError, OSError) as exc:
            if _is_unavailable(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    async def _writer(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._run_batch(batch)

    async def _run_batch(self, batch: list[_Request]) -> None:
        try:
            try:
                outcomes = await self._transaction(_steps(batch, together=True), savepoints=False)
            except _CallFailed as failed:  # rolled back; the batch runs again with every request in its SAVEPOINT
                alone = _steps(batch, together=False)
                outcomes = (await self._transaction(alone, savepoints=True) if len(alone) > 1
                            else [(request.future, None, failed.error) for step in alone for request in step.requests])
        except Exception as exc:  # the commit itself failed: nothing in the batch happened
            error: BaseException = DatabaseUnavailable(str(exc)) if _is_unavailable(exc) else exc
            log.warning("write batch of %d failed: %s", len(batch), type(exc).__name__)
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(error)
            return
        for future, result, failure in outcomes:
            if future.done():
                continue
            if failure is None:
                future.set_result(result)
            else:
                future.set_exception(failure)

    async def _transaction(self, steps: list[_Step], *,
                           savepoints: bool) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        """Run the steps in one transaction and commit. Without ``savepoints`` the first step to fail
        raises :class:`_CallFailed`, which rolls the whole transaction back."""
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        async with self._write_sessions() as session, session.begin():
            deferred: dict[object, Work[None]] = {}
            for step in steps:
                mine: dict[object, Work[None]] = {}
                session.info[_DEFERRED] = mine
                items = [request.item for request in step.requests]
                try:
                    if savepoints:
                        async with session.begin_nested():
                            results = await step.run(session, items)
                    else:
                        results = await step.run(session, items)
                    if len(results) != len(items):
                        raise RuntimeError(f"{len(results)} results for {len(items)} requests")
                except Exception as exc:  # noqa: BLE001 - handed to the caller
                    if _is_unavailable(exc):
                        raise  # the connection is gone: the whole batch fails
                    if not savepoints:
                        raise _CallFailed(exc) from exc
                    outcomes += [(request.future, None, exc) for request in step.requests]
                    continue
                outcomes += [(request.future, result, None) for request, result in zip(step.requests, results)]
                for key, later in mine.items():
                    deferred.pop(key, None)
                    deferred[key] = later
            del session.info[_DEFERRED]
            for key, later in deferred.items():
                await _run_deferred(session, key, later)
        return outcomes

    async def close(self) -> None:
        for task in self._writers:
            task.cancel()
        await asyncio.gather(*self._writers, return_exceptions=True)
        self._writers, self._queue = [], None
        await self.engine.dispose()
        if self._write_engine is not self.engine:
            await self._write_engine.dispose()


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


async def _run_deferred(session: AsyncSession, key: object, fn: Work[None]) -> None:
    """Deferred work has its own SAVEPOINT: if it fails, the calls that asked for it still commit."""
    try:
        async with session.begin_nested():
            await fn(session)
    except Exception as exc:
        if _is_unavailable(exc):
            raise
        incidents.report(log, "deferred %s", key)


def _is_unavailable(exc: BaseException) -> bool:
    """The database could not be used at all (gone, or locked by another program past the busy timeout):
    nothing happened and trying again later is the answer."""
    if isinstance(exc, (OSError, ConnectionError)):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)
    return False
