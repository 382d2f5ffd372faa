"""PostgreSQL (DATABASE_URL=postgresql://…): psycopg 3 with an async connection pool, for
two or more instances on one database.

The pool is opened by `open()` (the app's start-up) and closed by `close()` (shutdown).
Migrations run in one transaction under an advisory lock, so instances starting together
apply each step once; the applied numbers are rows of `schema_migrations`. Serialising work
on a key inside a transaction (`Conn.lock`, e.g. filing one form) uses
`pg_advisory_xact_lock`, released at commit or rollback.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import lotsen.storage.migrate as migrate
from lotsen.storage.models import StorageUnavailable
from lotsen.storage.portable.repositories import SqlStore

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 7_114_302_611  # advisory lock key for migrations (any constant the app owns)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _sql(statement: str) -> str:
    """The portable statements use `?`; psycopg wants `%s` (and `%%` for a literal %)."""
    return statement.replace("%", "%%").replace("?", "%s")


class _Conn:
    SKIP_LOCKED = " FOR UPDATE SKIP LOCKED"  # claims skip rows another instance holds

    def __init__(self, conn: Any):
        self.conn = conn

    async def execute(self, sql: str, args: tuple | list = ()) -> int:
        cur = await self.conn.execute(_sql(sql), tuple(args))
        return int(cur.rowcount)

    async def one(self, sql: str, args: tuple | list = ()) -> dict[str, Any] | None:
        cur = await self.conn.execute(_sql(sql), tuple(args))
        row = await cur.fetchone()
        return dict(row) if row is not None else None

    async def all(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        cur = await self.conn.execute(_sql(sql), tuple(args))
        return [dict(r) for r in await cur.fetchall()]

    async def lock(self, key: str) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))


class PostgresStore(SqlStore):
    backend = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], datetime] | None = None,
        migrations: list[str] | None = None,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
    ):
        super().__init__(clock or _utcnow)
        self.url = url
        self.migrations = migrations if migrations is not None else migrate.load(MIGRATIONS_DIR)
        self.min_size, self.max_size, self.timeout = min_size, max_size, timeout
        self.opened_version = 0
        self._pool: Any = None

    @property
    def latest_version(self) -> int:
        return len(self.migrations)

    # --- life cycle -------------------------------------------------------------------------

    async def open(self) -> None:
        if self._pool is not None:
            return
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            open=False,
            timeout=self.timeout,
            kwargs={"row_factory": dict_row, "autocommit": True},
            name="lotsen",
        )
        await pool.open(wait=True, timeout=self.timeout)
        self._pool = pool
        try:
            self.opened_version = await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def _migrate(self) -> int:
        async with self._begin() as c:
            await c.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            await c.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            row = await c.one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
            current = int(row["v"]) if row else 0
            for number, script in enumerate(self.migrations, start=1):
                if number <= current:
                    continue
                for statement in migrate.statements(script):
                    await c.conn.execute(statement)
                await c.execute("INSERT INTO schema_migrations (version) VALUES (?)", (number,))
                current = number
        return current

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    # --- connections -------------------------------------------------------------------------

    def _pool_or_fail(self) -> Any:
        if self._pool is None:
            raise StorageUnavailable("the store is not open")
        return self._pool

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[_Conn]:
        async with self._pool_or_fail().connection() as conn:
            async with conn.transaction():
                yield _Conn(conn)

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[_Conn]:
        async with self._pool_or_fail().connection() as conn:
            yield _Conn(conn)

    # --- operators ---------------------------------------------------------------------------

    async def schema_version(self) -> int:
        async with self.read() as c:
            row = await c.one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        return int(row["v"]) if row else 0

    async def ping(self) -> None:
        async with self.read() as c:
            await c.one("SELECT 1 AS ok")

    def __repr__(self) -> str:
        return "PostgresStore(…)"  # never the URL: it may carry a password


__all__ = ["PostgresStore"]
