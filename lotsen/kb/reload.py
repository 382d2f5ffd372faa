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

from lotsen.kb.diff import KbDiff, diff_knowledge
from lotsen.kb.isolated import IsolatedBuild, IsolatedBuildFailed
from lotsen.kb.loader import Problem, check_knowledge_base
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


def _prepare(directory: Path) -> tuple[Snapshot | None, list[Problem]]:
    kb, errors = check_knowledge_base(directory)
    if kb is None:
        return None, errors
    return Snapshot(kb, Matcher(kb)), []


def _check(snapshot: Snapshot, review_days: int, today: date | None, seeds_dir: Path | None) -> list[Problem]:
    return check_quality(
        snapshot.kb, matcher=snapshot.matcher, today=today, stale_after_days=review_days, seeds_dir=seeds_dir
    )


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
) -> ReloadResult:
    """Load knowledge.directory again; swap it in only when it has no errors.

    A large knowledge base (more than ISOLATE_ABOVE_BYTES of YAML, or `isolate=True`) is built
    and checked in a child process (lotsen.kb.isolated), so requests meanwhile stay fast; a
    small one in a thread (starting a process would cost more than it saves)."""
    if knowledge.reloading:
        return ReloadResult(ok=False, busy=True)
    knowledge.reloading = True
    try:
        if isolate is None:
            isolate = _yaml_bytes(knowledge.directory) > ISOLATE_ABOVE_BYTES
        if isolate:
            try:
                return await _reload_isolated(knowledge, review_days, today, seeds_dir)
            except IsolatedBuildFailed as exc:
                log.warning("knowledge base reload: %s; building in a thread instead", exc)
        return await _reload_in_thread(knowledge, review_days, today, seeds_dir)
    finally:
        knowledge.reloading = False


async def _reload_isolated(
    knowledge: Knowledge, review_days: int, today: date | None, seeds_dir: Path | None
) -> ReloadResult:
    started = time.perf_counter()
    build = IsolatedBuild(knowledge.directory, review_days=review_days, today=today, seeds_dir=seeds_dir)
    try:
        await build.start()
        built = await build.built()
        if built.matcher is None:
            return _refused(built.errors)
        snapshot = Snapshot(built.kb, built.matcher)
        old = knowledge.install(snapshot)
        installed = time.perf_counter() - started
        warnings = await build.warnings()
    finally:
        await build.close()
    return await _done(old, snapshot, warnings, installed, started)


async def _reload_in_thread(
    knowledge: Knowledge, review_days: int, today: date | None, seeds_dir: Path | None
) -> ReloadResult:
    # The build runs in a thread; a shorter GIL switch interval meanwhile lets the event loop
    # (the old knowledge base answering questions) in more often, so requests stay fast.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, RELOAD_SWITCH_INTERVAL))
    started = time.perf_counter()
    try:
        snapshot, errors = await asyncio.to_thread(_prepare, knowledge.directory)
        if snapshot is None:
            return _refused(errors)
        # Valid: it answers from now on. Quality warnings never block a reload, so they are
        # checked after the swap (still off the event loop).
        old = knowledge.install(snapshot)
        installed = time.perf_counter() - started
        warnings = await asyncio.to_thread(_check, snapshot, review_days, today, seeds_dir)
    finally:
        sys.setswitchinterval(previous)
    return await _done(old, snapshot, warnings, installed, started)


def _refused(errors: list[Problem]) -> ReloadResult:
    log.warning("knowledge base reload refused: %d errors (first: %s)", len(errors), errors[0] if errors else "")
    return ReloadResult(ok=False, errors=errors)


async def _done(
    old: Snapshot, snapshot: Snapshot, warnings: list[Problem], installed: float, started: float
) -> ReloadResult:
    diff = await asyncio.to_thread(diff_knowledge, old.kb, snapshot.kb)
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
