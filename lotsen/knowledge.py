"""The live knowledge base: the loaded KnowledgeBase plus its Matcher, swappable on reload."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from lotsen.kb import KnowledgeBase, load_knowledge_base
from lotsen.kb.loader import ReadCache
from lotsen.matching import Matcher


SETTLE_FROM_ENTRIES = 2000  # a knowledge base this large is hidden from the garbage collector


def _settle(kb: KnowledgeBase) -> None:
    """Move the objects alive now (a large knowledge base and its index: millions of them at
    10,000 entries) out of the garbage collector's sight (gc.freeze). A full collection would
    otherwise walk them all again and again, stopping every request for up to a second. They
    are still freed by reference counting when a reload replaces them; only garbage cycles
    that happen to be alive at that moment stay (once per reload, so not done for small ones)."""
    if len(kb.entries) >= SETTLE_FROM_ENTRIES:
        gc.freeze()


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    matcher: Matcher


class Knowledge:
    """Holds the current snapshot. A reload builds a complete new snapshot first and only
    then swaps it in, so a bad edit never replaces a good knowledge base. A turn reads one
    snapshot from start to end (lotsen.context.Context pins it), so a reload between two
    steps of a turn cannot mix old and new. See lotsen.kb.reload for the reload itself."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.read_cache: ReadCache = {}  # what loading each file gave: a reload parses only changed files
        kb = load_knowledge_base(self.directory, self.read_cache)
        self._snapshot = Snapshot(kb, Matcher(kb))
        _settle(kb)
        self.reloading = False  # set by lotsen.kb.reload while a reload is being checked

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def kb(self) -> KnowledgeBase:
        return self._snapshot.kb

    @property
    def matcher(self) -> Matcher:
        return self._snapshot.matcher

    def install(self, snapshot: Snapshot) -> Snapshot:
        """Install an already-checked snapshot (knowledge base and its matcher); returns the old one."""
        old = self._snapshot
        self._snapshot = snapshot
        _settle(snapshot.kb)
        return old

    def swap(self, kb: KnowledgeBase) -> KnowledgeBase:
        """Install an already-checked knowledge base; returns the old one."""
        return self.install(Snapshot(kb, Matcher(kb))).kb
