"""Matching and reload benchmarks (numbers, not tests), side by side with a reference.

    .venv/bin/python -m scripts.bench_match [--reference a2b2926] [--entries 10000] [--reference-10k]

Prints, for the current matcher and for the reference matcher (lotsen/matching.py and the
collision check of lotsen/kb/quality.py at the git revision --reference, loaded from git in
the same run; default: the first release, before issue 9):

1. match latency p50/p99 on the shipped knowledge base (every accuracy question, 3 rounds),
   wall clock and CPU time of the matching thread (the latter is what an idle machine gives);
2. index build time and match p50/p99 on a synthetic knowledge base of --entries entries
   (the shipped vocabulary recombined, 6 phrasings each: scripts.benchmark.synthetic_kb);
3. the knowledge-base check's collision part on the shipped KB and at --entries (the
   reference at --entries only with --reference-10k: it takes minutes);
4. a reload of a knowledge base with --entries extra entries written as YAML (the way a
   coordinator's "ladda om kunskapsbasen" or SIGHUP does it: lotsen.kb.reload), while a
   request loop on the event loop asks a question every 20 ms: time until the new knowledge
   base answers, until its warnings are checked, and the request latencies during it
   (p50/p99/max), against the same loop without a reload (reference). A knowledge base that
   large is built in a child process; --reload-thread also reloads it in a thread.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import yaml

from scripts.benchmark import percentile, synthetic_kb

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "a2b2926"


def reference_modules(rev: str):
    """lotsen.matching and the collision check as they were at `rev` (None when git cannot say)."""
    try:
        matching_src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:lotsen/matching.py"], check=True, capture_output=True, text=True
        ).stdout
        quality_src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:lotsen/kb/quality.py"], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, None
    matching = types.ModuleType("reference_matching")
    sys.modules["reference_matching"] = matching
    exec(compile(matching_src, f"{rev}:lotsen/matching.py", "exec"), matching.__dict__)  # noqa: S102
    quality_src = quality_src.replace("from lotsen.matching import", "from reference_matching import")
    quality = types.ModuleType("reference_quality")
    sys.modules["reference_quality"] = quality
    exec(compile(quality_src, f"{rev}:lotsen/kb/quality.py", "exec"), quality.__dict__)  # noqa: S102
    return matching, quality


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, (time.perf_counter() - start)


def latencies(matcher, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        matcher.match(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def fmt(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):6.2f} ms · p99 {percentile(values, 99):6.2f} ms"


def alternating(matchers: list, queries: list[str]) -> list[tuple[list[float], list[float]]]:
    """Each query on every matcher in turn, so a busy machine slows all of them alike: per
    matcher, the wall-clock latencies and the CPU time of this thread (which a busy machine
    does not inflate: the figure for an idle one)."""
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in matchers]
    for q in queries:
        for (wall, cpu), matcher in zip(out, matchers):
            start, start_cpu = time.perf_counter(), time.thread_time()
            matcher.match(q)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return out


def bench_match(kb, big, queries, big_queries, ref_matching) -> dict:
    from lotsen.matching import Matcher

    classes = [("current", Matcher)]
    if ref_matching is not None:
        classes.append(("reference", ref_matching.Matcher))
    rows: dict = {}
    for label, cls in classes:
        matcher, build = timed(cls, kb)
        big_matcher, big_build = timed(cls, big)
        rows[label] = (matcher, big_matcher)
        print(
            f"  {label:9s} index build: shipped ({len(kb.entries)} entries) {build * 1000:5.0f} ms, "
            f"synthetic ({len(big.entries)} entries) {big_build:5.1f} s"
        )
    labels = list(rows)
    for name, index, qs in (("shipped", 0, queries), ("synthetic", 1, big_queries)):
        matchers = [rows[label][index] for label in labels]
        alternating(matchers, qs[:30])  # warm caches
        for label, (wall, cpu) in zip(labels, alternating(matchers, qs)):
            print(f"  {label:9s} match, {name}: wall {fmt(wall)} · CPU {fmt(cpu)} over {len(wall)} questions")
    return rows


def bench_collisions(kb, big, matchers, ref_quality, reference_10k: bool) -> None:
    from lotsen.kb.quality import _collisions

    current, ref = matchers.get("current"), matchers.get("reference")
    found, seconds = timed(_collisions, kb, current[0])
    print(f"  current   shipped: {seconds:6.2f} s ({len(found)} warnings)")
    found, seconds = timed(_collisions, big, current[1])
    print(f"  current   synthetic ({len(big.entries)} entries): {seconds:6.2f} s ({len(found)} warnings)")
    if ref is not None and ref_quality is not None:
        found, seconds = timed(ref_quality._collisions, kb, ref[0])
        print(f"  reference shipped: {seconds:6.2f} s ({len(found)} warnings)")
        if reference_10k:
            found, seconds = timed(ref_quality._collisions, big, ref[1])
            print(f"  reference synthetic ({len(big.entries)} entries): {seconds:6.2f} s ({len(found)} warnings)")
        else:
            print("  reference synthetic: skipped (minutes; --reference-10k to run it)")


def write_synthetic_kb(target: Path, big) -> None:
    """The shipped knowledge base plus the synthetic entries as one more qa file."""
    shutil.copytree(ROOT / "knowledge", target)
    shipped = {e.id for e in _shipped_entries()}
    entries = [
        {
            "id": e.id,
            "question": e.question,
            "phrasings": list(e.phrasings),
            "answer": "Syntetiskt svar.",
            "source": {"doc": "rsrf-modell", "section": "Syfte"},
            "reviewed": "2026-01-01",
            "owner": "bench",
        }
        for e in big.entries.values()
        if e.id not in shipped
    ]
    (target / "qa" / "syntetisk.yaml").write_text(
        yaml.safe_dump({"entries": entries}, allow_unicode=True), encoding="utf-8"
    )


def _shipped_entries():
    from lotsen.kb import load_knowledge_base

    return load_knowledge_base(ROOT / "knowledge").entries.values()


async def request_loop(
    knowledge, queries: list[str], stop: asyncio.Event, interval: float = 0.02
) -> tuple[list[float], list[float]]:
    """A question every `interval` seconds on the event loop, like a request handler would ask
    it; each latency counts from when the request was due (or from when the previous one was
    answered, if that was later), so a blocked loop shows. Also, per request, the CPU time the
    event loop's thread spent since the previous answer (the question itself and whatever else
    ran on the loop meanwhile): what a busy machine does not inflate, so what the bot's own
    work costs a request."""
    out: list[float] = []
    cpu: list[float] = []
    loop = asyncio.get_running_loop()
    due = loop.time()
    i = 0
    last_cpu = time.thread_time()
    while not stop.is_set():
        due = max(due + interval, loop.time())  # a client that does not queue more than one question
        await asyncio.sleep(max(0.0, due - loop.time()))
        knowledge.matcher.match(queries[i % len(queries)])
        out.append((loop.time() - due) * 1000)
        now_cpu = time.thread_time()
        cpu.append((now_cpu - last_cpu) * 1000)
        last_cpu = now_cpu
        i += 1
    return out, cpu


def latency_line(wall: list[float], cpu: list[float]) -> str:
    return (
        f"p50 {percentile(wall, 50):6.1f} ms · p99 {percentile(wall, 99):6.1f} ms · max {max(wall):6.1f} ms; "
        f"event-loop CPU per request p99 {percentile(cpu, 99):6.1f} ms · max {max(cpu):6.1f} ms"
    )


async def bench_reload(directory: Path, queries: list[str], modes: list[str]) -> None:
    from lotsen.kb.reload import reload_knowledge
    from lotsen.knowledge import Knowledge

    knowledge, load = timed(Knowledge, directory)
    print(f"  first load (start-up, {len(knowledge.kb.entries)} entries): {load:5.1f} s")
    stop = asyncio.Event()
    idle = asyncio.create_task(request_loop(knowledge, queries, stop))
    await asyncio.sleep(5)
    stop.set()
    baseline, baseline_cpu = await idle
    print(f"  reference, requests without a reload ({len(baseline)}): {latency_line(baseline, baseline_cpu)}")
    for mode in modes:
        stop = asyncio.Event()
        busy = asyncio.create_task(request_loop(knowledge, queries, stop))
        start = time.perf_counter()
        result = await reload_knowledge(knowledge, isolate=mode == "process")
        seconds = time.perf_counter() - start
        stop.set()
        during, during_cpu = await busy
        print(
            f"  reload in a {mode}: new knowledge base answering after {result.installed_after:5.1f} s, warnings "
            f"checked after {result.checked_after:5.1f} s (total {seconds:5.1f} s), ok={result.ok}, "
            f"{result.entries} entries, {len(result.warnings)} warnings"
        )
        print(f"    requests during the reload ({len(during)}): {latency_line(during, during_cpu)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=REFERENCE, help="git revision of the reference matcher")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--reference-10k", action="store_true", help="also the reference collision check at --entries")
    parser.add_argument("--skip-reload", action="store_true")
    parser.add_argument("--skip-match", action="store_true", help="only the reload (part 4)")
    parser.add_argument(
        "--reload-thread",
        action="store_true",
        help="also reload in a thread (the path for small knowledge bases; minutes at 10,000)",
    )
    args = parser.parse_args()

    from lotsen.kb import load_knowledge_base
    from scripts.accuracy import load_questions

    kb = load_knowledge_base(ROOT / "knowledge")
    big, words = synthetic_kb(kb, args.entries)
    rng = random.Random(11)
    queries = [q["q"] for q in load_questions()] * 3
    big_queries = [" ".join(rng.sample(words, 4)) for _ in range(300)] + queries[:300]
    ref_matching, ref_quality = reference_modules(args.reference)
    if ref_matching is None:
        print(f"(no reference: git cannot show {args.reference})")
    if not args.skip_match:
        print(f"1–2. Match latency and index build (reference: {args.reference})")
        matchers = bench_match(kb, big, queries, big_queries, ref_matching)
        print("3. Collision check of the knowledge-base check")
        bench_collisions(kb, big, matchers, ref_quality, args.reference_10k)
    if not args.skip_reload:
        print(f"4. Reload with {args.entries} extra entries while questions arrive every 20 ms")
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "knowledge"
            write_synthetic_kb(directory, big)
            modes = ["process"] + (["thread"] if args.reload_thread else [])
            asyncio.run(bench_reload(directory, queries, modes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
