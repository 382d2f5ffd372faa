"""Why the navigator does what it does with a description: "testa vägvisare: …" in chat and
`python -m scripts.kb test --vagvisare "…"`. Facts with the words they came from, then every
rule: fired (and on what), open (what is missing), or not (why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lotsen.kb.model import KnowledgeBase
from lotsen.texts import say
from lotsen.vagvisare.extract import extractor_for
from lotsen.vagvisare.rules import FIRED, NOT, OPEN, describe, evaluate


@dataclass
class Explained:
    description: str
    verdict: str
    facts: list[dict[str, str]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            say("vagvisare.test_description", description=self.description),
            self.verdict,
            "",
            say("vagvisare.test_facts"),
        ]
        out += [f"  {f['title']}: {f['value']}" for f in self.facts] or [say("vagvisare.test_none")]
        for section in self.sections:
            out += ["", f"{section['title']}:"]
            lines: list[str] = section["lines"]
            out += [f"  {line}" for line in lines] or [say("vagvisare.test_none")]
        return out


def explain(kb: KnowledgeBase, text: str, today: date | None = None) -> Explained:
    nav = kb.navigator
    extractor = extractor_for(kb)
    if nav is None or extractor is None:
        return Explained(text, say("vagvisare.test_not_configured"))
    ex = extractor.extract(text, today)
    evaluation = evaluate(kb, nav, ex.facts)
    ask = evaluation.missing(nav)
    if ex.trigger:
        kind = say("vagvisare.test_trigger", trigger=ex.trigger)
    elif ex.is_strong:
        kind = say("vagvisare.test_strong", count=ex.fact_count)
    elif ex.is_situational:
        kind = say("vagvisare.test_situational", count=ex.fact_count)
    else:
        kind = say("vagvisare.test_not_situation", count=ex.fact_count)
    then = (
        say("vagvisare.test_then_ask", facts=", ".join(nav.facts[f].title for f in ask))
        if ask
        else say("vagvisare.test_then_advice")
    )
    if ex.client:
        kind += say("vagvisare.test_client", words=", ".join(dict.fromkeys(ex.client)))
    facts = []
    for fid, value in ex.facts.items():
        words = "; ".join(f"”{f.words}” ({f.pattern})" for f in ex.evidence.get(fid, []))
        facts.append({"title": nav.facts[fid].title, "value": f"{describe(kb, nav, fid, value)} ← {words}"})
    fired, open_, not_ = [], [], []
    for r in evaluation.results:
        head = f"{r.rule.id} ({r.rule.where}): {r.rule.title}"
        if r.status == FIRED:
            fired.append(
                say(
                    "vagvisare.test_fired",
                    rule=head,
                    reasons="; ".join(r.reasons) or say("vagvisare.test_conditions_hold"),
                )
            )
        elif r.status == OPEN:
            missing = ", ".join(nav.facts[f].title for f in sorted(r.missing))
            asked = say("vagvisare.test_asked") if all(f in ask for f in r.missing) else say("vagvisare.test_not_asked")
            open_.append(say("vagvisare.test_open", rule=head, facts=missing, asked=asked))
        elif r.status == NOT:
            not_.append(
                say(
                    "vagvisare.test_not",
                    rule=head,
                    reasons="; ".join(r.reasons) or say("vagvisare.test_conditions_fail"),
                )
            )
    return Explained(
        description=text,
        verdict=f"{kind} {then}",
        facts=facts,
        sections=[
            {"title": say("vagvisare.test_fired_title", count=len(fired)), "lines": fired},
            {"title": say("vagvisare.test_open_title", count=len(open_)), "lines": open_},
            {"title": say("vagvisare.test_not_title", count=len(not_)), "lines": not_},
        ],
    )
