"""Requesting a SIP meeting: the declaration (verbs "sip.*", case kind "sip").

Facts: seed 002_430fdb8ee70e2ec3.txt, "SIP (Samordnad Individuell Plan)" (digest §3.5, §8.2):
a SIP is set up with the individual when both socialtjänst and hälso- och sjukvård have efforts
to coordinate (2 kap. 7 § SoL, 16 kap. 4 § HSL); staff in socialtjänst, hälso- och sjukvård and
school can call; AF and FK can be invited but have no legal duty to attend; the result is a plan
with who does what, who has overall responsibility and a follow-up date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogs import casework
from dialogs import request_common as rc
from dialogs.draft import Draft
from dialogs.request_rules import (
    CONSENT, EFFORT_CHOICES, EFFORT_PARTIES, EFFORT_TITLES, PRINCIPALS, SINGLE_PRINCIPAL, sip_verdict,
)
from dialogs.spec import Facts, FlowSpec, Preconditions, Step, Verdict, choices_from, municipality_choices
from dialogs.texts import Texts
from dialogs.views import display
from lotsen.fields import Choice, Field
from lotsen.kb.model import KnowledgeBase

if TYPE_CHECKING:
    from lotsen.cases import Case
    from lotsen.context import Context

KIND = "sip"
TITLE = "SIP-möte"

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
SIP_PREPARATION = (
    "Förbered mötet med frågorna nedan. Ha ett salutogent förhållningssätt: fokusera på aktivitetsmöjligheter och "
    "förmågor. Tänk parallella insatser och aktiviteter. Sätt SMARTA mål – " + SMARTA + " – så att ni kan följa "
    "stegförflyttningar. Frågorna är ett stöd och kan komplettera SIP-blanketten."
)


def about(kb: KnowledgeBase) -> list[str]:
    return [
        "En SIP (samordnad individuell plan) upprättas tillsammans med individen när insatser från både "
        "socialtjänsten och hälso- och sjukvården behöver samordnas (2 kap. 7 § SoL och 16 kap. 4 § HSL).",
        "Individen deltar själv och behöver ha sagt ja. " + rc.SIP_RESULT,
    ]


def triage_fields(kb: KnowledgeBase) -> tuple[Field, ...]:
    return (
        Field("kommun", "Kommun", "choice", required=True, choices=municipality_choices(kb)),
        Field("huvudman", "Vilka har insatser som behöver samordnas?", "multichoice", required=True,
              choices=EFFORT_CHOICES, help="Välj alla som har eller behöver ha insatser för personen."),
        Field("samtycke", "Individen vill ha en SIP och har sagt ja till att de som kallas får dela information",
              "toggle", help="Kryssa bara i om individen har sagt ja."),
    )


def invited(kb: KnowledgeBase, draft: Draft) -> list[str]:
    """Who is invited, from the one question about who has insatser (asked once, in the triage):
    socialtjänsten and hälso- och sjukvården always, AF and FK when they have insatser."""
    efforts = set(draft.answers.get("huvudman") or []) | set(PRINCIPALS)
    wanted = {EFFORT_PARTIES[e] for e in efforts if e in EFFORT_PARTIES}
    return [c.value for c in choices_from(kb, "forfragan-parter") if c.value in wanted]


def invited_line(kb: KnowledgeBase, draft: Draft) -> str:
    titles = {c.value: c.title for c in choices_from(kb, "forfragan-parter")}
    parties = [titles[p] for p in invited(kb, draft)]
    return f"**Kallas (från dina svar om vilka som har insatser):** {rc.join(parties)}.\n\n" if parties else ""


def steps(kb: KnowledgeBase, draft: Draft) -> list[Step]:
    return [
        Step("forfragan", "Förfrågan", (
            Field("syfte", "Vad behöver samordnas? (avidentifierat)", "textarea", required=True, min_length=20,
                  max_length=2000, placeholder="Vilka insatser finns, och vad behöver parterna komma överens om?"),
            Field("provat", "Vad har redan prövats?", "textarea", max_length=1500,
                  placeholder="Insatser och kontakter hittills, utan namn"),
            Field("individen_onskar", "Individen har själv bett om en SIP", "toggle",
                  help="Då ska individen erbjudas en SIP."),
            Field("narstaende", "Individen vill att en närstående är med", "toggle"),
        ), intro=invited_line(kb, draft) + SIP_INVITES + "\n\n" + rc.DEIDENTIFIED),
        Step("forberedelse", "Förberedelse", (
            Field("forberedelse", "Frågor som stöd i dialog – kryssa för dem ni har förberett", "multichoice",
                  choices=DIALOG_QUESTIONS),
            Field("smarta", "Vi förbereder SMARTA mål: " + SMARTA, "toggle"),
        ), intro=SIP_PREPARATION + "\n\n" + rc.SIP_RESULT + "\n\nKälla: " + rc.cite(kb, (rc.SEED_MODEL, rc.DIALOG_SECTION))),
        rc.contact_step(kb),
    ]


async def prefill(ctx: "Context", draft: Draft) -> None:
    await rc.prefill(ctx, draft)
    draft.values["parter"] = invited(ctx.kb, draft)  # not asked again in the form


def keep_invited(ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    if step.id == "forfragan":
        draft.values["parter"] = invited(ctx.kb, draft)
    return {}


def facts(ctx: "Context", draft: Draft) -> Facts:
    efforts = display(Field("h", "h", "multichoice", choices=EFFORT_CHOICES), draft.answers.get("huvudman") or [])
    titles = {c.value: c.title for c in choices_from(ctx.kb, "forfragan-parter")}
    called = "; ".join(titles.get(p, p) for p in draft.values.get("parter") or invited(ctx.kb, draft))
    return rc.base_facts(ctx, draft) + [
        {"title": "Insatser från", "value": efforts},
        {"title": "Kallas", "value": called},
        {"title": "Samtycke", "value": "Individen har sagt ja till SIP (bekräftat av beställaren)"},
    ]


def next_steps(ctx: "Context", case: "Case") -> list[str]:
    return [
        "Kallelsen skickas av personal inom socialtjänsten eller hälso- och sjukvården. Individen deltar själv "
        "på mötet.",
        rc.SIP_RESULT,
        "Du får ett meddelande här när mötet har bokats, avböjts eller genomförts.",
    ]


def stop_card(texts: Texts, ctx: "Context", draft: Draft, verdict: Verdict) -> dict[str, Any]:
    kb = ctx.kb
    kommun = verdict.kommun
    name = casework.municipality_name(ctx, kommun)
    back = rc.action(rc.BACK_TO_CONDITIONS, rc.form_data("sip", draft, "conditions"))
    cancel = rc.action(texts("cancel"), rc.form_data("sip", draft, "cancel"))
    if verdict.code == SINGLE_PRINCIPAL:
        have = [EFFORT_TITLES[p] for p in verdict.principals]
        missing = [EFFORT_TITLES[p] for p in PRINCIPALS if p not in verdict.principals]
        now = (f"Enligt dina svar har bara {rc.join(have)} insatser – inte {rc.join(missing)}." if have
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
            actions.insert(0, rc.action("Begär Arena-konsultation i stället", rc.start_data("arena", kommun),
                                        "positive"))
        lines.append("Kan " + (rc.join(missing) or "fler huvudmän") + " också behöva göra insatser? Ändra då svaret.")
        sections = [rc.contact_section(ctx, "lokal-samverkan", kommun, "Kontakta: {list}")]
        return rc.stop(texts, TITLE, title="SIP kräver insatser från både socialtjänst och hälso- och sjukvård",
                       lines=lines, sections=sections, actions=actions + [cancel],
                       source=rc.cite(kb, (rc.SEED_MODEL, rc.SIP_SECTION), (rc.SEED_MODEL, rc.DIALOG_SECTION)))
    # CONSENT
    lines = [
        "En SIP upprättas tillsammans med individen, och individen deltar själv på mötet. Innan du kallar behöver "
        "individen ha sagt ja till en SIP och till att de som kallas får dela information om hen.",
        "Varför: parterna omfattas av sekretess. En SIP med individen och samtycke är det som gör att de får "
        "prata med varandra. Samtycket värnar personens integritet och ger hen makt över processen.",
        "Så gör du: berätta för personen vad en SIP är – " + rc.SIP_RESULT[0].lower() + rc.SIP_RESULT[1:]
        + " Fråga om hen vill ha en SIP och vilka som ska kallas. Individen kan också själv be om en SIP och ska "
        "då erbjudas det.",
        rc.come_back_line(ctx),
    ]
    sections = [rc.contact_section(ctx, "sip", kommun, "Frågor om SIP i " + name + ": {list}")]
    return rc.stop(texts, TITLE, title="Individen behöver säga ja till SIP", lines=lines, sections=sections,
                   actions=[rc.action("Individen har sagt ja nu", rc.form_data("sip", draft, "conditions"), "positive"),
                            cancel],
                   source=rc.cite(kb, (rc.SEED_MODEL, rc.SIP_SECTION), (rc.SEED_SE, rc.CONSENT_SECTION)))


def declaration(texts: Texts) -> FlowSpec:
    return FlowSpec(
        kind=KIND, prefix="sip", title=TITLE, steps=steps,
        review_intro=lambda kb: ("Kontrollera uppgifterna innan du skickar. Förfrågan går till den som samordnar "
                                 "SIP i kommunen."),
        noun="Förfrågan", plural="SIP-förfrågningar", notify_title="Din förfrågan om SIP-möte",
        notify_always=True, booking=True,
        preconditions=Preconditions(
            fields=triage_fields, verdict=sip_verdict, codes=(SINGLE_PRINCIPAL, CONSENT),
            stop=lambda ctx, draft, verdict: stop_card(texts, ctx, draft, verdict),
            about=about, source=lambda kb: rc.cite(kb, (rc.SEED_MODEL, rc.SIP_SECTION)), start=rc.start_answers,
            switch=("arena", "Arena")),
        checks=(keep_invited, rc.check_time), prefill=prefill, facts=facts, next_steps=next_steps,
        wants_feedback=lambda draft: True,  # the requester always hears whether it was booked, declined or done
    )
