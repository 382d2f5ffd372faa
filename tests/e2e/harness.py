"""End-to-end harness: the real bot and the Microsoft 365 Agents Playground, started once.

The `stack` fixture (session scope, registered in tests/e2e/conftest.py) starts

* the bot: `.venv/bin/python app.py` in local mode (no MicrosoftAppId), on a free port, with a
  fresh DATA_DIR and the real knowledge base (KNOWLEDGE_DIR=knowledge);
* the Playground: `node_modules/.bin/agentsplayground -e http://127.0.0.1:<bot>/api/messages
  -c msteams --disable-telemetry -p <free port>`, with TEAMSAPPTESTER_BROWSER=none, in a
  temporary folder (its devTools/ log goes there);

waits until both answer, and stops every process it started (each in its own process group)
when the session ends, also after a failure or Ctrl-C. Logs are copied to
test-artifacts/e2e/logs/<sdk>/. `run_scenario` runs tests/e2e/driver.js (playwright-core and
Debian's /usr/bin/chromium) on one scenario.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
DRIVER = ROOT / "tests" / "e2e" / "driver.js"
PLAYGROUND_BIN = ROOT / "node_modules" / ".bin" / "agentsplayground"
PLAYWRIGHT = ROOT / "node_modules" / "playwright-core"
BOT_START_TIMEOUT = 60.0
PLAYGROUND_START_TIMEOUT = 30.0
SCENARIO_TIMEOUT = 150.0


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        return s.getsockname()[1]


@dataclass
class Started:
    name: str
    proc: subprocess.Popen
    log: Path


@dataclass
class Processes:
    """Everything started here, each in its own session (process group), stopped by group id."""

    started: list[Started] = field(default_factory=list)

    def start(self, name: str, args: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Started:
        out = open(log, "wb")
        try:
            proc = subprocess.Popen(
                args,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            out.close()
        item = Started(name, proc, log)
        self.started.append(item)
        return item

    def stop_all(self) -> None:
        for item in reversed(self.started):
            stop_group(item.proc)
        self.started.clear()


def stop_group(proc: subprocess.Popen, grace: float = 8.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left in it."""
    pgid = proc.pid  # start_new_session=True: the process leads its own group
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(pgid, signal.SIGKILL)  # stragglers in the group, if any
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def kill_processes_using(marker: str) -> list[int]:
    """Kill processes whose command line contains `marker` (a unique temporary path of ours):
    Chromium left behind by a driver that had to be killed."""
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except ProcessLookupError:
                pass
    return killed


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_http(url: str, started: Started, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if started.proc.poll() is not None:
            raise RuntimeError(
                f"{started.name} exited with code {started.proc.returncode} before it was ready. "
                f"Its log ({started.log}):\n{tail(started.log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(
        f"{started.name} did not answer {url} within {timeout:g} s ({last}). "
        f"Its log ({started.log}):\n{tail(started.log)}"
    )


@dataclass
class Stack:
    bot_port: int
    playground_port: int
    work: Path
    bot_log: Path
    playground_log: Path
    timings: dict[str, float] = field(default_factory=dict)
    sdk: str = "botbuilder"

    @property
    def artifacts(self) -> Path:
        """Screenshots: test-artifacts/e2e/ for the default edge, …/e2e/agents/ for the other."""
        return ARTIFACTS if self.sdk == "botbuilder" else ARTIFACTS / self.sdk

    @property
    def playground_url(self) -> str:
        return f"http://127.0.0.1:{self.playground_port}/"


def missing_prerequisites() -> list[str]:
    problems = []
    if not shutil.which("node") and not os.environ.get("NODE"):
        problems.append("node (Node.js 20+) is not on PATH")
    if not PLAYGROUND_BIN.exists():
        problems.append(f"{PLAYGROUND_BIN.relative_to(ROOT)} is missing (npm ci)")
    if not PLAYWRIGHT.exists():
        problems.append(f"{PLAYWRIGHT.relative_to(ROOT)} is missing (npm ci)")
    if not chromium_path():
        problems.append("chromium is not installed (scripts/setup.sh --e2e installs Debian's chromium)")
    return problems


@pytest.fixture(scope="session", params=["botbuilder", "agents"])
def stack(request, tmp_path_factory):
    """The bot on one SDK edge (BOT_SDK) and the Playground; every scenario runs on both edges."""
    problems = missing_prerequisites()
    if problems:
        pytest.fail("the end-to-end stage cannot run: " + "; ".join(problems) + ". Run: make e2e", pytrace=False)
    work = tmp_path_factory.mktemp(f"e2e-{request.param}")
    (work / "playground").mkdir()
    python = ROOT / ".venv" / "bin" / "python"
    bot_port, playground_port = free_port(), free_port()
    while playground_port == bot_port:
        playground_port = free_port()
    processes = Processes()
    timings: dict[str, float] = {}
    try:
        t0 = time.monotonic()
        bot_env = dict(
            os.environ,
            PORT=str(bot_port),
            DATA_DIR=str(work / "data"),
            KNOWLEDGE_DIR="knowledge",
            MicrosoftAppId="",
            MicrosoftAppPassword="",
            HOST="127.0.0.1",
            DIGEST_SCHEDULE="off",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            BOT_SDK=request.param,
        )
        bot = processes.start(
            "the bot",
            [str(python if python.exists() else sys.executable), "app.py"],
            cwd=ROOT,
            env=bot_env,
            log=work / "bot.log",
        )
        wait_http(f"http://127.0.0.1:{bot_port}/healthz", bot, BOT_START_TIMEOUT)
        timings["bot_start_s"] = time.monotonic() - t0

        t1 = time.monotonic()
        # scripts/loopback.cjs: the Playground listens on 127.0.0.1 only (it has no option for it).
        pg_env = dict(
            os.environ, TEAMSAPPTESTER_BROWSER="none", NODE_OPTIONS=f"--require {ROOT / 'scripts' / 'loopback.cjs'}"
        )
        pg_env.pop("TEAMSAPPTESTER_PORT", None)
        playground = processes.start(
            "the Agents Playground",
            [
                str(PLAYGROUND_BIN),
                "-e",
                f"http://127.0.0.1:{bot_port}/api/messages",
                "-c",
                "msteams",
                "--disable-telemetry",
                "-p",
                str(playground_port),
            ],
            cwd=work / "playground",
            env=pg_env,
            log=work / "playground.log",
        )
        wait_http(f"http://127.0.0.1:{playground_port}/", playground, PLAYGROUND_START_TIMEOUT)
        listening = f"Listening on {playground_port}"
        if listening not in (work / "playground.log").read_text(errors="replace"):
            # It falls back to a random port when the one asked for is taken; then something
            # else answered on ours.
            raise RuntimeError(f"the Playground did not say “{listening}”:\n{tail(work / 'playground.log')}")
        timings["playground_start_s"] = time.monotonic() - t1
        yield Stack(bot_port, playground_port, work, work / "bot.log", work / "playground.log", timings, request.param)
    finally:
        processes.stop_all()
        logs = ARTIFACTS / "logs" / request.param
        logs.mkdir(parents=True, exist_ok=True)
        for source in (
            work / "bot.log",
            work / "playground.log",
            work / "playground" / "devTools" / "m365agentsplayground.log",
        ):
            if source.exists():
                shutil.copy(source, logs / source.name)


def run_scenario(
    stack: Stack,
    name: str,
    steps: list[dict[str, Any]],
    *,
    timeout_ms: int = 20000,
    viewport: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Run one scenario in a fresh headless Chromium; fail the test with the driver's message.
    `viewport` ({"width", "height"}) sets the browser window (default 1280 × 1600)."""
    user_data = stack.work / f"chromium-{name}"
    scenario = {
        "name": name,
        "url": stack.playground_url,
        "chromium": chromium_path(),
        "userDataDir": str(user_data),
        "screenshotDir": str(stack.artifacts),
        "timeoutMs": timeout_ms,
        "steps": steps,
    }
    if viewport:
        scenario["viewport"] = viewport
    stack.artifacts.mkdir(parents=True, exist_ok=True)
    (stack.artifacts / f"{name}-failure.png").unlink(missing_ok=True)  # from an earlier run: would mislead
    file = stack.work / f"{name}.json"
    file.write_text(json.dumps(scenario, ensure_ascii=False, indent=1), encoding="utf-8")
    node = os.environ.get("NODE") or shutil.which("node") or "node"
    proc = subprocess.Popen(
        [node, str(DRIVER), str(file)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=SCENARIO_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop_group(proc, grace=5)
        out, err = proc.communicate()
        pytest.fail(
            f"scenario {name} did not finish within {SCENARIO_TIMEOUT:g} s.\n{out.decode()[-3000:]}\n"
            f"{err.decode()[-2000:]}",
            pytrace=False,
        )
    finally:
        kill_processes_using(str(user_data))  # nothing of this browser may outlive the scenario
    lines = [json.loads(line) for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]
    result = lines[-1] if lines else {"ok": False, "error": "the driver printed no result"}
    if not result.get("ok"):
        pytest.fail(
            f"scenario {name!r} failed at step {result.get('step')} {json.dumps(result.get('at'), ensure_ascii=False)}:\n"
            f"{result.get('error')}\n"
            f"screenshots: {result.get('screenshots')}\n"
            f"driver stderr: {err.decode('utf-8', 'replace')[-1500:]}\n"
            f"bot log (last lines):\n{tail(stack.bot_log, 15)}",
            pytrace=False,
        )
    result["steps"] = lines[:-1]
    return result
