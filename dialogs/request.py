"""Requesting an Arena consultation or a SIP meeting.

Facts (seed 002_430fdb8ee70e2ec3.txt, Jönköpings kommuns samverkansmodell: "ARENA" and
"SIP (Samordnad Individuell Plan)"; digest §3.4, §3.5, §8.1–8.2):

* Arena is an agreement between the municipalities flagged `arena: true` in
  knowledge/geography.yaml (Habo, Mullsjö, Jönköping), Region Jönköpings län,
  Arbetsförmedlingen and Försäkringskassan, for people who need support from at least two of
  the four parties. It takes general questions and individual cases; an individual case needs
  the individual's written consent. It is information exchange and mapping, not planning.
  A designated convener calls the parties and announces the referred cases in advance.
* SIP is set up with the individual when both socialtjänst and hälso- och sjukvård have
  efforts to coordinate (2 kap. 7 § SoL, 16 kap. 4 § HSL). Staff in socialtjänst, hälso- och
  sjukvård and school can call; the individual can ask for one and must then be offered it;
  AF and FK can be invited but have no legal duty to attend; the result is a plan with who does
  what, who has overall responsibility and a follow-up date.

Flow: a kind chooser ("req.start" without a kind) → a triage card with the preconditions
(checked server-side by the pure functions `arena_verdict` / `sip_verdict`; a failed rule
shows a stop card with the explanation, the right contact list and a way back) → the card form
of the engine → review → "Skicka" (idempotent filing) → routing to the convener's channel or
contact list. Two flow instances share `RequestFlow`: `ArenaFlow` (verbs "arena.*", case kind
"arena") and `SipFlow` ("sip.*", kind "sip"), so the generic engine files the right kind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

from cards.render import render
from dialogs import casework
from dialogs.engine import CardFlow, Step, choices_from, display, municipality_choices, to_raw, to_storable
from lotsen import cases
from lotsen.assistant import Handler
from lotsen.context import Context
from lotsen.fields import FORM_ERROR_KEY, Choice, Field, validate_form
from lotsen.kb.model import KnowledgeBase
from lotsen.storage import Unit
from lotsen.routing import route
from lotsen.turn import Card, Out, Text

# --- sources (seed file, section) -------------------------------------------------------------

SEED_MODEL = ("rsrf-modell", "002_430fdb8ee70e2ec3.txt")
SEED_HSF = ("hsf-arsredovisning-2024", "003_9e0fac3eaf44f1c1.txt")
SEED_SE = ("se-hoglandet", "004_0f2ee190d307fe23.txt")
ARENA_SECTION = "Samverkansmodell för personer med försörjningsstöd i Jönköpings kommun – ARENA"
SIP_SECTION = "Samverkansmodell för personer med försörjningsstöd i Jönköpings kommun – SIP (Samordnad Individuell Plan)"
DIALOG_SECTION = "Frågor som stöd i dialog och gemensam planering av insatser"
CONSENT_SECTION = "Sekretess, samtycke, SIP och samverkan"
SAMVERKAN_SECTION = "Uppdrag Samverkan"


def cite(kb: KnowledgeBase, *refs: tuple[tuple[str, str], str]) -> str:
    """Cite seed sections as one compact line (see KnowledgeBase.cite): each document once, by title."""
    from lotsen.kb.model import SourceRef

    return kb.cite([SourceRef(doc, section) for (doc, _file), section in refs])


# --- the rules (pure functions of the triage answers) -------------------------------------------

PRINCIPALS = ("socialtjanst", "halso-sjukvard")
EFFORT_CHOICES = (
    Choice("socialtjanst", "Kommunens socialtjänst"),
    Choice("halso-sjukvard", "Hälso- och sjukvården (regionen eller kommunens hälso- och sjukvård)"),
    Choice("skola", "Skolan"),
    Choice("arbetsformedlingen", "Arbetsförmedlingen"),
    Choice("forsakringskassan", "Försäkringskassan"),
)
EFFORT_TITLES = {"socialtjanst": "socialtjänsten", "halso-sjukvard": "hälso- och sjukvården", "skola": "skolan",
                 "arbetsformedlingen": "Arbetsförmedlingen", "forsakringskassan": "Försäkringskassan"}
# Triage efforts → the parties to invite (knowledge/forms.yaml list "forfragan-parter").
EFFORT_PARTIES = {"socialtjanst": "kommun", "halso-sjukvard": "regionen",
                  "arbetsformedlingen": "arbetsformedlingen", "forsakringskassan": "forsakringskassan"}
ARENA_TYPES = (Choice("allman", "Allmän fråga – ingen enskild person"),
               Choice("individ", "Individärende – gäller en enskild person"))
PLANNING_CHOICES = (Choice("nej", "Nej – vi behöver utbyta information och kartlägga"),
                    Choice("ja", "Ja – vi behöver planera insatser (vem gör vad och när)"))

OK = "ok"
NOT_COVERED = "not-covered"
PLANNING = "planning"
CONSENT = "consent"
SINGLE_PRINCIPAL = "single-principal"


@dataclass(frozen=True)
class Verdict:
    """The outcome of the preconditions: ok, or which rule stops the request."""

    code: str
    kommun: str | None = None
    principals: tuple[str, ...] = ()  # SIP: which of the two principals have efforts
    efforts: tuple[str, ...] = field(default=())  # SIP: everything the person ticked

    @property
    def ok(self) -> bool:
        return self.code == OK


def arena_municipalities(kb: KnowledgeBase) -> list[str]:
    """Ids of the municipalities in the Arena agreement (knowledge/geography.yaml `arena: true`)."""
    return [m.id for m in kb.municipalities.values() if m.arena]


def arena_verdict(kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
    """Arena: covered municipality first, then "not planning", then written consent for a case."""
    kommun = answers.get("kommun")
    muni = kb.municipalities.get(kommun) if isinstance(kommun, str) else None
    if muni is None or not muni.arena:
        return Verdict(NOT_COVERED, kommun)
    if answers.get("planering") == "ja":
        return Verdict(PLANNING, kommun)
    if answers.get("arena_typ") == "individ" and answers.get("samtycke") is not True:
        return Verdict(CONSENT, kommun)
    return Verdict(OK, kommun)


def sip_verdict(kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
    """SIP: efforts from both socialtjänst and hälso- och sjukvård, then the individual's consent."""
    kommun = answers.get("kommun") if answers.get("kommun") in kb.municipalities else None
    efforts = tuple(answers.get("huvudman") or ())
    principals = tuple(p for p in PRINCIPALS if p in efforts)
    if len(principals) < len(PRINCIPALS):
        return Verdict(SINGLE_PRINCIPAL, kommun, principals, efforts)
    if answers.get("samtycke") is not True:
        return Verdict(CONSENT, kommun, principals, efforts)
    return Verdict(OK, kommun, principals, efforts)


