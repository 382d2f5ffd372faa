"""Running the bot as a service: JSON logs that still redact, and a graceful SIGTERM."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lotsen import logsafety
from lotsen.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def test_json_logs_are_one_object_per_line_and_still_redacted(restore_root_logger):
    stream = io.StringIO()
    logsafety.configure("INFO", "json", secrets=["s3cret-app-password"], stream=stream)
    log = logging.getLogger("samverkanslotsen.test")
    log.info("klient %s ringde, lösenord %s", "19121212-1212", "s3cret-app-password")
    try:
        raise ValueError("19121212-1212 i ett fel")
    except ValueError:
        log.exception("det gick fel")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "samverkanslotsen.test"
    assert "19121212" not in first["message"] and "[personnummer borttaget]" in first["message"]
    assert "s3cret-app-password" not in lines[0] and first["message"].startswith("klient ")
    assert "ValueError" in second["exception"] and "19121212" not in lines[1]


def test_log_format_is_checked():
    assert Settings.from_env({"LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        Settings.from_env({"LOG_FORMAT": "xml"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_stops_cleanly_with_exit_0_and_closes_idle_connections(tmp_path):
    """SIGTERM: stop accepting, close idle keep-alive connections, run the cleanup hooks (store,
    outbound session) and exit 0 — well before SHUTDOWN_TIMEOUT when nothing is in flight."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "DATABASE_URL"))}
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        DATA_DIR=str(tmp_path),
        LOG_FORMAT="json",
        SHUTDOWN_TIMEOUT="30",
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        DATABASE_URL="",
    )
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client = socket.create_connection(("127.0.0.1", port), timeout=15)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "the bot did not start listening"
                time.sleep(0.2)
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")  # keep-alive
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=25)
        assert time.monotonic() - started < 20, "the idle connection held the shutdown up"
        assert client.recv(4096) == b""  # the server closed the idle connection
        client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    messages = [json.loads(line)["message"] for line in err.splitlines() if line.startswith("{")]
    assert messages and messages[-1] == "Samverkanslotsen stopped"
