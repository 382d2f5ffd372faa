"""Storage benchmark (not a test): messages per second with the real app on each backend,
side by side in ONE run.

    pg_virtualenv -t .venv/bin/python -m scripts.bench_storage [--messages 600] [--rounds 3]
                                                               [--concurrency 16]

Four set-ups, each of real `app.py` processes (local mode, the shipped knowledge base):

- 1 instance on SQLite (DATA_DIR, the embedded default);
- 1, 2 and 4 instances on one PostgreSQL database (DATABASE_URL; a fresh database per set-up
  on the server `pg_virtualenv` starts and names in the PG* variables).

A round-robin client sends Teams-shaped activities to /api/messages (message k of a set-up goes
to instance k mod n, so the steps of one filing alternate between instances), at --concurrency
messages in flight. The workload writes: real questions from the accuracy sets that the bot
answers from the knowledge base (each answer card logs an answered row), 👎 votes on answers (a
feedback row, awaited before the reply), and deviation reports filed through the whole form
(6 turns: start, "Fyll i rapporten", three steps, "Skicka"; a draft saved at every step, the
case, its event and audit entry at the end). The activities and the form's inputs are the ones
the HTTP tests use (tests/support/teams.py, tests/support/reports.py).

Rounds alternate: each round runs every set-up once, in a rotated order. Every reply is checked
at a fake Bot Connector in this process: each message gets a reply, in its own conversation
only; a vote gets the reason card, a filing a receipt with a reference. After the run the
databases are counted through the repositories: one case per filing, distinct references, one
answered row per answer card and one feedback row per vote (warm-up included).

Without PostgreSQL in the environment (PGHOST/PGPORT unset) only SQLite runs, with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from scripts.benchmark import ROOT, bot_env, cpu_seconds, free_port, percentile, wait_ready
from tests.support.teams import submit_actions

REFERENCE = re.compile(r"\bAVV-\d{4}-\d{4,}\b")


# --- the fake connector: every bot post, by the activity it answers -----------------------


class Connector:
    def __init__(self) -> None:
        self.replies: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.unexpected = 0
        self.port = free_port()
        self.runner: web.AppRunner | None = None
        self._ids = itertools.count(1)

    async def _reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "message":
            conversation = request.match_info["conv"].split(";messageid=")[0]
            self.replies.setdefault(request.match_info["aid"], []).append((conversation, body))
        return web.json_response({"id": f"r{next(self._ids)}"})

    async def _other(self, request: web.Request) -> web.Response:
        await request.read()
        self.unexpected += 1
        return web.json_response({"id": f"r{next(self._ids)}"})

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self._reply)
        app.router.add_route("*", "/{tail:.*}", self._other)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


# --- the set-ups ----------------------------------------------------------------------------


@dataclass
class Setup:
    name: str
    envs: list[dict[str, str]]
    database: str  # a SQLite path or a postgresql:// URL, for the counts afterwards
    procs: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    messages: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)
    questions: int = 0  # questions answered with an answer card (each logs an answered row)
    votes: int = 0  # 👎 votes sent (each a feedback row)
    references: list[str] = field(default_factory=list)
    filings: int = 0
    logs: list[Path] = field(default_factory=list)

    async def start(self) -> None:
        for env in self.envs:
            port = free_port()
            log = Path(env["DATA_DIR"] + ".log")  # stderr to a file: a full pipe would stall the bot
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("wb") as stderr:
                proc = subprocess.Popen(
                    [sys.executable, str(ROOT / "app.py")],
                    cwd=ROOT,
                    env=dict(env, PORT=str(port)),
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            self.procs.append(proc)
            self.ports.append(port)
            self.logs.append(log)
        for proc, port, log in zip(self.procs, self.ports, self.logs):
            try:
                await wait_ready(port, proc, timeout=120)
            except RuntimeError as exc:
                raise RuntimeError(f"{self.name}: {exc}\n{log.read_text()[-2000:]}") from None

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: writes left running are drained before exit
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def problem(self, text: str) -> None:
        if len(self.problems) < 5:
            self.problems.append(text)


# --- the client -------------------------------------------------------------------------------


def activity(
    service_url: str, mid: str, person: str, *, text: str | None = None, value: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A Teams personal-chat message (as tests/support/teams.py builds them)."""
    act: dict[str, Any] = {
        "type": "message",
        "id": mid,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "timestamp": "2026-11-23T08:00:00.000Z",
        "locale": "sv-SE",
        "from": {
            "id": f"29:{person}",
            "name": "Bench Användare",
            "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_URL, person)),
        },
        "recipient": {"id": "28:bot", "name": "Samverkanslotsen"},
        "conversation": {"id": f"conv-{person}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
    }
    if text is not None:
        act["text"] = text
    if value is not None:
        act["value"] = value
    return act


class Client:
    """Round-robin over a set-up's instances; returns each message's replies."""

    def __init__(self, setup: Setup, connector: Connector, http: ClientSession, tag: str):
        self.setup, self.connector, self.http, self.tag = setup, connector, http, tag
        self.sent = 0
        self.counter = itertools.count()
        self.latencies: list[float] = []

    async def post(self, person: str, **kw: Any) -> list[dict[str, Any]]:
        k = next(self.counter)
        mid = f"{self.tag}-{k}"
        port = self.setup.ports[k % len(self.setup.ports)]
        body = json.dumps(activity(self.connector.service_url, mid, person, **kw))
        start = time.perf_counter()
        async with self.http.post(
            f"http://127.0.0.1:{port}/api/messages", data=body, headers={"Content-Type": "application/json"}
        ) as response:
            await response.read()
            if response.status >= 300:
                raise RuntimeError(f"HTTP {response.status} from instance {k % len(self.setup.ports)}")
        self.latencies.append((time.perf_counter() - start) * 1000)
        self.sent += 1
        replies = self.connector.replies.pop(mid, [])
        wrong = [conv for conv, _ in replies if conv != f"conv-{person}"]
        if not replies or wrong:
            self.setup.problem(f"{mid}: {len(replies)} replies, in {[c for c, _ in replies]}")
            return []
        self.setup.verified += 1
        return [body for _, body in replies]


def cards_of(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        att["content"]
        for r in replies
        for att in r.get("attachments") or []
        if att.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def shown(replies: list[dict[str, Any]]) -> str:
    from tests.support.teams import visible_strings

    return "\n".join(
        [r.get("text") or "" for r in replies] + [s for c in cards_of(replies) for s in visible_strings(c)]
    )


async def file_report(client: Client, person: str) -> str | None:
    """The deviation form from start to "Skicka", the way tests/support/reports.py walks it;
    returns the reference on the receipt."""
    from tests.support.reports import deviation_values
    from tests.support.teams import action

    replies = await client.post(person, text="rapportera avvikelse")
    cards = cards_of(replies)
    if not cards:
        return None
    replies = await client.post(person, value=dict(action(cards[-1], "Fyll i rapporten").get("data") or {}))
    for inputs in deviation_values("vetlanda"):
        cards = cards_of(replies)
        if not cards:
            return None
        titles = [a.get("title") for a in submit_actions(cards[-1])]
        step = action(cards[-1], "Nästa" if "Nästa" in titles else "Granska")
        replies = await client.post(person, value={**(step.get("data") or {}), **inputs})
    cards = cards_of(replies)
    if not cards:
        return None
    receipt = await client.post(person, value=dict(action(cards[-1], "Skicka").get("data") or {}))
    found = REFERENCE.search(shown(receipt))
    return found.group(0) if found else None


async def run_round(
    setup: Setup, connector: Connector, questions: list[str], entries: list[str], n: int, concurrency: int, tag: str
) -> None:
    """About n messages. Of every 8 tasks: 6 questions (logged in the background), 1 👎 vote and
    1 filing (6 turns), so 13 messages, about half of which write before the reply (the vote, the
    filing's drafts and the case)."""
    async with ClientSession(connector=TCPConnector(limit=concurrency * 2), timeout=ClientTimeout(total=120)) as http:
        client = Client(setup, connector, http, tag)
        tasks = itertools.count()

        async def worker(w: int) -> None:
            while client.sent < n:
                t = next(tasks)
                person = f"{tag}-u{w}-{t}"
                if t % 8 == 7:
                    reference = await file_report(client, person)
                    setup.filings += 1
                    if reference is None:
                        setup.problem(f"{person}: the filing got no receipt with a reference")
                    else:
                        setup.references.append(reference)
                elif t % 4 == 3:
                    entry = entries[t % len(entries)]
                    replies = await client.post(
                        person, value={"verb": "feedback", "entry": entry, "vote": "down", "q": "benchmark"}
                    )
                    setup.votes += 1
                    if replies and not cards_of(replies):
                        setup.problem(f"{person}: the 👎 vote got no reason card: {shown(replies)[:80]}")
                else:
                    replies = await client.post(person, text=questions[t % len(questions)])
                    if replies and not shown(replies).strip():
                        setup.problem(f"{person}: an empty answer")
                    if any(
                        a.get("data", {}).get("verb") == "feedback"
                        for c in cards_of(replies)
                        for a in submit_actions(c)
                    ):
                        setup.questions += 1  # an answer card (with 👍/👎): its answered row is logged

        cpu = setup.cpu()
        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        elapsed = time.perf_counter() - start
    setup.rates.append(client.sent / elapsed)
    setup.cpu_ms.append((setup.cpu() - cpu) * 1000 / client.sent)
    setup.latencies.extend(client.latencies)
    setup.messages += client.sent


# --- counting what was stored (through the repositories, as the app reads it) -----------------


async def stored(database: str) -> dict[str, int]:
    from lotsen.storage import CaseFilter, connect

    store = await connect(database)
    try:
        cases = await store.cases.list(CaseFilter(kinds=("avvikelse",)))
        counts = await store.questions.counts("0000", "9999")
    finally:
        await store.close()
    return {
        "cases": len(cases),
        "distinct references": len({c.reference for c in cases}),
        "answered rows": counts["answered"],
        "feedback rows": counts["feedback_down"],
    }


async def bench(n: int, rounds: int, concurrency: int) -> int:
    from lotsen.kb import load_knowledge_base
    from scripts.accuracy import load_questions

    from lotsen.features.qa import VERDICT_ANSWER, decide
    from lotsen.matching import Matcher

    kb = load_knowledge_base(ROOT / "knowledge")
    matcher = Matcher(kb)
    # Questions the bot answers from the knowledge base (each answer card logs one answered row,
    # counted afterwards; a few of these go to the contact or Vägvisaren route instead).
    questions = [q["q"] for q in load_questions() if decide(kb, matcher, q["q"]).kind == VERDICT_ANSWER]
    entries = sorted(kb.entries)
    from tests.storage.conftest import fresh_postgres_database, postgres_url

    base_pg = postgres_url()  # the server pg_virtualenv started (PG* variables)
    if base_pg is None:
        print(
            "No PostgreSQL server in the environment (PGHOST/PGPORT unset): only SQLite runs.\n"
            "For the side-by-side figures run it under pg_virtualenv:\n"
            "    pg_virtualenv -t .venv/bin/python -m scripts.bench_storage",
            file=sys.stderr,
        )
    connector = Connector()
    await connector.start()
    drops: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = bot_env(BOT_SDK="botbuilder")
        sqlite_dir = Path(tmp) / "sqlite"
        setups = [
            Setup(
                "1 instance, SQLite",
                [dict(env, DATA_DIR=str(sqlite_dir))],
                str(sqlite_dir / "samverkanslotsen.sqlite3"),
            )
        ]
        if base_pg is not None:
            for count in (1, 2, 4):
                url, drop = await fresh_postgres_database()  # a new, empty database per set-up
                drops.append(drop)
                setups.append(
                    Setup(
                        f"{count} instance{'s' if count > 1 else ''}, PostgreSQL",
                        [dict(env, DATA_DIR=str(Path(tmp) / f"pg{count}-{i}"), DATABASE_URL=url) for i in range(count)],
                        url,
                    )
                )
        try:
            for setup in setups:
                await setup.start()
            for setup in setups:  # warm up: every card shape checked once per process
                await run_round(setup, connector, questions, entries, 50 * len(setup.ports), concurrency, "warm")
                setup.rates.clear(), setup.latencies.clear(), setup.cpu_ms.clear()
                setup.messages = setup.verified = 0
            for r in range(rounds):
                order = setups[r % len(setups) :] + setups[: r % len(setups)]
                for setup in order:
                    await run_round(setup, connector, questions, entries, n, concurrency, f"r{r}")
        finally:
            for setup in setups:
                setup.stop()
            await connector.runner.cleanup() if connector.runner else None
        try:
            counts = [await stored(setup.database) for setup in setups]
        finally:
            for drop in drops:
                await drop()

    cores = os.cpu_count()
    print(
        f"\nStorage: real app.py, {rounds} alternating rounds of ~{n} messages per set-up at concurrency "
        f"{concurrency} (round-robin over the instances); {cores} CPU cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(f"  {'set-up':28s} {'msg/s median':>12s} {'range':>13s} {'p50':>8s} {'p95':>8s} {'CPU/msg':>8s}  verified")
    reference = statistics.median(setups[0].rates)
    failed = False
    for setup, count in zip(setups, counts):
        print(
            f"  {setup.name:28s} {statistics.median(setup.rates):12.0f} "
            f"{min(setup.rates):6.0f}–{max(setup.rates):<6.0f} {percentile(setup.latencies, 50):6.1f}ms "
            f"{percentile(setup.latencies, 95):6.1f}ms {statistics.median(setup.cpu_ms):6.2f}ms  "
            f"{setup.verified}/{setup.messages} replies"
        )
        expected = {
            "cases": setup.filings,
            "distinct references": setup.filings,
            "answered rows": setup.questions,
            "feedback rows": setup.votes,
        }
        ok = (
            all(count[k] == v for k, v in expected.items())
            and len(set(setup.references)) == setup.filings
            and setup.verified == setup.messages
        )
        print(
            f"  {'':28s} stored: {count['cases']} cases for {setup.filings} filings "
            f"({len(set(setup.references))} distinct references on receipts), "
            f"{count['answered rows']} answered rows for {setup.questions} questions, "
            f"{count['feedback rows']} 👎 rows for {setup.votes} votes  {'OK' if ok else 'MISMATCH'}"
        )
        for problem in setup.problems:
            print(f"      ! {problem}")
        failed |= not ok or bool(setup.problems)
    for setup in setups[1:]:
        print(f"  ratio {setup.name} / 1 instance, SQLite: {statistics.median(setup.rates) / reference:.2f}×")
    if len(setups) > 2:
        one_pg = statistics.median(setups[1].rates)
        for setup in setups[2:]:
            print(f"  ratio {setup.name} / 1 instance, PostgreSQL: {statistics.median(setup.rates) / one_pg:.2f}×")
    if connector.unexpected:
        print(f"  ! {connector.unexpected} unexpected calls at the connector")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Samverkanslotsen storage benchmark (SQLite vs PostgreSQL)")
    parser.add_argument("--messages", type=int, default=600, help="per set-up and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    return asyncio.run(bench(args.messages, args.rounds, args.concurrency))


if __name__ == "__main__":
    raise SystemExit(main())
