"""Expired unfinished forms are removed by the bot's housekeeping."""

from datetime import timedelta

from lotsen.background import Background
from lotsen.storage import Store


class Services:
    def __init__(self, store):
        self.store = store


def test_housekeeping_removes_expired_drafts_only(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    store.save_draft("old", "avvikelse", {"step": 1}, timedelta(hours=1))
    store.save_draft("fresh", "avvikelse", {"step": 2}, timedelta(hours=72))
    store.db.execute("UPDATE drafts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE key = 'old'")
    assert Background(Services(store), handle_signals=False, schedule_digest=False).housekeep() == 1
    keys = [r[0] for r in store.db.execute("SELECT key FROM drafts")]
    assert keys == ["fresh"]
