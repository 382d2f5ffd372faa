"""The knowledge base as plain, immutable data. Schema: knowledge/SCHEMA.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from lotsen.text import normalise
from lotsen.texts import say


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
    url: str = ""  # the public document (or its publisher's page) where the seeds give one


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str


@dataclass(frozen=True)
class Taught:
    """A change a coordinator made from the chat (knowledge/inlart.yaml): `question` became a phrasing
    of `entry` (kind "phrasings"), or is outside what the bot answers (kind "out_of_scope")."""

    kind: str
    question: str
    entry: str = ""
    by: str = ""
    name: str = ""
    at: str = ""
    where: Where = Where("", 0)


@dataclass(frozen=True)
class LegalNote:
    """A reusable note (knowledge/legal_notes.yaml) for facts whose law or dates have changed
    since the seeds were written, e.g. the new socialtjänstlag. Entries refer to it by id."""

    id: str
    title: str
    text: str
    basis: str = ""  # where the note's own fact comes from (outside the seeds)
    checked: date | None = None
    where: Where = Where("", 0)


@dataclass(frozen=True)
class LegalRef:
    """An entry's, concept's or party's use of a legal note: `cited` is the reference exactly
    as the source writes it ("2 kap. 7 § SoL")."""

    note: str
    cited: str = ""


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
    legal: tuple[LegalRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Concept:
    id: str
    term: str
    definition: str
    expansion: str = ""
    aliases: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    legal: tuple[LegalRef, ...] = ()
    where: Where = Where("", 0)

    def names(self) -> set[str]:
        """Every name "vad är …" may ask it by, normalised: its term (with and without a
        parenthesis), its expansion and its aliases ("ips-coach" → "ips coach")."""
        names = {
            normalise(self.term),
            normalise(self.term.split("(")[0]),
            normalise(self.expansion),
            *(normalise(a) for a in self.aliases),
        }
        names.update(name.replace(" / ", " ") for name in list(names))
        return names - {""}


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
    legal: tuple[LegalRef, ...] = ()
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
    legal_notes: dict[str, LegalNote] = field(default_factory=dict)
    forms: dict[str, "FormSpec"] = field(default_factory=dict)  # knowledge/forms/<id>.yaml
    navigator: Any = None  # lotsen.vagvisare.model.Navigator, from vagvisare.yaml (None without the file)
    taught: tuple[Taught, ...] = ()

    def cite(self, refs: tuple[SourceRef, ...] | list[SourceRef]) -> str:
        """One compact citation line (Markdown): each document once, by its title, linked when
        sources.yaml gives a URL, followed by its sections: "[Title](url) – ”A”, ”B”; Title 2 – ”C”"."""
        grouped: dict[str, list[str]] = {}
        for ref in refs:
            sections = grouped.setdefault(ref.doc, [])
            if ref.section and ref.section not in sections:
                sections.append(ref.section)
        parts = []
        for doc, sections in grouped.items():
            src = self.sources.get(doc)
            title = src.title if src else doc
            if src and src.url:
                title = f"[{_md_text(title)}]({src.url})"
            parts.append(title + (" – " + ", ".join(f"”{s}”" for s in sections) if sections else ""))
        return "; ".join(parts)

    def legal_texts(self, refs: tuple[LegalRef, ...]) -> list[str]:
        """The notes shown under an answer: the source's reference as written, then the note."""
        out = []
        for ref in refs:
            note = self.legal_notes.get(ref.note)
            if note is None:
                continue
            cited = say("legal_notes.cited", cited=ref.cited) + " " if ref.cited else ""
            out.append(f"**{note.title}.** {cited}{note.text}")
        return out

    def municipality_by_name(self, text: str) -> Municipality | None:
        from lotsen.text import fold

        needle = fold(text.strip())
        for muni in self.municipalities.values():
            names = {fold(muni.name), muni.id, *(fold(a) for a in muni.aliases)}
            if needle in names:
                return muni
        return None


def _md_text(text: str) -> str:
    """Text safe inside a Markdown link label."""
    return text.replace("[", "(").replace("]", ")")


# --- forms as data (knowledge/forms/<id>.yaml, read by lotsen.kb.forms) -------------------------


