"""Graceful shutdown (issue 11): SIGTERM while a turn is in flight. The real bot (app.py) is
answering a question whose reply the Teams connector is slow to accept (2 s); SIGTERM arrives
meanwhile. The person still gets the answer, the question's log row is stored, a new request
after the signal is not taken on (the port no longer accepts connections, or 503), and the
process exits 0 well within SHUTDOWN_TIMEOUT."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import FIXTURE_KB, ROOT, serve_connector
from tests.support import edges
from tests.support.fake_connector import FakeConnector
from tests.support.teams import OTHER, TeamsClient
from tests.test_storage_durability import free_port

SLOW_REPLY = 2.0
SHUTDOWN_TIMEOUT = 20


class SlowConnector(FakeConnector):
    """Takes SLOW_REPLY seconds to accept a message (not a typing indicator); `arrived` is set
    when the first such message reaches it, i.e. while the bot's turn is still running."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    async def _record(self, request: web.Request, method: str) -> web.Response:
        body = await request.json()  # aiohttp keeps the body: the parent reads it again
        if body.get("type") == "message":
            self.arrived.set()
            await asyncio.sleep(SLOW_REPLY)
        return await super()._record(request, method)


@pytest.fixture
async def slow_connector(bot_sdk):
    fake = SlowConnector()
    server = await serve_connector(fake)
    yield fake
    await server.close()


async def refused_or_503(url: str, body: dict | None) -> str:
    """GET (or POST `body`) on a new connection: 'refused' when nothing accepts it, else the
    HTTP status."""
    try:
        async with aiohttp.ClientSession() as http:
            async with http.request(
                "GET" if body is None else "POST",
                url,
                data=json.dumps(body) if body else None,
                headers={"Content-Type": "application/json"},
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                await response.read()
                return str(response.status)
    except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError):
        return "refused"


async def test_sigterm_lets_a_turn_in_flight_finish_and_exits_0(slow_connector, tmp_path):
    port = free_port()
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "DATABASE_URL"))}
    env.update(
        DATA_DIR=str(data_dir),
        KNOWLEDGE_DIR=str(FIXTURE_KB),
        PORT=str(port),
        HOST="127.0.0.1",
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        DATABASE_URL="",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        SHUTDOWN_TIMEOUT=str(SHUTDOWN_TIMEOUT),
        BOT_SDK=edges.current[0],
        DIGEST_SCHEDULE="off",
    )
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base_url=base) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with http.get("/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                assert process.poll() is None, "the bot exited while starting"
                assert time.monotonic() < deadline, "the bot did not start in time"
                await asyncio.sleep(0.1)
            teams = TeamsClient(http, slow_connector, slow_connector.url)
            question = asyncio.ensure_future(teams.send("vem kallar till sip", person=OTHER, conversation="personal-2"))
            await asyncio.wait_for(slow_connector.arrived.wait(), timeout=30)  # the turn is in flight
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)

            # The listener closes: once a new connection is refused (or answered 503), a new
            # message is not taken on either, while the turn still runs.
            closed = "not tried"
            while time.monotonic() - signalled < SLOW_REPLY - 0.5 and closed not in ("refused", "503"):
                closed = await refused_or_503(f"{base}/healthz", None)
                await asyncio.sleep(0.05)
            assert closed in ("refused", "503"), f"the bot still took new requests after SIGTERM: {closed}"
            late = teams.activity(text="vem kallar till sip", person=OTHER, conversation="personal-3")
            outcome = await refused_or_503(f"{base}/api/messages", late)
            assert outcome in ("refused", "503"), f"a message after SIGTERM was answered {outcome}"
            assert not question.done(), "the turn ended before the check: it proves nothing"

            replies = await asyncio.wait_for(question, timeout=SHUTDOWN_TIMEOUT)
        assert "Personal på socialtjänsten, hälso- och sjukvården och skolan kan kalla" in replies.all_text()
        _, err = await asyncio.to_thread(process.communicate, timeout=SHUTDOWN_TIMEOUT + 10)
        stopped_after = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err[-2000:]
    assert SLOW_REPLY - 0.5 < stopped_after < SHUTDOWN_TIMEOUT, stopped_after
    messages = [json.loads(line)["message"] for line in err.splitlines() if line.startswith("{")]
    assert messages and messages[-1] == "Samverkanslotsen stopped"
    # nobody got an answer to the late request; the answered question's log row was stored
    assert all(c.conversation != "personal-3" for c in slow_connector.calls)
    with sqlite3.connect(data_dir / "samverkanslotsen.sqlite3") as db:
        rows = db.execute("SELECT COUNT(*) FROM answered WHERE entry_id = 'sip-vem-kallar'").fetchone()[0]
    assert rows == 1
