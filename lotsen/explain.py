"""Why the bot answers what it answers: the coordinators' "testa:" mode (chat and CLI).

Runs a question through the same matcher as a real question and reports, in Swedish, what
the bot would do and why: typo corrections, aliases and abbreviations, split compounds,
the words it searched with, how much of the question the knowledge base knows (off-topic), and
for each matching entry its score, the phrasing that matched best, the words they share and
the parts of the score (lotsen.matching); the decision is lotsen.features.qa.decide's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lotsen.kb.model import KnowledgeBase
from lotsen.matching import Matcher

SUGGESTIONS_SHOWN = 3  # lotsen.features.qa offers this many in "Menade du …?"


def num(value: float) -> str:
    """0.8234 → "0,82" (Swedish decimal comma)."""
    return f"{value:.2f}".replace(".", ",")


@dataclass
class ExplainedCandidate:
    entry_id: str
    question: str
    where: str
    score: float
    phrasing: str
    shared: list[str]
    overlap: float  # coverage of the best phrasing
    fuzzy: float  # focus: share of the question the entry explains
    bm25: float = 0.0
    key: float = 0.0
    intent: float = 0.0
    forms: float = 0.0

    def parts(self) -> str:
        """The evidence behind the score, in Swedish."""
        return (f"täcker {pct(self.overlap)} av bästa formuleringen · förklarar {pct(self.fuzzy)} av frågan · "
                f"BM25 {num(self.bm25)} · {pct(self.key)} av frågans kärnord · frågeord {pct(self.intent)} · "
                f"samma ordformer {pct(self.forms)}")


@dataclass
class Explanation:
    question: str
    level: str  # answer | suggest | none (the matcher's level)
    decision: str
    candidates: list[ExplainedCandidate]
    corrections: list[str] = field(default_factory=list)  # "fkassan → forsakringskassan"
    expansions: list[str] = field(default_factory=list)  # "fk → Försäkringskassan"
    compounds: list[str] = field(default_factory=list)  # "rehabkoordinator → rehab + koordinator"
    stems: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # stems no phrasing contains
    thresholds: str = ""
    intercepted_by: str = ""  # a typed command that takes this text before question answering
    verdict: str = ""  # what the bot does: answer | suggest | unknown | offtopic | smalltalk
    domain: float = 0.0

    def facts(self) -> list[dict[str, str]]:
        rows = [
            ("Stavning rättad", ", ".join(self.corrections)),
            ("Förkortningar och alias", ", ".join(self.expansions)),
            ("Sammansatta ord", ", ".join(self.compounds)),
            ("Sökord (ordstammar)", ", ".join(self.stems) or "inga – bara småord"),
            ("Okända ord", ", ".join(self.unknown)),
            ("Orden finns i kunskapsbasen", pct(self.domain) if self.stems else ""),
        ]
        return [{"title": t, "value": v} for t, v in rows if v]

    def lines(self) -> list[str]:
        """Plain text for the command line."""
        out = [f"Fråga: {self.question}", f"Resultat: {self.decision}"]
        if self.intercepted_by:
            out.append(f"Obs: {self.intercepted_by}")
        out += [f"{f['title']}: {f['value']}" for f in self.facts()]
        out.append(f"Gränser: {self.thresholds}")
        if not self.candidates:
            out.append("Ingen fråga i kunskapsbasen delar något sökord med frågan.")
        for i, c in enumerate(self.candidates, 1):
            out += [
                "",
                f"{i}. {c.entry_id} – poäng {num(c.score)}  ({c.where})",
                f"   Fråga: {c.question}",
                f"   Bäst matchande formulering: ”{c.phrasing}”",
                f"   Gemensamma ord: {', '.join(c.shared) or '–'}",
                f"   Poängens delar: {c.parts()}",
            ]
        return out


def pct(value: float) -> str:
    return f"{round(value * 100)} %"


def explain(matcher: Matcher, kb: KnowledgeBase, text: str, *, limit: int = 5) -> Explanation:
    from lotsen.features.qa import (VERDICT_ANSWER, VERDICT_OFFTOPIC, VERDICT_SMALLTALK, VERDICT_SUGGEST,
                                    decide)

    result = matcher.match(text, limit=limit)
    verdict = decide(kb, matcher, text)
    th = matcher.thresholds
    candidates = [
        ExplainedCandidate(
            entry_id=c.entry_id,
            question=kb.entries[c.entry_id].question if c.entry_id in kb.entries else c.entry_id,
            where=str(kb.entries[c.entry_id].where) if c.entry_id in kb.entries else "",
            score=c.score, phrasing=c.phrasing, shared=list(c.shared), overlap=c.overlap, fuzzy=c.fuzzy,
            bm25=c.bm25, key=c.key, intent=c.intent, forms=c.forms,
        )
        for c in result.candidates
    ]
    if verdict.kind == VERDICT_SMALLTALK:
        decision = "Boten svarar kort och artigt (hälsning eller tack) och sparar inget som obesvarad fråga."
    elif verdict.kind == VERDICT_OFFTOPIC:
        decision = (f"Boten svarar att frågan ligger utanför vad den kan svara på, och säger vad den kan. Varför: "
                    f"bara {pct(result.domain)} av frågans ord finns i kunskapsbasen, och ingen fråga där passar.")
    elif verdict.kind == VERDICT_ANSWER and verdict.entry is not None:
        if verdict.entry.id not in kb.entries:
            decision = f"Boten visar ordlistans förklaring: ”{verdict.entry.question}”."
        else:
            decision = (f"Boten svarar med ”{verdict.entry.question}” ({verdict.entry.id}), poäng "
                        f"{num(candidates[0].score) if candidates else '–'}. {_why_sure(th, result)}")
        if verdict.alternatives:
            shown = ", ".join(f"”{e.question}”" for e in verdict.alternatives)
            decision += f" Under svaret visas ”Menar du kanske …” med {shown}: de ligger nära."
    elif verdict.kind == VERDICT_SUGGEST and candidates:
        shown = ", ".join(f"”{e.question}”" for e in verdict.alternatives[:SUGGESTIONS_SHOWN])
        decision = f"Boten är osäker och frågar ”Menade du …?” med {shown}. {_why_unsure(th, result)}"
    else:
        decision = "Boten svarar ”Det vet jag tyvärr inte” och visar en kontakt. " + (
            f"Bästa poängen {num(candidates[0].score)} är under gränsen för förslag ({num(th.suggest)})."
            if candidates else "Ingen fråga delar något sökord med frågan.")
    return Explanation(
        question=text,
        level=result.level,
        decision=decision,
        candidates=candidates,
        corrections=[f"{wrong} → {right}" for wrong, right in result.corrections.items()],
        expansions=[f"{alias} → {canon}" for alias, canon in result.expansions],
        compounds=[f"{word} → {' + '.join(parts)}" for word, parts in result.compounds.items()],
        stems=list(result.stems),
        unknown=[s for s in result.stems if not matcher.knows(s)],
        thresholds=_thresholds(th),
        verdict=verdict.kind,
        domain=result.domain,
    )


def _thresholds(th) -> str:
    return (f"svar från poäng {num(th.answer)} med {pct(th.margin)} försprång till nästa fråga "
            f"(eller från {num(th.sure)} med {pct(th.sure_margin)}), förslag från {num(th.suggest)}; "
            f"”Menar du kanske …” för frågor inom {pct(1 - th.close)} av den bästa")


def _why_sure(th, result) -> str:
    return (f"Varför säkert: poängen är minst {num(th.answer)} och försprånget till nästa fråga är "
            f"{pct(result.margin)}.")


def _why_unsure(th, result) -> str:
    top = result.best.score if result.best else 0.0
    if result.reason == "single-word":
        return "Frågan har för få ord som betyder något för att boten ska svara säkert."
    if top < th.answer:
        return f"Bästa poängen {num(top)} är under gränsen för ett svar ({num(th.answer)})."
    return (f"Försprånget till nästa fråga är bara {pct(result.margin)} (minst {pct(th.margin)} behövs, "
            f"eller {pct(th.sure_margin)} från poäng {num(th.sure)}).")
