"""Reload under load, over HTTP the way Teams sends it (a benchmark, not a test).

    .venv/bin/python -m scripts.bench_reload [--entries 10000] [--interval 0.05] [--thread]

Starts the bot in this process (bot.app_factory.create_app behind aiohttp, replies going to a
fake Bot Connector on loopback, as in tests/http) on the shipped knowledge base plus
--entries synthetic entries written as YAML (scripts.bench_match.write_synthetic_kb). A
caseworker asks a question every --interval seconds over HTTP (the accuracy questions in
turn, each one's reply checked at the connector). First for 10 s without a reload (the
reference); then a coordinator writes "ladda om kunskapsbasen" in chat, and the caseworker
keeps asking until the coordinator's reply has come. Prints the time until the new knowledge
base answered, until the coordinator's reply (warnings checked), and the caseworker's
latencies p50/p99/max during the reload against the reference. --thread forces the reload
into a thread (the path for small knowledge bases) for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from scripts.benchmark import percentile, synthetic_kb

ROOT = Path(__file__).resolve().parent.parent


async def caseworker(teams, questions: list[str], stop: asyncio.Event, interval: float) -> list[float]:
    """A question every `interval` seconds; latency counts from when it was due, so a blocked
    event loop shows. Every question must get a reply at the connector."""
    out: list[float] = []
    loop = asyncio.get_running_loop()
    due = loop.time()
    i = 0
    while not stop.is_set():
        due = max(due + interval, loop.time())
        await asyncio.sleep(max(0.0, due - loop.time()))
        replies = await teams.send(questions[i % len(questions)], conversation=f"personal-bench-{i % 20}")
        if not replies.messages:
            raise SystemExit(f"question {i} got no reply")
        out.append((loop.time() - due) * 1000)
        i += 1
    return out


def line(values: list[float]) -> str:
    return (f"{len(values)} questions: p50 {percentile(values, 50):6.1f} ms · p99 {percentile(values, 99):6.1f} ms"
            f" · max {max(values):6.1f} ms")


async def run(directory: Path, data: Path, interval: float, isolate: bool | None) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app_factory import SERVICES, create_app
    from lotsen.kb import reload as kb_reload
    from lotsen.settings import Settings
    from scripts.accuracy import load_questions
    from tests.support.fake_connector import FakeConnector
    from tests.support.teams import COORDINATOR, TeamsClient

    if isolate is not None:  # the coordinator's command uses the default; force a path for comparison
        original = kb_reload.reload_knowledge

        async def forced(*args, **kwargs):
            return await original(*args, **{**kwargs, "isolate": isolate})

        import lotsen.features.upkeep as upkeep
        upkeep.reload_knowledge = forced  # type: ignore[assignment]

    fake = FakeConnector()
    connector = TestServer(fake.app(), host="127.0.0.1")
    await connector.start_server()
    fake.url = str(connector.make_url("/"))
    settings = Settings(data_dir=data, knowledge_dir=directory, coordinator_ids=(COORDINATOR.aad.lower(),))
    started = time.perf_counter()
    app = create_app(replace(settings, bot_sdk="botbuilder"))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    teams = TeamsClient(client, fake, fake.url)
    knowledge = app[SERVICES].knowledge
    print(f"  bot started on {len(knowledge.kb.entries)} entries in {time.perf_counter() - started:5.1f} s")
    questions = [q["q"] for q in load_questions()]
    for q in questions[:20]:  # warm up (card shapes, caches)
        await teams.send(q)

    stop = asyncio.Event()
    task = asyncio.create_task(caseworker(teams, questions, stop, interval))
    await asyncio.sleep(10)
    stop.set()
    reference = await task
    print(f"  reference, no reload: {line(reference)}")

    old = knowledge.snapshot
    stop = asyncio.Event()
    task = asyncio.create_task(caseworker(teams, questions, stop, interval))
    await asyncio.sleep(1)
    start = time.perf_counter()
    command = asyncio.create_task(teams.send("ladda om kunskapsbasen", person=COORDINATOR,
                                             conversation="personal-coordinator"))
    installed = None
    while not command.done():
        if installed is None and knowledge.snapshot is not old:
            installed = time.perf_counter() - start
        await asyncio.sleep(0.05)
    replies = await command
    done = time.perf_counter() - start
    await asyncio.sleep(1)
    stop.set()
    during = await task
    reply = replies.all_text()
    ok = "Kunskapsbasen är omladdad" in reply
    print(f"  reload ({'forced into a thread' if isolate is False else 'as configured'}): new knowledge base "
          f"answering after {installed if installed is not None else float('nan'):5.1f} s, coordinator's reply "
          f"(warnings checked) after {done:5.1f} s, reloaded: {ok}")
    print(f"  during the reload: {line(during)}")
    await client.close()
    await connector.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between the caseworker's questions")
    parser.add_argument("--thread", action="store_true", help="also reload forced into a thread")
    args = parser.parse_args()

    from lotsen.kb import load_knowledge_base
    from scripts.bench_match import write_synthetic_kb

    big, _ = synthetic_kb(load_knowledge_base(ROOT / "knowledge"), args.entries)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "knowledge"
        write_synthetic_kb(directory, big)
        print(f"Reload of the shipped knowledge base + {args.entries} entries over HTTP, "
              f"a question every {args.interval * 1000:.0f} ms")
        asyncio.run(run(directory, Path(tmp) / "data", args.interval, None))
        if args.thread:
            asyncio.run(run(directory, Path(tmp) / "data-thread", args.interval, False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
