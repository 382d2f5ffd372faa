"""The real bot (app.py) as a process of its own, in local mode against a fake connector, so a
test can kill it with SIGKILL and start it again on the same DATA_DIR."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.support import edges
from tests.support.teams import COORDINATOR

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    """`python app.py` on loopback with DATA_DIR `data_dir`; `url` once started."""

    def __init__(self, data_dir: Path, *, knowledge_dir: Path = FIXTURE_KB, **env: str):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "KNOWLEDGE_DIR": str(knowledge_dir),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "MicrosoftAppId": "",
            "COORDINATOR_IDS": COORDINATOR.aad,
            "LOG_LEVEL": "WARNING",
            "BOT_SDK": edges.current[0],
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Any = None

    @property
    def database(self) -> Path:
        return self.data_dir / "samverkanslotsen.sqlite3"

    async def start(self, timeout: float = 30.0) -> None:
        if self.log is not None:
            self.log.close()
        self.log = (self.data_dir.parent / f"app-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with aiohttp.ClientSession() as http:
            while loop.time() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"app.py exited: {self.stderr()}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("app.py did not start in time")

    def kill9(self) -> int:
        """SIGKILL, as a crash or the OOM killer would: no cleanup runs. Returns the exit code."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def stderr(self) -> str:
        """The end of what the process logged (for failure messages)."""
        path = self.data_dir.parent / f"app-{self.port}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.log is not None:
            self.log.close()
