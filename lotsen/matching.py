"""Swedish-aware question matching.

A question goes through the same pipeline as every phrasing in the knowledge base:
fold case and diacritics → tokenise → correct typos against the knowledge base's own
vocabulary (rapidfuzz) → split compounds into known words → expand aliases and
abbreviations from the glossary ("fk" → "försäkringskassan", "sig 0" → "sgi") → drop
stopwords → stem (Snowball + definite-form stripping).

Candidates come from an inverted index over stems; each is scored by an IDF-weighted F1
of shared stems (word order does not matter) blended with a fuzzy string score. The
result says how confident it is, and why (for the coordinators' "testa:" mode).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from lotsen.kb.model import KnowledgeBase
from lotsen.text import STOPWORDS, WEAK_WORDS, fold, stem, tokens

ANSWER = "answer"
SUGGEST = "suggest"
NONE = "none"


@dataclass(frozen=True)
class Weights:
    """How the evidence is blended into one score (sums to 1)."""

    phrasing: float = 0.55  # IDF-weighted F1 of stems shared with the best single phrasing
    fuzzy: float = 0.20  # rapidfuzz token_sort_ratio against that phrasing
    entry: float = 0.15  # share of the question's words found anywhere in the entry's phrasings
    answer: float = 0.10  # share of the question's words found in the answer text


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.50  # a confident answer needs at least this …
    margin: float = 0.06  # … and this lead over the next entry,
    sure: float = 0.80  # … or, above this score, a lead of at least sure_margin
    sure_margin: float = 0.025
    suggest: float = 0.28  # below this, nothing is offered


@dataclass
class Candidate:
    entry_id: str
    score: float
    phrasing: str
    shared: list[str] = field(default_factory=list)  # stems the question and phrasing share
    overlap: float = 0.0
    fuzzy: float = 0.0


@dataclass
class MatchResult:
    query: str
    level: str
    candidates: list[Candidate]
    corrections: dict[str, str] = field(default_factory=dict)  # typo → known word
    expansions: list[tuple[str, str]] = field(default_factory=list)  # alias → term
    compounds: dict[str, list[str]] = field(default_factory=dict)
    stems: list[str] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass
class _Analysed:
    stems: list[str]
    text: str  # folded content words, for fuzzy comparison
    corrections: dict[str, str]
    expansions: list[tuple[str, str]]
    compounds: dict[str, list[str]]


_FOLDED_STOP = frozenset(fold(w) for w in STOPWORDS)
_WEAK_STEMS = frozenset(stem(w) for w in WEAK_WORDS)
WEAK_FACTOR = 0.25
SPLIT_KNOWN = True


def _alias_pairs(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(alias, canonical words) from parties, concepts, processes, efforts and municipalities.

    Aliases of four letters or fewer keep their diacritics ("far" must not fire on "får");
    longer ones are folded like everything else."""
    pairs: list[tuple[str, str]] = []

    def add(aliases: Iterable[str], canonical: str) -> None:
        for alias in aliases:
            words = tokens(alias)
            a = " ".join(words) if len(alias) <= 4 else " ".join(fold(t) for t in words)
            if a and fold(a) != fold(canonical):
                pairs.append((a, canonical))

    for p in kb.parties.values():
        add((*p.aliases, p.short) if p.short else p.aliases, p.name)
    for c in kb.concepts.values():
        add(c.aliases, f"{c.term} {c.expansion}".strip())
        if c.expansion:
            add((c.expansion,), c.term)
    for pr in kb.processes.values():
        add(pr.aliases, pr.name)
    for e in kb.efforts.values():
        add(e.aliases, e.name)
    for mu in kb.municipalities.values():
        add(mu.aliases, mu.name)
    # Longest first, so "sgi 0" is tried before "sgi".
    pairs.sort(key=lambda pair: -len(pair[0]))
    return pairs


