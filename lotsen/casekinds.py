"""What kinds of case the bot files (deviation report, Arena request, SIP request) and the
registry of them that the composition root builds and hands to every handler.

One `CaseKind` record per kind holds what the rest of the bot needs to know about it:
reference prefix, titles and statuses, the texts used when it is routed and when its status
changes — all data, the `case:` block of knowledge/forms/<kind>.yaml (lotsen.kb.case_block),
read when the application is built — and, supplied by the flow that files it, the form fields
and facts a filed case shows on the channel card, in the compilation and in the CSV export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lotsen.fields import Field
from lotsen.kb.model import FormSpec, KnowledgeBase
from lotsen.storage import Case

if TYPE_CHECKING:
    from lotsen.context import Context

FieldsOf = Callable[[KnowledgeBase, Mapping[str, Any]], Sequence[Field]]  # kb, case data → form fields
FactsOf = Callable[["Context", Mapping[str, Any]], list[dict[str, str]]]  # turn, case data → extra facts


def _no_fields(kb: KnowledgeBase, data: Mapping[str, Any]) -> Sequence[Field]:
    return [Field(k, k, "text") for k in data.get("values", {})]


def _no_facts(ctx: "Context", data: Mapping[str, Any]) -> list[dict[str, str]]:
    return []


@dataclass(frozen=True)
class CaseKind:
    id: str  # "avvikelse", "arena", "sip" (stored in cases.kind)
    prefix: str  # reference prefix: AVV-2026-0001
    title: str  # "Avvikelse i samverkan"
    statuses: Mapping[str, str]  # status value → title, the first ("mottagen") is the status a case is filed with
    noun: str  # "Rapporten" / "Förfrågan": the receipt's subject
    plural: str  # "avvikelser": what a connected channel receives
    notify_title: str  # "Din avvikelserapport": the reporter's status notification
    notify_always: bool  # requests always notify; deviations only when the reporter asked for it
    booking: bool  # status handling records a booked date, time and format
    fields: FieldsOf = _no_fields
    facts: FactsOf = _no_facts
    digest_title: str = ""  # "Avvikelser i samverkan": its heading in the weekly digest

    @classmethod
    def from_form(
        cls,
        form: FormSpec,
        *,
        notify_always: bool = False,
        booking: bool = False,
        fields: FieldsOf = _no_fields,
        facts: FactsOf = _no_facts,
    ) -> "CaseKind":
        """The record of the kind a form files: its title and `case:` block (data), with the
        behaviour the flow declares."""
        case = form.case
        if case is None:
            raise ValueError(f"{form.where}: the form {form.id!r} has no case: block")
        return cls(
            id=form.id,
            prefix=case.prefix,
            title=form.title,
            statuses=MappingProxyType(dict(case.statuses)),
            noun=case.noun,
            plural=case.plural,
            notify_title=case.notify,
            notify_always=notify_always,
            booking=booking,
            fields=fields,
            facts=facts,
            digest_title=case.digest,
        )

    def status_title(self, status: str) -> str:
        return self.statuses.get(status, status)


@dataclass(frozen=True)
class CaseKinds:
    """The case kinds by id, fixed when the application is built."""

    kinds: Mapping[str, CaseKind] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, kinds: Iterable[CaseKind]) -> "CaseKinds":
        table: dict[str, CaseKind] = {}
        for kind in kinds:
            if kind.id in table:
                raise ValueError(f"case kind {kind.id!r} defined twice")
            table[kind.id] = kind
        return cls(MappingProxyType(table))

    def __getitem__(self, kind: str) -> CaseKind:
        return self.kinds[kind]

    def get(self, kind: str) -> CaseKind | None:
        return self.kinds.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds

    def __iter__(self) -> Iterator[CaseKind]:
        return iter(self.kinds.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self.kinds)

    def status_title(self, case: Case) -> str:
        """What people read for the case's status ("Under utredning")."""
        kind = self.kinds.get(case.kind)
        return kind.status_title(case.status) if kind is not None else case.status
