"""Expired unfinished forms are removed by the bot's housekeeping, once per hour across instances."""

from datetime import timedelta

from lotsen.background import Background
from lotsen.storage import connect
from tests.support.db import sql


class Services:
    def __init__(self, store):
        self.store = store


async def test_housekeeping_removes_expired_drafts_only(tmp_path):
    store = await connect(tmp_path / "db.sqlite3")
    try:
        await store.drafts.save("old", "avvikelse", {"step": 1}, timedelta(hours=1))
        await store.drafts.save("fresh", "avvikelse", {"step": 2}, timedelta(hours=72))
        sql(store).execute("UPDATE drafts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE key = 'old'")
        assert await Background(Services(store), handle_signals=False, schedule_digest=False).housekeep() == 1
        keys = [r[0] for r in sql(store).execute("SELECT key FROM drafts")]
        assert keys == ["fresh"]
    finally:
        await store.close()


async def test_the_hourly_purge_runs_once_per_hour_across_instances(tmp_path):
    """Two instances on one database: only the first to claim the hour purges."""
    first, second = await connect(tmp_path / "db.sqlite3"), await connect(tmp_path / "db.sqlite3")
    try:
        for key in ("a", "b"):
            await first.drafts.save(key, "avvikelse", {}, timedelta(hours=1))
        sql(first).execute("UPDATE drafts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE key = 'a'")
        slot = "2026-11-23T08:00:00+00:00"
        one = Background(Services(first), handle_signals=False, schedule_digest=False)
        two = Background(Services(second), handle_signals=False, schedule_digest=False)
        assert await one.housekeep(slot) == 1
        sql(first).execute("UPDATE drafts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE key = 'b'")
        assert await two.housekeep(slot) == 0  # the same hour: already done by the first instance
        assert await two.housekeep("2026-11-23T09:00:00+00:00") == 1
        claims = sql(first).execute("SELECT slot FROM job_claims WHERE job = 'purge' ORDER BY slot").fetchall()
        assert [r[0] for r in claims] == [slot, "2026-11-23T09:00:00+00:00"]
    finally:
        await first.close()
        await second.close()
