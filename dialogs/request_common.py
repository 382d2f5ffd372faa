"""What the Arena and SIP requests share: sources, the contact step, prefill, facts, stop cards.

Flow: a kind chooser ("req.start" without a kind) → the preconditions card (checked server-side
by dialogs.request_rules; a failed rule shows a stop card with the explanation, the right
contact list and a way back) → the engine's card form → review → "Skicka" → routing to the
convener's channel or contact list (dialogs.filing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cards.render import render
from dialogs import casework
from dialogs.draft import Draft
from dialogs.spec import Facts, Step, choices_from
from dialogs.texts import Texts
from lotsen.fields import Field
from lotsen.kb.model import KnowledgeBase, SourceRef
from lotsen.text import fold

if TYPE_CHECKING:
    from lotsen.context import Context

# --- sources (seed file, section) -------------------------------------------------------------

SEED_MODEL = ("rsrf-modell", "002_430fdb8ee70e2ec3.txt")
SEED_HSF = ("hsf-arsredovisning-2024", "003_9e0fac3eaf44f1c1.txt")
SEED_SE = ("se-hoglandet", "004_0f2ee190d307fe23.txt")
ARENA_SECTION = "Samverkansmodell för personer med försörjningsstöd i Jönköpings kommun – ARENA"
SIP_SECTION = "Samverkansmodell för personer med försörjningsstöd i Jönköpings kommun – SIP (Samordnad Individuell Plan)"
DIALOG_SECTION = "Frågor som stöd i dialog och gemensam planering av insatser"
CONSENT_SECTION = "Sekretess, samtycke, SIP och samverkan"
SAMVERKAN_SECTION = "Uppdrag Samverkan"
REQUEST_KINDS = ("arena", "sip")
DEIDENTIFIED = "Skriv inga namn, personnummer eller annat som pekar ut personen."
BACK_TO_CONDITIONS = "Ändra svaren"
SIP_RESULT = ("Resultatet blir en gemensam plan: vilka insatser som behövs, vem som ansvarar för vad, vem av "
              "huvudmännen som har det övergripande ansvaret och vilket datum ni följer upp.")


def cite(kb: KnowledgeBase, *refs: tuple[tuple[str, str], str]) -> str:
    """Cite seed sections as one compact line (see KnowledgeBase.cite): each document once, by title."""
    return kb.cite([SourceRef(doc, section) for (doc, _file), section in refs])


def names(kb: KnowledgeBase, ids: list[str]) -> str:
    """Municipality names in alphabetical order: "Habo, Jönköping och Mullsjö"."""
    return join(sorted((kb.municipalities[i].name for i in ids if i in kb.municipalities), key=fold))


def join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " och " + words[-1]


def start_answers(ctx: "Context") -> dict[str, Any]:
    """The kommun known at the start: from the button that started the request, or named in the text."""
    kommun = ctx.value.get("kommun")
    if not (isinstance(kommun, str) and kommun in ctx.kb.municipalities):
        kommun = None
        if ctx.turn.text:
            from lotsen.features.qa import find_municipality

            kommun = find_municipality(ctx.kb, ctx.turn.text)
    return {"kommun": kommun} if kommun else {}


# --- the form ---------------------------------------------------------------------------------------


def contact_step(kb: KnowledgeBase) -> Step:
    return Step("tid", "Tid och kontakt", (
        Field("tid", "Önskad tid", "choice", required=True, choices=choices_from(kb, "forfragan-tid")),
        Field("tid_kommentar", "Kommentar om tiden", "text", max_length=300,
              placeholder="Till exempel veckor eller dagar som passar eller inte passar"),
        Field("roll", "Din roll", "text", required=True, max_length=120,
              placeholder="Till exempel socialsekreterare, rehabkoordinator eller arbetsförmedlare"),
        Field("organisation", "Din organisation", "choice", required=True,
              choices=choices_from(kb, "forfragan-organisation")),
    ), intro="Ditt namn kommer från Teams. Roll och organisation fylls i från din förra förfrågan om det finns en.")


def check_time(ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    if step.id == "tid" and draft.values.get("tid") == "senare" and not draft.values.get("tid_kommentar"):
        return {"tid_kommentar": "Du valde Senare: skriv när det passar."}
    return {}


async def prefill(ctx: "Context", draft: Draft) -> None:
    """Role and organisation from this person's latest request (Teams gives only the name)."""
    values = draft.values
    if values.get("roll") and values.get("organisation"):
        return
    aad = ctx.turn.user.aad_object_id
    latest = await ctx.store.cases.latest_by_reporter(aad, REQUEST_KINDS) if aad else None
    if latest is None:
        return
    earlier = latest.data.get("values", {})
    organisations = {c.value for c in choices_from(ctx.kb, "forfragan-organisation")}
    if not values.get("roll") and isinstance(earlier.get("roll"), str):
        values["roll"] = earlier["roll"]
    if not values.get("organisation") and earlier.get("organisation") in organisations:
        values["organisation"] = earlier["organisation"]


def base_facts(ctx: "Context", draft: Draft) -> Facts:
    facts = [{"title": "Kommun", "value": casework.municipality_name(ctx, draft.kommun) if draft.kommun else "–"}]
    if draft.bestallare:
        facts.append({"title": "Beställare", "value": str(draft.bestallare)})
    return facts


# --- stop cards -----------------------------------------------------------------------------------


def contact_section(ctx: "Context", purpose: str, kommun: str | None, title: str,
                    text: str = "") -> dict[str, Any] | None:
    if purpose not in ctx.kb.purposes:
        return None
    list_title, lines = casework.contact_lines(ctx, purpose, kommun)
    return {"title": title.replace("{list}", list_title), "text": text.replace("{list}", list_title),
            "contacts": lines}


def stop(texts: Texts, flow_title: str, *, title: str, lines: list[str], sections: list[dict[str, Any] | None],
         actions: list[dict[str, Any]], source: str) -> dict[str, Any]:
    return render("request_stop", title=title, subtitle=texts("stop_subtitle", title=flow_title),
                  lines=lines, sections=[s for s in sections if s], actions=actions, source=source)


def come_back_line(ctx: "Context") -> str:
    return (f"Ditt utkast sparas i {ctx.settings.draft_ttl_hours} timmar. När samtycket finns: skriv "
            f"**fortsätt** eller tryck på knappen nedan och kryssa i rutan för samtycke.")


def action(title: str, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    return {"title": title, "data": data, **({"style": style} if style else {})}


def form_data(prefix: str, draft: Draft, what: str) -> dict[str, Any]:
    return {"verb": f"{prefix}.{what}", "form_id": draft.form_id}


def start_data(kind: str, kommun: str | None, **extra: Any) -> dict[str, Any]:
    """A button that starts (or switches to) a request of `kind`, in place of the card."""
    return {"verb": "req.start", "kind": kind, "replace": True, **extra, **({"kommun": kommun} if kommun else {})}
