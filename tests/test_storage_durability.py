"""Nothing a person was told is saved may be lost: WAL + synchronous=FULL, committed before the reply.

The strongest check runs the real bot (app.py) as its own process and kills it with SIGKILL
at the moment its receipt reaches the Teams connector: a fresh Store on the same file, as
after a crash, must find the report.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys

import aiohttp
import pytest
from aiohttp import web

from bot.app_factory import SERVICES
from lotsen import cases
from lotsen.storage import Store
from lotsen.storage import sqlite as sqlite_store
from lotsen.storage.migrations import MIGRATIONS
from tests.support import edges
from tests.conftest import FIXTURE_KB, ROOT, make_settings, serve_connector, start_bot
from tests.support.fake_connector import FakeConnector
from tests.support.reports import file_deviation
from tests.support.teams import COORDINATOR, TeamsClient

RECEIPT = "Tack! Uppgifterna är sparade."


def is_receipt(body: dict) -> bool:
    return any(RECEIPT in str(att.get("content")) for att in body.get("attachments") or [])


class HookedConnector(FakeConnector):
    """A fake connector that calls `on_receipt` before it answers the bot's receipt post."""

    on_receipt = None

    async def _record(self, request: web.Request, method: str) -> web.Response:
        body = await request.json()  # aiohttp keeps the body: the parent reads it again
        if self.on_receipt is not None and is_receipt(body):
            self.on_receipt(body)
        return await super()._record(request, method)


@pytest.fixture
async def hooked_connector(bot_sdk):
    fake = HookedConnector()
    server = await serve_connector(fake)
    yield fake
    await server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the process is killed right after the receipt ---------------------------------------------

async def test_a_report_survives_the_bot_being_killed_right_after_the_receipt(hooked_connector, tmp_path):
    port = free_port()
    data_dir = tmp_path / "data"
    env = {**os.environ, "DATA_DIR": str(data_dir), "KNOWLEDGE_DIR": str(FIXTURE_KB), "PORT": str(port),
           "HOST": "127.0.0.1", "MicrosoftAppId": "", "COORDINATOR_IDS": COORDINATOR.aad, "LOG_LEVEL": "WARNING",
           "BOT_SDK": edges.current[0]}
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed_at_receipt: list[bool] = []

    def kill(_: dict) -> None:  # the bot is waiting for this answer: it has not replied to anyone yet
        os.kill(process.pid, signal.SIGKILL)
        killed_at_receipt.append(True)

    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    async with http.get("/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the bot did not start in time")
            teams = TeamsClient(http, hooked_connector, hooked_connector.url)
            hooked_connector.on_receipt = kill
            with pytest.raises((aiohttp.ClientError, AssertionError)):
                await file_deviation(teams)  # the bot dies mid-request
        assert killed_at_receipt == [True]
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()

    store = Store(data_dir / "samverkanslotsen.sqlite3")  # as the restarted bot would open it
    try:
        case = cases.get_case(store, "AVV-2026-0001")
        assert case is not None, "the report the person was told is saved is gone"
        assert case.status == "mottagen" and case.municipality == "vetlanda"
        assert case.data["values"]["beskrivning"].startswith("Arbetsförmedlingen uteblev")
        assert store.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0  # same transaction
        assert store.db.execute("SELECT COUNT(*) FROM case_events").fetchone()[0] == 1
    finally:
        store.close()


# --- in-process checks ----------------------------------------------------------------------------

async def test_the_report_is_committed_before_the_receipt_is_sent(hooked_connector, tmp_path):
    settings = make_settings(tmp_path, knowledge_dir=FIXTURE_KB)
    seen: list[tuple] = []

    def look(_: dict) -> None:
        # an independent connection sees only committed data
        other = sqlite3.connect(settings.database_path)
        try:
            seen.extend(other.execute("SELECT reference, status FROM cases").fetchall())
        finally:
            other.close()

    hooked_connector.on_receipt = look
    teams = await start_bot(hooked_connector, settings)
    try:
        replies = await file_deviation(teams)
        assert "AVV-2026-0001" in replies.all_text()
    finally:
        await teams.http.close()
    assert seen == [("AVV-2026-0001", "mottagen")]


async def test_the_bot_uses_wal_and_full_sync(teams_small):
    db = teams_small.app[SERVICES].store.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert not db.in_transaction  # nothing left uncommitted between turns


async def test_a_status_change_is_on_disk_before_the_answer(teams_small, tmp_path):
    await file_deviation(teams_small)
    _, body, _ = await teams_small.invoke("case.status", {"verb": "case.status", "reference": "AVV-2026-0001",
                                                          "status": "avslutad", "comment": ""}, person=COORDINATOR)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    fresh = Store(teams_small.app[SERVICES].settings.database_path)
    try:
        assert cases.get_case(fresh, "AVV-2026-0001").status == "avslutad"
    finally:
        fresh.close()


# --- schema version -------------------------------------------------------------------------------

def test_the_schema_version_is_recorded(tmp_path):
    store = Store(tmp_path / "x.sqlite3")
    try:
        assert store.schema_version == len(MIGRATIONS) >= 1
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"cases", "case_events", "channel_links", "conversation_refs", "sequences", "audit"} <= tables
    finally:
        store.close()


async def test_healthz_reports_the_schema_version(teams_small):
    response = await teams_small.http.get("/healthz")
    assert (await response.json())["storage"]["schema_version"] == len(MIGRATIONS)


def test_reopening_migrates_nothing_twice(tmp_path, monkeypatch):
    path = tmp_path / "x.sqlite3"
    first = Store(path)
    cases.file_case(first, kind="avvikelse", form_id="f1", municipality="vetlanda", reporter_aad="a",
                    reporter_name="A", reporter_ref=None, wants_feedback=False, data={"values": {}})
    first.close()

    # a later release adds a step; it must run once, on the next start only
    step = "INSERT INTO audit (at, event, actor, target, outcome) VALUES ('2026-01-01', 'migration-ran', '', '', 'ok')"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", [*MIGRATIONS, step])
    for _ in range(3):
        store = Store(path)
        assert store.schema_version == len(MIGRATIONS) + 1
        store.close()
    store = Store(path)
    try:
        ran = store.db.execute("SELECT COUNT(*) FROM audit WHERE event = 'migration-ran'").fetchone()[0]
        assert ran == 1
        assert store.db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1  # data kept
    finally:
        store.close()


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "x.sqlite3"
    Store(path).close()
    bad = "CREATE TABLE extra (id INTEGER); INSERT INTO no_such_table VALUES (1)"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", [*MIGRATIONS, bad])
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", list(MIGRATIONS))
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        store.close()
