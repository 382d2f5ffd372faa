"""The navigator's data model (knowledge/vagvisare.yaml, schema in knowledge/SCHEMA.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lotsen.kb.model import SourceRef, Where

ONE, SEVERAL, NUMBER, MUNICIPALITY = "one", "several", "number", "municipality"
FACT_KINDS = (ONE, SEVERAL, NUMBER, MUNICIPALITY)
ACTIONS = ("sip", "arena", "avvikelse", "kontakter")


@dataclass(frozen=True)
class Element:
    """One step of a compiled pattern: a word, a word prefix, a number, or a gap."""

    kind: str  # word | prefix | number | gap
    text: str = ""  # folded
    typed: str = ""  # as written, lower case, when it has diacritics that folding drops ("smärta")


@dataclass(frozen=True)
class Pattern:
    text: str  # as written in the YAML
    elements: tuple[Element, ...]

    @property
    def weight(self) -> int:
        """More specific patterns win: the number of words (gaps do not count)."""
        return sum(1 for e in self.elements if e.kind != "gap")


@dataclass(frozen=True)
class FactValue:
    value: str
    title: str
    patterns: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class Duration:
    """ "fsö i 3 år": a duration next to an anchor decides the value (months at least → value)."""

    anchors: tuple[Pattern, ...]
    at_least: tuple[tuple[int, str], ...]  # sorted, largest first


@dataclass(frozen=True)
class Percent:
    """ "sjukskriven 50 %": a percentage next to the fact's first pattern words."""

    anchors: tuple[Pattern, ...]
    full: int
    full_value: str
    part_value: str


@dataclass(frozen=True)
class Fact:
    id: str
    title: str
    kind: str
    question: str
    values: tuple[FactValue, ...] = ()
    always_ask: bool = False
    negated_by: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()  # number facts
    not_after: tuple[str, ...] = ()  # number facts: a number right after these words is something else
    range: tuple[int, int] | None = None
    unit: str = ""  # number facts: shown after the value ("21 år")
    duration: Duration | None = None
    percent: Percent | None = None
    where: Where = Where("", 0)

    def value(self, value: str) -> FactValue | None:
        return next((v for v in self.values if v.value == value), None)


@dataclass(frozen=True)
class Condition:
    """all / any / not over children, or a leaf test on one fact."""

    op: str  # all | any | not | leaf
    children: tuple["Condition", ...] = ()
    fact: str = ""
    test: str = ""  # is | in | has | has_any | has_all | between | at_least | at_most | known
    arg: Any = None
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Rule:
    id: str
    order: int
    title: str
    do: str
    who: tuple[str, ...]
    why: str
    when: Condition
    sources: tuple[SourceRef, ...]
    municipalities: tuple[str, ...] = ()  # a local routine: only there, presented as local
    gap: bool = False  # the seeds are silent: say so and route to a person
    contact_purpose: str = ""
    actions: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Navigator:
    facts: dict[str, Fact] = field(default_factory=dict)
    triggers: tuple[Pattern, ...] = ()  # words that start the navigator directly
    client: tuple[Pattern, ...] = ()  # words showing the text is about one person
    next_step: tuple[Pattern, ...] = ()  # "vad gör jag?": a description asking for the next step
    rules: tuple[Rule, ...] = ()
    where: Where = Where("", 0)
