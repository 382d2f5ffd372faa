"""Issue 11, "Done when": with another process holding SQLite's write lock for 10 s, a plain
question is answered in < 2 s and /healthz in < 1 s; and what had to wait for the lock (the
question log, a filed report) is stored once the lock is released — nothing lost.

The lock is held by a separate OS process (a backup tool, a `sqlite3` shell, a second bot
writing), which takes `BEGIN EXCLUSIVE` on the bot's database file: it waits for and retries
the lock itself (the bot may be writing at that moment) and says "locked" on stdout when it
holds it; only then do the measurements start. The thresholds are the issue's acceptance
criterion; each one times only its own request.
"""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from bot.app_factory import SERVICES
from tests.support.db import sql
from tests.support.reports import review_deviation
from tests.support.teams import CASEWORKER, OTHER, action

HOLD_SECONDS = 10.0

# Takes the write lock on argv[1] (retrying while the bot holds it), prints "locked", holds it
# for argv[2] seconds, rolls back and prints "released".
LOCK_HOLDER = r"""
import sqlite3, sys, time
path, hold = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None, timeout=0)
db.execute("PRAGMA busy_timeout=2000")
deadline = time.monotonic() + 60
while True:
    try:
        db.execute("BEGIN EXCLUSIVE")
        break
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
            raise
        time.sleep(0.05)
print("locked", flush=True)
time.sleep(hold)
db.execute("ROLLBACK")
db.close()
print("released", flush=True)
"""


async def hold_write_lock(path: str, seconds: float) -> asyncio.subprocess.Process:
    """Start the lock holder and return once it holds the lock."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCK_HOLDER,
        path,
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    if line.strip() != b"locked":
        _, err = await proc.communicate()
        pytest.fail(f"the lock holder did not get the lock: {line!r} {err.decode()[-1000:]}")
    return proc


def count(store, query: str) -> int:
    return sql(store).execute(query).fetchone()[0]


@pytest.mark.parametrize("bot_sdk", ["botbuilder"], indirect=True)  # storage does not depend on the edge
async def test_another_process_holding_the_write_lock_for_10_s_blocks_nobody(teams_small):
    store = teams_small.app[SERVICES].store
    assert store.backend == "sqlite" and store.path is not None
    services = teams_small.app[SERVICES]
    review = await review_deviation(teams_small)  # a report ready to send, filed during the lock
    await services.drain()
    answered_before = count(store, "SELECT COUNT(*) FROM answered")

    locker = await hold_write_lock(str(store.path), HOLD_SECONDS)
    locked_at = time.monotonic()
    try:
        # A caseworker presses "Skicka" while the lock is held: the filing waits for the lock.
        filing = asyncio.ensure_future(
            teams_small.click(action(review, "Skicka"), person=CASEWORKER, conversation="personal-1")
        )
        await asyncio.sleep(0.2)

        # Another person's plain question: the answer card reaches the connector in < 2 s.
        started = time.monotonic()
        replies = await teams_small.send("vem kallar till sip", person=OTHER, conversation="personal-2")
        question_seconds = time.monotonic() - started
        assert replies.cards, replies.texts
        text = replies.all_text()
        assert "Personal på socialtjänsten, hälso- och sjukvården och skolan kan kalla" in text
        assert question_seconds < 2.0, f"the question took {question_seconds:.2f} s while the lock was held"

        # /healthz answers in < 1 s.
        started = time.monotonic()
        response = await teams_small.http.get("/healthz")
        health_seconds = time.monotonic() - started
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
        assert health_seconds < 1.0, f"/healthz took {health_seconds:.2f} s while the lock was held"

        # The measurements happened while the lock was still held (else they prove nothing).
        assert locker.returncode is None and not filing.done()
        assert time.monotonic() - locked_at < HOLD_SECONDS
        assert count(store, "SELECT COUNT(*) FROM answered") == answered_before  # its log row waits
    finally:
        out, err = await asyncio.wait_for(locker.communicate(), timeout=HOLD_SECONDS + 30)
    assert locker.returncode == 0, err.decode()[-1000:]
    assert out.strip() == b"released"

    # Once the lock is gone, what waited is stored: the report is filed (once) and its
    # receipt reaches the caseworker; the question's log row is written.
    receipt = await asyncio.wait_for(filing, timeout=30)
    assert "AVV-2026-0001" in receipt.all_text()
    await services.drain()
    assert count(store, "SELECT COUNT(*) FROM cases") == 1
    assert count(store, "SELECT COUNT(*) FROM drafts") == 0
    assert count(store, "SELECT COUNT(*) FROM audit WHERE event = 'case_filed'") == 1
    assert count(store, "SELECT COUNT(*) FROM answered WHERE entry_id = 'sip-vem-kallar'") >= 1
    assert count(store, "SELECT COUNT(*) FROM answered") == answered_before + 1
