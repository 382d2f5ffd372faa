"""A guided flow as a declaration: what the engine (dialogs.engine) interprets.

    FlowSpec(kind, prefix, steps, …)   one per case kind (its titles, prefix and statuses are the
                                       form file's title and `case:` block: lotsen.casekinds)
      notice         a card before the form (deviation: what an avvikelse is), or None
      preconditions  questions answered before the form, a verdict over them and a stop card
                     per failed verdict (Arena/SIP), or None
      steps          the form's steps (kb, draft → steps), usually read from knowledge/forms/
      checks         cross-field checks of a step beyond the form file's `required_when`
      prefill, facts, next_steps, wants_feedback   hooks around the form and the filing

The engine owns the transitions, the draft, validation and filing (through the case service);
a declaration only says what to ask, what to check and what to say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lotsen.fields import Choice, Field
from lotsen.kb.form_fields import MUNICIPALITIES
from lotsen.kb.model import FieldSpec, FormSpec, KnowledgeBase, Line, RequiredWhen, SourceRef
from lotsen.text import fold

if TYPE_CHECKING:
    from dialogs.draft import Draft
    from lotsen.cases import Case
    from lotsen.context import Context

Facts = list[dict[str, str]]
CardData = dict[str, Any]


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[Field, ...]
    intro: str = ""
    rules: tuple[tuple[str, RequiredWhen], ...] = ()  # (field id, rule): cross-field checks from the form file


@dataclass(frozen=True)
class Verdict:
    """The outcome of the preconditions: ok, or which rule stops the request."""

    code: str
    kommun: str | None = None
    principals: tuple[str, ...] = ()  # SIP: which of the two principals have efforts
    efforts: tuple[str, ...] = field(default=())  # SIP: everything the person ticked

    @property
    def ok(self) -> bool:
        return self.code == "ok"


@dataclass(frozen=True)
class Preconditions:
    """Questions before the form; a failed verdict shows its stop card instead of the form."""

    fields: Callable[[KnowledgeBase], tuple[Field, ...]]
    verdict: Callable[[KnowledgeBase, dict[str, Any]], Verdict]
    stop: Callable[["Context", "Draft", Verdict], CardData]  # the stop card of a failed verdict
    codes: tuple[str, ...]  # the verdicts that stop (for docs/flows.md)
    about: Callable[[KnowledgeBase], list[str]]  # what the triage card explains first
    source: Callable[[KnowledgeBase], str]
    start: Callable[["Context"], dict[str, Any]] | None = None  # answers known at the start (kommun, …)
    switch: tuple[str, str] = ("", "")  # (kind, title) of the other request the card offers instead


StepsOf = Callable[[KnowledgeBase, "Draft"], list[Step]]
Check = Callable[["Context", "Draft", Step], dict[str, str]]


async def _no_prefill(ctx: "Context", draft: "Draft") -> None:
    return None


def _no_facts(ctx: "Context", draft: "Draft") -> Facts:
    return []


def _no_next_steps(ctx: "Context", case: "Case") -> list[str]:
    return []


def _asked_for_feedback(draft: "Draft") -> bool:
    return bool(draft.values.get("aterkoppling"))


@dataclass(frozen=True)
class FlowSpec:
    kind: str  # the case kind filed ("avvikelse", "arena", "sip")
    prefix: str  # verb prefix without the dot ("dev")
    steps: StepsOf
    review_intro: Callable[[KnowledgeBase], str]
    notify_always: bool = False
    booking: bool = False
    notice: Callable[["Context"], CardData | None] | None = None
    preconditions: Preconditions | None = None
    checks: Sequence[Check] = ()
    prefill: Callable[["Context", "Draft"], Awaitable[None]] = _no_prefill
    facts: Callable[["Context", "Draft"], Facts] = _no_facts  # what the review and the case card show first
    next_steps: Callable[["Context", "Case"], list[str]] = _no_next_steps  # receipt lines after the routing
    wants_feedback: Callable[["Draft"], bool] = _asked_for_feedback

    @property
    def entry(self) -> str:
        """What comes before the form: "notice", "triage" or "" (for docs/flows.md)."""
        return "triage" if self.preconditions else "notice" if self.notice else ""

    @property
    def verdicts(self) -> tuple[str, ...]:
        return self.preconditions.codes if self.preconditions else ()


# --- steps from the knowledge base -------------------------------------------------------------


def choices_from(kb: KnowledgeBase, list_id: str) -> tuple[Choice, ...]:
    """Options of a pick list in knowledge/forms.yaml, as field choices."""
    return tuple(Choice(o.value, o.title) for o in kb.lists[list_id].options)


def municipality_choices(kb: KnowledgeBase) -> tuple[Choice, ...]:
    return tuple(Choice(m.id, m.name) for m in sorted(kb.municipalities.values(), key=lambda m: fold(m.name)))


class _Keep(dict):
    """format_map values: an unknown {name} stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, Any]) -> str:
    """A form file's text with its {name}s filled in."""
    return text.format_map(_Keep(values)) if "{" in text else text


def shown(
    lines: Sequence[Line], conditions: Mapping[str, bool], values: Mapping[str, Any]
) -> tuple[list[str], list[SourceRef]]:
    """The lines whose condition holds ("x", "not x", or none), filled in, and their sources."""
    texts: list[str] = []
    sources: list[SourceRef] = []
    for line in lines:
        if holds(line.condition, conditions):
            texts.append(fill(line.text, values))
            sources += line.sources
    return texts, sources


def holds(condition: str, conditions: Mapping[str, bool]) -> bool:
    if not condition:
        return True
    if condition.startswith("not "):
        return not conditions.get(condition[4:], False)
    return conditions.get(condition, False)  # a condition the flow does not know never holds (a test checks)


def field_from(kb: KnowledgeBase, spec: FieldSpec, answers: Mapping[str, Any] | None = None) -> Field:
    """A field declared in a form file, with its choices resolved and the variant for these answers."""
    if not spec.choices:
        choices: tuple[Choice, ...] = ()
    elif spec.choices == MUNICIPALITIES:
        choices = municipality_choices(kb)
    else:
        choices = choices_from(kb, spec.choices)
    label, help_text, placeholder, required = spec.label, spec.help, spec.placeholder, spec.required
    for variant in spec.variants:
        if variant.matches(answers or {}):
            label, help_text = variant.label or label, variant.help or help_text
            placeholder = variant.placeholder or placeholder
            required = required if variant.required is None else variant.required
    return Field(
        spec.id,
        label,
        spec.kind,  # type: ignore[arg-type]
        required=required,
        max_length=spec.max_length,
        min_length=spec.min_length,
        choices=choices,
        placeholder=placeholder,
        help=help_text,
        allow_future=spec.allow_future,
    )


def steps_from(
    kb: KnowledgeBase, form: FormSpec, answers: Mapping[str, Any] | None = None, values: Mapping[str, Any] | None = None
) -> list[Step]:
    """A form declared in knowledge/forms/<id>.yaml as the engine's steps: the variants for the
    preconditions' `answers`, the intros filled in with `values` ({kalla}: the step's sources)."""
    steps = []
    for step in form.steps:
        intro = next((v.intro for v in step.variants if v.intro and v.matches(answers or {})), step.intro)
        if values is not None:
            intro = fill(intro, {**values, "kalla": kb.cite(step.sources) if step.sources else ""})
        steps.append(
            Step(
                step.id,
                step.title,
                tuple(field_from(kb, f, answers) for f in step.fields),
                intro,
                tuple((f.id, f.required_when) for f in step.fields if f.required_when is not None),
            )
        )
    return steps
