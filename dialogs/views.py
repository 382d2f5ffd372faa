"""The cards of a guided form: a step, the preconditions, the review, the receipt.

Pure functions of a declaration (dialogs.spec), a draft and the phrases (dialogs.texts); the
engine decides which one to show."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any, Mapping

from cards.render import render
from dialogs.draft import Draft
from dialogs.receipts import receipt_outcome
from dialogs.spec import Facts, FlowSpec, Step
from dialogs.texts import Texts
from lotsen import cases
from lotsen.fields import FORM_ERROR_KEY, Field

if TYPE_CHECKING:
    from lotsen.context import Context


def to_storable(value: Any) -> Any:
    if isinstance(value, (date, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    return value


def to_raw(value: Any) -> str:
    """A stored value as the string an Adaptive Card input expects."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)


def display(field: Field, value: Any, yes: str = "Ja", no: str = "Nej", empty: str = "–") -> str:
    """A stored value as a person reads it."""
    titles = {c.value: c.title for c in field.choices}
    if field.kind == "toggle":
        return yes if value else no
    if field.kind == "multichoice":
        return "; ".join(titles.get(v, v) for v in value or []) or empty
    if field.kind == "choice":
        return titles.get(value, value) if value else empty
    return str(value) if value not in (None, "") else empty


def data(spec: FlowSpec, draft: Draft, action: str, **extra: Any) -> dict[str, Any]:
    """The submit data of a button on this form's cards."""
    return {"verb": f"{spec.prefix}.{action}", "form_id": draft.form_id, **extra}


def _inputs(
    fields: tuple[Field, ...], raw: Mapping[str, str], errors: Mapping[str, str], styled: bool = False
) -> list[dict[str, Any]]:
    out = []
    for f in fields:
        item = {
            "id": f.id,
            "label": f.label,
            "kind": f.kind,
            "required": f.required,
            "max_length": f.max_length,
            "placeholder": f.placeholder,
            "help": f.help,
            "value": raw.get(f.id, ""),
            "error": errors.get(f.id, ""),
            "choices": [{"title": c.title, "value": c.value} for c in f.choices],
        }
        if styled:
            item["style"] = "expanded" if f.kind == "multichoice" or len(f.choices) <= 3 else "compact"
        out.append(item)
    return out


def _error_count(errors: Mapping[str, str]) -> int:
    return len([k for k in errors if k != FORM_ERROR_KEY])


def kind_title(ctx: "Context", spec: FlowSpec) -> str:
    """The case kind's title (the form's `title:`, in the registry the composition root built)."""
    return ctx.services.kinds[spec.kind].title


def step_card(
    spec: FlowSpec,
    title: str,
    texts: Texts,
    steps: list[Step],
    draft: Draft,
    index: int,
    raw: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    step = steps[index]
    raw = raw if raw is not None else {f.id: to_raw(draft.values.get(f.id)) for f in step.fields}
    errors = errors or {}
    # The first step's "Tillbaka" goes back to the preconditions when there are any.
    back = (
        data(spec, draft, "back", step=index)
        if index > 0
        else data(spec, draft, "conditions")
        if spec.preconditions
        else None
    )
    return render(
        "form_step",
        title=title,
        step_title=step.title,
        progress=texts("progress", number=index + 1, count=len(steps)),
        intro=step.intro,
        fields=_inputs(step.fields, raw, errors),
        form_error=errors.get(FORM_ERROR_KEY, ""),
        error_count=_error_count(errors),
        next_data=data(spec, draft, "next", step=index),
        back_data=back,
        cancel_data=data(spec, draft, "cancel"),
        next_title=texts("review") if index == len(steps) - 1 else texts("next"),
    )


def triage_card(
    ctx: "Context",
    spec: FlowSpec,
    texts: Texts,
    draft: Draft,
    raw: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    pre = spec.preconditions
    assert pre is not None
    kb = ctx.kb
    fields = pre.fields(kb)
    saved = draft.answers
    raw = raw if raw is not None else {f.id: to_raw(saved.get(f.id)) for f in fields}
    errors = errors or {}
    other_kind, other_title = pre.switch
    switch_data: dict[str, Any] = {"verb": "req.start", "kind": other_kind, "replace": True}
    if saved.get("kommun"):
        switch_data["kommun"] = saved["kommun"]
    return render(
        "request_triage",
        title=kind_title(ctx, spec),
        subtitle=texts("triage_subtitle"),
        about=pre.about(kb),
        fields=_inputs(fields, raw, errors, styled=True),
        form_error=errors.get(FORM_ERROR_KEY, ""),
        error_count=_error_count(errors),
        source=pre.source(kb),
        next_title=texts("triage_next"),
        next_data=data(spec, draft, "check"),
        switch={"title": texts("switch_to", other=other_title), "data": switch_data},
        cancel_data=data(spec, draft, "cancel"),
    )


def filled(texts: Texts, field: Field, value: Any) -> str:
    return display(field, value, texts("toggle_on"), texts("toggle_off"), texts("empty"))


def review_card(ctx: "Context", spec: FlowSpec, texts: Texts, steps: list[Step], draft: Draft) -> dict[str, Any]:
    sections = []
    for index, step in enumerate(steps):
        # Only what was filled in: empty fields and switched-off toggles are left out.
        facts = [
            {"title": f.label, "value": filled(texts, f, draft.values.get(f.id))}
            for f in step.fields
            if draft.values.get(f.id) not in (None, "", [], False)
        ]
        sections.append({"title": step.title, "facts": facts, "edit_data": data(spec, draft, "edit", step=index)})
    return render(
        "form_review",
        title=kind_title(ctx, spec),
        intro=spec.review_intro(ctx.kb),
        context_facts=spec.facts(ctx, draft),
        sections=sections,
        send_data=data(spec, draft, "send"),
        cancel_data=data(spec, draft, "cancel"),
    )


def case_facts(ctx: "Context", spec: FlowSpec, texts: Texts, case_data: Mapping[str, Any]) -> Facts:
    """What a filed case shows: the context facts, then every field as a person reads it."""
    draft = Draft.from_data(case_data)
    facts = list(spec.facts(ctx, draft))
    facts += [
        {"title": f.label, "value": filled(texts, f, draft.values.get(f.id))}
        for step in spec.steps(ctx.kb, draft)
        for f in step.fields
    ]
    return facts


def receipt_card(ctx: "Context", spec: FlowSpec, case: cases.Case) -> dict[str, Any]:
    """The receipt: the same card whenever it is shown (also after a repeated "Skicka")."""
    lines = [str(line) for line in case.routed_to.get("lines", [])]
    return render(
        "form_receipt", title=kind_title(ctx, spec), reference=case.reference, lines=lines, **receipt_outcome(ctx, case)
    )


def cancelled_card(title: str, texts: Texts) -> dict[str, Any]:
    return render("notice", title=texts("cancelled_title", title=title), text=texts("cancelled"))
