"""What changed between two knowledge bases: added, removed and changed ids per kind.

Only content counts: a record that moved to another line or file is not "changed".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from lotsen.kb import model as m
from lotsen.texts import say


def kind_labels() -> tuple[tuple[str, str], ...]:
    """(attribute on KnowledgeBase, Swedish label) in the order a coordinator cares about."""
    return (
        ("entries", say("kb_check.diff.entries")),
        ("contact_lists", say("kb_check.diff.contact_lists")),
        ("routes", say("kb_check.diff.routes")),
        ("purposes", say("kb_check.diff.purposes")),
        ("parties", say("kb_check.diff.parties")),
        ("concepts", say("kb_check.diff.concepts")),
        ("processes", say("kb_check.diff.processes")),
        ("efforts", say("kb_check.diff.efforts")),
        ("municipalities", say("kb_check.diff.municipalities")),
        ("forbund", say("kb_check.diff.forbund")),
        ("lists", say("kb_check.diff.lists")),
        ("sources", say("kb_check.diff.sources")),
    )


@dataclass
class KindDiff:
    kind: str
    label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class KbDiff:
    kinds: list[KindDiff]

    @property
    def empty(self) -> bool:
        return all(k.empty for k in self.kinds)

    def of(self, kind: str) -> KindDiff:
        return next(k for k in self.kinds if k.kind == kind)

    def lines(self, max_ids: int = 8) -> list[str]:
        """One Swedish line per kind that changed, e.g.
        "Frågor och svar: 1 ny (sip-ny), 2 ändrade (a, b)"."""
        out = []
        for k in self.kinds:
            if k.empty:
                continue
            parts = []
            for ids, one, many in (
                (k.added, say("kb_check.diff.added_one"), say("kb_check.diff.added_many")),
                (k.removed, say("kb_check.diff.removed_one"), say("kb_check.diff.removed_many")),
                (k.changed, say("kb_check.diff.changed_one"), say("kb_check.diff.changed_many")),
            ):
                if ids:
                    shown = ", ".join(ids[:max_ids])
                    if len(ids) > max_ids:
                        shown += say("kb_check.diff.and_more", count=len(ids) - max_ids)
                    parts.append(f"{len(ids)} {one if len(ids) == 1 else many} ({shown})")
            out.append(f"{k.label}: " + ", ".join(parts))
        return out


def _content(obj: Any) -> Any:
    """A record without its location, for comparison."""
    if dataclasses.is_dataclass(obj):
        return tuple((f.name, _content(getattr(obj, f.name))) for f in dataclasses.fields(obj) if f.name != "where")
    if isinstance(obj, (tuple, list)):
        return tuple(_content(x) for x in obj)
    return obj


def _route_key(route: m.Route) -> str:
    where = ",".join(route.municipalities)
    return f"{route.purpose} [{where}]"


def _table(kb: m.KnowledgeBase, kind: str) -> dict[str, Any]:
    if kind == "routes":
        return {_route_key(r): r for r in kb.routes}
    return getattr(kb, kind)


def diff_knowledge(old: m.KnowledgeBase, new: m.KnowledgeBase) -> KbDiff:
    kinds = []
    for kind, label in kind_labels():
        a, b = _table(old, kind), _table(new, kind)
        kd = KindDiff(kind, label)
        kd.added = sorted(set(b) - set(a))
        kd.removed = sorted(set(a) - set(b))
        kd.changed = sorted(k for k in set(a) & set(b) if _content(a[k]) != _content(b[k]))
        kinds.append(kd)
    return KbDiff(kinds)
