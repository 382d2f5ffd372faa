"""Facts from Swedish free text, each with the words it came from; situation detection.

The vocabulary is data (knowledge/vagvisare.yaml); this module only applies it:

- a municipality is recognised by its name or alias in geography.yaml, also in the genitive
  ("Jönköpings", "Vetlandas") and with a typo in longer names;
- a one-value fact takes the most specific matching pattern (most words; on a tie the value
  listed first), so "inte sjukskriven" beats "sjukskriven" and "långvarigt försörjningsstöd"
  beats "försörjningsstöd";
- a duration next to an anchor ("fsö i 3 år", "försörjningsstöd sedan 2021") and a percentage
  next to an anchor ("sjukskriven 50 %") decide the value when the fact says so;
- a several-values fact collects every value that is not negated ("ingen missbruk");
- a number fact ("21 år") ignores numbers that belong to a duration or percentage, that
  follow one of its `not_after` words ("i 3 år"), or that fall outside its range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lotsen.kb.model import KnowledgeBase
from lotsen.text import fold
from lotsen.texts import say
from lotsen.vagvisare.model import MUNICIPALITY, NUMBER, ONE, SEVERAL, Fact, Navigator, Pattern
from lotsen.vagvisare.patterns import Match, PatternSet, Scan, Token, compile_pattern, number_value, tokenize

DURATION_WINDOW = 6
PERCENT_WINDOW = 3
YEAR_UNITS = ("ar", "ars", "aret", "aren")
MONTH_UNITS = ("manad", "manader", "manaden", "manaderna", "man", "mand")
WEEK_UNITS = ("vecka", "veckor", "veckan", "veckorna")
TIME_UNITS = YEAR_UNITS + MONTH_UNITS + WEEK_UNITS + ("dag", "dagar", "timme", "timmar", "tim", "h")
SINCE_WORDS = ("sedan", "fran", "sen")

# Situation thresholds (behaviour, not vocabulary): how many facts make a description.
STRONG_FACTS_WITH_CLIENT = 3
STRONG_FACTS_WITHOUT_CLIENT = 4
STRONG_MIN_WORDS = 12
WEAK_FACTS_WITH_CLIENT = 1
WEAK_FACTS_WITHOUT_CLIENT = 2
WEAK_MIN_WORDS_WITH_CLIENT = 15  # a long message about a client is a situation even without facts


@dataclass(frozen=True)
class Found:
    """One piece of evidence: fact = value, from these words of the text."""

    fact: str
    value: Any
    words: str
    pattern: str


@dataclass
class Extraction:
    facts: dict[str, Any] = field(default_factory=dict)  # id → str | frozenset[str] | int
    evidence: dict[str, list[Found]] = field(default_factory=dict)
    client: list[str] = field(default_factory=list)  # words showing it is about one person
    trigger: str = ""  # the words that asked for the navigator by name
    next_step: str = ""  # "vad gör jag?": asks for the next step, not a specific fact
    question: bool = False  # has a question mark
    word_count: int = 0
    place_facts: tuple[str, ...] = ()  # municipality facts: where the person lives, not who they are

    @property
    def fact_count(self) -> int:
        return sum(1 for v in self.facts.values() if v not in (None, frozenset()))

    @property
    def is_strong(self) -> bool:
        """A description the navigator takes before question answering."""
        if self.trigger:
            return True
        if self.word_count < STRONG_MIN_WORDS:
            return False
        return self.fact_count >= (STRONG_FACTS_WITH_CLIENT if self.client else STRONG_FACTS_WITHOUT_CLIENT)

    @property
    def has_person_facts(self) -> bool:
        """Something about the person beyond where they live (the kommun)."""
        return any(v not in (None, frozenset()) for k, v in self.facts.items() if k not in self.place_facts)

    @property
    def asks_specific_question(self) -> bool:
        """A question other than "what do I do next": question answering may know it."""
        return self.question and not self.next_step and not self.trigger

    @property
    def is_situational(self) -> bool:
        """A description of a client's situation (strong, or enough for the QA hook)."""
        if self.is_strong or (self.client and self.word_count >= WEAK_MIN_WORDS_WITH_CLIENT):
            return True
        return self.fact_count >= (WEAK_FACTS_WITH_CLIENT if self.client else WEAK_FACTS_WITHOUT_CLIENT)


