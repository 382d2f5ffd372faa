"""Accuracy of the matcher on the question sets in tests/accuracy/*.yaml.

    .venv/bin/python -m scripts.accuracy [--failures]

A question passes when the bot gives a confident answer and it is the expected entry.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import yaml

from lotsen.kb import load_knowledge_base
from lotsen.matching import ANSWER, Matcher

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "accuracy"
NO_ENTRY = "none"  # `expect: none`: no entry covers the question
SMALL_TALK = "smalltalk"  # `expect: smalltalk`: greetings/thanks; like `none`, no entry may answer


@dataclass
class Outcome:
    question: str
    expect: str
    origin: str
    level: str
    got: str
    score: float
    accept: tuple[str, ...] = ()  # `expect_any`: every id that counts as right (default: just `expect`)

    @property
    def no_entry(self) -> bool:
        return self.expect in (NO_ENTRY, SMALL_TALK)

    @property
    def passed(self) -> bool:
        if self.no_entry:  # nothing covers it: anything but a confident answer is right
            return self.level != ANSWER
        return self.level == ANSWER and self.got in (self.accept or (self.expect,))

    @property
    def top1(self) -> bool:
        """Right entry first, as an answer or as the first "Menade du …?" choice."""
        return self.passed if self.no_entry else self.got in (self.accept or (self.expect,))


def load_questions(directory: Path = QUESTIONS) -> list[dict]:
    items = []
    for path in sorted(directory.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            accept = list(item.get("expect_any") or [item["expect"]])
            items.append({**item, "expect": item.get("expect", accept[0]), "accept": accept, "file": path.name})
    return items


def evaluate(matcher: Matcher, questions: list[dict]) -> list[Outcome]:
    outcomes = []
    for q in questions:
        result = matcher.match(q["q"])
        best = result.best
        outcomes.append(Outcome(q["q"], q["expect"], str(q.get("origin", "")), result.level,
                                best.entry_id if best else "", best.score if best else 0.0,
                                tuple(q.get("accept", ()))))
    return outcomes


def rate(outcomes: list[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--failures", action="store_true", help="list every question that did not pass")
    parser.add_argument("--dir", default=str(ROOT / "knowledge"))
    args = parser.parse_args()
    matcher = Matcher(load_knowledge_base(args.dir))
    outcomes = evaluate(matcher, load_questions())
    digest = [o for o in outcomes if o.origin.startswith("digest")]
    other = [o for o in outcomes if not o.origin.startswith("digest")]
    print(f"DIGEST §9 questions: {sum(o.passed for o in digest)}/{len(digest)} = {rate(digest):.1%}")
    print(f"Other phrasings:     {sum(o.passed for o in other)}/{len(other)} = {rate(other):.1%}")
    print(f"All:                 {sum(o.passed for o in outcomes)}/{len(outcomes)} = {rate(outcomes):.1%}")
    for label, group in (("DIGEST §9", digest), ("paraphrase", [o for o in other if o.origin == "paraphrase"]),
                         ("blind", [o for o in other if o.origin == "blind"]),
                         ("held-out", [o for o in other if o.origin == "heldout"]),
                         ("held-out 2", [o for o in other if o.origin == "heldout2"])):
        if not group:
            continue
        top1 = sum(o.top1 for o in group)
        wrong = sum(o.level == ANSWER and not o.passed for o in group)
        print(f"  {label:11s} confident and right: {sum(o.passed for o in group)}/{len(group)} = {rate(group):.1%}")
        print(f"  {label:11s} right entry first (answer or first 'Menade du' choice): {top1}/{len(group)}"
              f" · confidently wrong: {wrong}")
    if args.failures:
        for o in outcomes:
            if not o.passed:
                print(f"  [{o.origin}] {o.question!r}: expected {o.expect}, got {o.level} {o.got} ({o.score:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
