"""Why the navigator does what it does with a description: "testa vägvisare: …" in chat and
`python -m scripts.kb test --vagvisare "…"`. Facts with the words they came from, then every
rule: fired (and on what), open (what is missing), or not (why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lotsen.kb.model import KnowledgeBase
from lotsen.vagvisare.extract import extractor_for
from lotsen.vagvisare.rules import FIRED, NOT, OPEN, describe, evaluate


@dataclass
class Explained:
    description: str
    verdict: str
    facts: list[dict[str, str]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Beskrivning: {self.description}", self.verdict, "", "Uppgifter (och orden de kom från):"]
        out += [f"  {f['title']}: {f['value']}" for f in self.facts] or ["  inga"]
        for section in self.sections:
            out += ["", f"{section['title']}:"]
            lines: list[str] = section["lines"]
            out += [f"  {line}" for line in lines] or ["  inga"]
        return out


def explain(kb: KnowledgeBase, text: str, today: date | None = None) -> Explained:
    nav = kb.navigator
    extractor = extractor_for(kb)
    if nav is None or extractor is None:
        return Explained(text, "Vägvisaren är inte konfigurerad: knowledge/vagvisare.yaml saknas.")
    ex = extractor.extract(text, today)
    evaluation = evaluate(kb, nav, ex.facts)
    ask = evaluation.missing(nav)
    if ex.trigger:
        kind = f"Vägvisaren startar direkt (”{ex.trigger}”)."
    elif ex.is_strong:
        kind = f"En beskrivning av en klients situation: Vägvisaren tar den direkt ({ex.fact_count} uppgifter)."
    elif ex.is_situational:
        kind = ("En beskrivning av en situation: Vägvisaren tar den om frågesvaren inte har ett säkert svar "
                f"({ex.fact_count} uppgifter).")
    else:
        kind = f"Ingen situationsbeskrivning ({ex.fact_count} uppgifter): frågan besvaras som en vanlig fråga."
    then = ("Nästa steg: kortet ”Så här uppfattade jag situationen” frågar efter "
            + ", ".join(nav.facts[f].title for f in ask) + ".") if ask else "Nästa steg: rekommendationen direkt."
    if ex.client:
        kind += f" Handlar om en person: {', '.join(dict.fromkeys(ex.client))}."
    facts = []
    for fid, value in ex.facts.items():
        words = "; ".join(f"”{f.words}” ({f.pattern})" for f in ex.evidence.get(fid, []))
        facts.append({"title": nav.facts[fid].title, "value": f"{describe(kb, nav, fid, value)} ← {words}"})
    fired, open_, not_ = [], [], []
    for r in evaluation.results:
        head = f"{r.rule.id} ({r.rule.where}): {r.rule.title}"
        if r.status == FIRED:
            fired.append(f"{head} – eftersom {'; '.join(r.reasons) or 'villkoren gäller'}")
        elif r.status == OPEN:
            missing = ", ".join(nav.facts[f].title for f in sorted(r.missing))
            asked = " (frågas)" if all(f in ask for f in r.missing) else " (frågas inte: för lite är känt)"
            open_.append(f"{head} – saknar {missing}{asked}")
        elif r.status == NOT:
            not_.append(f"{head} – {'; '.join(r.reasons) or 'villkoren gäller inte'}")
    return Explained(
        description=text,
        verdict=f"{kind} {then}",
        facts=facts,
        sections=[
            {"title": f"Regler som ger råd ({len(fired)})", "lines": fired},
            {"title": f"Regler som saknar uppgifter ({len(open_)})", "lines": open_},
            {"title": f"Regler som inte gäller ({len(not_)})", "lines": not_},
        ],
    )
