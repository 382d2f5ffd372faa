"""`make run` (scripts/playground.sh): the bot and the Agents Playground start on loopback, the
address to open is printed, the bot answers there, and Ctrl-C stops both."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.harness import PLAYGROUND_BIN, ROOT, free_port

pytestmark = pytest.mark.e2e


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_make_run_starts_bot_and_playground_on_loopback(tmp_path):
    if not PLAYGROUND_BIN.exists():
        pytest.fail("node_modules/.bin/agentsplayground is missing: run scripts/setup.sh")
    bot_port, pg_port = free_port(), free_port()
    env = dict(
        os.environ,
        PORT=str(bot_port),
        PLAYGROUND_PORT=str(pg_port),
        PLAYGROUND_DIR=str(tmp_path / "pg"),
        DATA_DIR=str(tmp_path / "data"),
        MicrosoftAppId="",
        DIGEST_SCHEDULE="off",
    )
    proc = subprocess.Popen(
        ["scripts/playground.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # Ctrl-C must reach the script's trap even when the test runs where SIGINT is ignored (a
        # job started in the background of a non-interactive shell inherits it ignored, and bash
        # cannot trap a signal ignored on entry): the script would never stop the bot.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    output = []
    # Lines are read in a thread: a bare readline() blocks for ever when the script has died but
    # a process it started still holds its output open.
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(output)
        assert f"http://127.0.0.1:{pg_port}" in text, text
        assert re.search(r"make bot", text), text
        with urllib.request.urlopen(f"http://127.0.0.1:{pg_port}/", timeout=5) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{bot_port}/healthz", timeout=5) as r:
            assert r.status == 200
        # Loopback only: 0100007F is 127.0.0.1 in /proc/net/tcp; no 0.0.0.0 / :: listener.
        for port in (bot_port, pg_port):
            addresses = listening_addresses(port)
            assert addresses, f"nothing listens on {port}"
            assert addresses <= {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}, (
                port,
                addresses,
            )
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:  # the script is gone already; what it started is not
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=20)
    rest = "".join(lines.get() for _ in range(lines.qsize()))
    assert "playground: stopped." in rest, "".join(output) + rest
    assert not listening_addresses(bot_port) and not listening_addresses(pg_port)
