"""The engine of the guided forms: one transition table over a typed draft.

A `Flow` interprets one declaration (dialogs.spec.FlowSpec). The draft (dialogs.draft.Draft)
lives in storage, keyed by person and conversation, so it survives a restart and expires after
DRAFT_TTL_HOURS. Every card carries the form's id and step; a card that is no longer current is
recognised and the person is shown where they are instead.

Card verbs are "<prefix>.<action>". The draft's phase — "stale" (no draft, or the card belongs
to another form), "triage" (answering the preconditions), "form" or "review" — and the action
pick the handler from `Flow.table`; "*" matches any phase:

    start  *        a fresh draft: the notice, the preconditions or step 1
    begin  *        (notice) step 1
    check  *        (preconditions) check the answers: step 1 or a stop card
    conditions *    (preconditions) back to the questions, answers kept
    next/back/edit  triage → answer the preconditions first; otherwise the step's handler
    send   triage → the same; otherwise file through the case service (idempotent on form_id)
    cancel *        end the flow, nothing is stored
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from dialogs import transitions as t
from dialogs import views
from dialogs.draft import FORM, TRIAGE, Draft
from dialogs.filing import CaseService
from dialogs.spec import FlowSpec, Step
from dialogs.texts import Texts
from lotsen import cases
from lotsen.casekinds import CaseKind
from lotsen.kb.model import KnowledgeBase
from lotsen.storage import DraftConflict
from lotsen.turn import Card, Out, Text, UpdateCard

if TYPE_CHECKING:
    from lotsen.context import Context

log = logging.getLogger(__name__)
Handler = Callable[["Flow", "Context", Draft | None], Awaitable[list[Out]]]
ANY = "*"


class Flow:
    """One guided form: a declaration, the phrases and the case service it files through."""

    def __init__(self, spec: FlowSpec, texts: Texts, filer: CaseService) -> None:
        self.spec, self.texts, self.filer = spec, texts, filer
        self.kind, self.prefix = spec.kind, spec.prefix
        table: dict[tuple[str, str], Handler] = {
            (ANY, "start"): t.start,
            (ANY, "cancel"): t.cancel,
            (ANY, "next"): t.next_step,
            (ANY, "back"): t.back,
            (ANY, "edit"): t.edit,
            (ANY, "send"): t.send,
        }
        if spec.notice is not None:
            table[(ANY, "begin")] = t.begin
        if spec.preconditions is not None:
            table[(ANY, "check")] = t.check
            table[(ANY, "conditions")] = t.conditions
            for action in ("next", "back", "edit", "send"):
                table[(TRIAGE, action)] = t.answer_conditions_first
        self.table: Mapping[tuple[str, str], Handler] = table

    # --- reading the declaration -------------------------------------------------------------

    def steps(self, kb: KnowledgeBase, draft: Draft | Mapping[str, Any]) -> list[Step]:
        return self.spec.steps(kb, Draft.coerce(draft))

    def triage_fields(self, kb: KnowledgeBase):
        assert self.spec.preconditions is not None
        return self.spec.preconditions.fields(kb)

    def case_kind(self, kb: KnowledgeBase) -> CaseKind:
        """The record the rest of the bot knows this kind by (built once, by the composition root):
        its texts, prefix and statuses from the form file, the behaviour from the declaration."""
        spec = self.spec
        return CaseKind.from_form(
            kb.forms[spec.kind],
            notify_always=spec.notify_always,
            booking=spec.booking,
            fields=lambda kb, data: [f for step in self.steps(kb, data) for f in step.fields],
            facts=lambda ctx, data: views.case_facts(ctx, spec, self.texts, data),
        )

    def kind_of(self, ctx: "Context") -> CaseKind:
        """This flow's case kind as the application was built with it."""
        return ctx.services.kinds[self.kind]

    # --- cards ------------------------------------------------------------------------------------

    def step_card(
        self,
        ctx: "Context",
        draft: Draft | Mapping[str, Any],
        index: int,
        raw: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        draft = Draft.coerce(draft)
        return views.step_card(
            self.spec, self.kind_of(ctx).title, self.texts, self.steps(ctx.kb, draft), draft, index, raw, errors
        )

    def review_card(self, ctx: "Context", draft: Draft) -> dict[str, Any]:
        return views.review_card(ctx, self.spec, self.texts, self.steps(ctx.kb, draft), draft)

    def triage_card(
        self,
        ctx: "Context",
        draft: Draft,
        raw: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return views.triage_card(ctx, self.spec, self.texts, draft, raw, errors)

    def resume_card(self, ctx: "Context", draft: Draft | Mapping[str, Any]) -> dict[str, Any]:
        draft = Draft.coerce(draft)
        if not draft.in_form:
            return self.triage_card(ctx, draft)
        if draft.review:
            return self.review_card(ctx, draft)
        return self.step_card(ctx, draft, draft.step)

    def reply(self, ctx: "Context", card: dict[str, Any]) -> Out:
        """Show a card in place of the one the person pressed (a new message if unknown)."""
        return UpdateCard(ctx.turn.reply_to_id, card) if ctx.turn.reply_to_id else Card(card)

    # --- the draft --------------------------------------------------------------------------------

    async def load(self, ctx: "Context") -> Draft | None:
        """The person's draft of this flow, with the row version save() checks against."""
        found = await ctx.store.drafts.get(ctx.turn.draft_key)
        if found is None or found.flow != self.kind:
            return None
        return Draft.from_data(found.data, found.version)

    async def save(self, ctx: "Context", draft: Draft) -> None:
        """Store the draft; raises DraftConflict when it changed since load()."""
        ttl = timedelta(hours=ctx.settings.draft_ttl_hours)
        draft.version = await ctx.store.drafts.save(
            ctx.turn.draft_key, self.kind, draft.to_data(), ttl, expected_version=draft.version
        )

    def phase(self, ctx: "Context", draft: Draft | None) -> str:
        if draft is None or draft.form_id != ctx.value.get("form_id"):
            return "stale"
        if not draft.in_form:
            return TRIAGE
        return "review" if draft.review else FORM

    # --- dispatch ---------------------------------------------------------------------------------

    async def handle(self, ctx: "Context") -> list[Out]:
        action = ctx.turn.verb.split(".", 1)[1] if "." in ctx.turn.verb else ""
        try:
            draft = None if action == "start" else await self.load(ctx)
            phase = self.phase(ctx, draft)
            handler = self.table.get((phase, action)) or self.table.get((ANY, action))
            if handler is None:
                return [Text(self.texts("unknown_action"))]
            return await handler(self, ctx, draft)
        except DraftConflict:
            # Another submit of this form (a double click, or the same card pressed at the same
            # moment and handled by another instance) saved a step first: show where it is now.
            latest = await self.load(ctx)
            if latest is None:
                return await self.where(ctx, None)
            return [Text(self.texts("changed_meanwhile")), Card(self.resume_card(ctx, latest))]

    async def start(self, ctx: "Context") -> list[Out]:
        return await t.start(self, ctx, None)

    async def where(self, ctx: "Context", draft: Draft | None) -> list[Out]:
        """The card pressed does not belong to the current draft: what to tell the person instead."""
        form_id = ctx.value.get("form_id")
        if isinstance(form_id, str):
            filed = await cases.case_by_form(ctx.store, form_id)
            if filed is not None:  # pressed again after filing: the same receipt, nothing new
                return [self.reply(ctx, views.receipt_card(ctx, self.spec, filed))]
        if draft is not None:
            return [Text(self.texts("older_card")), Card(self.resume_card(ctx, draft))]
        return [Text(self.texts("gone", what=self.kind_of(ctx).title.lower()))]

    def current(self, ctx: "Context", draft: Draft | None) -> Draft | None:
        return draft if draft is not None and draft.form_id == ctx.value.get("form_id") else None