class Matcher:
    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None, weights: Weights | None = None):
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        # Aliases as token tuples, looked up n-gram by n-gram (longest first): folded for long
        # aliases, with diacritics for short ones ("far" must not fire on "får").
        self._aliases: dict[tuple[str, ...], tuple[str, str]] = {}
        self._short_aliases: dict[tuple[str, ...], tuple[str, str]] = {}
        for alias, canon in _alias_pairs(kb):
            table = self._short_aliases if len(alias) <= 4 else self._aliases
            table.setdefault(tuple(alias.split()), (alias, canon))
        self._alias_len = max((len(k) for k in (*self._aliases, *self._short_aliases)), default=1)
        # Vocabulary first (for typo correction and compound splitting), then the index.
        texts = [(e.id, t) for e in kb.entries.values() for t in (e.question, *e.phrasings)]
        vocab: set[str] = set()
        for _, t in texts:
            vocab.update(fold(tok) for tok in tokens(t) if len(tok) > 1)
        for _, canon in (*self._aliases.values(), *self._short_aliases.values()):
            vocab.update(fold(tok) for tok in tokens(canon))
        self._vocab = vocab
        self._split_known = SPLIT_KNOWN
        self._vocab_list = sorted(w for w in vocab if len(w) >= 3 and not w.isdigit())

        # Place names say where, not what: like question words they cannot make a match alone.
        self._weak = _WEAK_STEMS | {stem(fold(name)) for mu in kb.municipalities.values()
                                    for name in (mu.name, *mu.aliases) if len(tokens(name)) == 1}
        self._docs: list[tuple[str, str, frozenset[str], str]] = []  # entry, phrasing, stems, text
        postings: dict[str, list[int]] = defaultdict(list)
        entry_stems: dict[str, set[str]] = defaultdict(set)
        for entry_id, text in texts:
            analysed = self._analyse(text, correct=False)
            stems = frozenset(analysed.stems)
            index = len(self._docs)
            self._docs.append((entry_id, text, stems, analysed.text))
            entry_stems[entry_id].update(stems)
            for s in stems:
                postings[s].append(index)
        self._entry_stems = {k: frozenset(v) for k, v in entry_stems.items()}
        self._answer_stems = {e.id: frozenset(self._analyse(e.answer, correct=False).stems)
                              for e in kb.entries.values()}
        n = max(len(self._docs), 1)
        self._idf = {s: math.log(1 + n / len(ids)) * (WEAK_FACTOR if s in self._weak else 1.0)
                     for s, ids in postings.items()}
        self._postings = dict(postings)
        self._unknown_weight = max(self._idf.values(), default=2.0)
        self._doc_weight = [sum(self._idf[s] for s in d[2]) or 1.0 for d in self._docs]

    # --- analysis ---------------------------------------------------------------------

    def _analyse(self, text: str, *, correct: bool) -> _Analysed:
        raw_words = tokens(text)
        words = [fold(t) for t in raw_words]
        corrections: dict[str, str] = {}
        compounds: dict[str, list[str]] = {}
        if correct:
            fixed = []
            for w in words:
                if w in self._vocab or w in _FOLDED_STOP or len(w) < 4 or w.isdigit():
                    fixed.append(w)
                    continue
                parts = self._split_compound(w)
                if parts:
                    compounds[w] = parts
                    fixed.append(w)
                    fixed.extend(parts)
                    continue
                hit = process.extractOne(w, self._vocab_list, scorer=fuzz.ratio, score_cutoff=80)
                if hit:
                    corrections[w] = hit[0]
                    fixed.append(hit[0])
                else:
                    fixed.append(w)
            words = fixed
        if self._split_known:
            # Known compounds are split on both sides too, so "intyg" meets "läkarintyg".
            extra_parts = []
            for w in words:
                if w in self._vocab and len(w) >= 9:
                    parts = self._split_compound(w)
                    if parts:
                        extra_parts.extend(parts)
            words = words + extra_parts
        expansions: list[tuple[str, str]] = []
        for sequence, table in ((words, self._aliases), (raw_words, self._short_aliases)):
            for found in self._find_aliases(sequence, table):
                if found not in expansions:
                    expansions.append(found)
        extra = [fold(t) for _, canon in expansions for t in tokens(canon)]
        content = [w for w in words + extra if w not in _FOLDED_STOP]
        stems = list(dict.fromkeys(stem(w) for w in content))
        return _Analysed(stems, " ".join(content), corrections, expansions, compounds)

    def _find_aliases(self, words: list[str], table: dict[tuple[str, ...], tuple[str, str]]) -> list[tuple[str, str]]:
        """Aliases in a token sequence, longest match first at each position."""
        found = []
        i = 0
        while i < len(words):
            for n in range(min(self._alias_len, len(words) - i), 0, -1):
                hit = table.get(tuple(words[i:i + n]))
                if hit:
                    found.append(hit)
                    i += n
                    break
            else:
                i += 1
        return found

    def _split_compound(self, word: str) -> list[str]:
        if len(word) < 8:
            return []
        for i in range(len(word) - 4, 3, -1):
            left, right = word[:i], word[i:]
            if right in self._vocab and len(right) >= 4:
                if left in self._vocab:
                    return [left, right]
                if left.endswith("s") and left[:-1] in self._vocab:
                    return [left[:-1], right]
        return []

    def knows(self, stem: str) -> bool:
        """Whether a stem occurs in some phrasing (for explanations: unknown words)."""
        return stem in self._idf

    # --- matching ---------------------------------------------------------------------

    def match(self, text: str, limit: int = 3) -> MatchResult:
        q = self._analyse(text, correct=True)
        result = MatchResult(query=text, level=NONE, candidates=[], corrections=q.corrections,
                             expansions=q.expansions, compounds=q.compounds, stems=q.stems)
        known = [s for s in q.stems if s in self._idf and s not in self._weak]
        if not known:
            # A question made only of weak words ("vem gör vad?") may still match a phrasing
            # made of the same words; a single weak word ("hur") never does.
            known = [s for s in q.stems if s in self._idf] if len(q.stems) >= 2 else []
        if not known:
            return result
        # A word the knowledge base has never seen weighs like its rarest word: a question
        # about something else ("fotboll") must not ride on one shared word.
        q_weight = sum(self._idf.get(s, self._unknown_weight) for s in q.stems) or 1.0
        acc: dict[int, float] = defaultdict(float)
        for s in known:  # candidates must share at least one meaningful word
            weight = self._idf[s]
            for doc in self._postings[s]:
                acc[doc] += weight
        for s in q.stems:
            if s in known or s not in self._postings:
                continue
            weight = self._idf[s]
            for doc in self._postings[s]:
                if doc in acc:
                    acc[doc] += weight
        top_docs = sorted(acc, key=acc.__getitem__, reverse=True)[:300]
        w = self.weights
        best: dict[str, Candidate] = {}
        for doc in top_docs:
            entry_id, phrasing, stems, dtext = self._docs[doc]
            shared_w = acc[doc]
            recall = shared_w / q_weight
            precision = shared_w / self._doc_weight[doc]
            overlap = 2 * recall * precision / (recall + precision) if shared_w else 0.0
            fz = fuzz.token_sort_ratio(q.text, dtext) / 100.0
            score = w.phrasing * overlap + w.fuzzy * fz
            if entry_id not in best or score > best[entry_id].score:
                shared = sorted(s for s in q.stems if s in stems)
                best[entry_id] = Candidate(entry_id, score, phrasing, shared, round(overlap, 4), round(fz, 4))
        for entry_id, cand in best.items():
            in_entry = sum(self._idf.get(s, 0.0) for s in q.stems if s in self._entry_stems[entry_id]) / q_weight
            in_answer = sum(self._idf.get(s, 0.0) for s in q.stems if s in self._answer_stems[entry_id]) / q_weight
            cand.score = round(cand.score + w.entry * in_entry + w.answer * in_answer, 4)
        ranked = sorted(best.values(), key=lambda c: c.score, reverse=True)
        th = self.thresholds
        top = ranked[0].score if ranked else 0.0
        second = ranked[1].score if len(ranked) > 1 else 0.0
        lead = top - second
        # One meaningful word ("sip") is an answer only when a phrasing is essentially that word.
        single_word = len([s for s in q.stems if s not in self._weak]) <= 1
        clear = not single_word or (ranked and ranked[0].overlap >= 0.95)
        if clear and top >= th.answer and (lead >= th.margin or (top >= th.sure and lead >= th.sure_margin)):
            result.level = ANSWER
        elif top >= th.suggest:
            result.level = SUGGEST
        result.candidates = [c for c in ranked[: max(limit, 1)] if c.score >= th.suggest * 0.75 or c is ranked[0]]
        return result
