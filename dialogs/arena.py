"""Requesting an Arena consultation: the declaration (verbs "arena.*", case kind "arena").

Facts: seed 002_430fdb8ee70e2ec3.txt, Jönköpings kommuns samverkansmodell, "ARENA"
(digest §3.4, §8.1): an agreement between the municipalities flagged `arena: true`, Region
Jönköpings län, Arbetsförmedlingen and Försäkringskassan for people who need support from at
least two of the four parties; general questions and individual cases (written consent);
information exchange and mapping, not planning. A convener calls the parties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogs import casework
from dialogs import request_common as rc
from dialogs.draft import Draft
from dialogs.request_rules import (
    ARENA_TYPES, CONSENT, NOT_COVERED, PLANNING, PLANNING_CHOICES, arena_municipalities, arena_parties_error,
    arena_verdict,
)
from dialogs.spec import Facts, FlowSpec, Preconditions, Step, Verdict, choices_from, municipality_choices
from dialogs.texts import Texts
from dialogs.views import display
from lotsen.fields import Field
from lotsen.kb.model import KnowledgeBase
from lotsen.routing import route

if TYPE_CHECKING:
    from lotsen.cases import Case
    from lotsen.context import Context

KIND = "arena"
TITLE = "Arena-konsultation"



def about(kb: KnowledgeBase) -> list[str]:
    return [
        f"Arena är ett samråd mellan kommunerna {rc.names(kb, arena_municipalities(kb))}, Region Jönköpings län, "
        "Arbetsförmedlingen och Försäkringskassan, för personer som behöver stöd från minst två av de fyra "
        "parterna. Ni kan ta upp allmänna frågor och individärenden.",
        "Samrådet innebär informationsutbyte och kartläggning – inte planering. Ett individärende kräver "
        "skriftligt samtycke från individen.",
    ]


def triage_fields(kb: KnowledgeBase) -> tuple[Field, ...]:
    return (
        Field("arena_typ", "Vad gäller det?", "choice", required=True, choices=ARENA_TYPES),
        Field("kommun", "Kommun", "choice", required=True, choices=municipality_choices(kb)),
        Field("planering", "Vill du att Arena ska planera insatser?", "choice", required=True,
              choices=PLANNING_CHOICES),
        Field("samtycke", "Individen har gett skriftligt samtycke till att ärendet tas upp i Arena", "toggle",
              help="Behövs för ett individärende. Kryssa bara i om samtycket finns skriftligt."),
    )


def start(ctx: "Context") -> dict[str, Any]:
    answers = rc.start_answers(ctx)
    preset = ctx.value.get("arena_typ")
    if preset in {c.value for c in ARENA_TYPES}:
        answers["arena_typ"] = preset
    return answers


def steps(kb: KnowledgeBase, draft: Draft) -> list[Step]:
    if draft.answers.get("arena_typ") == "individ":
        intro = ("Beskriv vad parterna behöver kartlägga, så att de kan förbereda sig. Syftet är att komma fram "
                 "till hur parterna bäst hjälper personen att slippa rundgång och öka sin arbetsförmåga. "
                 + rc.DEIDENTIFIED)
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
        rc.contact_step(kb),
    ]


def check_parties(ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    if step.id == "forfragan":
        problem = arena_parties_error(draft.answers.get("arena_typ"), draft.values.get("parter"))
        if problem:
            return {"parter": problem}
    return {}


def facts(ctx: "Context", draft: Draft) -> Facts:
    answers = draft.answers
    typ = display(Field("t", "t", "choice", choices=ARENA_TYPES), answers.get("arena_typ"))
    out = [{"title": "Typ", "value": typ}] + rc.base_facts(ctx, draft)
    if answers.get("arena_typ") == "individ":
        out.append({"title": "Samtycke", "value": "Skriftligt samtycke finns (bekräftat av beställaren)"})
    return out


def next_steps(ctx: "Context", case: "Case") -> list[str]:
    lines = ["Sammankallande kallar parterna i god tid och meddelar i förväg vilka individärenden som har "
             "remitterats."]
    if case.data.get("context", {}).get("triage", {}).get("arena_typ") == "individ":
        lines.append("Ha individens skriftliga samtycke till hands – det behövs för att ärendet ska tas upp.")
    lines.append("Du får ett meddelande här när förfrågan har bokats, avböjts eller genomförts.")
    return lines


def stop_card(texts: Texts, ctx: "Context", draft: Draft, verdict: Verdict) -> dict[str, Any]:
    kb = ctx.kb
    kommun = verdict.kommun
    name = casework.municipality_name(ctx, kommun)
    back = rc.action(rc.BACK_TO_CONDITIONS, rc.form_data("arena", draft, "conditions"))
    cancel = rc.action(texts("cancel"), rc.form_data("arena", draft, "cancel"))
    to_sip = rc.action("Begär SIP i stället", rc.start_data("sip", kommun), "positive")

    def stop(**kw: Any) -> dict[str, Any]:
        return rc.stop(texts, TITLE, **kw)

    if verdict.code == NOT_COVERED:
        muni = kb.municipalities.get(kommun or "")
        lines = [f"Arena är en överenskommelse mellan kommunerna {rc.names(kb, arena_municipalities(kb))}, Region "
                 f"Jönköpings län, Arbetsförmedlingen och Försäkringskassan. {name} ingår inte, så jag kan inte "
                 "skicka en Arena-förfrågan därifrån."]
        sources = [(rc.SEED_MODEL, rc.ARENA_SECTION)]
        if muni is not None and muni.kommunomrade:
            groups = f" Grupper i {name}: {', '.join(muni.samverk_groups)}." if muni.samverk_groups else ""
            lines.append(f"I {name} tas gemensamma ärenden i stället upp i den lokala samverkan (Samverk), som "
                         f"samverkanskoordinatorn samordnar – med dokumenterat samtycke eller avidentifierat.{groups}")
            sources.append((rc.SEED_HSF, rc.SAMVERKAN_SECTION))
        else:
            lines.append(f"Underlaget beskriver ingen lokal samverkansgrupp för {name}. Kontakten nedan kan visa "
                         "vilka samverkansvägar som finns där.")
        lines.append("Behöver socialtjänsten och hälso- och sjukvården samordna sina insatser för en person? "
                     "Då är SIP rätt väg – den finns i alla kommuner.")
        sections = [rc.contact_section(ctx, "lokal-samverkan", kommun, "Kontakta: {list}")]
        se = route(kb, "se-hoglandet", kommun) if "se-hoglandet" in kb.purposes else None
        if se is not None and se.specific:
            sections.append(rc.contact_section(
                ctx, "se-hoglandet", kommun, "Gäller det Supported Employment (SE-Höglandet)?",
                f"Då tar remittentgruppen i {name} upp ärendet: " + "{list}. Varje part har en representant där, "
                "och SE-coachen är sammankallande."))
            sources.append((rc.SEED_SE, "Remittentgrupp"))
        return stop(title=f"Arena finns inte i {name}", lines=lines, sections=sections,
                    actions=[rc.action("Välj en annan kommun", rc.form_data("arena", draft, "conditions")), to_sip,
                             cancel], source=rc.cite(kb, *sources))
    if verdict.code == PLANNING:
        lines = [
            "Ett Arena-samråd innebär informationsutbyte och kartläggning, inte planering. I ett individärende "
            "kommer parterna fram till hur de bäst hjälper personen att slippa rundgång – själva planeringen "
            "görs på annat håll.",
            "Behöver socialtjänsten och hälso- och sjukvården planera insatser tillsammans med individen? Då är "
            "SIP rätt väg. " + rc.SIP_RESULT,
            "Gäller det bara en parts insatser planerar den parten dem, till exempel i en rehabiliteringsplan "
            "med SMARTA mål.",
            "Vill du i stället kartlägga och utbyta information? Ändra svaret.",
        ]
        return stop(title="Arena planerar inte insatser", lines=lines, sections=[], actions=[to_sip, back, cancel],
                    source=rc.cite(kb, (rc.SEED_MODEL, rc.ARENA_SECTION), (rc.SEED_MODEL, rc.SIP_SECTION),
                                   (rc.SEED_MODEL, rc.DIALOG_SECTION)))
    # CONSENT
    lines = [
        "Ett individärende i Arena kräver skriftligt samtycke från individen. Utan det kan ärendet inte tas upp.",
        "Varför: parterna omfattas av sekretess. Samtycket gör att de får dela uppgifter om personen med "
        "varandra. Det värnar personens integritet och ger hen makt över processen.",
        "Så gör du: berätta för personen vad Arena är och vilka parter som deltar, och be om ett skriftligt "
        "samtycke enligt Arenas rutin för remisser och samtycke. Sammankallande kan berätta hur rutinen ser ut.",
        rc.come_back_line(ctx),
        "En allmän fråga utan uppgifter om en enskild person kräver inget samtycke.",
    ]
    sections = [rc.contact_section(ctx, "arena", kommun, "Frågor om rutinen: {list}")]
    return stop(title="Skriftligt samtycke behövs först", lines=lines, sections=sections,
                actions=[rc.action("Jag har samtycket nu", rc.form_data("arena", draft, "conditions"), "positive"),
                         rc.action("Ställ en allmän fråga i stället",
                                   {"verb": "req.start", "kind": "arena", "arena_typ": "allman", "replace": True,
                                    **({"kommun": kommun} if kommun else {})}),
                         cancel],
                source=rc.cite(kb, (rc.SEED_MODEL, rc.ARENA_SECTION), (rc.SEED_SE, rc.CONSENT_SECTION)))


def declaration(texts: Texts) -> FlowSpec:
    return FlowSpec(
        kind=KIND, prefix="arena", title=TITLE, steps=steps,
        review_intro=lambda kb: ("Kontrollera uppgifterna innan du skickar. Förfrågan går till sammankallande i "
                                 "Arena, som kallar parterna."),
        noun="Förfrågan", plural="Arena-förfrågningar", notify_title="Din förfrågan om Arena-konsultation",
        notify_always=True, booking=True,
        preconditions=Preconditions(
            fields=triage_fields, verdict=arena_verdict, codes=(NOT_COVERED, PLANNING, CONSENT),
            stop=lambda ctx, draft, verdict: stop_card(texts, ctx, draft, verdict),
            about=about, source=lambda kb: rc.cite(kb, (rc.SEED_MODEL, rc.ARENA_SECTION)), start=start,
            switch=("sip", "SIP")),
        checks=(check_parties, rc.check_time), prefill=rc.prefill, facts=facts, next_steps=next_steps,
        wants_feedback=lambda draft: True,  # the requester always hears whether it was booked, declined or done
    )
