"""Why the bot answers what it answers: the coordinators' "testa:" mode (chat and CLI).

Runs a question through the same matcher as a real question and reports, in Swedish, what
the bot would do and why: typo corrections, aliases and abbreviations, split compounds,
the words it searched with, how much of the question the knowledge base knows (off-topic), and
for each matching entry its score, the phrasing that matched best, the words they share and
the parts of the score (lotsen.matching); the decision is lotsen.features.qa.decide's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lotsen.domain import domain_words_of
from lotsen.kb.model import KnowledgeBase
from lotsen.matching import ANSWER, Matcher
from lotsen.risk import checked as risk_checked
from lotsen.texts import say

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
        return say(
            "explain.parts",
            overlap=pct(self.overlap),
            focus=pct(self.fuzzy),
            bm25=num(self.bm25),
            key=pct(self.key),
            intent=pct(self.intent),
            forms=pct(self.forms),
        )


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
    specific: float = 1.0  # share of the distinctive words specific to the domain (lotsen.domain)
    distinctive: list[str] = field(default_factory=list)  # "kallt 0 %", most distinctive first

    def facts(self) -> list[dict[str, str]]:
        rows = [
            (say("explain.corrections"), ", ".join(self.corrections)),
            (say("explain.expansions"), ", ".join(self.expansions)),
            (say("explain.compounds"), ", ".join(self.compounds)),
            (say("explain.stems"), ", ".join(self.stems) or say("explain.no_stems")),
            (say("explain.unknown"), ", ".join(self.unknown)),
            (say("explain.domain"), pct(self.domain) if self.stems else ""),
            (say("explain.specific"), ", ".join(self.distinctive)),
            (say("explain.specific_share"), pct(self.specific) if self.distinctive else ""),
        ]
        return [{"title": t, "value": v} for t, v in rows if v]

    def lines(self) -> list[str]:
        """Plain text for the command line."""
        out = [say("explain.line_question", question=self.question), say("explain.line_result", decision=self.decision)]
        if self.intercepted_by:
            out.append(say("explain.line_intercepted", command=self.intercepted_by))
        out += [f"{f['title']}: {f['value']}" for f in self.facts()]
        out.append(say("explain.line_thresholds", thresholds=self.thresholds))
        if not self.candidates:
            out.append(say("explain.no_candidates"))
        for i, c in enumerate(self.candidates, 1):
            out += [
                "",
                say("explain.line_candidate", rank=i, entry=c.entry_id, score=num(c.score), where=c.where),
                say("explain.line_candidate_question", question=c.question),
                say("explain.line_phrasing", phrasing=c.phrasing),
                say("explain.line_shared", words=", ".join(c.shared) or "–"),
                say("explain.line_parts", parts=c.parts()),
            ]
        return out


def pct(value: float) -> str:
    return f"{round(value * 100)} %"


def explain(matcher: Matcher, kb: KnowledgeBase, text: str, *, limit: int = 5) -> Explanation:
    from lotsen.features.qa import VERDICT_ANSWER, VERDICT_OFFTOPIC, VERDICT_SMALLTALK, VERDICT_SUGGEST, decide

    result = matcher.match(text, limit=limit)
    verdict = decide(kb, matcher, text)
    th = matcher.thresholds
    candidates = [
        ExplainedCandidate(
            entry_id=c.entry_id,
            question=kb.entries[c.entry_id].question if c.entry_id in kb.entries else c.entry_id,
            where=str(kb.entries[c.entry_id].where) if c.entry_id in kb.entries else "",
            score=c.score,
            phrasing=c.phrasing,
            shared=list(c.shared),
            overlap=c.overlap,
            fuzzy=c.fuzzy,
            bm25=c.bm25,
            key=c.key,
            intent=c.intent,
            forms=c.forms,
        )
        for c in result.candidates
    ]
    if verdict.kind == VERDICT_SMALLTALK:
        decision = say("explain.smalltalk")
    elif verdict.kind == VERDICT_OFFTOPIC:
        decision = say(
            "explain.offtopic", why=_why_off_topic(matcher, verdict.why, result, text), domain=pct(result.domain)
        )
    elif verdict.kind == VERDICT_ANSWER and verdict.entry is not None:
        if verdict.entry.id not in kb.entries:
            decision = say("explain.glossary", term=verdict.entry.question)
        else:
            decision = say(
                "explain.answer",
                question=verdict.entry.question,
                entry=verdict.entry.id,
                score=num(candidates[0].score) if candidates else "–",
                why=_why_sure(th, result, matcher),
            )
            if matcher.risk is not None and result.level == ANSWER and risk_checked(result.reason):
                # only an answer the check weighed (not one a rule gave to another entry)
                decision += say("explain.risk_ok", probability=pct(result.risk), cutoff=pct(matcher.risk.cutoff))
        if verdict.alternatives:
            shown = ", ".join(f"”{e.question}”" for e in verdict.alternatives)
            decision += say("explain.alternatives", questions=shown)
    elif verdict.kind == VERDICT_SUGGEST and candidates:
        shown = ", ".join(f"”{e.question}”" for e in verdict.alternatives[:SUGGESTIONS_SHOWN])
        why = (
            say("explain.why_risk", probability=pct(result.risk), cutoff=pct(matcher.risk.cutoff))
            if result.reason == "risk" and matcher.risk is not None
            else _why_unsure(th, result) + _why_likely(matcher, result)
        )
        decision = say("explain.suggest", questions=shown, why=why)
    else:
        decision = say("explain.unknown_answer") + (
            say("explain.below_suggest", score=num(candidates[0].score), limit=num(th.suggest))
            if candidates
            else say("explain.no_shared_words")
        )
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
        specific=result.specific,
        distinctive=[f"{v.word} {pct(v.domain)}" for v in sorted(result.words, key=lambda v: -v.weight)],
    )


def _why_off_topic(matcher: Matcher, why: str, result, text: str) -> str:
    """Why a question gets the off-topic refusal (lotsen.features.qa.decide's reason)."""
    from lotsen.features.qa import outside_words

    if why == "words":
        return say("explain.offtopic_words", words=", ".join(outside_words(text)))
    if why == "unrelated":
        words = domain_words_of(result.words)
        return say(
            "explain.offtopic_unrelated", entry=result.best.entry_id if result.best else "–", words=", ".join(words)
        )
    if why == "specific":
        return say("explain.offtopic_specific", specific=pct(result.specific))
    if why == "no-candidates":
        return say("explain.offtopic_no_candidates")
    return say("explain.offtopic_domain")


def _thresholds(th) -> str:
    return say(
        "explain.thresholds",
        answer=num(th.answer),
        margin=pct(th.margin),
        sure=num(th.sure),
        sure_margin=pct(th.sure_margin),
        suggest=num(th.suggest),
        close=pct(1 - th.close),
    )


def _signal_name(name: str) -> str:
    """A decision signal's name in Swedish (lotsen.matching.DECISION_SIGNALS)."""
    names = {
        "confidence": lambda: say("explain.signals.confidence"),
        "top": lambda: say("explain.signals.top"),
        "margin": lambda: say("explain.signals.margin"),
        "words": lambda: say("explain.signals.words"),
        "asking": lambda: say("explain.signals.asking"),
        "agree": lambda: say("explain.signals.agree"),
        "bm25_first": lambda: say("explain.signals.bm25_first"),
        "base_first": lambda: say("explain.signals.base_first"),
        "coverage": lambda: say("explain.signals.coverage"),
        "focus": lambda: say("explain.signals.focus"),
        "missing": lambda: say("explain.signals.missing"),
        "unknown": lambda: say("explain.signals.unknown"),
        "sibling": lambda: say("explain.signals.sibling"),
    }
    found = names.get(name)
    return found() if found else name


def _signals(matcher: Matcher, result) -> str:
    """The fitted decision's signals that weigh most for this question, in Swedish."""
    decision = matcher.decision
    if decision is None:
        return ""
    parts = []
    for name, effect in decision.contributions(result.evidence)[:3]:
        value = result.evidence.get(name, 0.0)
        shown = num(value) if name == "top" else pct(value)
        signal = _signal_name(name)
        if effect > 0:
            parts.append(say("explain.signal_up", signal=signal, value=shown))
        else:
            parts.append(say("explain.signal_down", signal=signal, value=shown))
    return ", ".join(parts)


def _why_likely(matcher: Matcher, result) -> str:
    """The fitted decision's view of a long question (why it was, or was not, answered)."""
    decision = matcher.decision
    if (
        decision is None
        or not result.evidence
        or result.evidence.get("words", 0.0) * 10 < matcher.thresholds.long_words
    ):
        return ""
    probability, needed, signals = (
        pct(result.probability),
        pct(decision.cutoff_for(result.evidence)),
        _signals(matcher, result),
    )
    if result.reason.startswith("likely-long"):
        return say("explain.why_likely_long", probability=probability, needed=needed, signals=signals)
    return say("explain.why_unlikely_long", probability=probability, needed=needed, signals=signals)


def _why_sure(th, result, matcher: Matcher | None = None) -> str:
    if result.reason.startswith("likely-long") and matcher is not None:
        return _why_likely(matcher, result)
    if result.reason.startswith("lone-long"):
        return say("explain.why_lone_long", floor=num(th.suggest * 0.75), needed=num(th.lone_answer))
    if result.reason.startswith("not-here-answer"):
        return say("explain.why_not_here_answer", place=result.other_place_typed)
    if result.reason == "year-answer":
        return say("explain.why_year_answer", year=result.missing)
    if result.reason.startswith("party") and matcher is not None and result.missing in matcher.kb.parties:
        return say("explain.why_party", party=matcher.kb.parties[result.missing].name)
    if result.reason.startswith("clear-long"):
        sure = say(
            "explain.why_sure_long",
            answer=num(th.long_answer),
            margin=pct(result.margin),
            needed=pct(th.long_margin),
            confidence=pct(result.confidence),
            confidence_needed=pct(th.long_confidence),
        )
        if matcher is not None and matcher.decision is not None:
            # The fitted decision's cut-off holds for these answers too (session 17).
            cutoff = pct(matcher.decision.cutoff_for(result.evidence))
            sure += say("explain.why_sure_long_model", probability=pct(result.probability), needed=cutoff)
        return sure
    return say("explain.why_sure", answer=num(th.answer), margin=pct(result.margin))


def _why_unsure(th, result) -> str:
    top = result.best.score if result.best else 0.0
    if result.reason == "single-word":
        return say("explain.why_single_word")
    if result.reason == "facet":
        return say("explain.why_facet", facet=result.facet.label if result.facet else "")
    if result.reason == "elsewhere":
        return say("explain.why_elsewhere", place=result.missing)
    if result.reason == "unknown-word":
        return say("explain.why_unknown_word", word=result.unknown_word)
    if result.reason == "other-place":
        return say("explain.why_other_place", place=result.other_place)
    if result.reason == "other-thing":
        return say("explain.why_other_thing", thing=result.other_thing)
    if result.reason.startswith("not-here"):
        return say("explain.why_not_here", place=result.other_place_typed)
    if result.reason == "other-year":
        return say("explain.why_other_year", year=result.missing)
    if result.reason == "which-place":
        return say("explain.why_which_place")
    if result.reason == "undated-year":
        return say("explain.why_undated_year", year=result.missing)
    if result.reason.startswith("tie"):
        return say(
            "explain.why_tie",
            margin=pct(result.margin),
            tie=pct(th.tie_margin),
            probability=pct(result.probability),
            needed=pct(th.tie_probability),
        )
    if top < th.answer:
        return say("explain.why_below_answer", score=num(top), limit=num(th.answer))
    return say(
        "explain.why_small_margin",
        margin=pct(result.margin),
        needed=pct(th.margin),
        sure_margin=pct(th.sure_margin),
        sure=num(th.sure),
    )
