"""General Swedish word frequencies (wordfreq's, lotsen/data/swedish_frequencies.tsv, built by
scripts/build_wordfreq.py): how common a word is outside the knowledge base. lotsen.domain uses
them for the off-topic signal; the matcher and the Vägvisaren patterns to tell a typo from
another word."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lotsen.text import fold, stem

FREQUENCIES = Path(__file__).resolve().parent / "data" / "swedish_frequencies.tsv"
FLOOR_ZIPF = 2.5  # a word missing from the general list (it lists Zipf 3 and up) is at most this common


@lru_cache(maxsize=1)
def _listed() -> tuple[tuple[str, float], ...]:
    """The list's words as spelt, with their Zipf frequencies (the file is read once)."""
    rows = []
    for line in FREQUENCIES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, value = line.split("\t")
            rows.append((word, float(value)))
    return tuple(rows)


@lru_cache(maxsize=1)
def general_frequencies() -> tuple[dict[str, float], dict[str, float]]:
    """(folded word → Zipf frequency, stem → probability summed over its words) of general Swedish."""
    words: dict[str, float] = {}
    stems: dict[str, float] = {}
    for word, value in _listed():
        folded = fold(word)
        if value > words.get(folded, 0.0):
            words[folded] = value
        stems[stem(folded)] = stems.get(stem(folded), 0.0) + 10 ** (value - 9)
    return words, stems


@lru_cache(maxsize=1)
def _typed_frequencies() -> dict[str, float]:
    """Lower-case word as spelt, with its diacritics → Zipf frequency ("smärta" and "smarta" apart)."""
    words: dict[str, float] = {}
    for word, value in _listed():
        lower = word.lower()
        words[lower] = max(value, words.get(lower, 0.0))
    return words


def typed_zipf(word: str) -> float:
    """How common a lower-case word is in general Swedish as spelt, diacritics kept ("varken" 4.9,
    "värken" 3.0); FLOOR_ZIPF when not listed."""
    return _typed_frequencies().get(word, FLOOR_ZIPF)


def zipf(word: str) -> float:
    """How common a folded word is in general Swedish (Zipf scale; FLOOR_ZIPF when not listed)."""
    return general_frequencies()[0].get(word, FLOOR_ZIPF)


def is_swedish(word: str) -> bool:
    """Whether a folded word is an ordinary Swedish word (in the general list)."""
    return word in general_frequencies()[0]
