"""SQLite: one file under DATA_DIR, WAL journal, synchronous=FULL, schema version in
`PRAGMA user_version`.

Nothing runs on the event loop: one writer thread owns the writing connection (one
transaction at a time, `BEGIN IMMEDIATE`, so writers in other processes queue on SQLite's
lock instead of failing half-way) and one reader thread owns a second connection (WAL lets
it read while another process holds the write lock). An in-memory database (tests) has one
connection for both.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import lotsen.storage.migrate as migrate
from lotsen.storage.models import StorageUnavailable
from lotsen.storage.portable.repositories import SqlStore, iso

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15000


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Thread:
    """A sqlite3 connection owned by one thread; every call hops onto that thread."""

    def __init__(self, name: str):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.conn: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self.conn is None:
            raise StorageUnavailable("the store is not open")
        return self.conn

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StorageUnavailable(str(error)) from error
            raise

    def close(self) -> None:
        def shut() -> None:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

        self.executor.submit(shut).result()
        self.executor.shutdown(wait=True)


class _Conn:
    """Statements on one connection. `begin`: the transaction's BEGIN IMMEDIATE, sent in the
    same hop as its first statement (one thread hop fewer per unit of work; nothing reaches the
    database before it, so the transaction is the same)."""

    def __init__(self, thread: _Thread, begin: str | None = None):
        self.t = thread
        self.begin = begin

    @property
    def begun(self) -> bool:
        return self.begin is None

    def _db(self) -> sqlite3.Connection:
        """The connection, on its thread, with the pending BEGIN sent."""
        db = self.t.db
        if self.begin is not None:
            begin, self.begin = self.begin, None
            db.execute(begin)
        return db

    async def execute(self, sql: str, args: tuple | list = ()) -> int:
        return await self.t.call(lambda: self._db().execute(sql, args).rowcount)

    async def one(self, sql: str, args: tuple | list = ()) -> dict[str, Any] | None:
        def run() -> dict[str, Any] | None:
            cursor = self._db().execute(sql, args)
            row = cursor.fetchone()
            cursor.fetchall()  # finish the statement (RETURNING rows are written when stepped)
            return dict(row) if row is not None else None

        return await self.t.call(run)

    async def all(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        return await self.t.call(lambda: [dict(r) for r in self._db().execute(sql, args).fetchall()])

    async def lock(self, key: str) -> None:
        """BEGIN IMMEDIATE already holds the database's only write lock."""


def _connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if path != ":memory:":
        # Switching to WAL needs a moment alone with the file: several processes opening a new
        # database at once may see "locked" here, so wait and retry (it is a no-op once set).
        for attempt in range(200):
            try:
                db.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError:
                if attempt == 199:
                    raise
                time.sleep(0.05)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    if readonly:
        db.execute("PRAGMA query_only=ON")
    return db


class SqliteStore(SqlStore):
    backend = "sqlite"

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] | None = None, migrations: list[str] | None = None
    ):
        super().__init__(clock or _utcnow)
        self.path = Path(path) if str(path) != ":memory:" else None
        self.migrations = migrations if migrations is not None else migrate.load(MIGRATIONS_DIR)
        self._writer = _Thread("sqlite-writer")
        self._reader_thread = _Thread("sqlite-reader") if self.path is not None else self._writer
        self._write_lock = asyncio.Lock()
        self.opened_version = 0  # the schema version after open()
        self._open = False

    # --- life cycle -------------------------------------------------------------------------

    @property
    def latest_version(self) -> int:
        return len(self.migrations)

    async def open(self) -> None:
        if self._open:
            return
        target = ":memory:" if self.path is None else str(self.path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)

        def open_writer() -> int:
            self._writer.conn = _connect(target)
            return self._migrate(self._writer.db)

        self.opened_version = await self._writer.call(open_writer)
        self._open = True
        if self._reader_thread is not self._writer:

            def open_reader() -> None:
                self._reader_thread.conn = _connect(target, readonly=True)

            await self._reader_thread.call(open_reader)

    def _migrate(self, db: sqlite3.Connection) -> int:
        """Pending migrations in one BEGIN IMMEDIATE transaction: the version is read after
        taking the write lock, so two processes starting at once never run a step twice."""
        db.execute("BEGIN IMMEDIATE")
        try:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(self.migrations, start=1):
                if number <= current:
                    continue
                for statement in migrate.statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
                current = number
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return current

    async def close(self) -> None:
        if not self._open:
            return
        self._open = False
        for thread in {id(t): t for t in (self._reader_thread, self._writer)}.values():
            await asyncio.get_running_loop().run_in_executor(None, thread.close)

    # --- connections -------------------------------------------------------------------------

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[_Conn]:
        async with self._write_lock:
            conn = _Conn(self._writer, begin="BEGIN IMMEDIATE")
            try:
                yield conn
                if conn.begun:  # nothing to commit when the block sent no statement
                    await conn.execute("COMMIT")
            except BaseException:
                await self._writer.call(self._rollback)
                raise

    async def _write_batch(self, statements: list[tuple[str, tuple]]) -> None:
        """A batch of log rows (SqlStore.log): BEGIN, the statements and COMMIT in one hop."""

        def run() -> None:
            db = self._writer.db
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    db.execute(sql, args)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

        async with self._write_lock:
            await self._writer.call(run)

    def _rollback(self) -> None:
        if self._writer.conn is not None and self._writer.conn.in_transaction:
            self._writer.db.execute("ROLLBACK")

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[_Conn]:
        yield _Conn(self._reader_thread)

    # --- operators ---------------------------------------------------------------------------

    async def schema_version(self) -> int:
        async with self.read() as c:
            return int((await c.one("PRAGMA user_version") or {"user_version": 0})["user_version"])

    async def ping(self) -> None:
        async with self.read() as c:
            await c.one("SELECT 1 AS ok")

    async def pragma(self, name: str) -> Any:
        """A PRAGMA's value on the writing connection (journal_mode, synchronous …)."""
        return await self._writer.call(lambda: self._writer.db.execute(f"PRAGMA {name}").fetchone()[0])

    async def set_busy_timeout(self, ms: int = BUSY_TIMEOUT_MS) -> None:
        """How long a write waits for another process's lock before StorageUnavailable."""
        for thread in {id(t): t for t in (self._reader_thread, self._writer)}.values():
            await thread.call(lambda t=thread: t.db.execute(f"PRAGMA busy_timeout={int(ms)}"))

    async def in_transaction(self) -> bool:
        """Whether the writing connection has a transaction open outside any unit of work
        (waits for the one in progress, if any): it must never have."""
        async with self._write_lock:
            return await self._writer.call(lambda: self._writer.db.in_transaction)

    def __repr__(self) -> str:
        return f"SqliteStore({self.path or ':memory:'})"


__all__ = ["SqliteStore", "iso"]
