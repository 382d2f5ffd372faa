"""Fit the matcher's final blend (lotsen.matching.Ranker) on the tuning sets (never heldout2).

    .venv/bin/python -m scripts.fit_ranker [--epochs 600]

For every in-scope tuning question, the matcher's candidates are scored with the Weights blend
alone (Matcher(ranker=None)), and each candidate's evidence (the blend, coverage, focus, BM25,
core words, question word, word forms, and for a long message the asking clause's blend,
coverage and core words) is recorded. A listwise logistic regression (softmax over a
question's candidates: which one is right) is fitted by gradient descent, with the weights kept
non-negative so the blend stays a weighted mean in 0..1. It prints the top-1 of the Weights
blend and of the fitted blend per set, fitted without that set (leave one set out: how well it
generalises), then the Ranker to paste into lotsen/matching.py. The thresholds must then be
recalibrated with scripts.calibrate.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, fields

from lotsen.kb import load_knowledge_base
from lotsen.matching import ASK_POOL, Candidate, Matcher, Ranker, ask_clause
from scripts.accuracy import NEVER_FITTED, NO_ENTRY, ROOT, load_questions

NAMES = [f.name for f in fields(Ranker)]
CANDIDATES = 8


@dataclass
class Question:
    file: str
    category: str
    rows: list[list[float]]  # per candidate, the evidence in NAMES order
    right: list[bool]
    asking: bool


def _evidence(c: Candidate, ask: Candidate | None, asking: bool) -> list[float]:
    own = [c.base, c.overlap, c.fuzzy, c.rel_bm, c.key, c.intent, c.forms]
    asked = (ask.base, ask.overlap, ask.key) if ask and asking else (0.0, 0.0, 0.0)
    return [*own, *asked, c.place_match, c.place_ok]


def collect(matcher: Matcher) -> list[Question]:
    questions = []
    for q in load_questions():
        if q["file"] in NEVER_FITTED:
            continue
        expect = tuple(q["expect_any"]) if "expect_any" in q else (str(q.get("expect", NO_ENTRY)),)
        if expect in ((NO_ENTRY,), ("smalltalk",)) or q.get("category") in ("offtopic", "silent", "smalltalk"):
            continue
        text = q["q"]
        whole = matcher._match(text, matcher._analyse(text, correct=True), max(CANDIDATES, ASK_POOL), None)
        if not whole.candidates:
            continue
        ask = ask_clause(text)
        found: dict[str, Candidate] = {}
        if ask:
            pool = [c.entry_id for c in whole.candidates[:ASK_POOL]]
            asked = matcher._match(ask, matcher._analyse(ask, correct=True), len(pool), pool)
            found = {c.entry_id: c for c in asked.candidates}
        cands = whole.candidates[:ASK_POOL] if ask else whole.candidates
        questions.append(
            Question(
                q["file"],
                str(q.get("category", "")),
                [_evidence(c, found.get(c.entry_id), bool(ask)) for c in cands],
                [c.entry_id in expect for c in cands],
                bool(ask),
            )
        )
    return questions


def fit(questions: list[Question], epochs: int, rate: float = 3.0, l2: float = 0.001) -> list[float]:
    """Listwise logistic regression by gradient descent, weights kept >= 0."""
    w = [1.0] + [0.0] * (len(NAMES) - 1)  # start from the Weights blend
    usable = [q for q in questions if any(q.right)]
    for _ in range(epochs):
        grad = [0.0] * len(NAMES)
        for q in usable:
            s = [sum(wj * xj for wj, xj in zip(w, x)) for x in q.rows]
            top = max(s)
            e = [math.exp(v - top) for v in s]
            z = sum(e)
            n_right = sum(q.right)
            for x, ei, r in zip(q.rows, e, q.right):
                diff = ei / z - (1.0 / n_right if r else 0.0)
                for j, xj in enumerate(x):
                    grad[j] += diff * xj
        w = [max(0.0, wj - rate * (g / len(usable) + l2 * wj)) for wj, g in zip(w, grad)]
    return w


def top1(questions: list[Question], w: list[float]) -> float:
    def blend(x: list[float], asking: bool) -> float:
        weight = sum(w[:7]) + w[11] + (sum(w[7:10]) if asking else 0.0)
        return sum(wj * xj for wj, xj in zip(w, x)) / (weight or 1.0)

    right = sum(q.right[max(range(len(q.rows)), key=lambda i: blend(q.rows[i], q.asking))] for q in questions)
    return right / len(questions) if questions else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=600)
    args = parser.parse_args()
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"), ranker=None)
    questions = collect(matcher)
    base = [1.0] + [0.0] * (len(NAMES) - 1)
    print(f"{len(questions)} in-scope tuning questions; top-1 Weights blend → fitted without the set")
    for name in sorted({q.file for q in questions}):
        test = [q for q in questions if q.file == name]
        w = fit([q for q in questions if q.file != name], args.epochs)
        situational = [q for q in test if q.category == "situational"]
        line = f"  {name:22s} ({len(test)}): {top1(test, base):.1%} → {top1(test, w):.1%}"
        if situational:
            line += f" · situational ({len(situational)}): {top1(situational, base):.1%} → {top1(situational, w):.1%}"
        print(line)
    w = fit(questions, args.epochs)
    print(f"all ({len(questions)}): {top1(questions, base):.1%} → {top1(questions, w):.1%} (fitted on all)")
    print("RANKER = Ranker(" + ", ".join(f"{n}={v:.2f}" for n, v in zip(NAMES, w)) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
