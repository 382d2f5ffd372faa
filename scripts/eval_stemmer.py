"""Evaluate Hunspell stemming (Debian hunspell-sv + the PyPI `hunspell` binding) against the
matcher's own Snowball + definite-form rules, on every accuracy set (issue 9).

    .venv/bin/pip install hunspell==0.5.5   # needs libhunspell-dev and hunspell-sv (apt)
    .venv/bin/python -m scripts.eval_stemmer

The matcher folds diacritics before stemming; Hunspell needs them, so each folded word is
looked up in its original spelling (collected from the knowledge base and the questions) and
Hunspell's first stem is used, Snowball when Hunspell does not know the word.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DICT = Path("/usr/share/hunspell")


def main() -> int:
    try:
        import hunspell  # noqa: PLC0415
    except ImportError:
        print("the PyPI package hunspell is not installed (see the docstring)")
        return 1
    import lotsen.matching as matching
    from lotsen.kb import load_knowledge_base
    from lotsen.text import WEAK_WORDS, fold, stem, tokens
    from scripts.accuracy import evaluate, load_questions, report

    kb = load_knowledge_base(ROOT / "knowledge")
    questions = load_questions()
    print("Snowball + rules (the matcher's own):")
    for line in report(evaluate(matching.Matcher(kb), questions)):
        if not line.startswith("    "):
            print("  " + line)

    speller = hunspell.HunSpell(str(DICT / "sv_SE.dic"), str(DICT / "sv_SE.aff"))
    texts = [t for e in kb.entries.values() for t in (e.question, e.answer, *e.phrasings)]
    texts += [f"{c.term} {c.expansion} {c.definition} {' '.join(c.aliases)}" for c in kb.concepts.values()]
    texts += [q["q"] for q in questions]
    original: dict[str, str] = {}
    for text in texts:
        for token in tokens(text):
            original.setdefault(fold(token), token)

    @lru_cache(maxsize=65536)
    def hunspell_stem(token: str) -> str:
        word = original.get(fold(token), token)
        try:
            found = speller.stem(word)
        except UnicodeEncodeError:
            found = []
        if found:
            first = found[0].decode() if isinstance(found[0], bytes) else found[0]
            return fold(first)
        return stem(token)

    matching.stem = hunspell_stem
    matching._WEAK_STEMS = frozenset(hunspell_stem(w) for w in WEAK_WORDS)
    matching._QUESTION_STEMS = frozenset(
        hunspell_stem(w) for w in ("vem", "vad", "hur", "nar", "var", "vart", "vilka", "vilken", "vilket", "varfor")
    )
    print("Hunspell (sv_SE) with Snowball for unknown words:")
    for line in report(evaluate(matching.Matcher(kb), questions)):
        if not line.startswith("    "):
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
