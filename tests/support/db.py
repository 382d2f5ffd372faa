"""Direct, synchronous SQL for test assertions about stored rows (tests only: the product
talks to the database through lotsen.storage's repositories)."""

from __future__ import annotations

import atexit
import sqlite3
from typing import Any

_open: dict[str, sqlite3.Connection] = {}


@atexit.register
def _close_all() -> None:
    for conn in _open.values():
        conn.close()
    _open.clear()


class _Row(dict):
    """A row by column name or by position, like sqlite3.Row."""

    def __getitem__(self, key):
        return list(self.values())[key] if isinstance(key, int) else super().__getitem__(key)


class _PgCursor:
    def __init__(self, rows: list[Any], rowcount: int):
        self._rows, self.rowcount = rows, rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self):
        return iter(self._rows)


class _Pg:
    def __init__(self, url: str):
        self.url = url

    def execute(self, query: str, args: tuple | list = ()) -> _PgCursor:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cur = conn.execute(query.replace("%", "%%").replace("?", "%s"), args)
            names = [c.name for c in cur.description] if cur.description else []
            rows = [_Row(zip(names, r)) for r in cur.fetchall()] if names else []
            return _PgCursor(rows, cur.rowcount)


def sql(store: Any) -> Any:
    """Something with .execute(sql, args) → cursor (fetchone/fetchall/iteration/rowcount),
    on a connection of its own (it sees committed rows only)."""
    if getattr(store, "backend", "") == "postgresql":
        return _Pg(store.url)
    path = getattr(store, "path", None)
    if path is None:  # in-memory: only the store's own connection sees it
        return store._writer.db
    key = str(path)
    if key not in _open:
        conn = sqlite3.connect(key, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=15000")
        _open[key] = conn
    return _open[key]


async def write(store: Any, query: str, args: tuple | list = ()) -> int:
    """A test's own write (e.g. ageing a draft) while the bot runs on this event loop: in a
    thread, so the bot can finish a transaction it has open meanwhile (a synchronous write here
    would block the loop and wait on the bot's lock). Returns the rows changed."""
    import asyncio

    return await asyncio.to_thread(lambda: sql(store).execute(query, args).rowcount)
