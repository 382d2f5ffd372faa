"""Questions that ask for an amount, a duration, who pays, a name or a count (lotsen/data/facets.yaml),
or about a place outside Jönköpings län (lotsen/data/elsewhere.yaml).

"Vad kostar en plats på KPF?" is not answered by what KPF is: when a question asks for one of
these facets and the best entry's answer names none (no sum, no time, no number), the matcher
offers the entry instead of answering with it (reason "facet"). An entry marked `gap: true`
says the documents are silent, which answers any facet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lotsen.text import normalise, stem

FACETS = Path(__file__).resolve().parent / "data" / "facets.yaml"
ELSEWHERE = Path(__file__).resolve().parent / "data" / "elsewhere.yaml"


@dataclass(frozen=True)
class Facet:
    name: str
    label: str  # Swedish, for "testa:": "ett belopp"
    none: str  # Swedish, for the suggestions card: "inget belopp"
    asks: tuple[re.Pattern[str], ...]  # over the folded question
    answered_by: tuple[re.Pattern[str], ...]  # over the folded answer


@lru_cache(maxsize=1)
def facets() -> tuple[Facet, ...]:
    data = yaml.safe_load(FACETS.read_text(encoding="utf-8"))["facets"]
    return tuple(
        Facet(
            name=str(name),
            label=str(spec["label"]),
            none=str(spec["none"]),
            asks=tuple(re.compile(p) for p in spec["asks"]),
            answered_by=tuple(re.compile(p) for p in spec["answered_by"]),
        )
        for name, spec in data.items()
    )


def asked(folded_question: str) -> Facet | None:
    """The facet a folded question asks for, if any (the first in the file's order)."""
    return next((f for f in facets() if any(p.search(folded_question) for p in f.asks)), None)


def answers(facet: Facet, folded_answer: str) -> bool:
    """Whether a folded answer names what the facet asks for."""
    return any(p.search(folded_answer) for p in facet.answered_by)


@dataclass(frozen=True)
class Place:
    name: str  # as written in elsewhere.yaml: "Östergötland"
    stems: tuple[str, ...]  # its words' stems, to look for in an entry


@lru_cache(maxsize=1)
def _places_elsewhere() -> tuple[dict[str, Place], re.Pattern[str]]:
    """The places by their folded name, and one pattern that finds any of them (genitive -s too)."""
    names = [str(n) for n in yaml.safe_load(ELSEWHERE.read_text(encoding="utf-8"))["places"]]
    places = {normalise(n): Place(n, tuple(stem(w) for w in normalise(n).split())) for n in names}
    alternatives = "|".join(re.escape(f) for f in sorted(places, key=len, reverse=True))
    return places, re.compile(rf"\b({alternatives})s?\b")


def places_elsewhere(folded_question: str) -> list[Place]:
    """The places outside Jönköpings län a folded question names ("Kalmar", "Östergötland")."""
    places, pattern = _places_elsewhere()
    return [places[m.group(1)] for m in pattern.finditer(folded_question)]
