"""The live knowledge base: the loaded KnowledgeBase plus its Matcher, swappable on reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lotsen.kb import KnowledgeBase, load_knowledge_base
from lotsen.matching import Matcher


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    matcher: Matcher


class Knowledge:
    """Holds the current snapshot. A reload builds a complete new snapshot first and only
    then swaps it in, so a bad edit never replaces a good knowledge base."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        kb = load_knowledge_base(self.directory)
        self._snapshot = Snapshot(kb, Matcher(kb))

    @property
    def kb(self) -> KnowledgeBase:
        return self._snapshot.kb

    @property
    def matcher(self) -> Matcher:
        return self._snapshot.matcher

    def swap(self, kb: KnowledgeBase) -> KnowledgeBase:
        """Install an already-checked knowledge base; returns the old one."""
        old = self._snapshot.kb
        self._snapshot = Snapshot(kb, Matcher(kb))
        return old
