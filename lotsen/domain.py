"""How much of a question is about what the knowledge base is about: the off-topic signal.

A word belongs to the domain when the knowledge base uses it much more often than general
Swedish does: "försörjningsstöd", "klienten", "samverkan" and "vårdcentralen" do, "kallt",
"månen", "lösenord" and "lasagne" do not, and "jobb", "långt" or "sverige" are ordinary words the
knowledge base happens to use too. The general frequencies are wordfreq's Swedish ones
(lotsen/data/swedish_frequencies.tsv, scripts/build_wordfreq.py); the knowledge base's are
counted over everything it says (questions, phrasings, answers, the glossary, parties,
processes, efforts, places and their aliases).

A message's **specific share** is the share of its distinctive words that belong to the domain,
each word weighted by how rare it is in general Swedish (so "hur", "blir" or "kan" hardly
count, and an unknown word counts much). A word the matcher "corrected" into a word of the
knowledge base counts as itself when it is an ordinary Swedish word ("kallt" is not a typo of
"kallar"); a compound counts by its parts ("arenagruppen"). The matcher's other off-topic
signals stay (lotsen.matching.MatchResult.off_topic); lotsen/features/qa.py decides.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lotsen.frequency import FLOOR_ZIPF, general_frequencies, is_swedish, zipf
from lotsen.kb.model import KnowledgeBase
from lotsen.text import STOPWORDS, WEAK_WORDS, fold, stem, tokens

MIN_WEIGHT = 0.5  # the weight of the commonest words ("är", "det"): nearly nothing
SPEC_LOW = 0.0  # log10(share in the knowledge base / share in general Swedish) at which a word is not the domain's …
SPEC_HIGH = 1.0  # … and at which it fully is (ten times as common in the knowledge base)
DOMAIN_WORD = 0.5  # a word at least this specific is one of the message's words of the domain

_FOLDED_STOP = frozenset(fold(w) for w in STOPWORDS)
_WEAK = frozenset(fold(w) for w in WEAK_WORDS)


def knowledge_texts(kb: KnowledgeBase) -> Iterable[str]:
    """Everything the knowledge base says, for counting its words."""
    for e in kb.entries.values():
        yield e.question
        yield from e.phrasings
        yield e.answer
    for c in kb.concepts.values():
        yield from (c.term, c.expansion, c.definition, *c.aliases)
    for p in kb.parties.values():
        yield from (p.name, p.short, p.summary, *p.aliases, *p.does, *p.does_not, *p.preconditions)
    for pr in kb.processes.values():
        yield from (pr.name, pr.summary, *pr.aliases, *pr.steps)
    for ef in kb.efforts.values():
        yield from (ef.name, ef.summary, *ef.aliases, ef.target_group, *ef.criteria)
    for f in kb.forbund.values():
        yield f.name
    for mu in kb.municipalities.values():
        yield from (mu.name, *mu.aliases, *mu.samverk_groups)
    for cl in kb.contact_lists.values():
        yield from (cl.title, cl.description)


@dataclass(frozen=True)
class WordView:
    """One word of a message as the off-topic signal sees it (for `testa:`)."""

    word: str
    weight: float  # how distinctive in general Swedish (9 − Zipf)
    domain: float  # 0..1: how specific to the knowledge base


def share_of(views: list[WordView]) -> tuple[float, int]:
    """The specific share of a message's words (0..1; 1.0 without a meaningful word) and their number."""
    total = sum(v.weight for v in views)
    return (round(sum(v.weight * v.domain for v in views) / total, 4) if total else 1.0), len(views)


def domain_words_of(views: list[WordView]) -> list[str]:
    """The words of the domain (at least DOMAIN_WORD specific) among a message's words."""
    return [v.word for v in views if v.domain >= DOMAIN_WORD]


