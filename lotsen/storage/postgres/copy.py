"""Copy an SQLite database into a migrated, empty PostgreSQL database (scripts/db.py copy).

Both backends share the same migration numbers and table layout (TEXT/INTEGER columns), so
the copy is table by table, column by column, in one PostgreSQL transaction: either every
row arrives or none does. Identity sequences are moved past the copied ids afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lotsen.storage.postgres import PostgresStore
from lotsen.storage.sqlite import SqliteStore

BATCH = 500


class CopyRefused(Exception):
    """The copy cannot start (the message says why, for the operator)."""


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    # Parents before children (case_events references cases): creation order is fine.
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")').fetchall()]


async def copy_sqlite_to_postgres(source: Path | str, target_url: str) -> dict[str, tuple[int, int]]:
    """Copy every table; return {table: (rows in SQLite, rows in PostgreSQL)}. Raises
    CopyRefused when the source is missing or older than the code, or the target has rows."""
    source = Path(source)
    if not source.exists():
        raise CopyRefused(f"no SQLite database at {source}")
    # Bring the source up to the current schema first (the same migrations the app applies).
    sqlite_store = SqliteStore(source)
    await sqlite_store.open()
    try:
        version = sqlite_store.opened_version
        source_counts = await sqlite_store.table_counts()
    finally:
        await sqlite_store.close()

    target = PostgresStore(target_url)
    await target.open()  # applies pending migrations
    try:
        if target.opened_version != version:
            raise CopyRefused(f"schema versions differ: SQLite {version}, PostgreSQL {target.opened_version}")
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = _sqlite_tables(db)
            occupied = {t: n for t, n in (await target.table_counts()).items() if n}
            if occupied:
                listed = ", ".join(f"{t} ({n})" for t, n in sorted(occupied.items()))
                raise CopyRefused(
                    f"the target database already has rows: {listed}; copy only into a new, empty database"
                )
            pool = target._pool_or_fail()
            async with pool.connection() as conn:
                async with conn.transaction():
                    for table in tables:
                        columns = _columns(db, table)
                        names = ", ".join(f'"{c}"' for c in columns)
                        marks = ", ".join(["%s"] * len(columns))
                        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
                        cursor = db.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid')
                        async with conn.cursor() as pg:
                            while batch := cursor.fetchmany(BATCH):
                                await pg.executemany(sql, batch)
                        if "id" in columns:
                            await conn.execute(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false) '
                                f"WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
                            )
            target_counts = await target.table_counts()
        finally:
            db.close()
    finally:
        await target.close()
    return {
        t: (source_counts.get(t, 0), target_counts.get(t, 0)) for t in sorted(set(source_counts) | set(target_counts))
    }


async def migrate(database: Path | str) -> tuple[int, str]:
    """Apply pending migrations; return (schema version, backend)."""
    from lotsen.storage import open_store

    store = open_store(database)
    await store.open()
    try:
        return await store.schema_version(), store.backend
    finally:
        await store.close()