def arena_parties_error(arena_type: str | None, parties: list[str] | None) -> str | None:
    """An Arena individual case is for someone who needs support from at least two of the four parties."""
    if arena_type == "individ" and len(parties or []) < 2:
        return ("Arena är för personer som behöver stöd från minst två av de fyra parterna "
                "(kommunen, regionen, Arbetsförmedlingen och Försäkringskassan). Välj minst två.")
    return None


def sip_parties_error(parties: list[str] | None) -> str | None:
    """Both principals take part in a SIP."""
    chosen = set(parties or [])
    if not {"kommun", "regionen"} <= chosen:
        return ("En SIP förutsätter insatser från både socialtjänsten (kommunen) och hälso- och sjukvården "
                "(regionen). Välj båda.")
    return None


# --- texts -------------------------------------------------------------------------------------

DIALOG_QUESTIONS = (
    Choice("rehabplan", "Finns rehabiliteringsplan och hur ser den ut?"),
    Choice("utredning", "Pågår eller planeras medicinsk utredning eller behandling som gör att personen inte kan "
                        "delta i planerad aktivitet?"),
    Choice("begransningar", "Vilka funktionsbegränsningar har personen?"),
    Choice("fungerar", "Vad fungerar trots nedsatt funktionsförmåga?"),
    Choice("anpassningar", "Finns behov av särskilda anpassningar för att möjliggöra ökad aktivitet?"),
    Choice("omfattning", "I vilken omfattning kan personen delta i aktivitet eller arbete trots begränsningar?"),
    Choice("forsamras", "Kan personens förutsättningar försämras av någon specifik aktivitet? Exempelvis arbeta "
                        "med armarna ovanför axelhöjd."),
    Choice("prognos", "Prognos framåt?"),
    Choice("hansyn", "Finns det funktionsnedsättningar och aktivitetsbegränsningar som socialtjänsten eller "
                     "Arbetsförmedlingen kan behöva ta hänsyn till vid planering av aktivitet?"),
)
SMARTA = "specifika, mätbara, accepterade, realistiska, tidsbestämda och ansvarsfördelade"

SIP_INVITES = (
    "**Ska vara med:** individen själv – en SIP upprättas tillsammans med individen – och de från socialtjänsten "
    "och hälso- och sjukvården vars insatser ska samordnas.\n\n"
    "**Kan bjudas in:** Arbetsförmedlingen och Försäkringskassan, när de har ett pågående ärende. De har ingen "
    "laglig skyldighet att delta. Närstående kan vara med om individen vill.\n\n"
    "**Kallar gör** personal inom socialtjänsten, hälso- och sjukvården eller skolan. Om individen själv ber om "
    "en SIP ska hen erbjudas det."
)
SIP_RESULT = ("Resultatet blir en gemensam plan: vilka insatser som behövs, vem som ansvarar för vad, vem av "
              "huvudmännen som har det övergripande ansvaret och vilket datum ni följer upp.")
SIP_PREPARATION = (
    "Förbered mötet med frågorna nedan. Ha ett salutogent förhållningssätt: fokusera på aktivitetsmöjligheter och "
    "förmågor. Tänk parallella insatser och aktiviteter. Sätt SMARTA mål – " + SMARTA + " – så att ni kan följa "
    "stegförflyttningar. Frågorna är ett stöd och kan komplettera SIP-blanketten."
)
DEIDENTIFIED = "Skriv inga namn, personnummer eller annat som pekar ut personen."
BACK_TO_CONDITIONS = "Ändra svaren"


def _names(kb: KnowledgeBase, ids: list[str]) -> str:
    """Municipality names in alphabetical order: "Habo, Jönköping och Mullsjö"."""
    from lotsen.text import fold

    names = sorted((kb.municipalities[i].name for i in ids if i in kb.municipalities), key=fold)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " och " + words[-1]


# --- the flows -----------------------------------------------------------------------------------