class DomainVocabulary:
    """The knowledge base's words and how specific each is to it (built with the Matcher)."""

    def __init__(
        self, texts: Iterable[str], places: Iterable[str] = (), entries: Mapping[str, Iterable[str]] | None = None
    ):
        general_frequencies()  # loaded with the matcher (startup, reload), not by the first question
        # Place names say where, not what: "simhallen i Eksjö" is not about the domain.
        self._places = frozenset(stem(fold(p)) for p in places)
        counts: Counter[str] = Counter()
        for text in texts:
            for token in tokens(text):
                word = fold(token)
                if word not in _FOLDED_STOP and len(word) > 1:
                    counts[stem(word)] += 1
        self._counts = dict(counts)
        self._total = max(sum(counts.values()), 1)
        # Each entry's texts; their words as written (stems, no alias expansions) say what its
        # answer is about, analysed when first asked (only answered entries ever are).
        self._entries = {entry_id: tuple(texts) for entry_id, texts in (entries or {}).items()}
        self._entry_stems: dict[str, frozenset[str]] = {}

    def __eq__(self, other: object) -> bool:
        """Equal when built from the same words (tests compare a reloaded matcher with a new one)."""
        if not isinstance(other, DomainVocabulary):
            return NotImplemented
        return (self._counts, self._places, self._entries) == (other._counts, other._places, other._entries)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> DomainVocabulary:
        # Single-word names only, like the matcher's places: "kommun" in "Jönköpings kommun" is a word.
        places = [n for mu in kb.municipalities.values() for n in (mu.name, *mu.aliases) if len(tokens(n)) == 1]
        entries = {e.id: (e.question, *e.phrasings, e.answer) for e in kb.entries.values()}
        return cls(knowledge_texts(kb), places, entries)

    def specificity(self, word: str) -> float:
        """log10 of how much more common a folded word's stem is in the knowledge base than in
        general Swedish (-inf when the knowledge base never uses it)."""
        s = stem(word)
        count = self._counts.get(s, 0)
        if not count:
            return -math.inf
        general = general_frequencies()[1].get(s, 10 ** (FLOOR_ZIPF - 9))
        return math.log10(count / self._total / general)

    def domain(self, word: str) -> float:
        """0..1: how much a folded word belongs to the knowledge base's domain."""
        spec = self.specificity(word)
        return min(max((spec - SPEC_LOW) / (SPEC_HIGH - SPEC_LOW), 0.0), 1.0)

    def words(
        self,
        text: str,
        corrections: Mapping[str, str] | None = None,
        compounds: Mapping[str, list[str]] | None = None,
    ) -> list[WordView]:
        """The message's meaningful words with their weight and domain (see the module's doc)."""
        corrections = corrections or {}
        compounds = compounds or {}
        seen: set[str] = set()
        views = []
        for token in tokens(text):
            word = fold(token)
            if word in seen or word in _FOLDED_STOP or word in _WEAK or len(word) < 2:
                continue
            seen.add(word)
            stemmed = stem(word)
            if stemmed in self._places:
                continue
            if word.isdigit() and stemmed not in self._counts:
                continue  # a date or a redacted number says nothing
            weight = max(9.0 - zipf(word), MIN_WEIGHT)
            if stemmed in self._counts:
                domain = self.domain(word)
            elif word in corrections and not is_swedish(word):
                domain = self.domain(corrections[word])  # a typo of a word of the domain
            elif word in compounds:
                parts = compounds[word]
                domain = sum(self.domain(p) for p in parts) / len(parts)
            else:
                domain = 0.0
            views.append(WordView(word, weight, domain))
        return views

    def entry_uses_any(
        self,
        entry_id: str,
        domain: list[str],
        corrections: Mapping[str, str] | None = None,
        compounds: Mapping[str, list[str]] | None = None,
        expansions: Iterable[tuple[str, str]] = (),
    ) -> bool:
        """Whether an entry's question, phrasings or answer use at least one of a message's words
        of the domain (`domain`: domain_words_of(MatchResult.words), computed once per message),
        as written, corrected, by its parts or by what its alias stands for; True when the
        message has none. An answer that shares none rests on general words only: "hur många
        kommuner finns det i Sverige" is not answered by statistics on bistånd in Sverige."""
        corrections = corrections or {}
        compounds = compounds or {}
        if not domain:
            return True
        entry_stems = self._entry_stems.get(entry_id)
        if entry_stems is None:
            texts = self._entries.get(entry_id, ())
            entry_stems = self._entry_stems[entry_id] = frozenset(stem(fold(t)) for x in texts for t in tokens(x))
        stands_for: dict[str, list[str]] = {}
        for alias, canon in expansions:
            for word in tokens(alias):
                stands_for.setdefault(fold(word), []).extend(fold(t) for t in tokens(canon))
        for word in domain:
            forms = [word, corrections.get(word, word), *compounds.get(word, ()), *stands_for.get(word, ())]
            if any(stem(f) in entry_stems for f in forms):
                return True
        return False