@dataclass(frozen=True)
class RequiredWhen:
    """A cross-field rule: this field is required when `field` has `value` among its answers."""

    field: str
    value: str
    message: str


@dataclass(frozen=True)
class FieldSpec:
    """One input of a form as coordinators write it; the flow turns it into a lotsen.fields.Field.
    `choices` names a pick list in forms.yaml, or "kommuner" for the municipalities."""

    id: str
    label: str
    kind: str
    required: bool = False
    choices: str = ""
    help: str = ""
    placeholder: str = ""
    min_length: int = 0
    max_length: int = 500
    allow_future: bool = False
    required_when: RequiredWhen | None = None
    where: Where = Where("", 0)
    variants: tuple["Variant", ...] = ()  # texts and requirement that depend on the preconditions' answers


@dataclass(frozen=True)
class Variant:
    """Overrides that apply when every `when` (precondition field id, value) matches the answers."""

    when: tuple[tuple[str, str], ...]
    label: str | None = None
    help: str | None = None
    placeholder: str | None = None
    required: bool | None = None
    intro: str | None = None
    where: Where = Where("", 0)

    def matches(self, answers: Mapping[str, Any]) -> bool:
        return all(answers.get(key) == value for key, value in self.when)


@dataclass(frozen=True)
class StepSpec:
    id: str
    title: str
    fields: tuple[FieldSpec, ...]
    intro: str = ""
    where: Where = Where("", 0)
    variants: tuple[Variant, ...] = ()
    sources: tuple[SourceRef, ...] = ()  # cited where the intro says {kalla}


@dataclass(frozen=True)
class Line:
    """A text of a form file, shown only when `condition` ("", "x" or "not x") holds; its
    sources are added to the card's source line when it is shown."""

    text: str
    condition: str = ""
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class StopContact:
    """A contact list on a stop card: the routing purpose, a title and text ({list}: its title)."""

    purpose: str
    title: str
    text: str = ""
    condition: str = ""
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class StopAction:
    """A button on a stop card; `do` is one of the flow's actions (conditions, cancel, switch, …)."""

    do: str
    title: str
    style: str = ""
    condition: str = ""
    where: Where = Where("", 0)


@dataclass(frozen=True)
class Stop:
    """The card shown when a precondition fails (the verdict `code`)."""

    code: str
    title: str
    lines: tuple[Line, ...]
    contacts: tuple[StopContact, ...] = ()
    actions: tuple[StopAction, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    legal: tuple[LegalRef, ...] = ()
    where: Where = Where("", 0)


@dataclass(frozen=True)
class PreconditionsSpec:
    """Questions asked before the form (Arena/SIP): what the card explains, and the fields."""

    about: tuple[Line, ...]
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class Notice:
    """The card shown before a form: what it is for, the rules to know, the button that begins."""

    title: str
    text: str
    lines: tuple[str, ...]
    begin: str


@dataclass(frozen=True)
class CaseSpec:
    """A form's `case:` block: what the case it files is called and its statuses (case kinds,
    lotsen.casekinds). The prefix and the status values are stored in the cases; the texts may change."""

    prefix: str  # AVV → AVV-2026-0001
    noun: str  # "Rapporten": the receipt's subject
    plural: str  # "avvikelser": what a connected channel receives
    notify: str  # "Din avvikelserapport": the reporter's status note
    digest: str  # "Avvikelser i samverkan": the weekly digest's heading
    statuses: Mapping[str, str]  # value → title; the first is "mottagen", the status a case is filed with
    where: Where = Where("", 0)


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    steps: tuple[StepSpec, ...]
    sources: tuple[SourceRef, ...] = ()
    where: Where = Where("", 0)
    notice: Notice | None = None
    preconditions: PreconditionsSpec | None = None
    texts: Mapping[str, str] = field(default_factory=dict)  # the flow's own texts by key
    next_steps: tuple[Line, ...] = ()  # receipt lines after the routing
    stops: Mapping[str, Stop] = field(default_factory=dict)  # verdict code → stop card
    conditions: Mapping[str, str] = field(default_factory=dict)  # what `if:` may name → what it means
    case: CaseSpec | None = None  # the case kind's texts, prefix and statuses (the `case:` block)

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values) if values else self.texts[key]

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for s in self.steps for f in s.fields if f.id == field_id), None)
