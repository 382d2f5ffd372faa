"""Requesting an Arena consultation: the declaration (verbs "arena.*", case kind "arena").

The form, its preconditions, texts and stop cards are knowledge/forms/arena.yaml; the rules are
dialogs.request_rules. Facts: seed 002_430fdb8ee70e2ec3.txt, Jönköpings kommuns
samverkansmodell, "ARENA" (digest §3.4, §8.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogs import casework
from dialogs import request_common as rc
from dialogs.draft import Draft
from dialogs.request_rules import (
    CONSENT,
    NOT_COVERED,
    PLANNING,
    arena_municipalities,
    arena_parties_error,
    arena_verdict,
)
from dialogs.spec import Facts, FlowSpec, Preconditions, Step, Verdict, field_from, shown, steps_from
from dialogs.texts import Texts
from dialogs.views import display
from lotsen.kb.model import FormSpec, KnowledgeBase
from lotsen.routing import route

if TYPE_CHECKING:
    from lotsen.cases import Case
    from lotsen.context import Context

KIND = "arena"
CONDITIONS = ("kommunomrade", "se_hoglandet", "individ")  # what `if:` in arena.yaml may name


def form(kb: KnowledgeBase) -> FormSpec:
    return kb.forms[KIND]


def values(kb: KnowledgeBase) -> dict[str, Any]:
    return {"arena_kommuner": rc.names(kb, arena_municipalities(kb))}


def triage_fields(kb: KnowledgeBase):
    pre = form(kb).preconditions
    assert pre is not None, "knowledge/forms/arena.yaml has preconditions"
    return tuple(field_from(kb, f) for f in pre.fields)


def start(ctx: "Context") -> dict[str, Any]:
    answers = rc.start_answers(ctx)
    preset = ctx.value.get("arena_typ")
    kinds = next(f for f in triage_fields(ctx.kb) if f.id == "arena_typ").choices
    if preset in {c.value for c in kinds}:
        answers["arena_typ"] = preset
    return answers


def steps(kb: KnowledgeBase, draft: Draft) -> list[Step]:
    return steps_from(kb, form(kb), draft.answers, values(kb))


def check_parties(ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    if step.id == "forfragan" and arena_parties_error(draft.answers.get("arena_typ"), draft.values.get("parter")):
        return {"parter": form(ctx.kb).text("parties_error")}
    return {}


def facts(texts: Texts, ctx: "Context", draft: Draft) -> Facts:
    spec = form(ctx.kb)
    kinds = next(f for f in triage_fields(ctx.kb) if f.id == "arena_typ")
    out = [{"title": spec.text("fact_type"), "value": display(kinds, draft.answers.get("arena_typ"))}]
    out += rc.base_facts(ctx, texts, draft)
    if draft.answers.get("arena_typ") == "individ":
        out.append({"title": spec.text("fact_consent"), "value": spec.text("consent_given")})
    return out


def next_steps(ctx: "Context", case: "Case") -> list[str]:
    individual = case.data.get("context", {}).get("triage", {}).get("arena_typ") == "individ"
    return rc.lines_of(form(ctx.kb), "next_steps", {"individ": individual}, {})


def stop_card(texts: Texts, ctx: "Context", draft: Draft, verdict: Verdict) -> dict[str, Any]:
    kb = ctx.kb
    muni = kb.municipalities.get(verdict.kommun or "")
    name = casework.municipality_name(ctx, verdict.kommun)
    groups = muni.samverk_groups if muni is not None else ()
    se = route(kb, "se-hoglandet", verdict.kommun) if "se-hoglandet" in kb.purposes else None
    fields = {**values(kb), "kommun": name}
    fields["grupper"] = " " + form(kb).text("groups", kommun=name, grupper=", ".join(groups)) if groups else ""
    conditions = {
        "kommunomrade": bool(muni is not None and muni.kommunomrade),
        "se_hoglandet": bool(se and se.specific),
    }
    return rc.stop_card(ctx, texts, form(kb), "arena", "sip", draft, verdict, conditions, fields)


def declaration(texts: Texts) -> FlowSpec:
    return FlowSpec(
        kind=KIND,
        prefix="arena",
        steps=steps,
        review_intro=lambda kb: form(kb).text("review_intro"),
        notify_always=True,
        booking=True,
        preconditions=Preconditions(
            fields=triage_fields,
            verdict=arena_verdict,
            codes=(NOT_COVERED, PLANNING, CONSENT),
            stop=lambda ctx, draft, verdict: stop_card(texts, ctx, draft, verdict),
            about=lambda kb: shown(form(kb).preconditions.about, {}, values(kb))[0],  # type: ignore[union-attr]
            source=lambda kb: kb.cite(form(kb).sources),
            start=start,
            switch=("sip", "SIP"),
        ),
        checks=(check_parties,),
        prefill=rc.prefill,
        facts=lambda ctx, draft: facts(texts, ctx, draft),
        next_steps=next_steps,
        wants_feedback=lambda draft: True,  # the requester always hears whether it was booked, declined or done
    )
