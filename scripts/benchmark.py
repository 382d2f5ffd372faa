"""Benchmarks that print numbers (not part of the test run).

    .venv/bin/python -m scripts.benchmark [--messages 2000] [--concurrency 16] [--skip-http]

1. Match latency p50/p99 on the shipped knowledge base and on a synthetic one of 10,000 entries.
2. End-to-end over HTTP at concurrency 16: messages/s and p50/p99 latency of Samverkanslotsen
   answering questions, side by side with a stock botbuilder echo bot (Microsoft's 02.echo-bot
   wiring, no patches) in the same run. Both post their replies to the same counting fake
   connector on loopback; every reply is checked to have arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
        entries[f"syn-{i}"] = Entry(id=f"syn-{i}", question=" ".join(topic), phrasings=phrasings,
                                    answer="x", sources=source)
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
    print(f"match, shipped KB ({len(kb.entries)} entries, index built in {build:.0f} ms): "
          f"p50 {percentile(real, 50):.2f} ms, p99 {percentile(real, 99):.2f} ms over {len(real)} questions")

    big, words = synthetic_kb(kb)
    start = time.perf_counter()
    big_matcher = Matcher(big)
    build = (time.perf_counter() - start) * 1000
    rng = random.Random(11)
    synthetic_queries = [" ".join(rng.sample(words, 4)) for _ in range(300)] + queries[:300]
    time_matches(big_matcher, synthetic_queries[:30])
    times = time_matches(big_matcher, synthetic_queries)
    print(f"match, synthetic KB ({len(big.entries)} entries, index built in {build:.0f} ms): "
          f"p50 {percentile(times, 50):.2f} ms, p99 {percentile(times, 99):.2f} ms over {len(times)} questions")


# --- 2. HTTP -----------------------------------------------------------------------------

ECHO_BOT = '''
import sys
from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.integration.aiohttp import aiohttp_error_middleware

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
web.run_app(APP, host="127.0.0.1", port=int(sys.argv[1]), print=None)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


COUNTING_CONNECTOR = '''
import sys
from aiohttp import web

count = 0

async def reply(request):
    global count
    await request.read()
    count += 1
    return web.json_response({"id": f"r{count}"})

async def total(request):
    return web.json_response({"replies": count})

app = web.Application()
app.router.add_get("/count", total)
app.router.add_route("*", "/{tail:.*}", reply)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
'''


async def replies_received(http_port: int) -> int:
    async with ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{http_port}/count") as response:
            return (await response.json())["replies"]


def activity(service_url: str, text: str, i: int) -> dict:
    return {
        "type": "message", "id": f"a{i}", "text": text, "serviceUrl": service_url, "channelId": "msteams",
        "timestamp": "2026-11-23T08:00:00.000Z", "locale": "sv-SE",
        "from": {"id": f"29:user{i % 50}", "name": "Bench", "aadObjectId": f"00000000-0000-0000-0000-{i % 50:012d}"},
        "recipient": {"id": "28:bot", "name": "Samverkanslotsen"},
        "conversation": {"id": f"conv-{i % 50}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
    }


async def wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


async def load(url: str, texts: list[str], service_url: str, n: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    counter = iter(range(n))
    timeout = ClientTimeout(total=60)
    async with ClientSession(connector=TCPConnector(limit=concurrency), timeout=timeout) as http:
        async def worker() -> None:
            for i in counter:
                body = json.dumps(activity(service_url, texts[i % len(texts)], i))
                start = time.perf_counter()
                async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    if r.status >= 300:
                        raise RuntimeError(f"HTTP {r.status}")
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return n / elapsed, latencies


async def bench_http(n: int, concurrency: int) -> None:
    from scripts.accuracy import load_questions

    questions = [q["q"] for q in load_questions()]
    procs = []
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        # The fake connector runs in its own process, like Teams' would, and only counts.
        connector_file = Path(tmp) / "connector.py"
        connector_file.write_text(COUNTING_CONNECTOR)
        cport = free_port()
        procs.append(subprocess.Popen([sys.executable, str(connector_file), str(cport)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        await wait_ready(cport)
        service_url = f"http://127.0.0.1:{cport}/"
        echo_file = Path(tmp) / "echo_bot.py"
        echo_file.write_text(ECHO_BOT)
        bots = {
            "Samverkanslotsen": ([sys.executable, str(ROOT / "app.py")], questions),
            "stock botbuilder echo bot": ([sys.executable, str(echo_file)], ["hello"]),
        }
        try:
            for name, (cmd, texts) in bots.items():
                port = free_port()
                env = dict(os.environ, PORT=str(port), DATA_DIR=str(Path(tmp) / "data"), MicrosoftAppId="",
                           LOG_LEVEL="WARNING")
                proc = subprocess.Popen(cmd + ([str(port)] if "echo" in name else []), cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                procs.append(proc)
                await wait_ready(port)
                url = f"http://127.0.0.1:{port}/api/messages"
                await load(url, texts, service_url, 100, concurrency)  # warm up
                before = await replies_received(cport)
                rate, latencies = await load(url, texts, service_url, n, concurrency)
                received = await replies_received(cport) - before
                results[name] = (rate, latencies, received)
                proc.terminate()
                proc.wait(timeout=10)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
    print(f"HTTP end to end, {n} messages at concurrency {concurrency} (after 100 warm-up), loopback:")
    for name, (rate, latencies, received) in results.items():
        print(f"  {name:28s} {rate:7.1f} msg/s   p50 {percentile(latencies, 50):6.1f} ms   "
              f"p99 {percentile(latencies, 99):6.1f} ms   replies received {received}/{n}")
    ours, stock = results["Samverkanslotsen"][0], results["stock botbuilder echo bot"][0]
    print(f"  ratio Samverkanslotsen / stock echo bot: {ours / stock:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Samverkanslotsen benchmarks")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    bench_matching()
    if not args.skip_http:
        asyncio.run(bench_http(args.messages, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
