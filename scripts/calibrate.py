"""Calibrate the matcher's answer thresholds on the tuning sets (never the held-out ones).

    .venv/bin/python -m scripts.calibrate [--penalty 3]

Every tuning question is matched once; then each combination of thresholds is applied to the
recorded scores and margins: a right entry answered counts +1, a wrong one (or any answer to a
question nothing should answer) counts -penalty. Prints the best combinations and today's.
The fitted decision for long questions (lotsen.matching.DECISION, scripts.fit_decision) is
applied as it is: fit it first, then calibrate. The decision around the matcher (small talk,
glossary, off-topic words, commands) is left out, so the figures are the matcher's; check the
winner with scripts.accuracy."""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, fields, replace

from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher, Thresholds
from scripts.accuracy import NEVER_FITTED, NO_ENTRY, ROOT, load_questions


@dataclass
class Row:
    top: float
    margin: float
    words: int  # meaningful words
    clear: bool  # not a one-word question with a weak best phrasing
    right: bool  # the matcher's best entry is an acceptable one
    none: bool  # nothing should answer
    file: str  # the question set (leave one set out)
    prob: float = 1.0  # the Ranker's softmax probability of the best entry among the candidates
    likely: float = 0.0  # the fitted decision's probability that the best entry is right (Decision)


def answered(th: Thresholds, r: Row, cutoff: float = 2.0) -> bool:
    """Matcher._decide's answer rule (`cutoff`: the fitted decision's, 2 for none)."""
    if not r.clear:
        return False
    if r.top >= th.answer and (r.margin >= th.margin or (r.top >= th.sure and r.margin >= th.sure_margin)):
        return True
    if r.words >= th.long_words and r.top >= th.long_answer and r.margin >= th.long_margin:
        if r.prob >= th.long_confidence:
            return True
    return r.words >= th.long_words and r.top >= th.suggest and r.likely >= cutoff


def score(th: Thresholds, rows: list[Row], penalty: float, cutoff: float = 2.0) -> tuple[float, int, int]:
    good = bad = 0
    for r in rows:
        if answered(th, r, cutoff):
            if r.right and not r.none:
                good += 1
            else:
                bad += 1
    return good - penalty * bad, good, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--penalty", type=float, default=3.0)
    parser.add_argument("--max-wrong", type=int, help="instead: the most right answers with at most this many wrong")
    parser.add_argument(
        "--loso", action="store_true", help="also: per set, the thresholds chosen without it (answer … sure_margin)"
    )
    args = parser.parse_args()
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    rows = []
    for q in load_questions():
        if q["file"] in NEVER_FITTED or q.get("expect") == "smalltalk" or q.get("category") == "smalltalk":
            continue
        expect = tuple(q["expect_any"]) if "expect_any" in q else (str(q.get("expect", NO_ENTRY)),)
        result = matcher.match(q["q"])
        if not result.best:
            continue
        meaningful = [s for s in result.stems if s not in matcher._weak and (matcher.knows(s) or not s.isdigit())]
        clear = len(meaningful) > 1 or result.best.overlap >= 0.95
        rows.append(
            Row(
                result.best.score,
                result.margin,
                len(meaningful),
                clear,
                result.best.entry_id in expect,
                expect == (NO_ENTRY,) or q.get("category") in ("offtopic", "silent"),
                q["file"],
                result.confidence,
                result.probability,
            )
        )
    today = Thresholds()
    cutoff = matcher.decision.cutoff if matcher.decision is not None else 2.0
    grid = {
        "answer": [0.48, 0.50, 0.52, 0.54, 0.56, 0.58, 0.60],
        "margin": [0.04, 0.06, 0.08, 0.10, 0.12, 0.14],
        "sure": [0.60, 0.64, 0.66],
        "sure_margin": [0.0, 0.02, 0.04],
        "long_words": [7, 8],
        "long_answer": [0.36, 0.38, 0.40, 0.42, 0.44],
        "long_margin": [0.04, 0.06, 0.08, 0.10, 0.12],
        "long_confidence": [0.0, 0.4, 0.5, 0.6, 0.7],
    }
    results = []
    for values in itertools.product(*grid.values()):
        th = replace(today, **dict(zip(grid, values)))
        results.append((score(th, rows, args.penalty, cutoff), th))
    if args.max_wrong is not None:
        results = [r for r in results if r[0][2] <= args.max_wrong]
        results.sort(key=lambda x: (-x[0][1], x[0][2]))
    else:
        results.sort(key=lambda x: -x[0][0])
    names = [f.name for f in fields(Thresholds) if f.name in grid]
    print(f"{len(rows)} tuning questions; +1 right answer, -{args.penalty:g} wrong")
    s, good, bad = score(today, rows, args.penalty, cutoff)
    print(f"today: {s:.0f} ({good} right, {bad} wrong) " + " ".join(f"{n}={getattr(today, n)}" for n in names))
    for (s, good, bad), th in results[:10]:
        print(f"  {s:.0f} ({good} right, {bad} wrong) " + " ".join(f"{n}={getattr(th, n)}" for n in names))
    if args.loso:
        leave_one_set_out(rows, grid, today, args.penalty, cutoff)
    return 0


def leave_one_set_out(rows: list[Row], grid: dict, today: Thresholds, penalty: float, cutoff: float) -> None:
    """Per set: today's thresholds against the best of the short-question grid (answer, margin,
    sure, sure_margin; the long-question thresholds as today) chosen on the other sets."""
    keys = ("answer", "margin", "sure", "sure_margin")
    candidates = [replace(today, **dict(zip(keys, v))) for v in itertools.product(*(grid[k] for k in keys))]
    print("leave one set out: answers right/wrong today → with the thresholds chosen without the set")
    totals = [0, 0, 0, 0]
    for name in sorted({r.file for r in rows}):
        test = [r for r in rows if r.file == name]
        train = [r for r in rows if r.file != name]
        chosen = max(candidates, key=lambda th: score(th, train, penalty, cutoff)[0])
        _, g0, b0 = score(today, test, penalty, cutoff)
        _, g1, b1 = score(chosen, test, penalty, cutoff)
        totals = [t + v for t, v in zip(totals, (g0, b0, g1, b1))]
        picked = " ".join(f"{k}={getattr(chosen, k)}" for k in keys)
        print(f"  {name:28s} ({len(test):3d}): {g0:3d}/{b0} → {g1:3d}/{b1}  ({picked})")
    print(f"  {'all':28s} ({len(rows):3d}): {totals[0]:3d}/{totals[1]} → {totals[2]:3d}/{totals[3]}")


if __name__ == "__main__":
    raise SystemExit(main())