def _words(text: str, tokens: list[Token], start: int, end: int) -> str:
    return text[tokens[start].start : tokens[end - 1].end]


def _municipality_patterns(kb: KnowledgeBase) -> list[tuple[str, Pattern]]:
    out = []
    for muni in kb.municipalities.values():
        for name in dict.fromkeys((muni.name, *muni.aliases)):  # in order: the same result in every process
            base = compile_pattern(name)
            out.append((muni.id, base))
            last = base.elements[-1].text
            if not last.endswith("s"):  # genitive: "Jönköpings", "Vetlandas"
                out.append((muni.id, compile_pattern(" ".join([*name.split()[:-1], name.split()[-1] + "s"]))))
    return out


def _all_patterns(nav: Navigator, municipalities: list[tuple[str, Pattern]]) -> list[Pattern]:
    out = [*nav.next_step, *nav.triggers, *nav.client, *(p for _, p in municipalities)]
    for fact in nav.facts.values():
        out += [p for v in fact.values for p in v.patterns]
        out += fact.patterns
        out += fact.duration.anchors if fact.duration else ()
        out += fact.percent.anchors if fact.percent else ()
    return out


class Extractor:
    """Compiled once per knowledge-base snapshot (see `extractor_for`)."""

    def __init__(self, nav: Navigator, kb: KnowledgeBase):
        self.nav = nav
        self.kb = kb
        self.municipalities = _municipality_patterns(kb)
        self.patterns = PatternSet(_all_patterns(nav, self.municipalities))
        self._triggers = PatternSet(nav.triggers)

    def names_navigator(self, tokens: list[Token]) -> bool:
        """Whether the text asks for the navigator by name (one of its trigger patterns)."""
        scan = self._triggers.scan(tokens)
        return any(scan.find_all(pattern) for pattern in self.nav.triggers)

    def extract(self, text: str, today: date | None = None) -> Extraction:
        today = today or date.today()
        tokens = tokenize(text)
        scan = self.patterns.scan(tokens)
        out = Extraction(
            word_count=len(tokens),
            question="?" in text,
            place_facts=tuple(f.id for f in self.nav.facts.values() if f.kind == MUNICIPALITY),
        )
        for pattern in self.nav.next_step:
            matches = scan.find_all(pattern)
            if matches:
                out.next_step = _words(text, tokens, matches[0].start, matches[0].end)
                break
        for pattern in self.nav.triggers:
            matches = scan.find_all(pattern)
            if matches:
                out.trigger = _words(text, tokens, matches[0].start, matches[0].end)
                break
        for pattern in self.nav.client:
            for match in scan.find_all(pattern):
                out.client.append(_words(text, tokens, match.start, match.end))
        used_numbers: set[int] = set()
        for fact in self.nav.facts.values():
            if fact.kind == MUNICIPALITY:
                self._municipality(fact, text, tokens, scan, out)
            elif fact.kind == ONE:
                self._one(fact, text, tokens, scan, out, used_numbers, today)
            elif fact.kind == SEVERAL:
                self._several(fact, text, tokens, scan, out)
        for fact in self.nav.facts.values():
            if fact.kind == NUMBER:
                self._number(fact, text, tokens, scan, out, used_numbers)
        return out

    # --- per kind ---------------------------------------------------------------------------

    def _municipality(self, fact: Fact, text: str, tokens: list[Token], scan: Scan, out: Extraction) -> None:
        best: tuple[int, int, str, Match] | None = None
        for muni_id, pattern in self.municipalities:
            for match in scan.find_all(pattern):
                if match.end < len(tokens) and tokens[match.end].text == "lan":
                    continue  # "Jönköpings län" is the county, not the municipality
                key = (match.start, -pattern.weight)
                if best is None or key < (best[0], best[1]):
                    best = (match.start, -pattern.weight, muni_id, match)
        if best:
            muni_id, match = best[2], best[3]
            out.facts[fact.id] = muni_id
            out.evidence[fact.id] = [
                Found(fact.id, muni_id, _words(text, tokens, match.start, match.end), match.pattern.text)
            ]

    def _one(
        self,
        fact: Fact,
        text: str,
        tokens: list[Token],
        scan: Scan,
        out: Extraction,
        used_numbers: set[int],
        today: date,
    ) -> None:
        candidates: list[tuple[int, int, str, Found]] = []  # (weight, value order, value, evidence)
        order = {v.value: i for i, v in enumerate(fact.values)}
        for value in fact.values:
            for pattern in value.patterns:
                for match in scan.find_all(pattern):
                    words = _words(text, tokens, match.start, match.end)
                    candidates.append(
                        (
                            pattern.weight,
                            order[value.value],
                            value.value,
                            Found(fact.id, value.value, words, pattern.text),
                        )
                    )
        extra = [
            fact.duration and self._duration(fact, text, tokens, scan, used_numbers, today),
            fact.percent and self._percent(fact, text, tokens, scan, used_numbers),
        ]
        for found in extra:
            if found:
                weight, chosen, evidence = found
                candidates.append((weight, order[chosen], chosen, evidence))
        if not candidates:
            return
        candidates.sort(key=lambda c: (-c[0], c[1]))
        _, _, best, best_evidence = candidates[0]
        out.facts[fact.id] = best
        out.evidence[fact.id] = [best_evidence]

    def _duration(
        self, fact: Fact, text: str, tokens: list[Token], scan: Scan, used_numbers: set[int], today: date
    ) -> tuple[int, str, Found] | None:
        assert fact.duration is not None
        for pattern in fact.duration.anchors:
            for match in scan.find_all(pattern):
                lo, hi = max(0, match.start - DURATION_WINDOW), min(len(tokens), match.end + DURATION_WINDOW)
                spans = []  # after the anchor first ("fsö i 3 år"), then before it ("3 år på fsö")
                for j in range(lo, hi):
                    if match.start <= j < match.end:
                        continue
                    found = _months_at(tokens, j, today)
                    if found is not None:
                        spans.append((0 if j >= match.end else 1, abs(j - match.start), j, found))
                if not spans:
                    continue
                _, _, j, (months, first, last) = min(spans)
                for threshold, value in fact.duration.at_least:
                    if months >= threshold:
                        used_numbers.add(j)
                        a, b = min(first, match.start), max(last, match.end)
                        words = _words(text, tokens, a, min(b, len(tokens)))
                        return (
                            pattern.weight + 2,
                            value,
                            Found(
                                fact.id,
                                value,
                                words,
                                say("vagvisare.test_duration_evidence", pattern=pattern.text, months=months),
                            ),
                        )
        return None

    def _percent(
        self, fact: Fact, text: str, tokens: list[Token], scan: Scan, used_numbers: set[int]
    ) -> tuple[int, str, Found] | None:
        assert fact.percent is not None
        for pattern in fact.percent.anchors:
            for match in scan.find_all(pattern):
                lo, hi = max(0, match.start - PERCENT_WINDOW), min(len(tokens), match.end + PERCENT_WINDOW)
                for j in range(lo, hi):
                    n = number_value(tokens[j].text) if tokens[j].text.isdigit() else None
                    if n is None or not 1 <= n <= 100:
                        continue
                    after = tokens[j + 1].text if j + 1 < len(tokens) else ""
                    before = tokens[j - 1].text if j > 0 else ""
                    if after in TIME_UNITS or before in SINCE_WORDS:
                        continue
                    value = fact.percent.full_value if n >= fact.percent.full else fact.percent.part_value
                    used_numbers.add(j)
                    a, b = min(j, match.start), max(j + 1, match.end)
                    if after in ("procent", "proc", "pct"):
                        b = max(b, j + 2)
                    return (
                        pattern.weight + 3,
                        value,
                        Found(fact.id, value, _words(text, tokens, a, b), f"{pattern.text} + {n} %"),
                    )
        return None

    def _several(self, fact: Fact, text: str, tokens: list[Token], scan: Scan, out: Extraction) -> None:
        values: list[str] = []
        evidence: list[Found] = []
        for value in fact.values:
            for pattern in value.patterns:
                for match in scan.find_all(pattern):
                    if self._negated(fact, tokens, match):
                        continue
                    if value.value not in values:
                        values.append(value.value)
                        evidence.append(
                            Found(fact.id, value.value, _words(text, tokens, match.start, match.end), pattern.text)
                        )
                    break
                if value.value in values:
                    break
        if values:
            out.facts[fact.id] = frozenset(values)
            out.evidence[fact.id] = evidence

    @staticmethod
    def _negated(fact: Fact, tokens: list[Token], match: Match) -> bool:
        if not fact.negated_by:
            return False
        before = [t.text for t in tokens[max(0, match.start - 2) : match.start]]
        return any(word in fact.negated_by for word in before)

    def _number(
        self, fact: Fact, text: str, tokens: list[Token], scan: Scan, out: Extraction, used_numbers: set[int]
    ) -> None:
        best: tuple[int, int, Found] | None = None
        for pattern in fact.patterns:
            for match in scan.find_all(pattern):
                j = next((k for k in range(match.start, match.end) if number_value(tokens[k].text) is not None), None)
                if j is None or j in used_numbers:
                    continue
                if j > 0 and tokens[j - 1].text in fact.not_after:
                    continue
                n = number_value(tokens[j].text)
                if n is None or (fact.range and not fact.range[0] <= n <= fact.range[1]):
                    continue
                key = (-pattern.weight, match.start)
                if best is None or key < (best[0], best[1]):
                    best = (
                        -pattern.weight,
                        match.start,
                        Found(fact.id, n, _words(text, tokens, match.start, match.end), pattern.text),
                    )
        if best:
            out.facts[fact.id] = best[2].value
            out.evidence[fact.id] = [best[2]]


