"""What each transition of a guided form does (the engine's table, dialogs.engine, picks one).

Every handler takes the flow, the turn's context and the draft the engine loaded (None when
there is none; it may belong to another form than the card pressed) and returns what to show."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dialogs import views
from dialogs.draft import FORM, TRIAGE, Draft
from dialogs.filing import Filing
from dialogs.spec import Step
from lotsen import cases
from lotsen.fields import validate_form
from lotsen.turn import Card, Out, Text

if TYPE_CHECKING:
    from dialogs.engine import Flow
    from lotsen.context import Context

log = logging.getLogger(__name__)


async def start(flow: Flow, ctx: "Context", _: Draft | None) -> list[Out]:
    if flow.spec.notice is not None:
        card = flow.spec.notice(ctx)
        if card is not None:
            return [Card(card)]
    if flow.spec.preconditions is None:
        return await begin(flow, ctx, None)
    pre = flow.spec.preconditions
    known = pre.start(ctx) if pre.start else {}
    draft = Draft(phase=TRIAGE, triage=dict(known), kommun=known.get("kommun"), bestallare=ctx.turn.user.name)
    await flow.save(ctx, draft)
    card = flow.triage_card(ctx, draft)
    return [flow.reply(ctx, card)] if ctx.value.get("replace") and ctx.turn.reply_to_id else [Card(card)]


async def begin(flow: Flow, ctx: "Context", _: Draft | None) -> list[Out]:
    """A fresh draft (replacing any earlier one of this person here) at step 1."""
    draft = Draft()
    await flow.save(ctx, draft)
    return [Card(flow.step_card(ctx, draft, 0))]


async def answer_conditions_first(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    assert draft is not None
    return [Text(flow.texts("conditions_first")), flow.reply(ctx, flow.triage_card(ctx, draft))]


async def check(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    pre = flow.spec.preconditions
    assert pre is not None
    fields = pre.fields(ctx.kb)
    result = validate_form(fields, ctx.value, today=ctx.services.today())
    await audit_pii(flow, ctx, result.pii_blocked)
    if not result.ok:
        draft.phase = TRIAGE
        await flow.save(ctx, draft)
        return [flow.reply(ctx, flow.triage_card(ctx, draft, result.raw, result.errors))]
    draft.triage = {f.id: views.to_storable(result.values.get(f.id)) for f in fields}
    draft.kommun = draft.triage.get("kommun")
    stopped = await stop_if_not_allowed(flow, ctx, draft)
    if stopped:
        return stopped
    draft.phase = FORM
    await flow.spec.prefill(ctx, draft)
    draft.go(0)
    await flow.save(ctx, draft)
    return [flow.reply(ctx, flow.step_card(ctx, draft, 0))]


async def stop_if_not_allowed(flow: Flow, ctx: "Context", draft: Draft, *, sending: bool = False) -> list[Out]:
    """The stop card when the preconditions fail (the draft goes back to them); [] when they hold."""
    pre = flow.spec.preconditions
    if pre is None:
        return []
    verdict = pre.verdict(ctx.kb, draft.answers)
    if verdict.ok:
        return []
    draft.phase = TRIAGE
    if sending:
        draft.review = False
    await flow.save(ctx, draft)
    if not sending:
        await ctx.store.audit.record(
            "request_stopped", ctx.turn.user.aad_object_id, f"{flow.kind}:{verdict.code}", "stopped"
        )
    return [flow.reply(ctx, pre.stop(ctx, draft, verdict))]


async def conditions(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    """Back to the preconditions, answers kept (from a stop card or from the first step)."""
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    draft.phase, draft.review = TRIAGE, False
    await flow.save(ctx, draft)
    return [flow.reply(ctx, flow.triage_card(ctx, draft))]


async def audit_pii(flow: Flow, ctx: "Context", blocked: tuple[str, ...] | list[str]) -> None:
    for field_id in blocked:
        await ctx.store.audit.record("pii_blocked", ctx.turn.user.aad_object_id, f"{flow.kind}:{field_id}", "blocked")


async def next_step(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    steps = flow.steps(ctx.kb, draft)
    index = ctx.value.get("step")
    # A card for a later step than the person has reached (altered card data) cannot skip steps.
    if not isinstance(index, int) or not 0 <= index < len(steps) or (index > draft.step and not draft.review):
        index = draft.step
    step = steps[index]
    result = validate_form(step.fields, dict(ctx.value), today=ctx.services.today())
    await audit_pii(flow, ctx, result.pii_blocked)
    if not result.ok:
        draft.step = index
        await flow.save(ctx, draft)
        return [flow.reply(ctx, flow.step_card(ctx, draft, index, result.raw, result.errors))]
    for f in step.fields:
        draft.values[f.id] = views.to_storable(result.values.get(f.id))
    errors = check_step(flow, ctx, draft, step)
    if errors:
        await flow.save(ctx, draft)
        return [flow.reply(ctx, flow.step_card(ctx, draft, index, None, errors))]
    if index + 1 < len(steps):
        draft.go(index + 1)
        await flow.save(ctx, draft)
        return [flow.reply(ctx, flow.step_card(ctx, draft, index + 1))]
    draft.review = True
    await flow.save(ctx, draft)
    return [flow.reply(ctx, flow.review_card(ctx, draft))]


def check_step(flow: Flow, ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    """Cross-field checks: the form file's `required_when` rules, then the declaration's checks."""
    errors: dict[str, str] = {}
    for field_id, rule in step.rules:
        chosen = draft.values.get(rule.field)
        chosen = chosen if isinstance(chosen, list) else [chosen]
        if rule.value in chosen and not draft.values.get(field_id):
            errors[field_id] = rule.message
    for check in flow.spec.checks:
        errors.update(check(ctx, draft, step))
    return errors


def first_incomplete_step(flow: Flow, ctx: "Context", draft: Draft) -> int | None:
    """The first step with a required field that has no value (None when complete)."""
    for index, step in enumerate(flow.steps(ctx.kb, draft)):
        if any(f.required and draft.values.get(f.id) in (None, "", []) for f in step.fields):
            return index
    return None


async def back(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    draft.go(max(draft.step - 1, 0))
    await flow.save(ctx, draft)
    return [flow.reply(ctx, flow.step_card(ctx, draft, draft.step))]


async def edit(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    index = ctx.value.get("step")
    draft.go(index if isinstance(index, int) and 0 <= index < len(flow.steps(ctx.kb, draft)) else 0)
    await flow.save(ctx, draft)
    return [flow.reply(ctx, flow.step_card(ctx, draft, draft.step))]


async def cancel(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    form_id = ctx.value.get("form_id")
    if draft is not None and (form_id is None or draft.form_id == form_id):
        await ctx.store.drafts.delete(ctx.turn.draft_key)
    elif isinstance(form_id, str) and await cases.case_by_form(ctx.store, form_id):
        return await flow.where(ctx, draft)
    return [flow.reply(ctx, views.cancelled_card(flow.kind_of(ctx).title, flow.texts))]


async def send(flow: Flow, ctx: "Context", draft: Draft | None) -> list[Out]:
    form_id = ctx.value.get("form_id")
    if not isinstance(form_id, str):
        return [Text(flow.texts("no_form_id"))]
    current = flow.current(ctx, draft)
    if current is None:
        return await flow.where(ctx, draft)
    draft = current
    # The preconditions again, right before filing (the knowledge base may have changed).
    stopped = await stop_if_not_allowed(flow, ctx, draft, sending=True)
    if stopped:
        return stopped
    if not draft.review:
        return [Text(flow.texts("review_first")), Card(flow.resume_card(ctx, draft))]
    gap = first_incomplete_step(flow, ctx, draft)
    if gap is not None:
        draft.go(gap)
        await flow.save(ctx, draft)
        return [Text(flow.texts("missing_required")), flow.reply(ctx, flow.step_card(ctx, draft, gap))]
    await ctx.typing()
    spec = flow.spec
    filing = Filing(
        kind=spec.kind,
        form_id=form_id,
        municipality=draft.values.get("kommun") or draft.kommun,
        wants_feedback=spec.wants_feedback(draft),
        data=draft.case_data(),
        purpose=spec.kind,
        next_steps=spec.next_steps,
    )
    try:
        case, _created = await flow.filer.file(ctx, filing)
    except Exception:  # noqa: BLE001 - storage failed: nothing was filed (one transaction), the draft is kept
        log.exception("filing %s failed", flow.kind)
        return [
            Text(flow.texts("not_filed", noun=flow.kind_of(ctx).noun)),
            flow.reply(ctx, flow.review_card(ctx, draft)),
        ]
    return [flow.reply(ctx, views.receipt_card(ctx, spec, case))]
