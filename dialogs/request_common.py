"""What the Arena and SIP requests share: the start, prefill, facts and the stop card.

Flow: a kind chooser ("req.start" without a kind) → the preconditions card (checked server-side
by dialogs.request_rules; a failed rule shows the stop card the form file declares for it, with
the right contact list and a way back) → the engine's card form → review → "Skicka" → routing
to the convener's channel or contact list (dialogs.filing). Every text is in
knowledge/forms/arena.yaml and sip.yaml; this module fills them in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from cards.render import render
from dialogs import casework
from dialogs.draft import Draft
from dialogs.spec import Facts, Verdict, choices_from, fill, holds, shown
from dialogs.texts import Texts
from lotsen.kb.model import FormSpec, KnowledgeBase
from lotsen.text import fold

if TYPE_CHECKING:
    from lotsen.context import Context

REQUEST_KINDS = ("arena", "sip")


def names(kb: KnowledgeBase, ids: list[str]) -> str:
    """Municipality names in alphabetical order: "Habo, Jönköping och Mullsjö"."""
    return join(sorted((kb.municipalities[i].name for i in ids if i in kb.municipalities), key=fold))


def join(words: list[str], texts: Texts | None = None) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + (texts("and") if texts else " och ") + words[-1]


def start_answers(ctx: "Context") -> dict[str, Any]:
    """The kommun known at the start: from the button that started the request, or named in the text."""
    kommun = ctx.value.get("kommun")
    if not (isinstance(kommun, str) and kommun in ctx.kb.municipalities):
        kommun = None
        if ctx.turn.text:
            from lotsen.features.qa import find_municipality

            kommun = find_municipality(ctx.kb, ctx.turn.text)
    return {"kommun": kommun} if kommun else {}


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


def base_facts(ctx: "Context", texts: Texts, draft: Draft) -> Facts:
    kommun = casework.municipality_name(ctx, draft.kommun) if draft.kommun else texts("empty")
    facts = [{"title": texts("fact_kommun"), "value": kommun}]
    if draft.bestallare:
        facts.append({"title": texts("fact_bestallare"), "value": str(draft.bestallare)})
    return facts


def lines_of(form: FormSpec, key: str, conditions: Mapping[str, bool], values: Mapping[str, Any]) -> list[str]:
    return shown(getattr(form, key), conditions, values)[0]


# --- stop cards -----------------------------------------------------------------------------------


def contact_section(
    ctx: "Context", purpose: str, kommun: str | None, title: str, text: str = ""
) -> dict[str, Any] | None:
    if purpose not in ctx.kb.purposes:
        return None
    list_title, lines = casework.contact_lines(ctx, purpose, kommun)
    return {"title": title.replace("{list}", list_title), "text": text.replace("{list}", list_title), "contacts": lines}


def form_data(prefix: str, draft: Draft, what: str) -> dict[str, Any]:
    return {"verb": f"{prefix}.{what}", "form_id": draft.form_id}


def start_data(kind: str, kommun: str | None, **extra: Any) -> dict[str, Any]:
    """A button that starts (or switches to) a request of `kind`, in place of the card."""
    return {"verb": "req.start", "kind": kind, "replace": True, **extra, **({"kommun": kommun} if kommun else {})}


def stop_card(
    ctx: "Context",
    texts: Texts,
    form: FormSpec,
    prefix: str,
    switch: str,
    draft: Draft,
    verdict: Verdict,
    conditions: Mapping[str, bool],
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """The stop card the form file declares for this verdict, filled in: its lines, the legal notes
    it refers to, its contact lists and its buttons (`do`: conditions, cancel, switch, general-question)."""
    stop = form.stops[verdict.code]
    kommun = verdict.kommun
    values = {**values, "timmar": ctx.settings.draft_ttl_hours}
    lines, sources = shown(stop.lines, conditions, values)
    lines += ctx.kb.legal_texts(stop.legal)
    sections = []
    for contact in stop.contacts:
        if holds(contact.condition, conditions):
            sections.append(
                contact_section(ctx, contact.purpose, kommun, fill(contact.title, values), fill(contact.text, values))
            )
            sources += contact.sources
    buttons = {
        "conditions": lambda: form_data(prefix, draft, "conditions"),
        "cancel": lambda: form_data(prefix, draft, "cancel"),
        "switch": lambda: start_data(switch, kommun),
        "general-question": lambda: start_data("arena", kommun, arena_typ="allman"),
    }
    actions = [
        {"title": fill(a.title, values), "data": buttons[a.do](), **({"style": a.style} if a.style else {})}
        for a in stop.actions
        if holds(a.condition, conditions)
    ]
    return render(
        "request_stop",
        title=fill(stop.title, values),
        subtitle=texts("stop_subtitle", title=form.title),
        lines=lines,
        sections=[s for s in sections if s],
        actions=actions,
        source=ctx.kb.cite(list(stop.sources) + sources),
    )
