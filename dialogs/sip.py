"""Requesting a SIP meeting: the declaration (verbs "sip.*", case kind "sip").

The form, its preconditions, texts and stop cards are knowledge/forms/sip.yaml; the rules are
dialogs.request_rules. Facts: seed 002_430fdb8ee70e2ec3.txt, "SIP (Samordnad Individuell Plan)"
(digest §3.5, §8.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogs import casework
from dialogs import request_common as rc
from dialogs.draft import Draft
from dialogs.request_rules import CONSENT, EFFORT_PARTIES, PRINCIPALS, SINGLE_PRINCIPAL, sip_verdict
from dialogs.spec import Facts, FlowSpec, Preconditions, Step, Verdict, choices_from, field_from, shown, steps_from
from dialogs.texts import Texts
from dialogs.views import display
from lotsen.kb.model import FormSpec, KnowledgeBase

if TYPE_CHECKING:
    from lotsen.cases import Case
    from lotsen.context import Context

KIND = "sip"
CONDITIONS = ("af_or_fk", "arena")  # what `if:` in sip.yaml may name


def form(kb: KnowledgeBase) -> FormSpec:
    return kb.forms[KIND]


def triage_fields(kb: KnowledgeBase):
    pre = form(kb).preconditions
    assert pre is not None, "knowledge/forms/sip.yaml has preconditions"
    return tuple(field_from(kb, f) for f in pre.fields)


def invited(kb: KnowledgeBase, draft: Draft) -> list[str]:
    """Who is invited, from the one question about who has insatser (asked once, in the triage):
    socialtjänsten and hälso- och sjukvården always, AF and FK when they have insatser."""
    efforts = set(draft.answers.get("huvudman") or []) | set(PRINCIPALS)
    wanted = {EFFORT_PARTIES[e] for e in efforts if e in EFFORT_PARTIES}
    return [c.value for c in choices_from(kb, "forfragan-parter") if c.value in wanted]


def steps(kb: KnowledgeBase, draft: Draft) -> list[Step]:
    titles = {c.value: c.title for c in choices_from(kb, "forfragan-parter")}
    parties = [titles[p] for p in invited(kb, draft)]
    called = form(kb).text("kallas", parter=rc.join(parties)) + "\n\n" if parties else ""
    return steps_from(kb, form(kb), draft.answers, {"kallas": called, "resultat": form(kb).text("resultat")})


async def prefill(ctx: "Context", draft: Draft) -> None:
    await rc.prefill(ctx, draft)
    draft.values["parter"] = invited(ctx.kb, draft)  # not asked again in the form


def keep_invited(ctx: "Context", draft: Draft, step: Step) -> dict[str, str]:
    if step.id == "forfragan":
        draft.values["parter"] = invited(ctx.kb, draft)
    return {}


def facts(texts: Texts, ctx: "Context", draft: Draft) -> Facts:
    spec = form(ctx.kb)
    efforts = next(f for f in triage_fields(ctx.kb) if f.id == "huvudman")
    titles = {c.value: c.title for c in choices_from(ctx.kb, "forfragan-parter")}
    called = "; ".join(titles.get(p, p) for p in draft.values.get("parter") or invited(ctx.kb, draft))
    return rc.base_facts(ctx, texts, draft) + [
        {"title": spec.text("fact_efforts"), "value": display(efforts, draft.answers.get("huvudman") or [])},
        {"title": spec.text("fact_called"), "value": called},
        {"title": spec.text("fact_consent"), "value": spec.text("consent_given")},
    ]


def next_steps(ctx: "Context", case: "Case") -> list[str]:
    return rc.lines_of(form(ctx.kb), "next_steps", {}, {"resultat": form(ctx.kb).text("resultat")})


def stop_card(texts: Texts, ctx: "Context", draft: Draft, verdict: Verdict) -> dict[str, Any]:
    kb, spec = ctx.kb, form(ctx.kb)
    muni = kb.municipalities.get(verdict.kommun or "")
    have = [spec.text("principal_" + p) for p in verdict.principals]
    missing = [spec.text("principal_" + p) for p in PRINCIPALS if p not in verdict.principals]
    now = spec.text("only", har=rc.join(have), saknas=rc.join(missing)) if have else spec.text("neither")
    values = {
        "kommun": casework.municipality_name(ctx, verdict.kommun),
        "nu": now,
        "saknas_eller_fler": rc.join(missing) or spec.text("more_principals"),
        "resultat": spec.text("resultat"),
    }
    conditions = {
        "af_or_fk": bool({"arbetsformedlingen", "forsakringskassan"} & set(verdict.efforts)),
        "arena": bool(muni is not None and muni.arena),
    }
    return rc.stop_card(ctx, texts, spec, "sip", "arena", draft, verdict, conditions, values)


def declaration(texts: Texts) -> FlowSpec:
    return FlowSpec(
        kind=KIND,
        prefix="sip",
        steps=steps,
        review_intro=lambda kb: form(kb).text("review_intro"),
        notify_always=True,
        booking=True,
        preconditions=Preconditions(
            fields=triage_fields,
            verdict=sip_verdict,
            codes=(SINGLE_PRINCIPAL, CONSENT),
            stop=lambda ctx, draft, verdict: stop_card(texts, ctx, draft, verdict),
            about=lambda kb: shown(
                form(kb).preconditions.about,  # type: ignore[union-attr]
                {},
                {"resultat": form(kb).text("resultat")},
            )[0],
            source=lambda kb: kb.cite(form(kb).sources),
            start=rc.start_answers,
            switch=("arena", "Arena"),
        ),
        checks=(keep_invited,),
        prefill=prefill,
        facts=lambda ctx, draft: facts(texts, ctx, draft),
        next_steps=next_steps,
        wants_feedback=lambda draft: True,  # the requester always hears whether it was booked, declined or done
    )
