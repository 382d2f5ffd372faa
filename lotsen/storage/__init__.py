"""Durable storage. SQLite by default: a file under DATA_DIR, created on first run."""

from lotsen.storage.sqlite import Store, utcnow

__all__ = ["Store", "utcnow"]
