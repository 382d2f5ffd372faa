"""A guided card form: one Adaptive Card per step, server-side validation, a review, filing.

The flow's state is plain data in storage (the `drafts` table), keyed by person and
conversation, so a draft survives a restart and expires after DRAFT_TTL_HOURS. Every card
carries the form's id and step; a card that is no longer current is recognised and the
person is shown where they are instead.

Subclasses describe their steps and decide what happens around the form (preconditions,
routing). Verbs, all under the flow's prefix (e.g. "dev."):
    <p>.start   begin (subclasses may show a notice or preconditions first)
    <p>.next    submit the current step
    <p>.back    previous step (inputs on the card are kept as they are)
    <p>.edit    from the review, go to step N
    <p>.send    file the case (idempotent on form_id)
    <p>.cancel  end the flow, nothing is stored
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Mapping

from lotsen import cases
from lotsen.casekinds import CaseKind
from lotsen.context import Context
from lotsen.fields import FORM_ERROR_KEY, Choice, Field, validate_form
from lotsen.kb.forms import MUNICIPALITIES
from lotsen.kb.model import FieldSpec, FormSpec, KnowledgeBase, RequiredWhen
from lotsen.storage import DraftConflict, Unit
from lotsen.turn import Card, Out, Text, UpdateCard

VERSION_KEY = "_version"  # the draft row version load() read (never stored in the data)
log = logging.getLogger(__name__)

CANCEL = "Avbryt"  # the cancel button's title
CANCELLED = "Avbrutet. Inget har sparats. Du kan börja om när du vill."
# Storage failed while filing (fault matrix row 47): nothing was stored, the draft is kept.
NOT_FILED = ("{noun} är inte registrerad – försök igen. Det du har fyllt i finns kvar: "
             "tryck **Skicka** igen om en stund.")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[Field, ...]
    intro: str = ""
    rules: tuple[tuple[str, RequiredWhen], ...] = ()  # (field id, rule): cross-field checks from the form file


def steps_from(kb: KnowledgeBase, form: FormSpec) -> list[Step]:
    """A form declared in knowledge/forms/<id>.yaml as the engine's steps."""
    def choices(spec: FieldSpec) -> tuple[Choice, ...]:
        if not spec.choices:
            return ()
        return municipality_choices(kb) if spec.choices == MUNICIPALITIES else choices_from(kb, spec.choices)

    return [Step(step.id, step.title, tuple(
        Field(f.id, f.label, f.kind, required=f.required, max_length=f.max_length,  # type: ignore[arg-type]
              min_length=f.min_length, choices=choices(f), placeholder=f.placeholder, help=f.help,
              allow_future=f.allow_future)
        for f in step.fields), step.intro,
        tuple((f.id, f.required_when) for f in step.fields if f.required_when is not None))
        for step in form.steps]


def choices_from(kb: KnowledgeBase, list_id: str) -> tuple[Choice, ...]:
    """Options of a pick list in knowledge/forms.yaml, as field choices."""
    return tuple(Choice(o.value, o.title) for o in kb.lists[list_id].options)


def municipality_choices(kb: KnowledgeBase) -> tuple[Choice, ...]:
    from lotsen.text import fold

    return tuple(Choice(m.id, m.name) for m in sorted(kb.municipalities.values(), key=lambda m: fold(m.name)))


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


def display(field: Field, value: Any) -> str:
    """A stored value as a person reads it."""
    titles = {c.value: c.title for c in field.choices}
    if field.kind == "toggle":
        return "Ja" if value else "Nej"
    if field.kind == "multichoice":
        return "; ".join(titles.get(v, v) for v in value or []) or "–"
    if field.kind == "choice":
        return titles.get(value, value) if value else "–"
    return str(value) if value not in (None, "") else "–"


