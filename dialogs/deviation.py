"""Filing an "avvikelse i samverkan" (deviation report).

Fields follow the categories the förbund compiles each year (seed 003, Bilaga 6: berörda
parter, orsaker, konsekvenser, lösningar, vidtagna åtgärder); the pick lists live in
knowledge/forms.yaml, the form itself (steps, fields, texts, the notice) in knowledge/forms/avvikelse.yaml,
so coordinators can change them without code.

Routing: the routing rule for purpose "avvikelse" and the chosen kommun decides which
contact list receives the report; if a coordinator has connected a Teams channel for
avvikelser in that kommun (or for all), the report is posted there as a card.
"""

from __future__ import annotations

from typing import Any

from cards.render import render
from dialogs import casework
from dialogs.engine import CANCEL, CardFlow, Step, steps_from
from lotsen import cases
from lotsen.context import Context
from lotsen.kb.model import KnowledgeBase
from lotsen.storage import Unit
from lotsen.turn import Card, Out

class DeviationFlow(CardFlow):
    kind = "avvikelse"
    prefix = "dev"
    title = "Avvikelse i samverkan"
    entry = "notice"
    noun = "Rapporten"
    plural = "avvikelser"
    notify_title = "Din avvikelserapport"

    def steps(self, kb: KnowledgeBase, draft: dict[str, Any]) -> list[Step]:
        """The form is data: knowledge/forms/avvikelse.yaml (fields, labels, help texts, rules)."""
        return steps_from(kb, kb.forms[self.kind])

    async def start(self, ctx: Context) -> list[Out]:
        """The notice from the form file (what a deviation is, serious, de-identified), then "begin"."""
        form = ctx.kb.forms[self.kind]
        notice = form.notice
        if notice is None:
            return await self.begin(ctx, {})
        return [Card(render(
            "notice", title=notice.title, text=notice.text, lines=list(notice.lines), source=ctx.kb.cite(form.sources),
            actions=[{"title": notice.begin, "data": {"verb": "dev.begin"}, "style": "positive"},
                     {"title": CANCEL, "data": {"verb": "dev.cancel"}}],
        ))]

    async def other(self, ctx: Context, action: str) -> list[Out]:
        if action == "begin":
            return await self.begin(ctx, {})
        return await super().other(ctx, action)

    def plan_routing(self, ctx: Context, municipality: str | None) -> dict[str, Any]:
        return casework.plan_route(ctx, "avvikelse", municipality)

    async def on_filed(self, ctx: Context, tx: Unit, case: cases.Case) -> Any:
        await casework.remember_reporter(ctx, tx, case)
        return await casework.queue_case_post(ctx, tx, case)

    async def after_filing(self, ctx: Context, case: cases.Case, queued: Any = None) -> list[str]:
        return await casework.route_case(ctx, case, purpose="avvikelse", queued=queued)
