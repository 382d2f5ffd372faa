"""Questions that ask for who pays, an amount, a payment, travel, a date, a year, an age limit, how
often, a wait, a duration, a name, who a role is for one place, a form's number, contact details,
which vårdcentral, a language, how to appeal or a count (lotsen/data/facets.yaml), or about a place
outside Jönköpings län (lotsen/data/elsewhere.yaml).

"Vad kostar en plats på KPF?" is not answered by what KPF is: when a question asks for one of
these facets and the best entry's answer names none (no sum, no time, no number), the matcher
offers the entry instead of answering with it (reason "facet"). An entry marked `gap: true`
says the documents are silent, which answers any facet of the kinds its phrasings ask about (all,
when they ask about none).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from lotsen.text import fold, normalise, stem, upper_first

FACETS = Path(__file__).resolve().parent / "data" / "facets.yaml"
ELSEWHERE = Path(__file__).resolve().parent / "data" / "elsewhere.yaml"


@dataclass(frozen=True)
class Facet:
    name: str
    label: str  # Swedish, for "testa:": "ett belopp"
    none: str  # Swedish, for the suggestions card: "inget belopp"
    asks: tuple[re.Pattern[str], ...]  # over the folded question
    answered_by: tuple[re.Pattern[str], ...]  # over the folded answer
    family: str = ""  # facets of one kind ("money": who pays, a sum, a payment); "" = its own name
    asks_as_typed: tuple[
        re.Pattern[str], ...
    ] = ()  # over the question in lower case, diacritics kept ("år" is not "är")


@lru_cache(maxsize=1)
def _facets_file() -> dict:
    return yaml.safe_load(FACETS.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def facets() -> tuple[Facet, ...]:
    data = _facets_file()["facets"]
    return tuple(
        Facet(
            name=str(name),
            label=str(spec["label"]),
            none=str(spec["none"]),
            asks=tuple(re.compile(p) for p in spec["asks"]),
            answered_by=tuple(re.compile(p) for p in spec["answered_by"]),
            family=str(spec.get("family", name)),
            asks_as_typed=tuple(re.compile(p) for p in spec.get("asks_as_typed", ())),
        )
        for name, spec in data.items()
    )


@lru_cache(maxsize=1)
def _not_asking() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _facets_file().get("not_asking", ()))


def asked(folded_question: str, typed: str = "") -> Facet | None:
    """The facet a folded question asks for, if any (the first in the file's order); none when
    the question asks something else around it ("vem avgör hur många procent …" asks who).
    `typed`, the question as typed, is for the patterns that need its diacritics ("vilket år")."""
    if any(p.search(folded_question) for p in _not_asking()):
        return None
    lower = typed.lower()
    return next(
        (
            f
            for f in facets()
            if any(p.search(folded_question) for p in f.asks)
            or (lower and any(p.search(lower) for p in f.asks_as_typed))
        ),
        None,
    )


def answers(facet: Facet, folded_answer: str) -> bool:
    """Whether a folded answer (`fold_answer`) names what the facet asks for."""
    return any(p.search(folded_answer) for p in facet.answered_by)


def fold_answer(answer: str) -> str:
    """An answer folded for `answers`. Folding drops "%", so it is written "pct" first: "en
    IPS-coach på 50 %" says how large the post is ("50 pct"). Not "procent": a share is no sum of
    money, and the amount facet's "procent" means the word as the answer writes it."""
    return normalise(answer.replace("%", " pct "))


_HOW_MANY = r"\bhur manga (?:(?:olika|nya|st|stycken|fler|av|de|dom)\s+)*"  # up to what is counted
_COUNTED = re.compile(_HOW_MANY + r"([^\W\d]\w{2,})")  # a word, not a year ("hur många 2024")
_ASKS_HOW_MANY = re.compile(_HOW_MANY)
# "hur många ips-deltagare hade …": an abbreviation's compound counts its head, when a verb or a
# preposition follows it ("hur många it-spår deltagare …" counts deltagare, "samstart-eleverna" is
# no abbreviation's).
_COUNTED_COMPOUND = re.compile(
    _HOW_MANY + r"[a-z]{2,3}-(\w{3,})"
    r"(?=\s+(?:hade|har|var|ar|fick|far|finns|fanns|gick|gar|deltog|deltar|blev|kom|i|pa|under|totalt)\b|\s*[?.!]?\s*$)"
)
# Numbers written as words, folded.
_NUMBER_WORDS = "tva|tre|fyra|fem|sex|sju|atta|nio|tio|elva|tolv|tretton|fjorton|femton|tjugo|trettio|hundra"
# Every number in a folded answer with the (up to three) words after it; a lookahead, so
# "år 2024 hade styrelsen sju möten" yields both "2024 …" and "sju möten". "En" and "ett" are
# articles, not counts: "en arbetsterapeut ansvarar" says nothing of how many work at AMIE.
_NUMBERED = re.compile(
    rf"(?=(?:\b(?:{_NUMBER_WORDS})"
    r"|(?<![\d,.])\d+(?:[,.]\d+)?)\s*((?:%|\w+)(?:\s+\w+){0,2}))"
)

# "Antal möten 2024: Aneby 6 …" counts möten; "antal vårdcentraler" with no number after it does not.
_ANTAL = re.compile(r"\bantal(?:et)? (\w+)(?=[^.\n]{0,20}\d)")
# A rate's words after a number name no thing counted: "10 timmar i veckan" counts timmar, not
# veckor ("hur många veckor är förrehab", session 30).
_RATE = frozenset(("i", "per", "om", "varje", "pa"))


def _counted_words(words: str) -> list[str]:
    """The words after a number up to a rate's preposition."""
    return list(itertools.takewhile(lambda word: word not in _RATE, words.split()))


@lru_cache(maxsize=1)
def _count_data() -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """The words after "hur många" that name no thing ("har", "klarade") and the groups of
    words that count the same thing ("deltagare", "personer")."""
    data = _facets_file()["count_words"]
    not_counted = frozenset(normalise(w) for w in data["not_counted"])
    alike = tuple(frozenset(stem(normalise(w)) if w != "%" else w for w in group) for group in data["alike"])
    return not_counted, alike


def counted(folded_question: str, typed: str = "") -> str:
    """What a "hur många …" question counts, as folded in the question ("hur många vårdcentraler"
    → "vardcentraler"), or "" when it names no thing ("hur många har en coach"). A compound typed
    with a hyphen counts its last part ("hur många ips-deltagare" → "deltagare"; folding makes the
    hyphen a space)."""
    if typed and (compound := _COUNTED_COMPOUND.search(fold(typed.lower()))) is not None:
        return compound.group(1)
    if (attending := _attending()) is not None and (m := attending[0].search(folded_question)) is not None:
        return attending[1]  # "hur många deltog …": the people taking part
    m = _COUNTED.search(folded_question)
    if m is None or m.group(1) in _count_data()[0]:
        return ""
    return m.group(1)


@lru_cache(maxsize=1)
def _attending() -> tuple[re.Pattern[str], str] | None:
    """A "hur många" followed by taking part ("deltog", "var med"), and the word it counts."""
    data = _facets_file()["count_words"].get("attending")
    if not data:
        return None
    phrases = "|".join(re.escape(normalise(p)) for p in data["phrases"])
    return re.compile(rf"\bhur manga (?:som )?(?:{phrases})\b"), normalise(data["counts"])


_PAID_FOR = re.compile(
    r"\bvem (?:som )?(?:betalar|finansierar|bekostar|star for)(?: for)? (?:en |ett |den |det |de )?(\w[\w-]*)"
)


def paid_for(folded_question: str) -> str:
    """What a "vem betalar …" question asks about, as folded in the question ("vem betalar
    resorna till it-spåret" → "resorna"), or "" when it names nothing after the verb."""
    m = _PAID_FOR.search(folded_question)
    return m.group(1) if m is not None and m.group(1) not in _count_data()[0] else ""


_COST_OF = re.compile(
    r"\bvad (?:kostar|kostade|kostat)(?: (?:en|ett|den|det|de|dom|oss|er|dig|mig|kommunen|forbundet|hsf)\b)*"
    r" (?!(?:en|ett|den|det|de|dom|oss|er|dig|mig|kommunen|forbundet|hsf)\b)(\w[\w-]*)"
)


def cost_of(folded_question: str) -> str:
    """What a "vad kostar …" question asks the cost of, as folded in the question ("vad kostade
    revisionen 2024" → "revisionen"), or "" when it names nothing after the verb."""
    m = _COST_OF.search(folded_question)
    if m is None or m.group(1) in _count_data()[0] or m.group(1).isdigit():
        return ""
    return m.group(1)


def of_what(facet: Facet, word: str) -> Facet:
    """The count facet naming what it counts: "ett antal vårdcentraler", "inget antal vårdcentraler"."""
    return replace(facet, label=f"{facet.label} {word}", none=f"{facet.none} {word}")


def in_place(facet: Facet, place: str) -> Facet:
    """The facet for one place: "ett antal för Värnamo", "inget antal för Värnamo"."""
    return of_what(facet, f"för {upper_first(place)}")


COMPOUND_WINDOW = 4  # words before a number in which a compound's first part must stand ("hade styrelsen sju möten")


def _about(modifier: str, words: list[str]) -> bool:
    """Whether one of the words is the compound's first part, inflected ("styrelse", "styrelsen")."""
    return any(
        min(len(modifier), len(s := stem(w))) >= 4 and (modifier.startswith(s) or s.startswith(modifier)) for w in words
    )


def counts(what: str, folded_answer: str) -> bool:
    """Whether a folded answer gives a number of `what` (a stem): "13 kommuner" counts kommuner,
    not vårdcentraler; so does "antal kommuner"; a compound ending in it counts too ("fyra
    samverkansgrupper" for "grupp"), and so does a word in its group ("20 personer" for "deltagare")."""
    groups = _count_data()[1]
    alike = next((g for g in groups if what in g), frozenset((what,)))
    # A compound counts as its head when what it is about stands just before the number:
    # "styrelsemöten" in "År 2024 hade styrelsen sju möten", not "samverkansträffar" in
    # "Arbetsgruppen … träffas minst fyra gånger per år" (session 29).
    head_group, modifier = next(
        ((g, what[: -len(w)]) for g in groups if what not in g for w in g if len(w) >= 3 and what.endswith(w)),
        (frozenset(), ""),
    )
    for m in itertools.chain(_NUMBERED.finditer(folded_answer), _ANTAL.finditer(folded_answer)):
        if head_group and _about(modifier, folded_answer[: m.start()].split()[-COMPOUND_WINDOW:]):
            if any(stem(word) in head_group for word in m.group(1).split()):
                return True
        for word in _counted_words(m.group(1)):
            s = word if word == "%" else stem(word)  # stem("%") would be ""
            if any(
                s == w
                or (len(w) >= 3 and s.endswith(w))
                or (min(len(s), len(w)) >= 4 and (w.endswith(s) or s.startswith(w)))
                for w in alike
            ):
                return True
    return False


# A number that counts something, for a "hur många" that names no thing ("hur många fick jobb via
# IPS"): not a year, a share, a sum or a time ("50 %", "sedan januari 2024", "10 månader"; session 30).
_ANY_NUMBER = re.compile(rf"(?<![\d,.])(\d+(?:[,.]\d+)?|{_NUMBER_WORDS})\b\s*(%|\w+)?")
_NO_COUNT_AFTER = frozenset(
    {"%", "procent", "kr", "kronor", "tkr", "mkr", "kap", "kapitel"}  # a share, a sum, a paragraph
    | {"timme", "timmar", "dag", "dagar", "vecka", "veckor", "manad", "manader", "ar"}  # a time
)


def asks_how_many(folded_question: str) -> bool:
    """Whether a folded question asks "hur många …" (not "antal …")."""
    return _ASKS_HOW_MANY.search(folded_question) is not None


def counts_anything(folded_answer: str) -> bool:
    """Whether a folded answer gives a number that counts something: not a year ("2024"), a share,
    a sum, a time or a paragraph."""
    for m in _ANY_NUMBER.finditer(folded_answer):
        number, after = m.group(1), m.group(2) or ""
        if number.isdigit() and len(number) == 4 and number[:2] in ("19", "20"):
            continue
        if after in _NO_COUNT_AFTER:
            continue
        return True
    return False


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
