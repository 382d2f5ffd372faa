"""The knowledge base as plain, immutable data. Schema: knowledge/SCHEMA.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Where:
    """Where a record was written: used in every error and warning."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    where: Where


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    summary: str
    short: str = ""
    aliases: tuple[str, ...] = ()
    does: tuple[str, ...] = ()
    does_not: tuple[str, ...] = ()
    preconditions: tuple[str, ...] = ()
    legal_refs: tuple[str, ...] = ()
    sip: str = ""
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Concept:
    id: str
    term: str
    definition: str
    expansion: str = ""
    aliases: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Process:
    id: str
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    example_only: bool = False
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Effort:
    id: str
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    target_group: str = ""
    criteria: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    financed_by: str = ""
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Forbund:
    id: str
    name: str
    in_seeds: bool
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    forbund: str | None
    forbund_in_seeds: bool
    arena: bool = False
    kommunomrade: bool = False
    aliases: tuple[str, ...] = ()
    samverk_groups: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Contact:
    role: str
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ContactList:
    id: str
    title: str
    description: str = ""
    party: str = ""
    contacts: tuple[Contact, ...] = ()
    link: str = ""
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Purpose:
    id: str
    title: str
    needs_municipality: bool = True
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Route:
    purpose: str
    municipalities: tuple[str, ...]  # ("*",) for the default
    contact_list: str
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Entry:
    """A question-answer entry."""

    id: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    sources: tuple[SourceRef, ...]
    parties: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    contact_purpose: str = ""
    actions: tuple[str, ...] = ()
    gap: bool = False
    reviewed: date | None = None
    owner: str = ""
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Option:
    value: str
    title: str


@dataclass(frozen=True)
class PickList:
    """A list of options for a form field (knowledge/forms.yaml)."""

    id: str
    title: str
    options: tuple[Option, ...]
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class KnowledgeBase:
    sources: dict[str, Source]
    parties: dict[str, Party]
    concepts: dict[str, Concept]
    processes: dict[str, Process]
    efforts: dict[str, Effort]
    forbund: dict[str, Forbund]
    municipalities: dict[str, Municipality]
    contact_lists: dict[str, ContactList]
    purposes: dict[str, Purpose]
    routes: tuple[Route, ...]
    entries: dict[str, Entry]
    lists: dict[str, PickList] = field(default_factory=dict)
    directory: str = ""
    navigator: Any = None  # lotsen.vagvisare.model.Navigator, from vagvisare.yaml (None without the file)

    def cite(self, refs: tuple[SourceRef, ...]) -> str:
        """Human-readable citation: "Rätt stöd … (002_….txt), avsnitt …"."""
        parts = []
        for ref in refs:
            src = self.sources.get(ref.doc)
            title = f"{src.title} ({src.file})" if src else ref.doc
            parts.append(f"{title}, avsnitt ”{ref.section}”" if ref.section else title)
        return "; ".join(parts)

    def municipality_by_name(self, text: str) -> Municipality | None:
        from lotsen.text import fold

        needle = fold(text.strip())
        for muni in self.municipalities.values():
            names = {fold(muni.name), muni.id, *(fold(a) for a in muni.aliases)}
            if needle in names:
                return muni
        return None
