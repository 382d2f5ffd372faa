"""The typed draft of a guided form, and its storage shape.

A draft is stored as plain JSON in the `drafts` table and, once filed, its values and context
as the case's data. The shape is the one earlier releases stored, so drafts saved before an
upgrade load unchanged:

    {"form_id": "…", "step": 0, "values": {field id: value}, "review": false,
     "context": {"phase": "triage" | "form", "triage": {…}, "kommun": "…", "bestallare": "…"}}

Context keys this release does not know are kept as they are (`extra`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

TRIAGE = "triage"  # answering the preconditions
FORM = "form"  # filling in the steps (also the review)
CONTEXT_KEYS = ("phase", "triage", "kommun", "bestallare")


@dataclass
class Draft:
    form_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    step: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    review: bool = False
    phase: str | None = None  # requests: TRIAGE or FORM; None for forms without preconditions
    triage: dict[str, Any] | None = None  # the answers to the preconditions
    kommun: str | None = None  # the kommun known before the form (from the preconditions)
    bestallare: str | None = None  # the requester's name (from Teams)
    extra: dict[str, Any] = field(default_factory=dict)  # other stored context keys, kept as they are
    version: int | None = None  # the row version it was loaded with (never stored in the data)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], version: int | None = None) -> "Draft":
        context = data.get("context") or {}
        step = data.get("step", 0)
        triage = context.get("triage")
        return cls(
            form_id=str(data.get("form_id") or ""),
            step=step if isinstance(step, int) and not isinstance(step, bool) else 0,
            values=dict(data.get("values") or {}),
            review=bool(data.get("review")),
            phase=context.get("phase"),
            triage=dict(triage) if isinstance(triage, Mapping) else None,
            kommun=context.get("kommun"),
            bestallare=context.get("bestallare"),
            extra={k: v for k, v in context.items() if k not in CONTEXT_KEYS},
            version=version,
        )

    @classmethod
    def coerce(cls, draft: "Draft | Mapping[str, Any]") -> "Draft":
        """A draft, also from its stored form (tests and tools pass the stored dict)."""
        return draft if isinstance(draft, Draft) else cls.from_data(draft)

    def context(self) -> dict[str, Any]:
        """The stored context: only what is set, in the order earlier releases wrote it."""
        out: dict[str, Any] = {}
        if self.phase is not None:
            out["phase"] = self.phase
        if self.triage is not None:
            out["triage"] = self.triage
        if self.kommun is not None or self.phase is not None:
            out["kommun"] = self.kommun
        if self.bestallare is not None:
            out["bestallare"] = self.bestallare
        return {**out, **self.extra}

    def to_data(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "step": self.step,
            "values": self.values,
            "context": self.context(),
            "review": self.review,
        }

    def case_data(self) -> dict[str, Any]:
        """What a filed case keeps of the draft."""
        return {"values": self.values, "context": self.context()}

    @property
    def answers(self) -> dict[str, Any]:
        """The answers to the preconditions ({} before any)."""
        if self.triage is None:
            self.triage = {}
        return self.triage

    @property
    def in_form(self) -> bool:
        return self.phase in (None, FORM)

    def go(self, step: int, *, review: bool = False) -> None:
        self.step, self.review = step, review
