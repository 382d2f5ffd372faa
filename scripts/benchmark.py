"""Benchmarks that print numbers (not part of the test run).

    .venv/bin/python -m scripts.benchmark [--messages 1000] [--latency-messages 300] [--rounds 3]
                                          [--concurrency 16] [--skip-http] [--skip-matching]
    .venv/bin/python -m scripts.benchmark --profile [--sdk botbuilder|agents] [--messages 1500]

1. Match latency p50/p99 on the shipped knowledge base and on a synthetic one of 10,000 entries.
2. End to end over HTTP, five servers side by side in ONE run, measured in alternating rounds
   (each round runs every server once, in a rotated order):
   - Samverkanslotsen on the botbuilder edge (BOT_SDK=botbuilder) and on the agents edge
     (BOT_SDK=agents), answering real questions from the accuracy sets;
   - Microsoft's stock botbuilder 4.17.1 echo bot (the 02.echo-bot wiring, no changes);
   - the same echo bot with the msrest retry-policy fix (one line, see feasibility.md §2);
   - a bare aiohttp server doing the same HTTP round trip (receive, POST a reply, answer 201).
   Every server posts its replies to one fake connector in its own process, which checks each
   reply: it must answer the message it names (replyToId), in that message's conversation, and
   its content is recorded, so the two edges are shown to give identical replies to identical
   questions and the echo servers to echo. Throughput at concurrency 16, latency p50/p95 at
   concurrency 1, and CPU time per message of the server process (from /proc, user+system).
3. --profile: Samverkanslotsen under cProfile while it answers --messages questions (the
   profiler is switched on after start-up and a warm-up with every distinct question), printed
   as a breakdown by component (self time), the inclusive time of the stages of a turn, and the
   top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, TCPConnector

ROOT = Path(__file__).resolve().parent.parent


def bot_env(**overrides: str) -> dict[str, str]:
    """The environment for a server under benchmark: local mode (no credentials and no
    DATABASE_URL from the caller's shell), the shipped knowledge base, quiet logs, no digest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "DATABASE_URL"))}
    env.update(
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        HOST="127.0.0.1",
        LOG_LEVEL="WARNING",
        DIGEST_SCHEDULE="off",
        KNOWLEDGE_DIR=str(ROOT / "knowledge"),
    )
    env.update(overrides)
    return env


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- 1. matching -------------------------------------------------------------------------


def synthetic_kb(base, n: int = 10_000):
    """The shipped KB's vocabulary recombined into n entries of 6 phrasings each."""
    from lotsen.kb.model import Entry, SourceRef
    from lotsen.text import tokens

    rng = random.Random(7)
    words = sorted({t for e in base.entries.values() for p in e.phrasings for t in tokens(p) if len(t) > 3})
    source = (SourceRef("rsrf-modell", "syntetisk"),)
    entries = {}
    for i in range(n):
        topic = rng.sample(words, 3)
        phrasings = tuple(" ".join(rng.sample(words, 3) + topic) for _ in range(6))
        entries[f"syn-{i}"] = Entry(
            id=f"syn-{i}", question=" ".join(topic), phrasings=phrasings, answer="x", sources=source
        )
    return replace(base, entries=entries), words


def time_matches(matcher, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        matcher.match(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_matching() -> None:
    from lotsen.kb import load_knowledge_base
    from lotsen.matching import Matcher
    from scripts.accuracy import load_questions

    kb = load_knowledge_base(ROOT / "knowledge")
    start = time.perf_counter()
    matcher = Matcher(kb)
    build = (time.perf_counter() - start) * 1000
    queries = [q["q"] for q in load_questions()] * 5
    time_matches(matcher, queries[:50])  # warm caches
    real = time_matches(matcher, queries)
    print(
        f"match, shipped KB ({len(kb.entries)} entries, index built in {build:.0f} ms): "
        f"p50 {percentile(real, 50):.2f} ms, p99 {percentile(real, 99):.2f} ms over {len(real)} questions"
    )

    big, words = synthetic_kb(kb)
    start = time.perf_counter()
    big_matcher = Matcher(big)
    build = (time.perf_counter() - start) * 1000
    rng = random.Random(11)
    synthetic_queries = [" ".join(rng.sample(words, 4)) for _ in range(300)] + queries[:300]
    time_matches(big_matcher, synthetic_queries[:30])
    times = time_matches(big_matcher, synthetic_queries)
    print(
        f"match, synthetic KB ({len(big.entries)} entries, index built in {build:.0f} ms): "
        f"p50 {percentile(times, 50):.2f} ms, p99 {percentile(times, 99):.2f} ms over {len(times)} questions"
    )


# --- 2. HTTP -----------------------------------------------------------------------------

ECHO_BOT = """
import sys
from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.integration.aiohttp import aiohttp_error_middleware

if "--msrest-fix" in sys.argv:
    # msrest rebuilds a retry-code list by scanning a ~500-item list, twice per turn; the same
    # codes as a frozenset behave identically.
    from msrest.universal_http.requests import ClientRetryPolicy
    ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)

class Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""

class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))

ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
BOT = EchoBot()

async def messages(req):
    return await ADAPTER.process(req, BOT)

APP = web.Application(middlewares=[aiohttp_error_middleware])
APP.router.add_post("/api/messages", messages)
web.run_app(APP, host="127.0.0.1", port=int(sys.argv[-1]), print=None)
"""

BARE_AIOHTTP = """
import json, sys
from urllib.parse import quote
import aiohttp
from aiohttp import web

async def messages(request):
    a = await request.json()
    reply = {"type": "message", "text": "Echo: " + a.get("text", ""), "replyToId": a["id"],
             "from": a["recipient"], "recipient": a["from"], "conversation": a["conversation"],
             "channelId": a["channelId"], "serviceUrl": a["serviceUrl"]}
    url = (a["serviceUrl"].rstrip("/") + "/v3/conversations/" + quote(a["conversation"]["id"], safe="")
           + "/activities/" + quote(a["id"], safe=""))
    async with request.app["http"].post(url, data=json.dumps(reply), headers={"Content-Type": "application/json"}) as r:
        await r.read()
    return web.Response(status=201)

async def session(app):
    app["http"] = aiohttp.ClientSession()
    yield
    await app["http"].close()

app = web.Application()
app.cleanup_ctx.append(session)
app.router.add_post("/api/messages", messages)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

# The fake Bot Connector: records, per message id (the path's replyToId), the conversation and a
# digest of what the reply shows (text and attachments); typing indicators are counted apart.
CHECKING_CONNECTOR = """
import hashlib, json, re, sys
from urllib.parse import unquote
from aiohttp import web

replies = {}
typing = 0
seq = 0
# Random ids in card data (e.g. the reference a "Menade du …?" card's buttons carry) differ from
# run to run; everything else must be identical.
RANDOM_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

async def reply(request):
    global typing, seq
    body = await request.json()
    seq += 1
    if body.get("type") == "typing":
        typing += 1
    else:
        shown = json.dumps({"text": body.get("text"), "attachments": body.get("attachments")}, sort_keys=True,
                           ensure_ascii=False)
        shown = RANDOM_ID.sub("<id>", shown)
        replies.setdefault(unquote(request.match_info["aid"]), []).append(
            [unquote(request.match_info["conv"]), hashlib.sha1(shown.encode()).hexdigest()[:16],
             (body.get("text") or "")[:60]])
    return web.json_response({"id": f"r{seq}"})

async def other(request):
    await request.read()
    return web.json_response({"error": "unexpected call"}, status=404)

async def collect(request):
    global replies, typing
    out = {"replies": replies, "typing": typing}
    replies, typing = {}, 0
    return web.json_response(out)

app = web.Application(client_max_size=4 * 1024 * 1024)
app.router.add_get("/collect", collect)
app.router.add_post("/v3/conversations/{conv}/activities/{aid}", reply)
app.router.add_route("*", "/{tail:.*}", other)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def activity(service_url: str, text: str, i: int, tag: str, users: int = 50) -> dict:
    user = i % users
    return {
        "type": "message",
        "id": f"{tag}-{i}",
        "text": text,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "timestamp": "2026-11-23T08:00:00.000Z",
        "locale": "sv-SE",
        "from": {"id": f"29:user{user}", "name": "Bench", "aadObjectId": f"00000000-0000-0000-0000-{user:012d}"},
        "recipient": {"id": "28:bot", "name": "Samverkanslotsen"},
        "conversation": {"id": f"conv-{user}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
    }


async def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {proc.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    url: str, texts: list[str], service_url: str, n: int, concurrency: int, tag: str, users: int = 50
) -> tuple[float, list[float], dict[str, str]]:
    """n messages with `concurrency` in flight; returns msg/s, latencies (ms), {message id: text}."""
    latencies: list[float] = []
    sent: dict[str, str] = {}
    counter = iter(range(n))
    async with ClientSession(connector=TCPConnector(limit=concurrency), timeout=ClientTimeout(total=60)) as http:

        async def worker() -> None:
            for i in counter:
                text = texts[i % len(texts)]
                act = activity(service_url, text, i, tag, users)
                sent[act["id"]] = text
                body = json.dumps(act)
                start = time.perf_counter()
                async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    if r.status >= 300:
                        raise RuntimeError(f"HTTP {r.status} from {url}")
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return n / elapsed, latencies, sent


async def collect(cport: int) -> dict:
    async with ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{cport}/collect") as response:
            return await response.json()


class Server:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], texts: list[str], echo: bool):
        self.name, self.cmd, self.env, self.texts, self.echo = name, cmd, env, texts, echo
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.rates: list[float] = []
        self.cpu_ms: list[float] = []
        self.latencies: list[float] = []
        self.verified = 0
        self.sent = 0
        self.problems: list[str] = []
        self.shown: dict[str, set[str]] = {}  # question -> digests of the replies it got
        self.users = 50
        self.answers: dict[str, str] = {}  # identity check: question -> digest of its one reply

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    async def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd + [str(self.port)] if self.echo else self.cmd,
            cwd=ROOT,
            env=dict(self.env, PORT=str(self.port)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await wait_ready(self.port, self.proc)
        except RuntimeError as exc:
            raise RuntimeError(f"{self.name}: {exc}\n{self.proc.stderr.read().decode()[-2000:]}") from None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def verify(self, sent: dict[str, str], got: dict) -> None:
        """Every message answered exactly once, in its own conversation, with the right content."""
        replies = got["replies"]
        for message_id, text in sent.items():
            answers = replies.get(message_id, [])
            conversation = f"conv-{int(message_id.rsplit('-', 1)[1]) % self.users}"
            ok = len(answers) == 1 and answers[0][0] == conversation
            if ok and self.echo:
                ok = answers[0][2] == f"Echo: {text}"
            if ok:
                self.verified += 1
                self.shown.setdefault(text, set()).add(answers[0][1])
            elif len(self.problems) < 5:
                self.problems.append(f"{message_id}: {answers!r}")
        self.sent += len(sent)
        if len(replies) > len(sent):
            self.problems.append(f"{len(replies) - len(sent)} replies to messages that were not sent")


async def bench_http(n: int, n_latency: int, rounds: int, concurrency: int) -> None:
    from scripts.accuracy import load_questions

    questions = [q["q"] for q in load_questions()]
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, source in (
            ("connector.py", CHECKING_CONNECTOR),
            ("echo_bot.py", ECHO_BOT),
            ("bare.py", BARE_AIOHTTP),
        ):
            files[name] = Path(tmp) / name
            files[name].write_text(source)
        cport = free_port()
        connector = subprocess.Popen(
            [sys.executable, str(files["connector.py"]), str(cport)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = bot_env()
        servers = [
            Server(
                "Samverkanslotsen, botbuilder edge",
                [sys.executable, str(ROOT / "app.py")],
                dict(base, BOT_SDK="botbuilder", DATA_DIR=str(Path(tmp) / "data-bb")),
                questions,
                False,
            ),
            Server(
                "Samverkanslotsen, agents edge",
                [sys.executable, str(ROOT / "app.py")],
                dict(base, BOT_SDK="agents", DATA_DIR=str(Path(tmp) / "data-ag")),
                questions,
                False,
            ),
            Server("stock botbuilder echo bot", [sys.executable, str(files["echo_bot.py"])], base, ["hello"], True),
            Server(
                "echo bot + msrest fix",
                [sys.executable, str(files["echo_bot.py"]), "--msrest-fix"],
                base,
                ["hello"],
                True,
            ),
            Server("bare aiohttp server", [sys.executable, str(files["bare.py"])], base, ["hello"], True),
        ]
        try:
            await wait_ready(cport, connector)
            service_url = f"http://127.0.0.1:{cport}/"
            for server in servers:
                await server.start()
            # Identity check, first thing on fresh databases: every distinct question once, each from
            # a new person in a new chat, sequentially, on both edges: the replies must be identical.
            distinct = sorted(set(questions))
            for server in servers[:2]:
                server.users = len(distinct) + 1000
                _, _, sent = await load(server.url, distinct, service_url, len(distinct), 1, "same", server.users)
                got = (await collect(cport))["replies"]
                server.answers = {text: (got.get(mid) or [[None, None, None]])[0][1] for mid, text in sent.items()}
                server.users = 50
            for server in servers:
                await load(server.url, server.texts, service_url, 100, concurrency, "warm")  # warm up
            await collect(cport)
            for r in range(rounds):
                order = servers[r % len(servers) :] + servers[: r % len(servers)]
                for server in order:
                    cpu = cpu_seconds(server.proc.pid)
                    rate, _, sent = await load(server.url, server.texts, service_url, n, concurrency, f"r{r}c")
                    server.cpu_ms.append((cpu_seconds(server.proc.pid) - cpu) * 1000 / n)
                    server.rates.append(rate)
                    server.verify(sent, await collect(cport))
                    _, latencies, sent = await load(server.url, server.texts, service_url, n_latency, 1, f"r{r}l")
                    server.latencies.extend(latencies)
                    server.verify(sent, await collect(cport))
        finally:
            for server in servers:
                server.stop()
            connector.terminate()
            connector.wait(timeout=10)

    print(
        f"\nHTTP end to end on loopback, {rounds} alternating rounds; per round and server {n} messages at "
        f"concurrency {concurrency} (msg/s, CPU) and {n_latency} at concurrency 1 (latency):"
    )
    print(
        f"  {'server':36s} {'msg/s c=' + str(concurrency):>14s} {'range':>13s} {'p50 c=1':>9s} {'p95 c=1':>9s} "
        f"{'CPU/msg':>9s}  replies verified"
    )
    for s in servers:
        print(
            f"  {s.name:36s} {statistics.median(s.rates):14.0f} {min(s.rates):6.0f}–{max(s.rates):<6.0f} "
            f"{percentile(s.latencies, 50):7.1f}ms {percentile(s.latencies, 95):7.1f}ms "
            f"{statistics.median(s.cpu_ms):7.2f}ms  {s.verified}/{s.sent}"
        )
        for problem in s.problems:
            print(f"      ! {problem}")
    stock = statistics.median(servers[2].rates)
    for s in servers[:2]:
        print(f"  ratio {s.name} / stock echo bot at c={concurrency}: {statistics.median(s.rates) / stock:.2f}×")
    bb, ag = servers[0].answers, servers[1].answers
    same = [q for q in bb if bb[q] is not None and bb[q] == ag.get(q)]
    differ = sorted(q for q in bb if q not in same)
    print(
        f"  replies identical on both edges (each distinct question once, from a new chat): {len(same)} of "
        f"{len(bb)}" + (f"; differing: {differ[:3]}" if differ else "")
    )


# --- 3. profile --------------------------------------------------------------------------

PROFILED_BOT = """
import cProfile, sys
sys.path.insert(0, sys.argv[1])
from aiohttp import web
import app
import bot.app_factory as factory

profile = cProfile.Profile()
create_app = factory.create_app

async def on(_):
    profile.enable()
    return web.Response(text="on")

async def off(_):
    profile.disable()
    profile.dump_stats(sys.argv[2])
    return web.Response(text="off")

def profiled_app(*args, **kwargs):
    application = create_app(*args, **kwargs)
    application.router.add_post("/__profile/on", on)
    application.router.add_post("/__profile/off", off)
    return application

factory.create_app = profiled_app
sys.exit(app.main())
"""


async def switch_profiler(port: int, state: str) -> None:
    async with ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{port}/__profile/{state}") as response:
            await response.read()


COMPONENTS = [  # (component, substrings of a function's file or name), first match wins
    ("glossary (lotsen/features/qa glossary)", ["glossary"]),
    ("Vägvisaren (lotsen/vagvisare: facts from the text)", ["lotsen/vagvisare", "features/vagvisare"]),
    (
        "matching (lotsen.matching, lotsen.text, rapidfuzz, snowball)",
        ["lotsen/matching", "lotsen/text", "rapidfuzz", "snowballstemmer"],
    ),
    (
        "card render + check (cards, jinja2, jsonschema)",
        ["lotsen/cards", "cards/", "jinja2", "jsonschema", "referencing", "lotsen/fields"],
    ),
    (
        "storage (sqlite3, lotsen.storage, the hop to its thread)",
        ["lotsen/storage", "sqlite3", "concurrent/futures", "_queue.SimpleQueue", "run_in_executor"],
    ),
    ("sockets (send/recv system calls, loopback TCP)", ["_socket.socket"]),
    (
        "SDK (botbuilder, msrest, microsoft_agents, pydantic)",
        ["botbuilder", "botframework", "msrest", "microsoft_agents", "pydantic"],
    ),
    (
        "outbound to the connector (bot/connector, aiohttp client)",
        ["bot/connector", "aiohttp/client", "aiohttp/connector"],
    ),
    ("edge (bot/)", ["/bot/"]),
    ("inbound HTTP (aiohttp server)", ["aiohttp/web", "aiohttp/http", "aiohttp/stream", "aiohttp/_http"]),
    ("json", ["json/", "<built-in method _json", "json.decoder", "json.encoder"]),
    ("other domain (lotsen, dialogs)", ["lotsen/", "dialogs/"]),
    ("asyncio event loop", ["asyncio/", "selectors", "<method 'poll'", "select.epoll"]),
]


STAGES = [  # (stage, file, function): inclusive time, the way the profile was read
    ("whole turn (bot/edge.py on_activity)", "bot/edge.py", "on_activity"),
    ("front door + token check (bot/front_door.py admit)", "bot/front_door.py", "admit"),
    ("glossary lookup (qa.glossary_entry)", "lotsen/features/qa.py", "glossary_entry"),
    ("matching (Matcher.match)", "lotsen/matching.py", "match"),
    ("Vägvisaren's facts (Extractor.extract)", "lotsen/vagvisare/extract.py", "extract"),
    ("card render + check (cards/render.py render)", "cards/render.py", "render"),
    ("sending replies (bot/connector.py)", "bot/connector.py", "_call"),
]


def component(func: tuple[str, int, str]) -> str:
    filename, _, name = func
    where = f"{filename}:{name}"
    for label, needles in COMPONENTS:
        if any(needle in where for needle in needles):
            return label
    return "other (stdlib, logging, …)"


async def profile_bot(sdk: str, n: int, concurrency: int, save: str | None = None) -> None:
    from scripts.accuracy import load_questions

    questions = [q["q"] for q in load_questions()]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bot.py").write_text(PROFILED_BOT)
        (Path(tmp) / "connector.py").write_text(CHECKING_CONNECTOR)
        stats_file = Path(tmp) / "bot.prof"
        cport, port = free_port(), free_port()
        connector = subprocess.Popen(
            [sys.executable, str(Path(tmp) / "connector.py"), str(cport)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env = bot_env(BOT_SDK=sdk, PORT=str(port), DATA_DIR=str(Path(tmp) / "data"))
        bot = subprocess.Popen(
            [sys.executable, str(Path(tmp) / "bot.py"), str(ROOT), str(stats_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await wait_ready(cport, connector)
            await wait_ready(port, bot)
            service_url = f"http://127.0.0.1:{cport}/"
            url = f"http://127.0.0.1:{port}/api/messages"
            # Warm up with every distinct question once, so every card shape has been checked
            # against the schema (cached per shape) and the profile shows the steady state.
            distinct = sorted(set(questions))
            await load(url, distinct, service_url, len(distinct), concurrency, "warm")
            await switch_profiler(port, "on")
            rate, _, _ = await load(url, questions, service_url, n, concurrency, "prof")
            await switch_profiler(port, "off")
            stats = pstats.Stats(str(stats_file))
            if save:
                stats.dump_stats(save)
        finally:
            for proc in (bot, connector):
                proc.terminate()
                proc.wait(timeout=10)
    totals: dict[str, float] = {}
    for func, (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[component(func)] = totals.get(component(func), 0.0) + tottime
    total = sum(totals.values())
    print(
        f"\nProfile: Samverkanslotsen (BOT_SDK={sdk}), {n} questions at concurrency {concurrency} "
        f"({rate:.0f} msg/s under the profiler); self time by component, {total * 1000 / n:.2f} ms per message:"
    )
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * seconds / total:5.1f} %  {seconds * 1000 / n:6.2f} ms/msg  {label}")
    print("\nInclusive time of the stages of a turn (per message and % of all profiled time):")
    for label, filename, name in STAGES:
        cumulative = sum(
            ct
            for (f, _, fn), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
            if fn == name and f.endswith(filename)
        )
        print(f"  {100 * cumulative / total:5.1f} %  {cumulative * 1000 / n:6.2f} ms/msg  {label}")
    print("\nTop 20 functions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(20)
    print("Top 25 functions by self time:")
    stats.sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description="Samverkanslotsen benchmarks")
    parser.add_argument("--messages", type=int, default=1000, help="per server and round at --concurrency")
    parser.add_argument("--latency-messages", type=int, default=300, help="per server and round at concurrency 1")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-matching", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile the bot instead of benchmarking")
    parser.add_argument("--save-profile", metavar="FILE", help="with --profile: keep the cProfile data (pstats)")
    parser.add_argument("--sdk", choices=["botbuilder", "agents"], default="botbuilder", help="with --profile")
    args = parser.parse_args()
    if args.profile:
        asyncio.run(profile_bot(args.sdk, args.messages, args.concurrency, args.save_profile))
        return 0
    if not args.skip_matching:
        bench_matching()
    if not args.skip_http:
        asyncio.run(bench_http(args.messages, args.latency_messages, args.rounds, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
