"""Issue 12, Done when: "after a restart mid-retry it still arrives once" — with the real process.

The real bot (app.py, SQLite in DATA_DIR) files a deviation over HTTP; the fake Bot Connector
answers the channel post with 502s and then a 429 (Retry-After), so the post is in the outbox
between two attempts. The process is killed with SIGKILL (no cleanup runs), the connector
heals, and app.py is started again on the same DATA_DIR: the post arrives exactly once, and
the reporter had the receipt before the crash."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import aiohttp

from tests.support.fake_connector import FakeConnector
from tests.support.process import BotProcess
from tests.support.reports import CHANNEL_ID, file_deviation, in_channel
from tests.support.teams import TeamsClient

REFERENCE = "AVV-2026-0001"
RETRY_AFTER = 6  # seconds the post waits after the 429: the process is killed in that window


def channel_posts(connector: FakeConnector, reference: str = REFERENCE) -> list:
    return [
        c
        for c in connector.calls
        if c.method == "send"
        and c.conversation.startswith(CHANNEL_ID)
        and reference in json.dumps(c.body, ensure_ascii=False)
    ]


def outbox_row(database) -> dict | None:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    db.row_factory = sqlite3.Row
    try:
        row = db.execute(
            "SELECT status, attempts, last_status, next_at FROM outbox WHERE kind = 'case_post'"
        ).fetchone()
        return dict(row) if row else None
    finally:
        db.close()


async def until(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_a_channel_post_mid_retry_survives_kill_9_and_arrives_once(connector, tmp_path):
    bot = BotProcess(tmp_path / "data")
    await bot.start()
    try:
        async with aiohttp.ClientSession(base_url=bot.url) as http:
            teams = TeamsClient(http, connector, connector.url)
            assert "Klart!" in (await in_channel(teams, "koppla kanal avvikelser Vetlanda")).all_text()
            # The turn's own attempt (three requests) and the worker's first attempt (two 502s,
            # then a 429 asking for RETRY_AFTER seconds) all fail: the post waits in the outbox.
            connector.fail_next(CHANNEL_ID, 502, 502, 502, 502, 502, ("retry-after", RETRY_AFTER))
            receipt = await file_deviation(teams)
        text = receipt.all_text()
        assert REFERENCE in text and "så snart det går" in text  # the reporter has the receipt
        await until(lambda: (outbox_row(bot.database) or {}).get("last_status") == 429, 20, "the 429")
        row = outbox_row(bot.database)
        assert (row["status"], row["attempts"]) == ("pending", 2)  # mid-retry: two attempts failed
        assert bot.kill9() == -9
    finally:
        bot.stop()
    assert channel_posts(connector) == [] and not connector.faults[CHANNEL_ID]  # not delivered yet

    restarted = BotProcess(tmp_path / "data")  # the connector answers normally from now on
    started = time.monotonic()
    await restarted.start()
    try:
        await until(lambda: len(channel_posts(connector)) >= 1, 30, "the channel post after the restart")
        arrived = time.monotonic() - started
        await asyncio.sleep(2.0)  # nothing more arrives later (no duplicate)
        assert len(channel_posts(connector)) == 1
        assert arrived < 30
        assert outbox_row(restarted.database)["status"] == "delivered"
        db = sqlite3.connect(restarted.database)
        try:
            assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1  # filed once
            # the case remembers its channel post (its buttons work later)
            (activity,) = db.execute("SELECT channel_activity_id FROM cases").fetchone()
        finally:
            db.close()
        assert activity == channel_posts(connector)[0].new_id
    finally:
        restarted.stop()
