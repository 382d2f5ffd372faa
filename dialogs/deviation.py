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
from dialogs.engine import CardFlow, Step, choices_from, municipality_choices
from lotsen import cases
from lotsen.context import Context
from lotsen.fields import Field
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
        return [
            Step("handelse", "Om händelsen", (
                Field("datum", "Datum för händelsen", "date", required=True),
                Field("kommun", "Kommun", "choice", required=True, choices=municipality_choices(kb),
                      help="Kommunen där samverkan brast. På Höglandet följs avvikelsen upp i kommunområdets Samverk."),
                Field("organisation", "Din organisation", "choice", required=True,
                      choices=choices_from(kb, "avvikelse-organisation")),
                Field("parter", "Berörda parter", "multichoice", required=True,
                      choices=choices_from(kb, "avvikelse-parter")),
                Field("insats", "Insats eller process som berörs", "choice", required=True,
                      choices=choices_from(kb, "avvikelse-insats")),
            ), intro="Välj det som stämmer bäst. Du kan ändra allt innan du skickar."),
            Step("beskrivning", "Vad hände", (
                Field("beskrivning", "Beskriv vad som hände (avidentifierat)", "textarea", required=True,
                      min_length=20, max_length=2000,
                      placeholder="Vad hände, mellan vilka parter och vad blev följden? Inga namn eller personnummer."),
                Field("allvarlighet", "Allvarlighetsgrad", "choice", required=True,
                      choices=choices_from(kb, "avvikelse-allvarlighet"),
                      help="Allvarlig = risk för konsekvenser för individen."),
                Field("orsaker", "Orsaker", "multichoice", required=True, choices=choices_from(kb, "avvikelse-orsaker")),
                Field("orsak_annat", "Annan orsak (om du valt Annat)", "text", max_length=300),
                Field("konsekvenser", "Konsekvenser", "multichoice", required=True,
                      choices=choices_from(kb, "avvikelse-konsekvenser")),
                Field("konsekvens_annat", "Annan konsekvens (om du valt Annat)", "text", max_length=300),
            )),
            Step("forslag", "Förslag och återkoppling", (
                Field("sip", "Har SIP övervägts?", "choice", required=True, choices=choices_from(kb, "avvikelse-sip")),
                Field("losningar", "Förslag på lösning", "multichoice", choices=choices_from(kb, "avvikelse-losningar")),
                Field("losning_text", "Eget förslag", "textarea", max_length=1000),
                Field("atgarder", "Redan vidtagna åtgärder", "multichoice", choices=choices_from(kb, "avvikelse-atgarder")),
                Field("atgard_text", "Beskriv åtgärden", "textarea", max_length=1000),
                Field("aterkoppling", "Jag vill ha återkoppling när rapporten har hanterats", "toggle"),
            )),
        ]

    def check_step(self, ctx: Context, draft: dict[str, Any], step: Step) -> dict[str, str]:
        values = draft["values"]
        errors: dict[str, str] = {}
        if step.id == "beskrivning":
            if "annat" in (values.get("orsaker") or []) and not values.get("orsak_annat"):
                errors["orsak_annat"] = "Du valde Annat: beskriv orsaken kort."
            if "annat" in (values.get("konsekvenser") or []) and not values.get("konsekvens_annat"):
                errors["konsekvens_annat"] = "Du valde Annat: beskriv konsekvensen kort."
        return errors

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
