"""Why the bot answers what it answers: the coordinators' "testa:" mode (chat and CLI).

Runs a question through the same matcher as a real question and reports, in Swedish, what
the bot would do and why: typo corrections, aliases and abbreviations, split compounds,
the words it searched with, and for each matching entry its score, the phrasing that
matched best, the words they share, and the word-overlap and fuzzy parts of the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lotsen.kb.model import KnowledgeBase
from lotsen.matching import ANSWER, SUGGEST, Matcher

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
    overlap: float
    fuzzy: float


@dataclass
class Explanation:
    question: str
    level: str  # answer | suggest | none
    decision: str
    candidates: list[ExplainedCandidate]
    corrections: list[str] = field(default_factory=list)  # "fkassan → forsakringskassan"
    expansions: list[str] = field(default_factory=list)  # "fk → Försäkringskassan"
    compounds: list[str] = field(default_factory=list)  # "rehabkoordinator → rehab + koordinator"
    stems: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # stems no phrasing contains
    thresholds: str = ""
    intercepted_by: str = ""  # a typed command that takes this text before question answering

    def facts(self) -> list[dict[str, str]]:
        rows = [
            ("Stavning rättad", ", ".join(self.corrections)),
            ("Förkortningar och alias", ", ".join(self.expansions)),
            ("Sammansatta ord", ", ".join(self.compounds)),
            ("Sökord (ordstammar)", ", ".join(self.stems) or "inga – bara småord"),
            ("Okända ord", ", ".join(self.unknown)),
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
                f"   Ordöverlapp {num(c.overlap)} · likhet i stavning {num(c.fuzzy)}",
            ]
        return out


def explain(matcher: Matcher, kb: KnowledgeBase, text: str, *, limit: int = 5) -> Explanation:
    result = matcher.match(text, limit=limit)
    th = matcher.thresholds
    candidates = [
        ExplainedCandidate(
            entry_id=c.entry_id,
            question=kb.entries[c.entry_id].question if c.entry_id in kb.entries else c.entry_id,
            where=str(kb.entries[c.entry_id].where) if c.entry_id in kb.entries else "",
            score=c.score, phrasing=c.phrasing, shared=list(c.shared), overlap=c.overlap, fuzzy=c.fuzzy,
        )
        for c in result.candidates
    ]
    if result.level == ANSWER and candidates:
        best = candidates[0]
        decision = f"Boten svarar med ”{best.question}” ({best.entry_id}), poäng {num(best.score)}."
    elif result.level == SUGGEST and candidates:
        shown = ", ".join(f"”{c.question}”" for c in candidates[:SUGGESTIONS_SHOWN])
        decision = f"Boten är osäker och frågar ”Menade du …?” med {shown}. {_why_unsure(th, candidates)}"
    else:
        decision = "Boten svarar ”Det vet jag tyvärr inte” och visar en kontakt."
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
    )


def _thresholds(th) -> str:
    sure = f"från {num(th.sure)}"
    if getattr(th, "sure_margin", None) is not None:
        sure += f" med {num(th.sure_margin)} försprång"
    return (f"svar från {num(th.answer)} med {num(th.margin)} försprång (eller {sure}), "
            f"förslag från {num(th.suggest)}")


def _why_unsure(th, candidates: list[ExplainedCandidate]) -> str:
    top = candidates[0].score
    lead = top - (candidates[1].score if len(candidates) > 1 else 0.0)
    if top < th.answer:
        return f"Bästa poängen {num(top)} är under gränsen för ett svar ({num(th.answer)})."
    if lead < th.margin:
        return f"Försprånget till nästa fråga är bara {num(lead)} (minst {num(th.margin)} behövs)."
    return "Frågan har för få ord som betyder något för att boten ska svara säkert."

