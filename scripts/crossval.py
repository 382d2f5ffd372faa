"""Cross-validation over the knowledge base's own phrasings: how the matcher answers phrasings
it has not seen.

    .venv/bin/python -m scripts.crossval [--folds 10] [--pairs] [--list]

Each fold leaves out every K-th phrasing (by a hash of entry id and text, so the folds are the
same from run to run), builds the matcher without them and asks them through the same decision as
scripts.accuracy (expected: their own entry). It prints strict accuracy, confidently wrong
answers and top-1 for short (at most 10 words) and long phrasings, and with --pairs the entry
pairs most often confused ("expected -> answered"), with --list the phrasings themselves.

The knowledge base talks to itself here, so anyone may read all of it: phrase writers use the
pairs to see which siblings a new phrasing must tell apart, and matcher changes are measured on
some 3,000 questions besides the tuning sets (the questions are in the knowledge base's own
style, so it is evidence beside the tuning sets, not instead of them).
"""

from __future__ import annotations

import argparse
import dataclasses
import zlib
from collections import Counter
from pathlib import Path

from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from scripts.accuracy import ROOT, Outcome, evaluate

SHORT_WORDS = 10


def folds(directory: Path, k: int) -> list[Outcome]:
    kb = load_knowledge_base(directory)
    outcomes: list[Outcome] = []
    for fold in range(k):
        held, entries = [], {}
        for entry_id, entry in kb.entries.items():
            keep = []
            for text in entry.phrasings:
                if zlib.crc32(f"{entry_id}|{text}".encode()) % k == fold:
                    category = "short" if len(text.split()) <= SHORT_WORDS else "long"
                    held.append({"q": text, "expect": entry_id, "category": category, "file": "crossval"})
                else:
                    keep.append(text)
            entries[entry_id] = dataclasses.replace(entry, phrasings=tuple(keep))
        outcomes += evaluate(Matcher(dataclasses.replace(kb, entries=entries)), held)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--pairs", action="store_true", help="the most often confused entry pairs")
    parser.add_argument("--list", action="store_true", help="every phrasing answered with another entry")
    parser.add_argument("--dir", default=str(ROOT / "knowledge"))
    args = parser.parse_args()
    outcomes = folds(Path(args.dir), args.folds)
    for category in ("short", "long", None):
        group = [o for o in outcomes if category is None or o.category == category]
        if not group:
            continue
        n, wrong = len(group), sum(o.wrong for o in group)
        print(
            f"{category or 'all'}: {n} phrasings · strict {sum(o.passed for o in group) / n:.1%} · "
            f"conf. wrong {wrong} ({wrong / n:.1%}) · top-1 {sum(o.top1 for o in group) / n:.1%} · "
            f"offered {sum(o.kind == 'suggest' for o in group)}"
        )
    if args.pairs:
        for (expected, got), count in Counter((o.expect[0], o.got) for o in outcomes if o.wrong).most_common(40):
            print(f"{count:4d}  {expected} -> {got}")
    if args.list:
        for o in outcomes:
            if o.wrong:
                print(f"  {o.question!r}: {o.expect[0]} -> {o.got} ({o.score:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
