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
from lotsen.storage import connect, migrate
from lotsen.storage.sqlite import MIGRATIONS_DIR
from tests.support import edges
from tests.conftest import FIXTURE_KB, ROOT, make_settings, serve_connector, start_bot
from tests.support.fake_connector import FakeConnector
from tests.support.db import sql
from tests.support.reports import file_deviation
from tests.support.teams import COORDINATOR, TeamsClient
from tests.support.kinds import file_test_case

RECEIPT = "Tack! Uppgifterna är sparade."
MIGRATIONS = migrate.load(MIGRATIONS_DIR)


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
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(FIXTURE_KB),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "MicrosoftAppId": "",
        "COORDINATOR_IDS": COORDINATOR.aad,
        "LOG_LEVEL": "WARNING",
        "BOT_SDK": edges.current[0],
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    killed_at_receipt: list[bool] = []

    def kill(_: dict) -> None:  # the bot is waiting for this answer: it has not replied to anyone yet
        os.kill(process.pid, signal.SIGKILL)
        killed_at_receipt.append(True)

    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            # A deadline, not a count of tries: on a loaded machine the bot takes longer to start.
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                try:
                    async with http.get("/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                if process.poll() is not None or asyncio.get_running_loop().time() > deadline:
                    pytest.fail("the bot did not start in time")
                await asyncio.sleep(0.05)
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

    store = await connect(data_dir / "samverkanslotsen.sqlite3")  # as the restarted bot would open it
    try:
        case = await cases.get_case(store, "AVV-2026-0001")
        assert case is not None, "the report the person was told is saved is gone"
        assert case.status == "mottagen" and case.municipality == "vetlanda"
        assert case.data["values"]["beskrivning"].startswith("Arbetsförmedlingen uteblev")
        assert sql(store).execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0  # same transaction
        assert sql(store).execute("SELECT COUNT(*) FROM case_events").fetchone()[0] == 1
    finally:
        await store.close()


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
    store = teams_small.app[SERVICES].store
    assert await store.pragma("journal_mode") == "wal"
    assert await store.pragma("synchronous") == 2  # FULL
    assert not await store.in_transaction()  # nothing left uncommitted between turns


async def test_a_status_change_is_on_disk_before_the_answer(teams_small, tmp_path):
    await file_deviation(teams_small)
    _, body, _ = await teams_small.invoke(
        "case.status",
        {"verb": "case.status", "reference": "AVV-2026-0001", "status": "avslutad", "comment": ""},
        person=COORDINATOR,
    )
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    fresh = await connect(teams_small.app[SERVICES].settings.database_path)
    try:
        assert (await cases.get_case(fresh, "AVV-2026-0001")).status == "avslutad"
    finally:
        await fresh.close()


# --- schema version -------------------------------------------------------------------------------


async def test_the_schema_version_is_recorded(tmp_path):
    store = await connect(tmp_path / "x.sqlite3")
    try:
        assert await store.schema_version() == len(MIGRATIONS) >= 2
        tables = {r[0] for r in sql(store).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {
            "cases",
            "case_events",
            "channel_links",
            "conversation_refs",
            "sequences",
            "audit",
            "job_claims",
        } <= tables
    finally:
        await store.close()


async def test_healthz_and_readyz_report_the_schema_version(teams_small):
    response = await teams_small.http.get("/healthz")
    assert (await response.json())["storage"]["schema_version"] == len(MIGRATIONS)
    response = await teams_small.http.get("/readyz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ready" and body["knowledge_base"]["loaded"] is True
    assert body["storage"] == {
        "backend": "sqlite",
        "reachable": True,
        "schema_version": len(MIGRATIONS),
        "expected_version": len(MIGRATIONS),
        "migrations_applied": True,
    }


async def test_readyz_says_unavailable_when_the_database_is_not(teams_small):
    store = teams_small.app[SERVICES].store

    async def down() -> None:
        raise OSError("database gone")

    store.ping = down
    response = await teams_small.http.get("/readyz")
    assert response.status == 503
    assert (await response.json())["storage"] == {"backend": "sqlite", "reachable": False, "error": "OSError"}
    assert (await teams_small.http.get("/healthz")).status == 200  # alive all the same


async def test_reopening_migrates_nothing_twice(tmp_path):
    path = tmp_path / "x.sqlite3"
    first = await connect(path)
    await file_test_case(first, "avvikelse", "f1", "vetlanda", data={"values": {}})
    await first.close()

    # a later release adds a step; it must run once, on the next start only
    step = "INSERT INTO audit (at, event, actor, target, outcome) VALUES ('2026-01-01', 'migration-ran', '', '', 'ok')"
    for _ in range(3):
        store = await connect(path, migrations=[*MIGRATIONS, step])
        assert await store.schema_version() == len(MIGRATIONS) + 1
        await store.close()
    store = await connect(path, migrations=[*MIGRATIONS, step])
    try:
        ran = sql(store).execute("SELECT COUNT(*) FROM audit WHERE event = 'migration-ran'").fetchone()[0]
        assert ran == 1
        assert sql(store).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1  # data kept
    finally:
        await store.close()


async def test_a_failing_migration_changes_nothing(tmp_path):
    path = tmp_path / "x.sqlite3"
    await (await connect(path)).close()
    bad = "CREATE TABLE extra (id INTEGER); INSERT INTO no_such_table VALUES (1)"
    with pytest.raises(sqlite3.OperationalError):
        await connect(path, migrations=[*MIGRATIONS, bad])
    store = await connect(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        assert sql(store).execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        await store.close()


def test_the_migrations_in_the_package_are_the_ones_applied():
    assert MIGRATIONS == migrate.load(MIGRATIONS_DIR) and len(MIGRATIONS) >= 2