class RequestFlow(CardFlow):
    """Shared by Arena and SIP: a triage card before the engine's form, and the routing after it."""

    other_kind = ""
    other_title = ""
    entry = "triage"
    noun = "Förfrågan"
    notify_always = True  # the requester always hears whether it was booked, declined or done
    booking = True

    # --- to implement per kind ---------------------------------------------------------------

    def triage_fields(self, kb: KnowledgeBase) -> tuple[Field, ...]:
        raise NotImplementedError

    def evaluate(self, kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
        raise NotImplementedError

    def about(self, kb: KnowledgeBase) -> list[str]:
        raise NotImplementedError

    def source(self, kb: KnowledgeBase) -> str:
        raise NotImplementedError

    def stop_card(self, ctx: Context, draft: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
        raise NotImplementedError

    def next_steps(self, case: cases.Case) -> list[str]:
        return []

    # --- draft state -----------------------------------------------------------------------------

    @staticmethod
    def answers(draft: dict[str, Any]) -> dict[str, Any]:
        return draft.setdefault("context", {}).setdefault("triage", {})

    @staticmethod
    def in_form(draft: dict[str, Any]) -> bool:
        return draft.get("context", {}).get("phase") == "form"

    def wants_feedback(self, draft: dict[str, Any]) -> bool:
        return True  # the requester always hears whether it was booked, declined or done

    # --- start and triage ----------------------------------------------------------------------

    async def start(self, ctx: Context) -> list[Out]:
        """A fresh draft at the triage card (replaces any earlier draft of this person here)."""
        kommun = ctx.value.get("kommun")
        if not (isinstance(kommun, str) and kommun in ctx.kb.municipalities):
            kommun = None
            if ctx.turn.text:
                from lotsen.features.qa import find_municipality

                kommun = find_municipality(ctx.kb, ctx.turn.text)
        triage: dict[str, Any] = {"kommun": kommun} if kommun else {}
        preset = ctx.value.get("arena_typ")
        if self.kind == "arena" and preset in {c.value for c in ARENA_TYPES}:
            triage["arena_typ"] = preset
        draft = {"form_id": uuid.uuid4().hex, "step": 0, "values": {}, "review": False,
                 "context": {"phase": "triage", "triage": triage, "kommun": kommun,
                             "bestallare": ctx.turn.user.name}}
        await self.save(ctx, draft)
        card = self.triage_card(ctx, draft)
        if ctx.value.get("replace") and ctx.turn.reply_to_id:
            return [self._reply_card(ctx, card)]
        return [Card(card)]

    def triage_card(self, ctx: Context, draft: dict[str, Any], raw: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None) -> dict[str, Any]:
        kb = ctx.kb
        saved = self.answers(draft)
        raw = raw if raw is not None else {f.id: to_raw(saved.get(f.id)) for f in self.triage_fields(kb)}
        errors = errors or {}
        fields = [{
            "id": f.id, "label": f.label, "kind": f.kind, "required": f.required, "max_length": f.max_length,
            "help": f.help, "value": raw.get(f.id, ""), "error": errors.get(f.id, ""),
            "style": "expanded" if f.kind == "multichoice" or len(f.choices) <= 3 else "compact",
            "choices": [{"title": c.title, "value": c.value} for c in f.choices],
        } for f in self.triage_fields(kb)]
        switch_data: dict[str, Any] = {"verb": "req.start", "kind": self.other_kind, "replace": True}
        if saved.get("kommun"):
            switch_data["kommun"] = saved["kommun"]
        return render(
            "request_triage", title=self.title, subtitle="Förutsättningar – innan du fyller i förfrågan",
            about=self.about(kb), fields=fields, form_error=errors.get(FORM_ERROR_KEY, ""),
            error_count=len([k for k in errors if k != FORM_ERROR_KEY]), source=self.source(kb),
            next_title="Fortsätt", next_data=self.data(draft, "check"),
            switch={"title": f"Byt till {self.other_title}", "data": switch_data},
            cancel_data=self.data(draft, "cancel"),
        )

    def resume_card(self, ctx: Context, draft: dict[str, Any]) -> dict[str, Any]:
        if not self.in_form(draft):
            return self.triage_card(ctx, draft)
        return super().resume_card(ctx, draft)

    def back_data(self, draft: dict[str, Any], index: int) -> dict[str, Any] | None:
        if index == 0:
            return self.data(draft, "conditions")
        return super().back_data(draft, index)

    async def handle(self, ctx: Context) -> list[Out]:
        action = ctx.turn.verb.split(".", 1)[1] if "." in ctx.turn.verb else ""
        if action in ("next", "back", "edit", "send"):
            draft = await self.load(ctx)
            if draft is not None and draft["form_id"] == ctx.value.get("form_id") and not self.in_form(draft):
                return [Text("Svara först på frågorna om förutsättningar."),
                        self._reply_card(ctx, self.triage_card(ctx, draft))]
        return await super().handle(ctx)

    async def other(self, ctx: Context, action: str) -> list[Out]:
        if action == "check":
            return await self._check(ctx)
        if action == "conditions":
            return await self._conditions(ctx)
        return await super().other(ctx, action)

    async def _conditions(self, ctx: Context) -> list[Out]:
        """Back to the triage card, answers kept (from a stop card or from the first form step)."""
        draft, outs = await self._current(ctx)
        if draft is None:
            return outs
        draft["context"]["phase"] = "triage"
        draft["review"] = False
        await self.save(ctx, draft)
        return [self._reply_card(ctx, self.triage_card(ctx, draft))]

    async def _check(self, ctx: Context) -> list[Out]:
        draft, outs = await self._current(ctx)
        if draft is None:
            return outs
        fields = self.triage_fields(ctx.kb)
        result = validate_form(fields, ctx.value, today=ctx.services.today())
        for field_id in result.pii_blocked:
            await ctx.store.audit.record("pii_blocked", ctx.turn.user.aad_object_id, f"{self.kind}:{field_id}", "blocked")
        context = draft["context"]
        if not result.ok:
            context["phase"] = "triage"
            await self.save(ctx, draft)
            return [self._reply_card(ctx, self.triage_card(ctx, draft, result.raw, result.errors))]
        answers = {f.id: to_storable(result.values.get(f.id)) for f in fields}
        context["triage"] = answers
        context["kommun"] = answers.get("kommun")
        verdict = self.evaluate(ctx.kb, answers)
        if not verdict.ok:
            context["phase"] = "triage"
            await self.save(ctx, draft)
            await ctx.store.audit.record("request_stopped", ctx.turn.user.aad_object_id, f"{self.kind}:{verdict.code}", "stopped")
            return [self._reply_card(ctx, self.stop_card(ctx, draft, verdict))]
        context["phase"] = "form"
        await self.prefill(ctx, draft)
        draft["step"], draft["review"] = 0, False
        await self.save(ctx, draft)
        return [self._reply_card(ctx, self.step_card(ctx, draft, 0))]

    async def prefill(self, ctx: Context, draft: dict[str, Any]) -> None:
        """Role and organisation from this person's latest request (Teams gives only the name)."""
        values = draft["values"]
        if values.get("roll") and values.get("organisation"):
            return
        aad = ctx.turn.user.aad_object_id
        latest = await ctx.store.cases.latest_by_reporter(aad, ("arena", "sip")) if aad else None
        if latest is None:
            return
        earlier = latest.data.get("values", {})
        organisations = {c.value for c in choices_from(ctx.kb, "forfragan-organisation")}
        if not values.get("roll") and isinstance(earlier.get("roll"), str):
            values["roll"] = earlier["roll"]
        if not values.get("organisation") and earlier.get("organisation") in organisations:
            values["organisation"] = earlier["organisation"]

    # --- the form --------------------------------------------------------------------------------

    def contact_step(self, kb: KnowledgeBase) -> Step:
        return Step("tid", "Tid och kontakt", (
            Field("tid", "Önskad tid", "choice", required=True, choices=choices_from(kb, "forfragan-tid")),
            Field("tid_kommentar", "Kommentar om tiden", "text", max_length=300,
                  placeholder="Till exempel veckor eller dagar som passar eller inte passar"),
            Field("roll", "Din roll", "text", required=True, max_length=120,
                  placeholder="Till exempel socialsekreterare, rehabkoordinator eller arbetsförmedlare"),
            Field("organisation", "Din organisation", "choice", required=True,
                  choices=choices_from(kb, "forfragan-organisation")),
        ), intro="Ditt namn kommer från Teams. Roll och organisation fylls i från din förra förfrågan om det finns en.")

    def check_step(self, ctx: Context, draft: dict[str, Any], step: Step) -> dict[str, str]:
        values = draft["values"]
        errors: dict[str, str] = {}
        if step.id == "tid" and values.get("tid") == "senare" and not values.get("tid_kommentar"):
            errors["tid_kommentar"] = "Du valde Senare: skriv när det passar."
        return errors

    def context_facts(self, ctx: Context, draft: dict[str, Any]) -> list[dict[str, str]]:
        context = draft.get("context", {})
        kommun = context.get("kommun")
        facts = [{"title": "Kommun", "value": casework.municipality_name(ctx, kommun) if kommun else "–"}]
        if context.get("bestallare"):
            facts.append({"title": "Beställare", "value": str(context["bestallare"])})
        return facts

    # --- filing ----------------------------------------------------------------------------------

    async def _send(self, ctx: Context) -> list[Out]:
        """Re-check the preconditions right before filing (the knowledge base may have changed)."""
        draft = await self.load(ctx)
        if draft is not None and draft["form_id"] == ctx.value.get("form_id"):
            verdict = self.evaluate(ctx.kb, self.answers(draft))
            if not verdict.ok:
                draft["context"]["phase"] = "triage"
                draft["review"] = False
                await self.save(ctx, draft)
                return [self._reply_card(ctx, self.stop_card(ctx, draft, verdict))]
        return await super()._send(ctx)

    def plan_routing(self, ctx: Context, municipality: str | None) -> dict[str, Any]:
        return casework.plan_route(ctx, self.kind, municipality)

    async def on_filed(self, ctx: Context, tx: Unit, case: cases.Case) -> Any:
        await casework.remember_reporter(ctx, tx, case)
        return await casework.queue_case_post(ctx, tx, case)

    async def after_filing(self, ctx: Context, case: cases.Case, queued: Any = None) -> list[str]:
        lines = await casework.route_case(ctx, case, purpose=self.kind, queued=queued)
        return lines + self.next_steps(case)

    # --- stop cards --------------------------------------------------------------------------------

    def contact_section(self, ctx: Context, purpose: str, kommun: str | None, title: str,
                        text: str = "") -> dict[str, Any] | None:
        if purpose not in ctx.kb.purposes:
            return None
        list_title, lines = casework.contact_lines(ctx, purpose, kommun)
        return {"title": title.replace("{list}", list_title), "text": text.replace("{list}", list_title),
                "contacts": lines}

    def stop(self, ctx: Context, draft: dict[str, Any], *, title: str, lines: list[str],
             sections: list[dict[str, Any] | None], actions: list[dict[str, Any]], source: str) -> dict[str, Any]:
        return render("request_stop", title=title, subtitle=f"{self.title} – förfrågan har inte skickats",
                      lines=lines, sections=[s for s in sections if s], actions=actions, source=source)

    def come_back_line(self, ctx: Context) -> str:
        return (f"Ditt utkast sparas i {ctx.settings.draft_ttl_hours} timmar. När samtycket finns: skriv "
                f"**fortsätt** eller tryck på knappen nedan och kryssa i rutan för samtycke.")

    def action(self, title: str, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
        return {"title": title, "data": data, **({"style": style} if style else {})}


class ArenaFlow(RequestFlow):
    kind = "arena"
    prefix = "arena"
    title = "Arena-konsultation"
    plural = "Arena-förfrågningar"
    notify_title = "Din förfrågan om Arena-konsultation"
    other_kind = "sip"
    other_title = "SIP"
    verdicts = (NOT_COVERED, PLANNING, CONSENT)
    review_intro = ("Kontrollera uppgifterna innan du skickar. Förfrågan går till sammankallande i Arena, som "
                    "kallar parterna.")

    def about(self, kb: KnowledgeBase) -> list[str]:
        return [
            f"Arena är ett samråd mellan kommunerna {_names(kb, arena_municipalities(kb))}, Region Jönköpings län, "
            "Arbetsförmedlingen och Försäkringskassan, för personer som behöver stöd från minst två av de fyra "
            "parterna. Ni kan ta upp allmänna frågor och individärenden.",
            "Samrådet innebär informationsutbyte och kartläggning – inte planering. Ett individärende kräver "
            "skriftligt samtycke från individen.",
        ]

    def source(self, kb: KnowledgeBase) -> str:
        return cite(kb, (SEED_MODEL, ARENA_SECTION))

    def triage_fields(self, kb: KnowledgeBase) -> tuple[Field, ...]:
        return (
            Field("arena_typ", "Vad gäller det?", "choice", required=True, choices=ARENA_TYPES),
            Field("kommun", "Kommun", "choice", required=True, choices=municipality_choices(kb)),
            Field("planering", "Vill du att Arena ska planera insatser?", "choice", required=True,
                  choices=PLANNING_CHOICES),
            Field("samtycke", "Individen har gett skriftligt samtycke till att ärendet tas upp i Arena", "toggle",
                  help="Behövs för ett individärende. Kryssa bara i om samtycket finns skriftligt."),
        )

    def evaluate(self, kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
        return arena_verdict(kb, answers)

    def steps(self, kb: KnowledgeBase, draft: dict[str, Any]) -> list[Step]:
        individual = draft.get("context", {}).get("triage", {}).get("arena_typ") == "individ"
        if individual:
            intro = ("Beskriv vad parterna behöver kartlägga, så att de kan förbereda sig. Syftet är att komma fram "
                     "till hur parterna bäst hjälper personen att slippa rundgång och öka sin arbetsförmåga. "
                     + DEIDENTIFIED)
            question = Field("syfte", "Syfte: vad behöver parterna kartlägga? (avidentifierat)", "textarea",
                             required=True, min_length=20, max_length=2000,
                             placeholder="Vad är frågan, och vad behöver du veta av de andra parterna?")
            tried = Field("provat", "Vad har redan prövats?", "textarea", required=True, max_length=1500,
                          placeholder="Insatser och kontakter hittills, utan namn")
            parties_help = "Välj minst två: Arena är för personer som behöver stöd från minst två av parterna."
        else:
            intro = ("En allmän fråga ska öka kunskapen om och förståelsen för varandras verksamheter och "
                     "förutsättningar. Skriv inget om en enskild person.")
            question = Field("syfte", "Din fråga (avidentifierad)", "textarea", required=True, min_length=20,
                             max_length=2000, placeholder="Vilken fråga vill du ta upp med parterna?")
            tried = Field("provat", "Vad har du redan gjort för att få svar?", "textarea", max_length=1500)
            parties_help = "Välj de parter som behöver vara med för att svara på frågan."
        return [
            Step("forfragan", "Förfrågan", (
                question,
                Field("parter", "Vilka parter behövs?", "multichoice", required=True,
                      choices=choices_from(kb, "forfragan-parter"), help=parties_help),
                tried,
            ), intro=intro),
            self.contact_step(kb),
        ]

    def check_step(self, ctx: Context, draft: dict[str, Any], step: Step) -> dict[str, str]:
        errors = super().check_step(ctx, draft, step)
        if step.id == "forfragan":
            problem = arena_parties_error(self.answers(draft).get("arena_typ"), draft["values"].get("parter"))
            if problem:
                errors["parter"] = problem
        return errors

    def context_facts(self, ctx: Context, draft: dict[str, Any]) -> list[dict[str, str]]:
        answers = draft.get("context", {}).get("triage", {})
        typ = display(Field("t", "t", "choice", choices=ARENA_TYPES), answers.get("arena_typ"))
        facts = [{"title": "Typ", "value": typ}] + super().context_facts(ctx, draft)
        if answers.get("arena_typ") == "individ":
            facts.append({"title": "Samtycke", "value": "Skriftligt samtycke finns (bekräftat av beställaren)"})
        return facts

    def next_steps(self, case: cases.Case) -> list[str]:
        lines = ["Sammankallande kallar parterna i god tid och meddelar i förväg vilka individärenden som har "
                 "remitterats."]
        if case.data.get("context", {}).get("triage", {}).get("arena_typ") == "individ":
            lines.append("Ha individens skriftliga samtycke till hands – det behövs för att ärendet ska tas upp.")
        lines.append("Du får ett meddelande här när förfrågan har bokats, avböjts eller genomförts.")
        return lines

    def stop_card(self, ctx: Context, draft: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
        kb = ctx.kb
        kommun = verdict.kommun
        name = casework.municipality_name(ctx, kommun)
        arena_names = _names(kb, arena_municipalities(kb))
        back = self.action(BACK_TO_CONDITIONS, self.data(draft, "conditions"))
        cancel = self.action("Avbryt", self.data(draft, "cancel"))
        to_sip = self.action("Begär SIP i stället",
                             {"verb": "req.start", "kind": "sip", "replace": True, **({"kommun": kommun} if kommun else {})},
                             "positive")
        if verdict.code == NOT_COVERED:
            muni = kb.municipalities.get(kommun or "")
            lines = [f"Arena är en överenskommelse mellan kommunerna {arena_names}, Region Jönköpings län, "
                     f"Arbetsförmedlingen och Försäkringskassan. {name} ingår inte, så jag kan inte skicka en "
                     "Arena-förfrågan därifrån."]
            sources = [(SEED_MODEL, ARENA_SECTION)]
            if muni is not None and muni.kommunomrade:
                groups = f" Grupper i {name}: {', '.join(muni.samverk_groups)}." if muni.samverk_groups else ""
                lines.append(f"I {name} tas gemensamma ärenden i stället upp i den lokala samverkan (Samverk), som "
                             f"samverkanskoordinatorn samordnar – med dokumenterat samtycke eller avidentifierat.{groups}")
                sources.append((SEED_HSF, SAMVERKAN_SECTION))
            else:
                lines.append(f"Underlaget beskriver ingen lokal samverkansgrupp för {name}. Kontakten nedan kan visa "
                             "vilka samverkansvägar som finns där.")
            lines.append("Behöver socialtjänsten och hälso- och sjukvården samordna sina insatser för en person? "
                         "Då är SIP rätt väg – den finns i alla kommuner.")
            sections = [self.contact_section(ctx, "lokal-samverkan", kommun, "Kontakta: {list}")]
            se = route(kb, "se-hoglandet", kommun) if "se-hoglandet" in kb.purposes else None
            if se is not None and se.specific:
                sections.append(self.contact_section(
                    ctx, "se-hoglandet", kommun, "Gäller det Supported Employment (SE-Höglandet)?",
                    f"Då tar remittentgruppen i {name} upp ärendet: " + "{list}. Varje part har en representant där, "
                    "och SE-coachen är sammankallande."))
                sources.append((SEED_SE, "Remittentgrupp"))
            return self.stop(ctx, draft, title=f"Arena finns inte i {name}", lines=lines, sections=sections,
                             actions=[self.action("Välj en annan kommun", self.data(draft, "conditions")), to_sip,
                                      cancel],
                             source=cite(kb, *sources))
        if verdict.code == PLANNING:
            lines = [
                "Ett Arena-samråd innebär informationsutbyte och kartläggning, inte planering. I ett individärende "
                "kommer parterna fram till hur de bäst hjälper personen att slippa rundgång – själva planeringen "
                "görs på annat håll.",
                "Behöver socialtjänsten och hälso- och sjukvården planera insatser tillsammans med individen? Då är "
                "SIP rätt väg. " + SIP_RESULT,
                "Gäller det bara en parts insatser planerar den parten dem, till exempel i en rehabiliteringsplan "
                "med SMARTA mål.",
                "Vill du i stället kartlägga och utbyta information? Ändra svaret.",
            ]
            return self.stop(ctx, draft, title="Arena planerar inte insatser", lines=lines, sections=[],
                             actions=[to_sip, back, cancel],
                             source=cite(kb, (SEED_MODEL, ARENA_SECTION), (SEED_MODEL, SIP_SECTION),
                                         (SEED_MODEL, DIALOG_SECTION)))
        # CONSENT
        lines = [
            "Ett individärende i Arena kräver skriftligt samtycke från individen. Utan det kan ärendet inte tas upp.",
            "Varför: parterna omfattas av sekretess. Samtycket gör att de får dela uppgifter om personen med "
            "varandra. Det värnar personens integritet och ger hen makt över processen.",
            "Så gör du: berätta för personen vad Arena är och vilka parter som deltar, och be om ett skriftligt "
            "samtycke enligt Arenas rutin för remisser och samtycke. Sammankallande kan berätta hur rutinen ser ut.",
            self.come_back_line(ctx),
            "En allmän fråga utan uppgifter om en enskild person kräver inget samtycke.",
        ]
        sections = [self.contact_section(ctx, "arena", kommun, "Frågor om rutinen: {list}")]
        return self.stop(ctx, draft, title="Skriftligt samtycke behövs först", lines=lines, sections=sections,
                         actions=[self.action("Jag har samtycket nu", self.data(draft, "conditions"), "positive"),
                                  self.action("Ställ en allmän fråga i stället",
                                              {"verb": "req.start", "kind": "arena", "arena_typ": "allman",
                                               "replace": True, **({"kommun": kommun} if kommun else {})}),
                                  cancel],
                         source=cite(kb, (SEED_MODEL, ARENA_SECTION), (SEED_SE, CONSENT_SECTION)))


class SipFlow(RequestFlow):
    kind = "sip"
    prefix = "sip"
    title = "SIP-möte"
    plural = "SIP-förfrågningar"
    notify_title = "Din förfrågan om SIP-möte"
    other_kind = "arena"
    other_title = "Arena"
    verdicts = (SINGLE_PRINCIPAL, CONSENT)
    review_intro = "Kontrollera uppgifterna innan du skickar. Förfrågan går till den som samordnar SIP i kommunen."

    def about(self, kb: KnowledgeBase) -> list[str]:
        return [
            "En SIP (samordnad individuell plan) upprättas tillsammans med individen när insatser från både "
            "socialtjänsten och hälso- och sjukvården behöver samordnas (2 kap. 7 § SoL och 16 kap. 4 § HSL).",
            "Individen deltar själv och behöver ha sagt ja. " + SIP_RESULT,
        ]

    def source(self, kb: KnowledgeBase) -> str:
        return cite(kb, (SEED_MODEL, SIP_SECTION))

    def triage_fields(self, kb: KnowledgeBase) -> tuple[Field, ...]:
        return (
            Field("kommun", "Kommun", "choice", required=True, choices=municipality_choices(kb)),
            Field("huvudman", "Vilka har insatser som behöver samordnas?", "multichoice", required=True,
                  choices=EFFORT_CHOICES, help="Välj alla som har eller behöver ha insatser för personen."),
            Field("samtycke", "Individen vill ha en SIP och har sagt ja till att de som kallas får dela information",
                  "toggle", help="Kryssa bara i om individen har sagt ja."),
        )

    def evaluate(self, kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
        return sip_verdict(kb, answers)

    def steps(self, kb: KnowledgeBase, draft: dict[str, Any]) -> list[Step]:
        return [
            Step("forfragan", "Förfrågan", (
                Field("syfte", "Vad behöver samordnas? (avidentifierat)", "textarea", required=True, min_length=20,
                      max_length=2000, placeholder="Vilka insatser finns, och vad behöver parterna komma överens om?"),
                Field("provat", "Vad har redan prövats?", "textarea", max_length=1500,
                      placeholder="Insatser och kontakter hittills, utan namn"),
                Field("individen_onskar", "Individen har själv bett om en SIP", "toggle",
                      help="Då ska individen erbjudas en SIP."),
                Field("narstaende", "Individen vill att en närstående är med", "toggle"),
            ), intro=self.invited_line(kb, draft) + SIP_INVITES + "\n\n" + DEIDENTIFIED),
            Step("forberedelse", "Förberedelse", (
                Field("forberedelse", "Frågor som stöd i dialog – kryssa för dem ni har förberett", "multichoice",
                      choices=DIALOG_QUESTIONS),
                Field("smarta", "Vi förbereder SMARTA mål: " + SMARTA, "toggle"),
            ), intro=SIP_PREPARATION + "\n\n" + SIP_RESULT + "\n\nKälla: " + cite(kb, (SEED_MODEL, DIALOG_SECTION))),
            self.contact_step(kb),
        ]

    @staticmethod
    def invited(kb: KnowledgeBase, draft: dict[str, Any]) -> list[str]:
        """Who is invited, from the one question about who has insatser (asked once, in the triage):
        socialtjänsten and hälso- och sjukvården always, AF and FK when they have insatser."""
        efforts = set(draft.get("context", {}).get("triage", {}).get("huvudman") or []) | {"socialtjanst", "halso-sjukvard"}
        wanted = {EFFORT_PARTIES[e] for e in efforts if e in EFFORT_PARTIES}
        return [c.value for c in choices_from(kb, "forfragan-parter") if c.value in wanted]

    def invited_line(self, kb: KnowledgeBase, draft: dict[str, Any]) -> str:
        titles = {c.value: c.title for c in choices_from(kb, "forfragan-parter")}
        names = [titles[p] for p in self.invited(kb, draft)]
        return f"**Kallas (från dina svar om vilka som har insatser):** {_join(names)}.\n\n" if names else ""

    async def prefill(self, ctx: Context, draft: dict[str, Any]) -> None:
        await super().prefill(ctx, draft)
        draft["values"]["parter"] = self.invited(ctx.kb, draft)  # not asked again in the form

    def check_step(self, ctx: Context, draft: dict[str, Any], step: Step) -> dict[str, str]:
        errors = super().check_step(ctx, draft, step)
        if step.id == "forfragan":
            draft["values"]["parter"] = self.invited(ctx.kb, draft)
        return errors

    def context_facts(self, ctx: Context, draft: dict[str, Any]) -> list[dict[str, str]]:
        answers = draft.get("context", {}).get("triage", {})
        efforts = display(Field("h", "h", "multichoice", choices=EFFORT_CHOICES), answers.get("huvudman") or [])
        titles = {c.value: c.title for c in choices_from(ctx.kb, "forfragan-parter")}
        invited = "; ".join(titles.get(p, p) for p in draft.get("values", {}).get("parter") or self.invited(ctx.kb, draft))
        return super().context_facts(ctx, draft) + [
            {"title": "Insatser från", "value": efforts},
            {"title": "Kallas", "value": invited},
            {"title": "Samtycke", "value": "Individen har sagt ja till SIP (bekräftat av beställaren)"},
        ]

    def next_steps(self, case: cases.Case) -> list[str]:
        return [
            "Kallelsen skickas av personal inom socialtjänsten eller hälso- och sjukvården. Individen deltar själv "
            "på mötet.",
            SIP_RESULT,
            "Du får ett meddelande här när mötet har bokats, avböjts eller genomförts.",
        ]

    def stop_card(self, ctx: Context, draft: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
        kb = ctx.kb
        kommun = verdict.kommun
        name = casework.municipality_name(ctx, kommun)
        back = self.action(BACK_TO_CONDITIONS, self.data(draft, "conditions"))
        cancel = self.action("Avbryt", self.data(draft, "cancel"))
        if verdict.code == SINGLE_PRINCIPAL:
            have = [EFFORT_TITLES[p] for p in verdict.principals]
            missing = [EFFORT_TITLES[p] for p in PRINCIPALS if p not in verdict.principals]
            now = (f"Enligt dina svar har bara {_join(have)} insatser – inte {_join(missing)}." if have
                   else "Enligt dina svar har varken socialtjänsten eller hälso- och sjukvården insatser.")
            lines = [
                "En SIP ska upprättas när insatser från både socialtjänsten och hälso- och sjukvården behöver "
                "samordnas (2 kap. 7 § SoL och 16 kap. 4 § HSL). " + now,
            ]
            if {"arbetsformedlingen", "forsakringskassan"} & set(verdict.efforts):
                lines.append("Arbetsförmedlingen och Försäkringskassan kan bjudas in till en SIP, men de är inte "
                             "huvudmän för den och har ingen laglig skyldighet att delta.")
            lines.append("Gör så här i stället: den part som har insatserna planerar dem, till exempel i en "
                         "rehabiliteringsplan med SMARTA mål. Behöver fler parter stämma av, ta upp det i den "
                         "lokala samverkan.")
            actions = [back]
            muni = kb.municipalities.get(kommun or "")
            if muni is not None and muni.arena:
                lines.append(f"I {name} finns Arena för personer som behöver stöd från minst två av parterna "
                             "kommunen, regionen, Arbetsförmedlingen och Försäkringskassan – för informationsutbyte "
                             "och kartläggning.")
                actions.insert(0, self.action("Begär Arena-konsultation i stället",
                                              {"verb": "req.start", "kind": "arena", "replace": True,
                                               "kommun": kommun}, "positive"))
            lines.append("Kan " + (_join(missing) or "fler huvudmän") + " också behöva göra insatser? Ändra då svaret.")
            sections = [self.contact_section(ctx, "lokal-samverkan", kommun, "Kontakta: {list}")]
            return self.stop(ctx, draft, title="SIP kräver insatser från både socialtjänst och hälso- och sjukvård",
                             lines=lines, sections=sections, actions=actions + [cancel],
                             source=cite(kb, (SEED_MODEL, SIP_SECTION), (SEED_MODEL, DIALOG_SECTION)))
        # CONSENT
        lines = [
            "En SIP upprättas tillsammans med individen, och individen deltar själv på mötet. Innan du kallar behöver "
            "individen ha sagt ja till en SIP och till att de som kallas får dela information om hen.",
            "Varför: parterna omfattas av sekretess. En SIP med individen och samtycke är det som gör att de får "
            "prata med varandra. Samtycket värnar personens integritet och ger hen makt över processen.",
            "Så gör du: berätta för personen vad en SIP är – " + SIP_RESULT[0].lower() + SIP_RESULT[1:]
            + " Fråga om hen vill ha en SIP och vilka som ska kallas. Individen kan också själv be om en SIP och ska "
            "då erbjudas det.",
            self.come_back_line(ctx),
        ]
        sections = [self.contact_section(ctx, "sip", kommun, "Frågor om SIP i " + name + ": {list}")]
        return self.stop(ctx, draft, title="Individen behöver säga ja till SIP", lines=lines, sections=sections,
                         actions=[self.action("Individen har sagt ja nu", self.data(draft, "conditions"), "positive"),
                                  cancel],
                         source=cite(kb, (SEED_MODEL, SIP_SECTION), (SEED_SE, CONSENT_SECTION)))


# --- the kind chooser and the "req." verbs --------------------------------------------------------


def chooser_card(ctx: Context, kommun: str | None = None) -> dict[str, Any]:
    kb = ctx.kb
    extra = {"kommun": kommun} if kommun else {}
    return render(
        "request_kind", title="Begär Arena-konsultation eller SIP-möte", subtitle="Vad behöver du?",
        options=[
            {"title": "Arena-konsultation",
             "text": f"Samråd i {_names(kb, arena_municipalities(kb))} mellan kommunen, regionen, Arbetsförmedlingen "
                     "och Försäkringskassan – för allmänna frågor eller individärenden där personen behöver stöd från "
                     "minst två av parterna. Informationsutbyte och kartläggning, inte planering.",
             "button": "Begär Arena-konsultation",
             "data": {"verb": "req.start", "kind": "arena", "replace": True, **extra}},
            {"title": "SIP-möte",
             "text": "Samordnad individuell plan när både socialtjänsten och hälso- och sjukvården har insatser som "
                     "behöver samordnas. Upprättas tillsammans med individen och ger en plan med vem som gör vad.",
             "button": "Begär SIP-möte", "data": {"verb": "req.start", "kind": "sip", "replace": True, **extra}},
        ],
        source=cite(kb, (SEED_MODEL, ARENA_SECTION), (SEED_MODEL, SIP_SECTION)),
    )


def req_handler(flows: Mapping[str, CardFlow]) -> Handler:
    """Verbs "req.*": "req.start" with kind "arena"/"sip" starts that flow; without a kind, the chooser."""

    async def handle_req(ctx: Context) -> list[Out]:
        action = ctx.turn.verb.split(".", 1)[1] if "." in ctx.turn.verb else ""
        if action != "start":
            return [Text("Jag förstod inte vad du tryckte på. Skriv **begär arena** eller **begär sip** för att börja.")]
        kind = ctx.value.get("kind")
        flow = flows.get(kind) if kind in ("arena", "sip") else None
        if flow is None:
            kommun = ctx.value.get("kommun")
            return [Card(chooser_card(ctx, kommun if isinstance(kommun, str) and kommun in ctx.kb.municipalities
                                      else None))]
        return await flow.start(ctx)

    return handle_req
