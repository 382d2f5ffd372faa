"""Filing an "avvikelse i samverkan" (deviation report).

Fields follow the categories the förbund compiles each year (seed 003, Bilaga 6: berörda
parter, orsaker, konsekvenser, lösningar, vidtagna åtgärder); the pick lists live in
knowledge/forms.yaml so coordinators can change them without code.

Routing: the routing rule for purpose "avvikelse" and the chosen kommun decides which
contact list receives the report; if a coordinator has connected a Teams channel for
avvikelser in that kommun (or for all), the report is posted there as a card.
"""

from __future__ import annotations

from typing import Any

from cards.render import render
from dialogs import casework
from dialogs.engine import CardFlow, Step, steps_from
from lotsen import cases
from lotsen.context import Context
from lotsen.kb.model import KnowledgeBase, SourceRef
from lotsen.turn import Card, Out

DEFINITION_SOURCE = SourceRef("hsf-arsredovisning-2024", "Bilaga 6 – Avvikelser i samverkan, sammanställning och analys")
NOTICE = (
    "En avvikelse i samverkan är när samverkan mellan parterna inte fungerar som den ska – till exempel "
    "otydligt ansvar, information som inte når fram eller beslut som inte följs upp. Rapporterna följs upp "
    "i Samverk och sammanställs varje år för att förbättra samverkan."
)
SERIOUS = (
    "**Allvarlig** avvikelse: en situation som riskerar få konsekvenser för individen, till exempel att "
    "personen riskerar att inte få det samordnade stöd som behövs för att nå egen (eller rätt) försörjning."
)
DEIDENTIFIED = (
    "Rapporten ska vara **avidentifierad**: skriv inga namn, inga personnummer och inget som pekar ut en person. "
    "Jag stoppar rapporten om jag hittar ett personnummer."
)


class DeviationFlow(CardFlow):
    kind = "avvikelse"
    prefix = "dev"
    title = "Avvikelse i samverkan"
    noun = "Rapporten"
    plural = "avvikelser"
    notify_title = "Din avvikelserapport"

    def steps(self, kb: KnowledgeBase, draft: dict[str, Any]) -> list[Step]:
        """The form is data: knowledge/forms/avvikelse.yaml (fields, labels, help texts, rules)."""
        return steps_from(kb, kb.forms[self.kind])

    async def start(self, ctx: Context) -> list[Out]:
        return [Card(render(
            "notice", title="Rapportera en avvikelse i samverkan", text=NOTICE, lines=[SERIOUS, DEIDENTIFIED],
            source=ctx.kb.cite([DEFINITION_SOURCE]),
            actions=[{"title": "Fyll i rapporten", "data": {"verb": "dev.begin"}, "style": "positive"},
                     {"title": "Avbryt", "data": {"verb": "dev.cancel"}}],
        ))]

    async def other(self, ctx: Context, action: str) -> list[Out]:
        if action == "begin":
            return self.begin(ctx, {})
        return await super().other(ctx, action)

    async def after_filing(self, ctx: Context, case: cases.Case) -> list[str]:
        return await casework.route_case(ctx, case, purpose="avvikelse")
