"""Do two versions of the matcher give the same answers? A guard for speed work.

    .venv/bin/python -m scripts.match_equivalence --write /tmp/before.json    # before a change
    .venv/bin/python -m scripts.match_equivalence --compare /tmp/before.json  # after it

Records, for every question of every set in tests/accuracy on the shipped knowledge base:
the decision a user would get (scripts.accuracy.evaluate: kind, entry, alternatives) and the
matcher's full result (level, reason, margin, domain, topical, missing word, the top three
candidates with every part of their score, the "Menar du kanske" alternatives); the
knowledge-base check's collision warnings on the shipped knowledge base; and the top three
of 600 questions on a synthetic knowledge base of --entries entries (denser, so candidate
pruning matters more). `--compare` prints every difference and exits 1 when there is one.

Scores are compared exactly (repr of the floats), so a change that only reorders a sum shows.
Sums over sets depend on Python's string hashing (ties between two phrasings of one entry are
broken by it), so the script runs itself with PYTHONHASHSEED=0.
The formula itself may change on main meanwhile (issue 9): record "before" on the same
formula as "after" (e.g. `git stash`, record, `git stash pop`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _candidate(c) -> list:
    return [
        c.entry_id,
        repr(c.score),
        c.phrasing,
        c.shared,
        repr(c.overlap),
        repr(c.fuzzy),
        repr(c.bm25),
        repr(c.key),
        repr(c.intent),
        repr(c.forms),
    ]


def _result(matcher, text: str) -> dict:
    r = matcher.match(text)
    return {
        "level": r.level,
        "reason": r.reason,
        "margin": repr(r.margin),
        "domain": repr(r.domain),
        "topical": r.topical,
        "missing": r.missing,
        "off_topic": r.off_topic,
        "stems": r.stems,
        "corrections": r.corrections,
        "candidates": [_candidate(c) for c in r.candidates],
        "alternatives": [c.entry_id for c in matcher.alternatives(r)],
    }


def record(entries: int) -> dict:
    from lotsen.kb import load_knowledge_base
    from lotsen.kb.quality import _collisions
    from lotsen.matching import Matcher
    from scripts.accuracy import evaluate, load_questions
    from scripts.benchmark import synthetic_kb

    kb = load_knowledge_base(ROOT / "knowledge")
    matcher = Matcher(kb)
    questions = load_questions()
    out: dict = {"decisions": {}, "matches": {}, "collisions": [], "synthetic": {}}
    for o in evaluate(matcher, questions):
        out["decisions"][f"{o.file}: {o.question}"] = [o.kind, o.got, list(o.offered), o.top, repr(o.score)]
    for q in questions:
        out["matches"][f"{q['file']}: {q['q']}"] = _result(matcher, q["q"])
    out["collisions"] = [f"{p.file}:{p.line} {p.message}" for p in _collisions(kb, matcher)]
    big, words = synthetic_kb(kb, entries)
    big_matcher = Matcher(big)
    rng = random.Random(11)
    texts = [" ".join(rng.sample(words, 4)) for _ in range(300)] + [q["q"] for q in questions][:300]
    for text in texts:
        out["synthetic"][text] = _result(big_matcher, text)
    return out


def compare(before: dict, after: dict) -> list[str]:
    diffs = []
    for part in ("decisions", "matches", "synthetic"):
        for key in sorted(set(before[part]) | set(after[part])):
            if before[part].get(key) != after[part].get(key):
                diffs.append(f"{part}: {key}\n    before {before[part].get(key)}\n    after  {after[part].get(key)}")
    if before["collisions"] != after["collisions"]:
        gone = [c for c in before["collisions"] if c not in after["collisions"]]
        new = [c for c in after["collisions"] if c not in before["collisions"]]
        diffs.append(
            f"collisions: {len(before['collisions'])} before, {len(after['collisions'])} after"
            + "".join(f"\n    - {c}" for c in gone)
            + "".join(f"\n    + {c}" for c in new)
        )
    return diffs


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        return subprocess.run(
            [sys.executable, "-m", "scripts.match_equivalence", *sys.argv[1:]], env=env, cwd=ROOT
        ).returncode
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="record the current matcher's answers here")
    group.add_argument("--compare", type=Path, help="compare the current matcher with this recording")
    parser.add_argument("--entries", type=int, default=2000, help="size of the synthetic knowledge base")
    args = parser.parse_args()
    current = record(args.entries)
    if args.write:
        args.write.write_text(json.dumps(current, ensure_ascii=False, indent=1), encoding="utf-8")
        print(
            f"recorded {len(current['decisions'])} decisions, {len(current['matches'])} matches, "
            f"{len(current['collisions'])} collision warnings, {len(current['synthetic'])} synthetic matches"
        )
        return 0
    diffs = compare(json.loads(args.compare.read_text(encoding="utf-8")), current)
    for d in diffs:
        print(d)
    print(
        f"{len(diffs)} differences ({len(current['decisions'])} decisions, {len(current['matches'])} matches, "
        f"{len(current['collisions'])} collision warnings, {len(current['synthetic'])} synthetic matches)"
    )
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
