"""Reload the knowledge base without a restart: validate → diff → swap.

Used by the coordinators' chat command ("ladda om kunskapsbasen") and by SIGHUP. The new
knowledge base is loaded, checked and indexed off the event loop (a large one in a child
process, lotsen.kb.isolated; a small one in a thread); only a complete, valid
snapshot is swapped in. On errors the old knowledge base keeps serving and the errors
(file and line) are returned. Conversations in progress are not affected: their state is
in storage, and each turn reads one snapshot from start to end.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Awaitable, Callable

from lotsen.kb.diff import KbDiff, diff_knowledge
from lotsen.kb.isolated import IsolatedBuild, IsolatedBuildFailed
from lotsen.kb.loader import Problem, ReadCache, check_knowledge_base
from lotsen.kb.quality import DEFAULT_SEEDS_DIR, check_quality
from lotsen.knowledge import Knowledge, Snapshot
from lotsen.matching import Matcher
from lotsen.texts import say

log = logging.getLogger(__name__)
RELOAD_SWITCH_INTERVAL = 0.001  # seconds (Python's default is 0.005)
ISOLATE_ABOVE_BYTES = 1_500_000  # YAML in the knowledge base (the shipped one: ~0.4 MB)


@dataclass
class ReloadResult:
    ok: bool
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    diff: KbDiff | None = None
    entries: int = 0
    busy: bool = False  # another reload was already running; nothing was done
    installed_after: float = 0.0  # seconds until the new knowledge base answered
    checked_after: float = 0.0  # seconds until its quality warnings were checked too

    def summary_lines(self) -> list[str]:
        """Swedish lines for logs and the CLI."""
        if self.busy:
            return [say("kb_check.reload.busy")]
        if not self.ok:
            return [say("kb_check.reload.refused", count=len(self.errors))] + [str(p) for p in self.errors]
        head = say("kb_check.reload.done", entries=self.entries)
        changes = self.diff.lines() if self.diff else []
        return [head] + (changes or [say("kb_check.reload.unchanged")])


def _prepare(
    directory: Path, previous: Matcher | None = None, cache: ReadCache | None = None
) -> tuple[Snapshot | None, list[Problem]]:
    kb, errors = check_knowledge_base(directory, cache)
    if kb is None:
        return None, errors
    return Snapshot(kb, Matcher(kb, previous=previous)), []


def _check(snapshot: Snapshot, review_days: int, today: date | None, seeds_dir: Path | None) -> list[Problem]:
    return check_quality(
        snapshot.kb, matcher=snapshot.matcher, today=today, stale_after_days=review_days, seeds_dir=seeds_dir
    )


def builds_isolated(directory: Path) -> bool:
    """Whether a reload of this knowledge base is built in a child process (a large one: it
    takes seconds, so the coordinator's command reports its progress instead of waiting)."""
    return _yaml_bytes(directory) > ISOLATE_ABOVE_BYTES


def _yaml_bytes(directory: Path) -> int:
    try:
        return sum(p.stat().st_size for p in Path(directory).rglob("*.yaml"))
    except OSError:
        return 0


async def reload_knowledge(
    knowledge: Knowledge,
    *,
    review_days: int = 365,
    today: date | None = None,
    seeds_dir: Path | None = DEFAULT_SEEDS_DIR,
    isolate: bool | None = None,
    on_installed: Callable[[int], Awaitable[None]] | None = None,
) -> ReloadResult:
    """Load knowledge.directory again; swap it in only when it has no errors.

    A large knowledge base (more than ISOLATE_ABOVE_BYTES of YAML, or `isolate=True`) is built
    and checked in a child process (lotsen.kb.isolated), so requests meanwhile stay fast; a
    small one in a thread (starting a process would cost more than it saves).

    `on_installed(entries)` is awaited as soon as the new knowledge base answers, before its
    quality warnings are checked (the coordinator's progress message)."""
    if knowledge.reloading:
        return ReloadResult(ok=False, busy=True)
    knowledge.reloading = True
    try:
        if isolate is None:
            isolate = builds_isolated(knowledge.directory)
        if isolate:
            try:
                return await _reload_isolated(knowledge, review_days, today, seeds_dir, on_installed)
            except IsolatedBuildFailed as exc:
                log.warning("knowledge base reload: %s; building in a thread instead", exc)
        return await _reload_in_thread(knowledge, review_days, today, seeds_dir, on_installed)
    finally:
        knowledge.reloading = False


async def _reload_isolated(
    knowledge: Knowledge,
    review_days: int,
    today: date | None,
    seeds_dir: Path | None,
    on_installed: Callable[[int], Awaitable[None]] | None,
) -> ReloadResult:
    started = time.perf_counter()
    build = IsolatedBuild(
        knowledge.directory,
        review_days=review_days,
        today=today,
        seeds_dir=seeds_dir,
        previous=knowledge.snapshot,
        cache=knowledge.read_cache,
    )
    try:
        await build.start()
        built = await build.built()
        if built.matcher is None:
            return _refused(built.errors)
        snapshot = Snapshot(built.kb, built.matcher)
        old = knowledge.install(snapshot)
        installed = time.perf_counter() - started
        await _announce(on_installed, len(snapshot.kb.entries))
        warnings, diff = await build.warnings()
    finally:
        await build.close()
    return await _done(old, snapshot, warnings, installed, started, diff)


async def _reload_in_thread(
    knowledge: Knowledge,
    review_days: int,
    today: date | None,
    seeds_dir: Path | None,
    on_installed: Callable[[int], Awaitable[None]] | None,
) -> ReloadResult:
    # The build runs in a thread; a shorter GIL switch interval meanwhile lets the event loop
    # (the old knowledge base answering questions) in more often, so requests stay fast.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, RELOAD_SWITCH_INTERVAL))
    started = time.perf_counter()
    try:
        snapshot, errors = await asyncio.to_thread(
            _prepare, knowledge.directory, knowledge.matcher, knowledge.read_cache
        )
        if snapshot is None:
            return _refused(errors)
        # Valid: it answers from now on. Quality warnings never block a reload, so they are
        # checked after the swap (still off the event loop).
        old = knowledge.install(snapshot)
        installed = time.perf_counter() - started
        await _announce(on_installed, len(snapshot.kb.entries))
        warnings = await asyncio.to_thread(_check, snapshot, review_days, today, seeds_dir)
    finally:
        sys.setswitchinterval(previous)
    return await _done(old, snapshot, warnings, installed, started)


async def _announce(on_installed: Callable[[int], Awaitable[None]] | None, entries: int) -> None:
    if on_installed is None:
        return
    try:
        await on_installed(entries)
    except Exception:  # noqa: BLE001 - a lost progress message must not stop the reload
        log.exception("knowledge base reload: the progress message failed")


def _refused(errors: list[Problem]) -> ReloadResult:
    log.warning("knowledge base reload refused: %d errors (first: %s)", len(errors), errors[0] if errors else "")
    return ReloadResult(ok=False, errors=errors)


async def _done(
    old: Snapshot,
    snapshot: Snapshot,
    warnings: list[Problem],
    installed: float,
    started: float,
    diff: KbDiff | None = None,
) -> ReloadResult:
    if diff is None:
        diff = await asyncio.to_thread(diff_knowledge, old.kb, snapshot.kb)
    _release_later(old)
    log.info(
        "knowledge base reloaded: %d entries; %s", len(snapshot.kb.entries), "; ".join(diff.lines()) or "no changes"
    )
    return ReloadResult(
        ok=True,
        warnings=warnings,
        diff=diff,
        entries=len(snapshot.kb.entries),
        installed_after=installed,
        checked_after=time.perf_counter() - started,
    )


# --- freeing the old knowledge base -------------------------------------------------------------

RELEASE_FROM_ENTRIES = 2000  # smaller ones are freed at once, as usual
RELEASE_CHUNK = 2000  # items freed between two turns of the event loop
RELEASE_WAIT = 30.0  # seconds to wait for turns still using the old snapshot
_releasing: set[asyncio.Task] = set()


def _release_later(old: Snapshot) -> None:
    """Free a large old snapshot piece by piece in the background. Freed at once (when the
    last reference goes), the millions of objects of a 10,000-entry knowledge base and its
    index are one uninterrupted stretch of work of 0.2–0.4 s, and every request waits for it."""
    if len(old.kb.entries) < RELEASE_FROM_ENTRIES:
        return
    task = asyncio.get_running_loop().create_task(_release(old))
    _releasing.add(task)
    task.add_done_callback(_releasing.discard)


async def _release(old: Snapshot) -> None:
    """Empty the old snapshot's large tables a chunk at a time, once nothing else uses it: no
    turn pins it any more (each turn keeps the snapshot it started with) and nothing else
    holds its matcher, its knowledge base or one of their tables (reference counts; whatever
    is still held elsewhere is left to be freed as usual)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELEASE_WAIT
    while sys.getrefcount(old) > 2:  # this frame's reference and getrefcount's own
        if loop.time() > deadline:
            return
        await asyncio.sleep(0.1)
    matcher, kb = old.matcher, old.kb
    if sys.getrefcount(matcher) == 3:  # the snapshot, this frame, getrefcount
        await _empty(matcher)
    if sys.getrefcount(kb) == 4:  # … and the matcher's own reference
        await _empty(kb)


async def _empty(owner: object) -> None:
    tables = vars(owner)
    for name in list(tables):
        table = tables[name]
        # held only by its owner, this frame and getrefcount
        if not isinstance(table, (dict, list)) or len(table) <= RELEASE_CHUNK or sys.getrefcount(table) != 3:
            continue
        while table:
            if isinstance(table, dict):
                for _ in range(min(RELEASE_CHUNK, len(table))):
                    table.popitem()
            else:
                del table[-RELEASE_CHUNK:]
            await asyncio.sleep(0)
        del table
