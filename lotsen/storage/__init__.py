"""Durable storage behind one async seam (see lotsen/storage/base.py for the protocols).

SQLite by default (a file under DATA_DIR, created on first run); PostgreSQL when
DATABASE_URL is a postgresql:// URL. `open_store(...)` returns an unopened store: the app
opens it at start-up (`await store.open()`, which applies pending migrations) and closes
it on shutdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, cast

from lotsen.storage.base import Store, Unit
from lotsen.storage.models import (
    AlreadyRecorded,
    AuditEntry,
    Case,
    CaseFilter,
    ChannelLink,
    Draft,
    DraftConflict,
    Event,
    StorageUnavailable,
    conversation_key,
)


# A Bot Framework token lives about an hour (+ 5 min clock skew); a captured request can be
# replayed only that long, and Teams retries within seconds. A day covers both.
SEEN_WINDOW = timedelta(hours=24)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).split(":", 1)[0] in ("postgresql", "postgres")


def open_store(database: str | Path, *, clock: Callable[[], datetime] | None = None, **options) -> Store:
    """A store for a postgresql:// URL or an SQLite file path (":memory:" for a throwaway one)."""
    if isinstance(database, str) and is_postgres_url(database):
        from lotsen.storage.postgres import PostgresStore

        return cast(Store, PostgresStore(database, clock=clock, **options))
    from lotsen.storage.sqlite import SqliteStore

    return cast(Store, SqliteStore(database, clock=clock, **options))


async def connect(database: str | Path, *, clock: Callable[[], datetime] | None = None, **options) -> Store:
    """open_store(...) and open it (scripts and tests)."""
    store = open_store(database, clock=clock, **options)
    await store.open()
    return store


__all__ = [
    "AlreadyRecorded",
    "AuditEntry",
    "Case",
    "CaseFilter",
    "ChannelLink",
    "Draft",
    "DraftConflict",
    "Event",
    "conversation_key",
    "SEEN_WINDOW",
    "StorageUnavailable",
    "Store",
    "Unit",
    "connect",
    "is_postgres_url",
    "open_store",
    "utcnow",
]