def _months_at(tokens: list[Token], j: int, today: date) -> tuple[int, int, int] | None:
    """A duration at token j: "3 år", "två månader", "ett halvt år", "sedan 2021" →
    (months, first token, end token) of the words that say it."""
    tok = tokens[j].text
    n = number_value(tok)
    if n is None:
        return None
    nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
    if nxt == "halvt" and j + 2 < len(tokens) and tokens[j + 2].text in YEAR_UNITS:
        return 6, j, j + 3
    if nxt in YEAR_UNITS:
        return n * 12, j, j + 2
    if nxt in MONTH_UNITS:
        return n, j, j + 2
    if nxt in WEEK_UNITS:
        return n // 4, j, j + 2
    if tok.isdigit() and 1990 <= n <= today.year and j > 0 and tokens[j - 1].text in SINCE_WORDS:
        return (today.year - n) * 12 + today.month - 1, j - 1, j + 1
    return None


_CACHE: dict[int, tuple[object, Extractor]] = {}


def extractor_for(kb: KnowledgeBase) -> Extractor | None:
    """The extractor for this knowledge-base snapshot (compiled once per snapshot)."""
    nav = kb.navigator
    if nav is None:
        return None
    cached = _CACHE.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    extractor = Extractor(nav, kb)
    _CACHE.clear()
    _CACHE[id(kb)] = (kb, extractor)
    return extractor


def fold_value(value: Any) -> str:
    return fold(str(value))