class CardFlow:
    """Base for guided forms. Subclasses set the class attributes and `steps()`."""

    kind: str = ""  # the case kind filed ("avvikelse", "arena", "sip")
    prefix: str = ""  # verb prefix without the dot ("dev")
    title: str = ""
    review_intro: str = "Kontrollera uppgifterna innan du skickar."
    # What comes before the form (for docs/flows.md): "" (nothing), "notice" or "triage" with
    # the precondition verdicts that stop the request.
    entry: str = ""
    verdicts: tuple[str, ...] = ()
    # The case kind's texts (see lotsen.casekinds.CaseKind)
    noun: str = "Ärendet"
    plural: str = "ärenden"
    notify_title: str = ""
    notify_always: bool = False
    booking: bool = False

    # --- to implement -------------------------------------------------------------------

    def steps(self, kb: KnowledgeBase, draft: dict[str, Any]) -> list[Step]:
        raise NotImplementedError

    async def start(self, ctx: Context) -> list[Out]:
        """Default: go straight to the first step."""
        return await self.begin(ctx, {})

    def municipality(self, draft: dict[str, Any]) -> str | None:
        return draft["values"].get("kommun") or draft.get("context", {}).get("kommun")

    def wants_feedback(self, draft: dict[str, Any]) -> bool:
        return bool(draft["values"].get("aterkoppling"))

    def plan_routing(self, ctx: Context, municipality: str | None) -> dict[str, Any]:
        """Who gets the case (stored with it, in the filing transaction)."""
        return {}

    async def on_filed(self, ctx: Context, tx: Unit, case: cases.Case) -> Any:
        """More writes in the filing transaction (no network I/O here), e.g. queueing the channel
        post in the outbox so it commits with the case. What it returns is handed to after_filing."""
        return None

    async def after_filing(self, ctx: Context, case: cases.Case, queued: Any = None) -> list[str]:
        """Deliver the filed case (after the commit); returns lines for the receipt (who received it)."""
        return []

    def receipt_lines(self, case: cases.Case) -> list[str]:
        return [str(line) for line in case.routed_to.get("lines", [])]

    # --- the case kind this flow files ----------------------------------------------------

    def case_kind(self) -> CaseKind:
        """The record the rest of the bot knows this kind by (built once, by the composition root)."""
        return CaseKind(
            id=self.kind, prefix=cases.REFERENCE_PREFIX[self.kind], title=cases.KIND_TITLES[self.kind],
            statuses=cases.STATUS_TITLES[self.kind], noun=self.noun, plural=self.plural,
            notify_title=self.notify_title, notify_always=self.notify_always, booking=self.booking,
            fields=self.case_fields, facts=self.case_facts,
        )

    def case_fields(self, kb: KnowledgeBase, data: Mapping[str, Any]) -> list[Field]:
        """The form fields of a filed case (the form may depend on its answers)."""
        draft = {"values": data.get("values", {}), "context": data.get("context", {})}
        return [f for step in self.steps(kb, draft) for f in step.fields]

    def case_facts(self, ctx: Context, data: Mapping[str, Any]) -> list[dict[str, str]]:
        """What a filed case shows: the context facts, then every field as a person reads it."""
        draft = {"values": data.get("values", {}), "context": data.get("context", {})}
        facts = list(self.context_facts(ctx, draft))
        facts += [{"title": f.label, "value": display(f, draft["values"].get(f.id))}
                  for f in self.case_fields(ctx.kb, data)]
        return facts

    # --- plumbing -----------------------------------------------------------------------

    def verb(self, action: str) -> str:
        return f"{self.prefix}.{action}"

    def ttl(self, ctx: Context) -> timedelta:
        return timedelta(hours=ctx.settings.draft_ttl_hours)

    async def load(self, ctx: Context) -> dict[str, Any] | None:
        """The person's draft of this flow; remembers its row version (VERSION_KEY) so that
        save() refuses to overwrite a newer step saved meanwhile (also by another instance)."""
        found = await ctx.store.drafts.get(ctx.turn.draft_key)
        if found is None or found.flow != self.kind:
            return None
        return {**found.data, VERSION_KEY: found.version}

    async def save(self, ctx: Context, draft: dict[str, Any]) -> None:
        """Store the draft; raises DraftConflict when it changed since load()."""
        expected = draft.pop(VERSION_KEY, None)
        draft[VERSION_KEY] = await ctx.store.drafts.save(ctx.turn.draft_key, self.kind, draft, self.ttl(ctx),
                                                          expected_version=expected)

    async def begin(self, ctx: Context, context: dict[str, Any]) -> list[Out]:
        """Create a fresh draft (replacing any earlier one of this person) and show step 1."""
        draft = {"form_id": uuid.uuid4().hex, "step": 0, "values": {}, "context": context, "review": False}
        await self.save(ctx, draft)
        return [Card(self.step_card(ctx, draft, 0))]

    def data(self, draft: dict[str, Any], action: str, **extra: Any) -> dict[str, Any]:
        return {"verb": self.verb(action), "form_id": draft["form_id"], **extra}

    def step_card(self, ctx: Context, draft: dict[str, Any], index: int,
                  raw: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
        from cards.render import render

        steps = self.steps(ctx.kb, draft)
        step = steps[index]
        values = draft["values"]
        raw = raw if raw is not None else {f.id: to_raw(values.get(f.id)) for f in step.fields}
        errors = errors or {}
        fields = [{
            "id": f.id, "label": f.label, "kind": f.kind, "required": f.required, "max_length": f.max_length,
            "placeholder": f.placeholder, "help": f.help, "value": raw.get(f.id, ""),
            "error": errors.get(f.id, ""), "choices": [{"title": c.title, "value": c.value} for c in f.choices],
        } for f in step.fields]
        return render(
            "form_step",
            title=self.title,
            step_title=step.title,
            progress=f"Steg {index + 1} av {len(steps)}",
            intro=step.intro,
            fields=fields,
            form_error=errors.get(FORM_ERROR_KEY, ""),
            error_count=len([k for k in errors if k != FORM_ERROR_KEY]),
            next_data=self.data(draft, "next", step=index),
            back_data=self.back_data(draft, index),
            cancel_data=self.data(draft, "cancel"),
            next_title="Granska" if index == len(steps) - 1 else "Nästa",
        )

    def back_data(self, draft: dict[str, Any], index: int) -> dict[str, Any] | None:
        """The submit data of a step's "Tillbaka" button; None hides it (default: on the first step)."""
        return self.data(draft, "back", step=index) if index > 0 else None

    def review_card(self, ctx: Context, draft: dict[str, Any]) -> dict[str, Any]:
        from cards.render import render

        steps = self.steps(ctx.kb, draft)
        sections = []
        for index, step in enumerate(steps):
            # Only what was filled in: empty fields and switched-off toggles are left out.
            facts = [{"title": f.label, "value": display(f, draft["values"].get(f.id))} for f in step.fields
                     if draft["values"].get(f.id) not in (None, "", [], False)]
            sections.append({"title": step.title, "facts": facts,
                             "edit_data": self.data(draft, "edit", step=index)})
        return render(
            "form_review", title=self.title, intro=self.review_intro, context_facts=self.context_facts(ctx, draft),
            sections=sections, send_data=self.data(draft, "send"), cancel_data=self.data(draft, "cancel"),
        )

    def context_facts(self, ctx: Context, draft: dict[str, Any]) -> list[dict[str, str]]:
        return []

    def receipt_card(self, ctx: Context, case: cases.Case) -> dict[str, Any]:
        """The receipt: the same card whenever it is shown (also after a repeated "Skicka")."""
        from cards.render import render
        from dialogs.receipts import receipt_outcome

        outcome = receipt_outcome(ctx, case)
        return render("form_receipt", title=self.title, reference=case.reference, lines=self.receipt_lines(case),
                      **outcome)

    def _reply_card(self, ctx: Context, card: dict[str, Any]) -> Out:
        """Show a card in place of the one the person pressed (a new message if unknown)."""
        if ctx.turn.reply_to_id:
            return UpdateCard(ctx.turn.reply_to_id, card)
        return Card(card)

    # --- handlers -----------------------------------------------------------------------

    async def handle(self, ctx: Context) -> list[Out]:
        action = ctx.turn.verb.split(".", 1)[1] if "." in ctx.turn.verb else ""
        if action == "start":
            return await self.start(ctx)
        handler = {"next": self._next, "back": self._back, "edit": self._edit, "send": self._send,
                   "cancel": self._cancel}.get(action)
        try:
            if handler is None:
                return await self.other(ctx, action)
            return await handler(ctx)
        except DraftConflict:
            # Another submit of this form (a double click, or the same card pressed at the same
            # moment and handled by another instance) saved a step first: show where it is now.
            draft = await self.load(ctx)
            if draft is None:
                return (await self._current(ctx))[1]
            return [Text("Formuläret ändrades samtidigt av ett annat klick. Här är det senaste läget:"),
                    Card(self.resume_card(ctx, draft))]

    async def other(self, ctx: Context, action: str) -> list[Out]:
        return [Text("Jag förstod inte vad du tryckte på. Skriv **fortsätt** för att visa formuläret igen.")]

    async def _current(self, ctx: Context) -> tuple[dict[str, Any] | None, list[Out]]:
        """The draft this card belongs to, or what to tell the person instead."""
        form_id = ctx.value.get("form_id")
        draft = await self.load(ctx)
        if draft is not None and draft["form_id"] == form_id:
            return draft, []
        if isinstance(form_id, str):
            filed = await cases.case_by_form(ctx.store, form_id)
            if filed is not None:  # pressed again after filing: the same receipt, nothing new
                return None, [self._reply_card(ctx, self.receipt_card(ctx, filed))]
        if draft is not None:
            return None, [Text("Det kortet hör till ett äldre formulär. Här är det du håller på med nu:"),
                          Card(self.resume_card(ctx, draft))]
        return None, [Text(f"Formuläret finns inte längre (det kan ha avbrutits eller gått ut). "
                           f"Skriv **hjälp** och välj {self.title.lower()} för att börja om.")]

    def resume_card(self, ctx: Context, draft: dict[str, Any]) -> dict[str, Any]:
        if draft.get("review"):
            return self.review_card(ctx, draft)
        return self.step_card(ctx, draft, int(draft.get("step", 0)))

    async def _next(self, ctx: Context) -> list[Out]:
        draft, outs = await self._current(ctx)
        if draft is None:
            return outs
        steps = self.steps(ctx.kb, draft)
        index = ctx.value.get("step")
        current = int(draft.get("step", 0))
        # A card for a later step than the person has reached (altered card data) cannot skip steps.
        if not isinstance(index, int) or not 0 <= index < len(steps) or (index > current and not draft.get("review")):
            index = current
        step = steps[index]
        submitted = {k: v for k, v in ctx.value.items()}
        result = validate_form(step.fields, submitted, today=ctx.services.today())
        if result.pii_blocked:
            for field_id in result.pii_blocked:
                await ctx.store.audit.record("pii_blocked", ctx.turn.user.aad_object_id, f"{self.kind}:{field_id}", "blocked")
        if not result.ok:
            draft["step"] = index
            await self.save(ctx, draft)
            return [self._reply_card(ctx, self.step_card(ctx, draft, index, result.raw, result.errors))]
        for f in step.fields:
            draft["values"][f.id] = to_storable(result.values.get(f.id))
        extra = self.check_step(ctx, draft, step)
        if extra:
            await self.save(ctx, draft)
            return [self._reply_card(ctx, self.step_card(ctx, draft, index, None, extra))]
        if index + 1 < len(steps):
            draft["step"] = index + 1
            draft["review"] = False
            await self.save(ctx, draft)
            return [self._reply_card(ctx, self.step_card(ctx, draft, index + 1))]
        draft["review"] = True
        await self.save(ctx, draft)
        return [self._reply_card(ctx, self.review_card(ctx, draft))]

    def first_incomplete_step(self, ctx: Context, draft: dict[str, Any]) -> int | None:
        """The first step with a required field that has no value (None when complete)."""
        for index, step in enumerate(self.steps(ctx.kb, draft)):
            if any(f.required and draft["values"].get(f.id) in (None, "", []) for f in step.fields):
                return index
        return None

    def check_step(self, ctx: Context, draft: dict[str, Any], step: Step) -> dict[str, str]:
        """Rules across fields of a step; return {field id: message} to stay on the step.
        Default: the form file's `required_when` rules."""
        values = draft["values"]
        errors: dict[str, str] = {}
        for field_id, rule in step.rules:
            chosen = values.get(rule.field)
            chosen = chosen if isinstance(chosen, list) else [chosen]
            if rule.value in chosen and not values.get(field_id):
                errors[field_id] = rule.message
        return errors

    async def _back(self, ctx: Context) -> list[Out]:
        draft, outs = await self._current(ctx)
        if draft is None:
            return outs
        index = max(int(draft.get("step", 0)) - 1, 0)
        draft["step"], draft["review"] = index, False
        await self.save(ctx, draft)
        return [self._reply_card(ctx, self.step_card(ctx, draft, index))]

    async def _edit(self, ctx: Context) -> list[Out]:
        draft, outs = await self._current(ctx)
        if draft is None:
            return outs
        steps = self.steps(ctx.kb, draft)
        index = ctx.value.get("step")
        index = index if isinstance(index, int) and 0 <= index < len(steps) else 0
        draft["step"], draft["review"] = index, False
        await self.save(ctx, draft)
        return [self._reply_card(ctx, self.step_card(ctx, draft, index))]

    async def _cancel(self, ctx: Context) -> list[Out]:
        draft = await self.load(ctx)
        form_id = ctx.value.get("form_id")
        if draft is not None and (form_id is None or draft["form_id"] == form_id):
            await ctx.store.drafts.delete(ctx.turn.draft_key)
        elif isinstance(form_id, str) and await cases.case_by_form(ctx.store, form_id):
            return (await self._current(ctx))[1]
        from cards.render import render

        return [self._reply_card(ctx, render("notice", title=f"{self.title}: avbrutet", text=CANCELLED))]

    async def _send(self, ctx: Context) -> list[Out]:
        form_id = ctx.value.get("form_id")
        if not isinstance(form_id, str):
            return [Text("Kortet saknar uppgifter om formuläret. Skriv **fortsätt** för att visa det igen.")]
        draft = await self.load(ctx)
        if draft is None or draft["form_id"] != form_id:
            return (await self._current(ctx))[1]
        if not draft.get("review"):
            return [Text("Granska uppgifterna innan du skickar."), Card(self.resume_card(ctx, draft))]
        gap = self.first_incomplete_step(ctx, draft)
        if gap is not None:
            draft["step"], draft["review"] = gap, False
            await self.save(ctx, draft)
            return [Text("Några obligatoriska uppgifter saknas. Fyll i dem och granska igen."),
                    self._reply_card(ctx, self.step_card(ctx, draft, gap))]
        await ctx.typing()
        turn = ctx.turn
        municipality = self.municipality(draft)
        # The case, its routing decision, its audit entry, the draft's removal and the queued
        # channel post (outbox): one transaction. The first delivery attempt comes after the commit.
        queued: Any = None
        try:
            async with ctx.store.transaction() as tx:
                case, created = await cases.file_case(
                    tx, kind=self.kind, form_id=form_id, municipality=municipality,
                    reporter_aad=turn.user.aad_object_id, reporter_name=turn.user.name,
                    reporter_ref=turn.conversation_ref or None, wants_feedback=self.wants_feedback(draft),
                    data={"values": draft["values"], "context": draft.get("context", {})},
                    draft_key=turn.draft_key, routed_to=self.plan_routing(ctx, municipality),
                )
                if created:
                    queued = await self.on_filed(ctx, tx, case)
        except Exception:  # noqa: BLE001 - storage failed: nothing was filed (one transaction), the draft is kept
            log.exception("filing %s failed", self.kind)
            return [Text(NOT_FILED.format(noun=self.noun)), self._reply_card(ctx, self.review_card(ctx, draft))]
        if created:
            lines = await self.after_filing(ctx, case, queued)
            await cases.set_routing(ctx.store, case, {**case.routed_to, "lines": lines},
                                    case.channel_ref, case.channel_activity_id)
        return [self._reply_card(ctx, self.receipt_card(ctx, case))]
