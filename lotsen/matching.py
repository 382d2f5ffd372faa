"""Swedish-aware question matching.

A question goes through the same pipeline as every phrasing in the knowledge base:
fold case and diacritics → tokenise → split compounds into known words (with a linking
-s-/-e-) → correct the remaining typos against the knowledge base's own vocabulary
(rapidfuzz) → expand aliases and abbreviations from the glossary ("fk" →
"försäkringskassan", "hsf" → "Höglandets samordningsförbund") → drop stopwords → stem
(Snowball + definite-form stripping).

Scoring is stable in the length of the question (a 25-word description of a client's
situation is not punished for its extra words). For every entry that shares a word with
the question, three pieces of evidence are computed:

- **bm25**: BM25-style saturated term weights over the entry's phrasings (a word in most of
  them counts more than one in a single phrasing) and, weaker, its answer text;
- **coverage**: how much of the entry's best-matching phrasing the question covers (IDF-weighted),
  i.e. whether the question contains what makes this entry this entry;
- **focus**: how much of the question's meaningful words the entry explains (this one does
  fall with length, so it only ever adds).

These (with the core words, question word and word forms) make a first weighted mean (Weights);
the final score is a second one fitted on the tuning sets (Ranker, scripts.fit_ranker) that
adds place evidence and, for a long message, its asking clause's evidence. Entries are ranked
by it; the decision (answer / suggest / none) is made from the best entry's score, its margin
to the next and, for a long message, the Ranker's probability that it is the right one, with
thresholds calibrated by scripts.calibrate. The result says why, for the coordinators'
"testa:" mode.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice, takewhile
from typing import Callable, Collection, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from lotsen.domain import DomainVocabulary, WordView, share_of
from lotsen.frequency import zipf
from lotsen.facets import (
    Facet,
    answers,
    asked,
    asks_how_many,
    cost_of,
    counted,
    counts,
    counts_anything,
    fold_answer,
    in_place,
    of_what,
    paid_for,
    places_elsewhere,
)
from lotsen.kb.model import Effort, Entry, KnowledgeBase, Process
from lotsen.risk import REASONS as RISK_REASONS
from lotsen.risk import RiskModel
from lotsen.risk import checked as risk_checked
from lotsen.risk import load as load_risk
from lotsen.risk import openers as risk_openers
from lotsen.text import STOPWORDS, WEAK_WORDS, fold, normalise, stem, tokens

ANSWER = "answer"
SUGGEST = "suggest"
NONE = "none"


@dataclass(frozen=True)
class Weights:
    """How the evidence is blended into one score and the BM25 parameters (tuned on the
    tuning sets with scripts.accuracy; the held-out sets are never used)."""

    coverage: float = 0.20  # share of the best phrasing's weight the question covers
    bm25: float = 0.30  # saturated BM25 over phrasings + answer, relative to the question's own best
    focus: float = 0.40  # share of the question's meaningful weight found in the entry
    key: float = 0.15  # share of the entry's own weighted words (its centroid) the question covers
    intent: float = 0.10  # the question word ("vem", "när" …) is in the entry's phrasings
    forms: float = 0.10  # exact word forms shared ("finansieras" vs "finansierar")
    k1: float = 1.2  # BM25 saturation
    answer_tf: float = 0.35  # a word in the answer counts like being in this share of the phrasings


@dataclass(frozen=True)
class Ranker:
    """The final score: a second blend of the evidence, fitted by `scripts.fit_ranker` (a listwise
    logistic regression: which candidate is the right one, on the tuning sets only; heldout2 is
    never used). `base` is the Weights blend; the ask_* parts are the asking clause's own evidence
    for a long message (0 for a message without one, whose score is then normalised by the other
    weights alone)."""

    base: float = 0.0
    coverage: float = 0.0
    focus: float = 0.0
    bm25: float = 0.0
    key: float = 0.0
    intent: float = 0.0
    forms: float = 0.0
    ask: float = 0.0
    ask_coverage: float = 0.0
    ask_key: float = 0.0
    place_match: float = 0.0
    place_ok: float = 0.0

    def score(self, c: Candidate, ask: Candidate | None, asking: bool) -> float:
        """The blend, 0..1: `asking` when the message has an asking clause (ask: its evidence
        for this entry, None when the clause does not support it)."""
        total = self.base * c.base + self.coverage * c.overlap + self.focus * c.fuzzy + self.bm25 * c.rel_bm
        total += self.key * c.key + self.intent * c.intent + self.forms * c.forms
        total += self.place_match * c.place_match + self.place_ok * c.place_ok
        weight = self.own_weight
        if asking:
            if ask is not None:
                total += self.ask * ask.base + self.ask_coverage * ask.overlap + self.ask_key * ask.key
            weight += self.ask_weight
        return round(total / weight, 4) if weight > 0 else c.base

    @property
    def own_weight(self) -> float:
        """The weight of the whole message's evidence (the place_match bonus is not part of the
        mean: a question naming no place is not scored lower for it)."""
        return self.base + self.coverage + self.focus + self.bm25 + self.key + self.intent + self.forms + self.place_ok

    @property
    def ask_weight(self) -> float:
        return self.ask + self.ask_coverage + self.ask_key


# Fitted by scripts.fit_ranker (2026-12-05, 575 in-scope tuning questions).
RANKER = Ranker(
    base=4.29,
    coverage=3.64,
    focus=6.74,
    bm25=3.57,
    key=1.92,
    intent=2.08,
    forms=1.60,
    ask=3.15,
    ask_coverage=1.48,
    ask_key=0.23,
    place_match=0.45,
    place_ok=0.61,
)


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.55  # a confident answer needs at least this score …
    margin: float = 0.14  # … and this relative lead (1 - second/best) over the next entry,
    sure: float = 0.64  # … or, above this score, a relative lead of at least sure_margin
    sure_margin: float = 0.0
    long_words: int = 8  # a question with this many meaningful words is "long" …
    long_answer: float = 0.36  # … and is answered from this score with a relative lead of long_margin
    long_margin: float = 0.04
    suggest: float = 0.38  # below this, nothing is offered
    long_confidence: float = 0.7  # … and the Ranker's probability that its best entry is right
    # a long message whose asking clause agrees, with no other entry near: from this score (session
    # 26: 0.25 → 0.265, "jag har en balkong som vetter mot norr … vilka växter klarar sig i skugga" got
    # Hälsocenter at 0.253, a kickoff for the team how to file deviations at 0.259)
    lone_answer: float = 0.265
    # … if the entry explains at least this share of the message (session 25: "kan du hjälpa mig
    # formulera ett mejl till min chef om semesterveckor …" was answered with how to file a deviation)
    lone_focus: float = 0.16
    close: float = 0.80  # alternatives within this ratio of the best are offered as "Menar du kanske …"
    # A tie: the next entry within tie_margin of a "sure" best one, which the fitted decision
    # finds less likely right than tie_probability, is offered rather than answered (session 22).
    tie_margin: float = 0.02
    tie_probability: float = 0.5


# The signals the answer decision weighs (Matcher._evidence): whether the best entry is the right one.
DECISION_SIGNALS = (
    "confidence",  # the Ranker's softmax probability of the best entry among the close candidates
    "top",  # the best entry's score
    "margin",  # its relative lead over the next
    "words",  # meaningful words in the question, /10 (at most 3)
    "asking",  # a long message with an asking clause …
    "agree",  # … whose own best entry is the whole message's best entry
    "bm25_first",  # plain BM25 (a differently built ranking) puts the same entry first
    "base_first",  # so does the Weights blend alone
    "coverage",  # how much of the best entry's best phrasing the question contains
    "focus",  # how much of the question the best entry explains
    "missing",  # the question's most distinctive known word is not in the best entry
    "unknown",  # share of the question's weight the knowledge base does not know (1 - domain)
    "sibling",  # the runner-up is a sibling of the best entry (related:)
)


@dataclass(frozen=True)
class Decision:
    """Whether to answer a long question the thresholds leave unanswered: a logistic model of the
    probability that the best entry is the right one, over some of DECISION_SIGNALS, fitted by
    `scripts.fit_decision` on the tuning sets (heldout2 is never used); the entry is answered
    when the probability is at least `cutoff`, chosen so that a wrong answer costs as much as
    several right ones."""

    intercept: float
    coefficients: tuple[tuple[str, float], ...]
    cutoff: float
    typical: tuple[tuple[str, float], ...] = ()  # each signal's mean over the long tuning questions
    # The cut-off when the question's most distinctive word is not in the best entry (signal
    # "missing"); None: `cutoff` always.
    cutoff_missing: float | None = None

    def cutoff_for(self, evidence: dict[str, float]) -> float:
        """The probability a long question's best entry needs to be answered."""
        if self.cutoff_missing is not None and evidence.get("missing", 0.0) >= 1.0:
            return max(self.cutoff, self.cutoff_missing)
        return self.cutoff

    def logit(self, evidence: dict[str, float]) -> float:
        return self.intercept + math.fsum(c * evidence.get(name, 0.0) for name, c in self.coefficients)

    def probability(self, evidence: dict[str, float]) -> float:
        z = max(-30.0, min(30.0, self.logit(evidence)))
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def contributions(self, evidence: dict[str, float]) -> list[tuple[str, float]]:
        """Each signal's effect on the logit compared with a typical long question, largest
        first (for "testa:": positive speaks for answering)."""
        typical = dict(self.typical)
        parts = [(name, c * (evidence.get(name, 0.0) - typical.get(name, 0.0))) for name, c in self.coefficients]
        return sorted((p for p in parts if abs(p[1]) >= 0.005), key=lambda p: -abs(p[1]))


# Fitted by scripts.fit_decision (2026-12-05, 924 tuning questions, cost 4.5); the cut-off chosen
# again with --keep-model in session 6 (1,115 tuning questions, the same cost): 0.84 → 0.76.
# Session 19 looked at the long answers on questions measured before anyone had read them
# (tuning71–104 at first measurement, 6,336 questions). Those the model gave 0.76–0.82 were right 33
# times and wrong 14 (70 %; a cost of 4.5 needs 82 %); of them, those whose best entry lacks the
# question's most distinctive word were right 17 times and wrong 11, the others 16 and 3. So a best
# entry without that word needs 0.82 (cutoff_missing). The read sets, where phrasings were added for
# exactly such questions, lose more right answers than the unread ones (docs/matching.md).
DECISION: Decision | None = Decision(
    intercept=-5.198,
    coefficients=(("confidence", 6.621), ("top", 3.524), ("margin", 1.318)),
    cutoff=0.76,
    typical=(("confidence", 0.850), ("top", 0.608), ("margin", 0.229)),
    cutoff_missing=0.82,
)


@dataclass
class Candidate:
    entry_id: str
    score: float
    phrasing: str
    shared: list[str] = field(default_factory=list)  # stems the question and the entry share
    overlap: float = 0.0  # coverage of the best phrasing (0..1)
    fuzzy: float = 0.0  # kept for compatibility: focus (share of the question explained)
    bm25: float = 0.0
    key: float = 0.0  # share of the entry's centroid the question covers
    intent: float = 0.0  # share of the entry's phrasings with the question's question word
    forms: float = 0.0  # share of the question's word forms found verbatim in the entry
    rel_bm: float = 0.0  # sqrt of bm25 relative to what the question could score at most (0..1)
    base: float = 0.0  # the Weights blend (before the Ranker's)
    place_match: float = 0.0  # 1: the entry is about a place the question names
    place_ok: float = 1.0  # 0: the entry is about other places than those the question names

    @property
    def coverage(self) -> float:
        return self.overlap

    @property
    def focus(self) -> float:
        return self.fuzzy


@dataclass
class MatchResult:
    query: str
    level: str
    candidates: list[Candidate]
    corrections: dict[str, str] = field(default_factory=dict)  # typo → known word
    expansions: list[tuple[str, str]] = field(default_factory=list)  # alias → term
    compounds: dict[str, list[str]] = field(default_factory=dict)
    stems: list[str] = field(default_factory=list)
    domain: float = 0.0  # share of the question's meaningful words the knowledge base knows (0..1)
    specific: float = 1.0  # share of its distinctive words specific to the domain (lotsen.domain)
    specific_words: int = 0  # … out of this many meaningful words
    words: list[WordView] = field(default_factory=list)  # its meaningful words as lotsen.domain sees them
    margin: float = 0.0  # relative lead of the best entry over the next (0..1)
    topical: bool = False  # names a party or a glossary term (SIP, FK, Arena …): never off-topic
    own_words: int = 0  # meaningful words the question itself brings (not only an alias's expansion)
    expanded: frozenset[str] = frozenset()  # its stems that only an alias's expansion brought
    # The question's word the best entry lacks: its most distinctive one ("missing-word"), one
    # the knowledge base never uses ("unknown-word"), a place outside the county ("elsewhere")
    # or a place in it that the entry, about other places, is not about ("other-place"), or the
    # alias of an effort or a term that the entry never mentions ("other-thing"), or a year the
    # entry, dated otherwise or not at all, is not about ("other-year", "undated-year"), or a
    # municipality where the effort or forum asked about is not ("not-here", "not-here-answer");
    # for "party", the party asked about.
    missing: str = ""
    facet: Facet | None = None  # what the question asks for (a sum …), when the best entry's answer names none
    confidence: float = 1.0  # the Ranker's softmax probability of the best entry among the close candidates
    agree: bool = False  # a long message: its asking clause and the whole message have the same best entry
    evidence: dict[str, float] = field(default_factory=dict)  # the answer decision's signals (DECISION_SIGNALS)
    probability: float = 0.0  # the answer decision's probability that the best entry is right (no model: 0)
    risk: float = 0.0  # the risk check's probability that the answer is wrong (lotsen.risk; 0: not checked)
    # why: "clear", "close", "low", "single-word", "facet", "elsewhere", "unknown-word",
    # "other-place", "which-place", "other-thing", "other-year", "undated-year", "no-words", "not-here",
    # "risk" (an answer the risk check finds too likely wrong); an
    # answer: "clear", "clear-long", "likely-long", "lone-long", or another entry than the best-scored one:
    # "not-here-answer" (it names the place or where the thing is), "party" (the party asked about)
    reason: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def unknown_word(self) -> str:
        """The question's word that the knowledge base never uses, as typed ("unknown-word"; else "")."""
        return self._typed(self.missing) if self.reason == "unknown-word" else ""

    @property
    def other_thing(self) -> str:
        """The effort or term the question names and the best entry never mentions, as typed ("other-thing"; else "")."""
        if self.reason != "other-thing":
            return ""
        folded = self.missing.split()
        words = tokens(self.query)
        for i in range(len(words) - len(folded) + 1):
            if [fold(w) for w in words[i : i + len(folded)]] == [fold(w) for w in folded]:
                return " ".join(words[i : i + len(folded)])
        return self.missing

    @property
    def other_place(self) -> str:
        """The place the question names and the best entry is not about, as typed ("other-place"; else "")."""
        return self._typed(self.missing) if self.reason == "other-place" else ""

    @property
    def other_place_typed(self) -> str:
        """The municipality a question names where the thing it asks about is not ("not-here"), as typed."""
        return self._typed(self.missing).capitalize() if self.reason.startswith("not-here") else ""

    def _typed(self, stemmed: str) -> str:
        return next((t for t in tokens(self.query) if stem(fold(t)) == stemmed), stemmed)

    @property
    def off_topic(self) -> bool:
        """Nothing the knowledge base is about: a clean refusal, not "Menade du …?"."""
        return bool(self.off_topic_why)

    @property
    def off_topic_why(self) -> str:
        """Why the question is off-topic ("" when it is not): "no-candidates", "domain" (few
        of its words are known to the knowledge base) or "specific" (few of its distinctive
        words are specific to the domain: lotsen.domain)."""
        if self.topical:
            return ""
        if self.level == ANSWER:  # answered: only when almost none of its words are the domain's
            return "specific" if self.specific < OFF_TOPIC_ANSWERED else ""
        weak = not self.candidates or self.candidates[0].score < OFF_TOPIC_WEAK_SCORE
        specific = OFF_TOPIC_SPECIFIC_LONG if self.specific_words > OFF_TOPIC_LONG_WORDS else OFF_TOPIC_SPECIFIC
        if not self.candidates:
            return "no-candidates"
        # A long message describes a client in everyday words: only its specific share counts.
        long = self.specific_words > OFF_TOPIC_LONG_WORDS
        if not long and (self.domain < OFF_TOPIC_DOMAIN or (weak and self.domain < OFF_TOPIC_PARTLY)):
            return "domain"
        if self.level == NONE and not long:
            specific = OFF_TOPIC_SPECIFIC_UNKNOWN
        return "specific" if self.specific < specific else ""


@dataclass
class _Analysed:
    stems: list[str]
    text: str  # folded content words
    corrections: dict[str, str]
    expansions: list[tuple[str, str]]
    compounds: dict[str, list[str]]
    # Stems that only an abbreviation's expansion brought in ("samordn", "individuell", "plan"
    # for "sip"): they find the entries that write the thing out, but weigh nothing of their
    # own, so an abbreviation is not four words' evidence for the entries that use both forms.
    expanded: frozenset[str] = frozenset()


_FOLDED_STOP = frozenset(fold(w) for w in STOPWORDS)
_WEAK_STEMS = frozenset(stem(w) for w in WEAK_WORDS)
_QUESTION_STEMS = frozenset(
    stem(w) for w in ("vem", "vad", "hur", "nar", "var", "vart", "vilka", "vilken", "vilket", "varfor")
)
WEAK_FACTOR = 0.5
OFF_TOPIC_DOMAIN = 0.45  # below this share of known words, an unanswered question is off-topic …
OFF_TOPIC_PARTLY = 0.70  # … and below this share when even its best candidate scores under
OFF_TOPIC_WEAK_SCORE = 0.42
# … or less than this share of its distinctive words are specific to the domain (lotsen.domain:
# "hur kallt blir det i natt", "när öppnar simhallen i Eksjö"); a long message (more than
# OFF_TOPIC_LONG_WORDS meaningful words) describes a client in everyday words, so less is needed.
OFF_TOPIC_SPECIFIC = 0.35
OFF_TOPIC_ANSWERED = 0.2  # even an answer is refused below this ("… semester i Spanien … hyra bil …")
OFF_TOPIC_SPECIFIC_LONG = 0.2
# A short question nothing is offered for ("hur ansöker jag om plats i förskolan": "ansöker" is
# the domain's word, "plats" and "förskolan" are not) is refused below this specific share.
OFF_TOPIC_SPECIFIC_UNKNOWN = 0.5
OFF_TOPIC_LONG_WORDS = 12
PLACE_SHARE = 0.6
# "var kuratorer med på …", "är förrehabs arbetsterapeut med i samverk sävsjö": whether someone takes part.
MEMBER_PREFIX = 5  # a word of "var X med på …" is named by an entry word with its stem and first letters
_MEMBER = re.compile(r"(?:var|ar|har|sitter) (?P<who>(?:\w+ ){0,2}?\w+) (?:varit |ocksa |aven )?med (?:pa|i)\b")
# "hur många se-deltagare var sjukskrivna", "hur stor andel … var utrikes födda": those counted have a
# property the answer must name (Matcher._absent_member, session 25).
_PROPERTY = re.compile(r"\bhur (?:manga|stor andel) (?:av )?(?:\w+ ){1,2}?var (?P<who>\w+)\b")
_YEAR = re.compile(r"(?<![\d:])(?:19|20)\d\d(?!\d|:\d)")  # "2024" and "2024:", not "2020:24" or "2022:124"
THING_COMMON = 0.25  # an effort or term that this share of the entries mentions is background
FORBUND_WORDS = 12  # a question of fewer own words that names another förbund asks about it (Matcher._other_forbund)
COMMON_ZIPF = 5.0  # an alias this common in general Swedish ("far", "se") may be an ordinary word
# A one-word name that is no proper noun is checked as typed ("other-thing") when it is this long
# and this rare in general Swedish (session 30: "hur länge kan en arbetsgivare få anställningsstöd"
# was answered by SE's method, which never names it).
RARE_TERM_LETTERS = 9
RARE_TERM_ZIPF = 3.0
NOT_HERE_DEPTH = 4  # the candidates after the best one looked at for an entry naming the place
PARTY_DEPTH = 6  # the candidates after the best one looked at for an entry of the party asked about
# A short question's year (Matcher._dated_runner_up): a runner-up within YEAR_CLOSE of the best
# score, among the first YEAR_DEPTH candidates, that names the year asked about answers when the
# best entry does not name it (session 25).
YEAR_CLOSE = 0.85
YEAR_DEPTH = 3
# "vårdens ansvar …", "fk:s roll …" (folded: "fk s roll"), "af ansvar …": the party whose
# responsibility is asked about ("vad gör vården …" is not: it asks what vården does in a situation),
# with what the responsibility is for ("… efter samtycke"), up to the model or place it is in ("… i
# jönköpingsmodellen"): the party's entries are matched against these words.
_PARTY_ASKED = re.compile(
    r"\b([a-z0-9-]+?)(?: s|s)? (?:ansvar|uppdrag|roll)\w*\b(?: (?:for|efter|vid|nar|kring)(?: (?!(?:i|enligt)\b)\w+){1,3})?"
)
# … and asked with a verb: "vad ansvarar vården för …", "vad har af för uppdrag …" (session 21).
_PARTY_ASKED_VERB = re.compile(
    r"\bvad ansvarar ([a-z0-9-]+?) for(?: (?!(?:i|enligt)\b)\w+){0,4}\b|\bvad har ([a-z0-9-]+?)(?: s)? for (?:ansvar|uppdrag|roll)\w*\b"
)
PLACE_SPECIFIC = 0.5  # an entry is about a place when at least this share of its phrasings name it
PLACE_MENTIONED = 0.2  # … and mentions a place when this share does
RIVAL_WORDS = 3  # a phrasing's rarest words that find its rivals in the knowledge-base check
# A word this common in Swedish (wordfreq's Zipf scale, lotsen/data/swedish_frequencies.tsv) is
# never "corrected" into a word of the knowledge base: "fixa" is not a typo of "fika", nor "starta" of "smarta".
TYPO_KEEP_ZIPF = 3.5
CUT_MIN_ADDED = 2  # a word cut short lacks at least this many letters ("ansökn" → "ansökning")
VOWELS = frozenset("aeiouy")  # folded: å and ä are a, ö is o
STRANGER_LENGTH = 8  # a short question's unknown word this long (stemmed) names something else ("unknown-word")
# A short question naming no place whose two best entries are about different places, the second
# within this relative lead of the first, is offered ("which-place", session 30).
WHICH_PLACE_MARGIN = 0.2
GAP_WORDS = 0  # questions up to this many meaningful words must share their most distinctive one
RIVAL_SCAN = 150  # entries looked at per rare word (a word in more entries is hardly distinctive)
PREFILTER = 40  # entries scored fully per question (the rest share too little with it)
SPLIT_KNOWN = True
# Facets whose number is for a place: asked about one municipality, the answer must name it.
PLACED_FACETS = frozenset({"count", "amount", "listing"})
SHORT_FACETS = frozenset({"apply"})  # facets only a short question asks (a long one answers them in passing)
REUSE_MAX_CHANGED = 300  # words whose analysis may change, above which a new index analyses everything
# Short words that may start a compound ("it-spåret", "af-handläggare", "fk-handläggare").
SHORT_HEADS = frozenset({"it", "af", "fk", "vc", "se", "ek", "ips", "sip", "lss", "bup", "sfi"})


def _together(name: frozenset[str], stems: list[str]) -> bool:
    """Whether a name's stems, all among the question's (the caller checks), stand together in
    them (a compound's parts follow it): "uppdrag samverkan i vaggeryd" names Uppdrag Samverkan,
    "vårdens uppdrag i jönköpings samverkansmodell" does not."""
    width = len(name) + 1
    return any(name <= set(stems[i : i + width]) for i in range(len(stems)))


def _asks_when(text: str) -> bool:
    """Whether a question or phrasing asks "när": among its first two words."""
    return "nar" in [fold(t) for t in tokens(text)[:2]]


def _promote(ranked: list[Candidate], chosen: Candidate) -> str:
    """Put `chosen` first in `ranked`, the entry a rule answers with instead of the best-scored
    one ("not-here-answer", "party"); its entry id."""
    ranked.remove(chosen)
    ranked.insert(0, chosen)
    return chosen.entry_id


_SENTENCE_END = re.compile(r"[.!?:;\n]\s*|\s[–-]\s|\*\*")
_WORD = re.compile(r"[^\W\d_][\w-]*")


def _thing_names(kb: KnowledgeBase) -> list[tuple[str, tuple[str, ...]]]:
    """(canonical words as _alias_pairs gives them, every name) for efforts and glossary concepts."""
    things = [(e.name, (e.name, *e.aliases)) for e in kb.efforts.values()]
    for c in kb.concepts.values():
        names = (c.term, *c.aliases, *((c.expansion,) if c.expansion else ()))
        things.append((f"{c.term} {c.expansion}".strip(), names))
        if c.expansion:
            things.append((c.term, names))
    return things


def _proper_nouns(kb: KnowledgeBase) -> frozenset[str]:
    """The words (folded) that the entries' answers write capitalised inside a sentence more often
    than not: names ("Arena", "KPF", "IT-spåret"), not ordinary words ("kunden")."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for entry in kb.entries.values():
        for sentence in _SENTENCE_END.split(entry.answer):
            for word in _WORD.findall(sentence)[1:]:
                (upper if word[0].isupper() else lower)[fold(word.lower())] += 1
    return frozenset(w for w, n in upper.items() if n > lower[w])


def _rare_term(word: str) -> bool:
    """Whether a one-word name of an effort or term is rare enough in general Swedish to be what a
    question naming it asks about ("anställningsstöd", "lönebidrag"; not "praktik")."""
    return len(word) >= RARE_TERM_LETTERS and zipf(word) < RARE_TERM_ZIPF


def _inflects(typed: str, own: str) -> bool:
    """Whether a typed word is the name's word or an inflection of it: "arenan" of "arena", not
    "styr" of "styrelse" (the stemmer makes them one)."""
    return typed.startswith(own[: max(len(own) - 2, 1)])


def _alias_pairs(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(alias, canonical words) from parties, concepts, processes, efforts, municipalities and
    samordningsförbund.

    Aliases of four letters or fewer keep their diacritics ("far" must not fire on "får");
    longer ones are folded like everything else."""
    pairs: list[tuple[str, str]] = []

    def add(aliases: Iterable[str], canonical: str) -> None:
        for alias in aliases:
            words = tokens(alias)
            a = " ".join(words) if len(alias) <= 4 else " ".join(fold(t) for t in words)
            if a and fold(a) != fold(canonical):
                pairs.append((a, canonical))
            elif a:
                # A name that is its own canonical form expands to nothing, but it is still read as
                # one name: "samverk höglandet" is not the alias "samverk" of Uppdrag Samverkan.
                pairs.append((a, ""))

    # The specific thing first: "hsf" is Höglandets samordningsförbund, not Finsam in general.
    for fb in getattr(kb, "forbund", {}).values():
        names = [n for n in (getattr(fb, "short", ""), *getattr(fb, "aliases", ())) if n]
        add(names, fb.name)
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


# A colon inside a word ("FK:s blankett", "sip:en") does not end a clause.
_CLAUSE_SPLIT = re.compile(r"(?:[,.;!?\n–]|:(?!\w))+|\s-\s")
_ASK_START = frozenset(
    (
        "vem",
        "vad",
        "hur",
        "nar",
        "var",
        "vart",
        "vilka",
        "vilken",
        "vilket",
        "varfor",
        "kan",
        "far",
        "maste",
        "ska",
        "skall",
        "finns",
        "galler",
        "raknas",
        "gar",
        "bor",
        "behover",
    )
)
ASK_MIN_WORDS = 14  # a message of at least this many words may have a separate asking clause
ASK_SHARE = 0.35  # without a Ranker: how much the asking clause weighs in the score of a long message
CONFIDENCE_POOL = 6  # candidates the best one's probability is taken among
ASK_POOL = 6  # candidates of the whole message re-scored on the asking clause


def ask_clause(text: str) -> str:
    """The clause of a long message that asks the question: the last one starting with a
    question word or a modal verb ("…, vem ska jag prata med först?"), with the clause before it
    when it is short. "" for a short message or one without such a clause."""
    words = tokens(text)
    if len(words) < ASK_MIN_WORDS:
        return ""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    for i in range(len(clauses) - 1, -1, -1):
        head = [fold(t) for t in tokens(clauses[i])]
        while head and head[0] in ("och", "men", "eller", "sa", "jag", "undrar", "vi", "nu"):
            head = head[1:]
        if head and head[0] in _ASK_START:
            ask = clauses[i] if len(tokens(clauses[i])) >= 4 or i == 0 else f"{clauses[i - 1]} {clauses[i]}"
            return "" if len(tokens(ask)) >= len(words) - 2 else ask
    return ""


def _saturate(x: float, k1: float) -> float:
    return x * (k1 + 1) / (x + k1) if x > 0 else 0.0


class Matcher:
    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
        ranker: Ranker | None = RANKER,
        *,
        previous: Matcher | None = None,
        decision: Decision | None | str = "fitted",
        risk: RiskModel | None | str = "fitted",
    ):
        """Index `kb`. With `previous` (the matcher of the knowledge base this one replaces), a
        phrasing or answer whose analysis cannot differ from the one `previous` made is not
        analysed again (see _reusable): a reload after a small edit; the index is the same.
        `ranker` None: the Weights blend alone (scripts.fit_ranker's features)."""
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.ranker = ranker  # None: the Weights blend alone (scripts.fit_ranker's features)
        # The answer decision: the fitted model (DECISION), or None for the hand thresholds alone.
        self.decision: Decision | None = DECISION if decision == "fitted" else decision  # type: ignore[assignment]
        # The risk check (lotsen.risk): the shipped model, or None for every answer to stand.
        self.risk: RiskModel | None = load_risk() if risk == "fitted" else risk  # type: ignore[assignment]
        self._openers = risk_openers()
        self._facet_answers: dict[tuple[str, str], bool] = {}  # (entry, facet) → its answer names it
        # Aliases as token tuples, looked up n-gram by n-gram (longest first): folded for long
        # aliases, with diacritics for short ones ("far" must not fire on "får").
        self._aliases: dict[tuple[str, ...], tuple[str, str]] = {}
        self._short_aliases: dict[tuple[str, ...], tuple[str, str]] = {}
        pairs = _alias_pairs(kb)
        # A name that is its own canonical form ("" below) only where no alias of the same words expands.
        for alias, canon in sorted(pairs, key=lambda pair: not pair[1]):
            table = self._short_aliases if len(alias) <= 4 else self._aliases
            table.setdefault(tuple(alias.split()), (alias, canon))
        self._alias_len = max((len(k) for k in (*self._aliases, *self._short_aliases)), default=1)
        # First word → the alias lengths starting with it (longest first): one dict lookup per word.
        self._alias_starts: dict[int, dict[str, list[int]]] = {}
        for table in (self._aliases, self._short_aliases):
            starts: dict[str, set[int]] = defaultdict(set)
            for key in table:
                starts[key[0]].add(len(key))
            self._alias_starts[id(table)] = {w: sorted(ns, reverse=True) for w, ns in starts.items()}
        # Vocabulary first (for typo correction and compound splitting), then the index.
        texts = [(e.id, t) for e in kb.entries.values() for t in dict.fromkeys((e.question, *e.phrasings))]
        vocab: set[str] = set()
        uses: Counter[str] = Counter()  # how many phrasings use each word: the likeliest completion of a cut word
        for _, t in texts:
            words_here = {fold(tok) for tok in tokens(t) if len(tok) > 1}
            vocab.update(words_here)
            uses.update(words_here)
        for _, canon in (*self._aliases.values(), *self._short_aliases.values()):
            vocab.update(fold(tok) for tok in tokens(canon))
        self._vocab = vocab
        # Words of answers and the glossary: they make a question "about" the knowledge base
        # (in its domain) and are valid parts of compounds, but are never typo targets.
        domain_words: set[str] = set(vocab)
        for e in kb.entries.values():
            domain_words.update(fold(tok) for tok in tokens(e.answer) if len(tok) > 1)
        for c in kb.concepts.values():
            domain_words.update(fold(tok) for tok in tokens(f"{c.term} {c.expansion} {c.definition}") if len(tok) > 1)
        self._parts = domain_words | {w for w in SHORT_HEADS}
        self._split_known = SPLIT_KNOWN
        self._vocab_list = sorted(w for w in vocab if len(w) >= 3 and not w.isdigit())
        self._uses = uses
        self._split_cache: dict[str, list[str]] = {}
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._vocab_list:
            by_initial[word[0]].append(word)
        self._by_initial = dict(by_initial)

        # Place names say where, not what: like question words they cannot make a match alone.
        self._weak = _WEAK_STEMS | {
            stem(fold(name))
            for mu in kb.municipalities.values()
            for name in (mu.name, *mu.aliases)
            if len(tokens(name)) == 1
        }
        self._docs: list[tuple[str, str, frozenset[str]]] = []  # entry, phrasing, stems
        entry_docs: dict[str, list[int]] = defaultdict(list)
        analysed_docs: list[_Analysed | None] = []  # None: reused from `previous`, analysed when needed
        self._analysed_docs: list[_Analysed | None] | None = analysed_docs
        # Each phrasing's stems in the order the analysis found them: a set built from them in
        # that order is laid out (so iterated, so summed) exactly like the one built here, which
        # a reused analysis needs (a set rebuilt from another's iteration order may differ).
        self._stem_order: list[tuple[str, ...]] = []
        reusable = self._reusable(previous) if previous is not None else None
        earlier: dict[str, tuple[tuple[str, ...], _Analysed | None]] = {}
        if previous is not None and reusable is not None:
            before = previous._analysed_docs
            for i, ((_, text, _), order) in enumerate(zip(previous._docs, previous._stem_order)):
                if reusable(text):
                    earlier[text] = (order, before[i] if before is not None else None)
        for entry_id, text in texts:
            found = earlier.get(text)
            if found is None:
                analysed: _Analysed | None = self._analyse(text, correct=False)
                assert analysed is not None
                order = tuple(analysed.stems)
            else:
                order, analysed = found
            analysed_docs.append(analysed)
            entry_docs[entry_id].append(len(self._docs))
            self._docs.append((entry_id, text, frozenset(order)))
            self._stem_order.append(order)
        self._entry_ids = list(entry_docs)
        n_entries = max(len(self._entry_ids), 1)
        # Per entry: share of its phrasings containing each stem, and the stems of its answer.
        self._entry_tf: dict[str, dict[str, float]] = {}
        df: dict[str, int] = defaultdict(int)
        for entry_id, docs in entry_docs.items():
            counts: dict[str, int] = defaultdict(int)
            for d in docs:
                for s in self._docs[d][2]:
                    counts[s] += 1
            self._entry_tf[entry_id] = {s: c / len(docs) for s, c in counts.items()}
            for s in counts:
                df[s] += 1
        self._entry_forms: dict[str, frozenset[str]] = {}
        for entry_id, docs in entry_docs.items():
            forms: set[str] = set()
            for d in docs:
                forms.update(fold(t) for t in tokens(self._docs[d][1]))
            self._entry_forms[entry_id] = frozenset(forms - _FOLDED_STOP)
        # Per entry: share of its phrasings that ask "när" ("när ska sip upprättas"). "När" is a
        # stopword (a conjunction too), so no stem carries it; as a question's first words it is
        # the question word, intent evidence like "vem" and "hur" ("när måste man ha sip").
        self._entry_when = {
            entry_id: sum(_asks_when(self._docs[d][1]) for d in docs) / len(docs)
            for entry_id, docs in entry_docs.items()
        }
        self._answer_order: dict[str, tuple[str, ...]] = {}
        for e in kb.entries.values():
            answer_order: tuple[str, ...] | None = None
            if previous is not None and reusable is not None:
                before_entry = previous.kb.entries.get(e.id)
                if before_entry is not None and before_entry.answer == e.answer and reusable(e.answer):
                    answer_order = previous._answer_order.get(e.id)
            if answer_order is None:
                answer_order = tuple(self._analyse(e.answer, correct=False).stems)
            self._answer_order[e.id] = answer_order
        self._answer_stems = {entry_id: frozenset(order) for entry_id, order in self._answer_order.items()}
        answer_df: dict[str, int] = defaultdict(int)
        for stems in self._answer_stems.values():
            for s in stems:
                answer_df[s] += 1

        def idf(count: int) -> float:
            return math.log(1 + (n_entries - count + 0.5) / (count + 0.5))

        self._idf = {s: idf(c) * (WEAK_FACTOR if s in self._weak else 1.0) for s, c in df.items()}
        # Words only in answers still count, as much as a rare word would in the answer.
        self._answer_idf = {s: idf(c) * (WEAK_FACTOR if s in self._weak else 1.0) for s, c in answer_df.items()}
        postings: dict[str, list[str]] = defaultdict(list)
        for entry_id, tf in self._entry_tf.items():
            for s in tf:
                postings[s].append(entry_id)
        for entry_id, stems in self._answer_stems.items():
            for s in stems:
                if s not in self._entry_tf.get(entry_id, {}):
                    postings[s].append(entry_id)
        self._postings = dict(postings)
        self._rival_cache: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        # A phrasing's own weight: a place it names counts fully here, so "har nässjö förrehab"
        # is only half covered by a question that names no place.
        self._places = self._weak - _WEAK_STEMS
        # Efforts and glossary concepts by the canonical words their aliases expand to, each with
        # the stems of its names: a short question naming one ("hur många deltagare gick igenom
        # kpf") is not answered by an entry that mentions none of them ("other-thing").
        # A thing many entries mention (ekonomiskt bistånd, SGI, SIP) is the background of a question
        # ("min klient har ekb och …"), not what it asks about: only the rarer ones count.
        self._things: dict[str, tuple[frozenset[str], ...]] = {}
        # … and by the stems of each name's words, for a name typed as it is ("via arena").
        # A single word counts only when the answers write it as a name (capitalised in a
        # sentence, "Arena", "KPF"), not as an ordinary word ("kunden", "samtycke"); a förbund
        # is checked by _other_forbund ("hsf:s enkät" asks about Höglandet's, whose entries say "förbundet").
        # By the stem of the name's first word: (the stems, the thing, the name's own words).
        self._thing_phrases: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = defaultdict(list)
        proper = _proper_nouns(kb)
        # A förbund the documents barely describe (geography's `in_seeds: false`), by the stems of
        # its name that are its own: a short question naming it ("hur stor budget har finnvedens
        # samordningsförbund") is not answered by an entry that never names it (Höglandet's
        # figures). Höglandet's own entries often say only "förbundet", so it is not checked.
        generic = {stem(fold(w)) for w in ("samordningsförbund", "förbund", "södra")}
        self._unseen_forbund = {
            f.name: own
            for f in kb.forbund.values()
            if not f.in_seeds and (own := frozenset(stem(fold(t)) for t in tokens(f.name)) - generic)
        }
        for canonical, thing_names in _thing_names(kb):
            name_stems = tuple(a for n in thing_names if (a := frozenset(self._analyse(n, correct=False).stems)))
            # The entries mentioning one of its names: by the postings (phrasings and answers), so
            # the count stays cheap on a knowledge base of 10,000 entries.
            mentioned: set[str] = set()
            for name in name_stems:
                lists = sorted((self._postings.get(s, ()) for s in name), key=len)
                common = set(lists[0])
                for posting in lists[1:]:
                    common.intersection_update(posting)
                mentioned |= common
            if len(mentioned) < THING_COMMON * n_entries:
                self._things[canonical] = name_stems
                if any("samordningsforbund" in normalise(n) for n in thing_names):
                    continue
                for n in thing_names:
                    # Each word of the name as typed (stop words kept): "räknas" is not "Räkna med oss".
                    words = tuple(fold(t) for t in tokens(n))
                    if len(words) == 1 and words[0] not in proper and not _rare_term(words[0]):
                        continue
                    if words:
                        self._thing_phrases[stem(words[0])].append((tuple(stem(w) for w in words), canonical, words))
        # Efforts and processes the documents tie to some municipalities (Arena: Jönköping, Habo,
        # Mullsjö): the stems of their names and of those municipalities. "finns arena i vaggeryd"
        # is not answered by who convenes Arena ("not-here").
        self._muni_stems = {
            mu.id: frozenset(self._analyse(mu.name, correct=False).stems) for mu in kb.municipalities.values()
        }
        self._local_things: list[tuple[tuple[frozenset[str], ...], frozenset[str]]] = []
        tied: list[Effort | Process] = [*kb.efforts.values(), *kb.processes.values()]
        for local in tied:
            muni_ids = [m for m in local.municipalities if m in self._muni_stems]
            if not muni_ids or len(muni_ids) == len(self._muni_stems):
                continue
            local_names = tuple(
                a for n in (local.name, *local.aliases) if (a := frozenset(self._analyse(n, correct=False).stems))
            )
            self._local_things.append((local_names, frozenset().union(*(self._muni_stems[m] for m in muni_ids))))
        self._named_cache: dict[str, frozenset[str]] = {}  # entry → its own title and answer stems
        self._years_cache: dict[str, frozenset[str]] = {}  # entry → the years its title and answer name
        # Parties by their folded names ("varden" → regionen): "vårdens ansvar i jönköpingsmodellen"
        # asks for what vården does, not for the model ("party").
        self._party_names: dict[str, str] = {}
        for party in kb.parties.values():
            for n in (party.id, party.name, party.short, *party.aliases):
                if n:
                    self._party_names.setdefault(normalise(n), party.id)
        # The places an entry is about (most of its phrasings name them): "Samverk Eksjö" is not
        # the answer to a question about Tranås.
        self._entry_places = {
            e: frozenset(s for s, share in tf.items() if s in self._places and share >= PLACE_SPECIFIC)
            for e, tf in self._entry_tf.items()
        }
        self._doc_weight = [
            sum(
                self._idf.get(s, 0.0) / (WEAK_FACTOR if s in self._places else 1.0) * PLACE_SHARE
                if s in self._places
                else self._idf.get(s, 0.0)
                for s in d[2]
            )
            or 1.0
            for d in self._docs
        ]
        self._entry_docs = dict(entry_docs)
        self._centroid_weight = {
            e: sum(self._idf.get(s, 0.0) * share for s, share in tf.items()) or 1.0 for e, tf in self._entry_tf.items()
        }
        self._max_idf = max(self._idf.values(), default=2.0)
        # Stems of what the knowledge base is about (parties, glossary terms and their aliases).
        names = [n for p in kb.parties.values() for n in (p.short or "", *p.aliases)]
        names += [n for c in kb.concepts.values() for n in (c.term, *c.aliases)]
        topic_words = [n for n in names if len(tokens(n)) == 1]  # "SIP", "Arena", "FK" – not "… på recept"
        self._topic_stems = (
            frozenset(stem(fold(t)) for t in topic_words if len(t) > 1)
            - self._weak
            - _FOLDED_STOP
            - self._common_stems(kb)
        )
        self._idf_get = lambda s, _get=self._idf.get: _get(s, 0.0)
        self._domain_stems = frozenset(self._idf) | frozenset(self._answer_idf) | {stem(w) for w in domain_words}
        self.vocabulary = DomainVocabulary.of(kb)  # how specific each word is to the domain (off-topic)

    def _reusable(self, previous: Matcher) -> Callable[[str], bool] | None:
        """Which texts `previous` analysed exactly as this matcher would (None: none of them).

        An analysis (_analyse without typo correction) depends on the text and on three tables:
        the aliases, the vocabulary (a word of nine letters or more in it is also split into its
        parts) and the known parts of compounds. With the same aliases, a text's analysis can
        only differ if one of its words is such a long word whose membership in the vocabulary
        changed, or one whose split can change: one containing a part that was added or removed
        (the split only ever looks at a word's own substrings). A text containing none of those
        words (checked as substrings of the folded text: sometimes too careful, never too
        little) is analysed the same."""
        if (
            previous._aliases != self._aliases
            or previous._short_aliases != self._short_aliases
            or previous._split_known != self._split_known
        ):
            return None
        changed_parts = previous._parts ^ self._parts
        if len(changed_parts) > REUSE_MAX_CHANGED:
            return None
        affected = {w for w in previous._vocab ^ self._vocab if len(w) >= 9}
        if changed_parts:
            affected.update(
                w for w in self._vocab | previous._vocab if len(w) >= 9 and any(p in w for p in changed_parts)
            )
        if len(affected) > REUSE_MAX_CHANGED or affected & _FOLDED_STOP:
            return None
        if not affected:
            return lambda text: True
        words = tuple(affected)

        def unaffected(text: str) -> bool:
            folded = fold(text)
            return not any(w in folded for w in words)

        return unaffected

    def __getstate__(self) -> dict:
        """Picklable (lotsen.kb.isolated builds the matcher in another process): everything but
        the lambda and the phrasings' analyses, which match_phrasing recomputes when missing."""
        state = dict(self.__dict__)
        state.pop("_idf_get", None)
        state["_analysed_docs"] = None
        # Keyed by the tables' id(), which another process does not share: by position instead.
        state["_alias_starts"] = [self._alias_starts[id(t)] for t in (self._aliases, self._short_aliases)]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._alias_starts = {
            id(t): starts for t, starts in zip((self._aliases, self._short_aliases), state["_alias_starts"])
        }
        self._idf_get = lambda s, _get=self._idf.get: _get(s, 0.0)

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
                # Compounds before typos: a word made of known words is never "corrected".
                parts = self._split_compound(w)
                if parts:
                    compounds[w] = parts
                    fixed.append(w)
                    fixed.extend(parts)
                    continue
                if w in self._parts or zipf(w) >= TYPO_KEEP_ZIPF:  # a real word of the domain, or common Swedish
                    fixed.append(w)
                    continue
                # A word cut short, as in notes ("ansökn", "ek bist", "handl på fk"): the word of
                # the phrasings it begins, before any typo correction ("ansökn" is not "ansöka").
                if whole := self._completion(w):
                    corrections[w] = whole
                    fixed.append(whole)
                    continue
                # One edit in a short word, two in a long one ("forsakringskasan"); the first
                # letter must be right (typos rarely start a word).
                hit = process.extractOne(
                    w, self._by_initial.get(w[0], ()), scorer=Levenshtein.distance, score_cutoff=1 if len(w) < 8 else 2
                )
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
        own = {stem(w) for w in words}
        expanded = frozenset(s for s in (stem(w) for w in extra if w not in _FOLDED_STOP) if s not in own)
        return _Analysed(stems, " ".join(content), corrections, expansions, compounds, expanded)

    def _completion(self, cut: str) -> str:
        """The phrasings' word that `cut` is the beginning of, the one most phrasings use; ""
        when none is. As in Swedish abbreviations, the cut ends on a consonant before a vowel
        ("ansökn|ingar", "bist|ånd", "handl|äggare"): "remittent" is not "remittent|gruppen"
        nor "avvikelsera" "avvikelse|rapport". A complete word in another form ("kontaktväg",
        "kontaktvägar") has the same stem and is left as it is."""
        if cut[-1] in VOWELS:
            return ""
        words = self._vocab_list
        begun = takewhile(lambda w: w.startswith(cut), islice(words, bisect_left(words, cut), None))
        cuts = [w for w in begun if len(w) >= len(cut) + CUT_MIN_ADDED and w[len(cut)] in VOWELS]
        found = min(cuts, key=lambda w: (-self._uses[w], len(w)), default="")
        return found if found and stem(found) != stem(cut) else ""

    def _find_aliases(self, words: list[str], table: dict[tuple[str, ...], tuple[str, str]]) -> list[tuple[str, str]]:
        """Aliases in a token sequence, longest match first at each position."""
        found = []
        starts = self._alias_starts[id(table)]
        i, n_words = 0, len(words)
        while i < n_words:
            lengths = starts.get(words[i])
            if lengths:
                for n in lengths:  # longest first
                    if i + n <= n_words:
                        hit = table.get(tuple(words[i : i + n]))
                        if hit:
                            if hit[1]:  # a name that is its own canonical form only stops shorter aliases
                                found.append(hit)
                            i += n
                            break
                else:
                    i += 1
            else:
                i += 1
        return found

    def _split_compound(self, word: str) -> list[str]:
        """Split a compound into known words ("itsparet" → it + sparet, "forrehabens" →
        for + rehab…), trying a linking -s- or -e- between the parts; [] when it does not split."""
        if word in self._split_cache:
            return self._split_cache[word]
        parts = self._split(word, depth=0) if len(word) >= 6 else []
        parts = parts if parts and len(parts) > 1 else []
        if len(self._split_cache) < 50_000:
            self._split_cache[word] = parts
        return parts

    def _split(self, word: str, depth: int) -> list[str]:
        known = self._parts
        for i in range(len(word) - 3, 1, -1):
            left, right = word[:i], word[i:]
            if len(left) < 3 and left not in SHORT_HEADS:
                continue
            heads = [left]
            if len(left) > 3 and left[-1] in "se":  # linking -s- / -e-
                heads.append(left[:-1])
            for head in heads:
                if head not in known or head in _FOLDED_STOP and len(head) < 3:
                    continue
                if right in known and len(right) >= 4:
                    return [head, right]
                if depth < 2 and len(right) >= 6:
                    rest = self._split(right, depth + 1)
                    if rest:
                        return [head, *rest]
        return []

    @staticmethod
    def _common_stems(kb: KnowledgeBase) -> frozenset[str]:
        """Words of place names and of the parties' full names ("region", "län", "kommun"):
        too common to make a question topical on their own."""
        words = [t for mu in kb.municipalities.values() for t in tokens(" ".join((mu.name, *mu.aliases)))]
        words += [t for p in kb.parties.values() for t in tokens(p.name)]
        return frozenset(stem(fold(t)) for t in words)

    def _known_head(self, word: str) -> bool:
        """Whether an unknown word starts with a known word of at least five letters."""
        return any(word[:i] in self._parts for i in range(len(word) - 2, 4, -1))

    def _domain_share(self, stems: list[str]) -> float:
        """How much of the question is about what the knowledge base knows (0..1): a word of
        some phrasing counts fully, a word only in answers or the glossary half, an unknown
        word not at all; rare words weigh more."""
        total = known = 0.0
        for s in stems:
            if s in self._idf:
                weight, share = self._idf[s], 1.0
            elif s in self._answer_idf:
                weight, share = self._answer_idf[s], 0.5
            elif s in self._domain_stems or self._known_head(s):
                weight, share = self._max_idf, 0.5  # e.g. "arenagrupp": a known word + something new
            else:
                weight, share = self._max_idf, 0.0
            total += weight
            known += weight * share
        return known / total if total else 0.0

    def knows(self, stem: str) -> bool:
        """Whether a stem occurs in some phrasing (for explanations: unknown words)."""
        return stem in self._idf

    # --- matching ---------------------------------------------------------------------

    def match(self, text: str, limit: int = 3, *, only: Iterable[str] | None = None) -> MatchResult:
        """Rank the entries for `text`. `only` restricts scoring to these entries."""
        analysed = self._analyse(text, correct=True)
        ask = ask_clause(text) if only is None else ""
        result = self._focus_on_ask(text, analysed, ask, limit) if ask else self._match(text, analysed, limit, only)
        result.words = self.vocabulary.words(text, result.corrections, result.compounds)
        result.specific, result.specific_words = share_of(result.words)
        if only is None and result.level == ANSWER and self.risk is not None and risk_checked(result.reason):
            # The risk check (session 31): an answer whose signals are those of wrong answers on
            # the tuning sets is offered instead ("… flyttade nyss till vetlanda …, gäller arena
            # där": the forum in Jönköping, Habo and Mullsjö was first, not the local groups).
            result.risk = self.risk.probability(self.risk_signals(text, result))
            if result.risk >= self.risk.cutoff:
                result.level, result.reason = SUGGEST, "risk"
        return result

    def risk_signals(self, text: str, result: MatchResult) -> dict[str, float]:
        """What the risk check weighs (lotsen.risk): the answer decision's signals (evidence), its
        probability, the question's length in words and in stems, whether it has a digit, how many
        places it names, how many close alternatives there are, how it opens (risk.yaml) and which
        answer decision was made."""
        signals = dict(result.evidence)
        words = tokens(text)  # lower-cased
        first = words[0] if words else ""
        signals["probability"] = result.probability
        signals["tokens"] = float(len(words))
        signals["stems"] = float(len(result.stems))
        signals["digit"] = 1.0 if any(ch.isdigit() for ch in text) else 0.0
        signals["places"] = float(len({s for s in result.stems if s in self._places}))
        # The close ones among the second and third (the same whatever `limit` the match had).
        signals["offered"] = float(len(self.alternatives(result, limit=2)))
        for opener in self._openers:
            signals[f"opens:{opener}"] = 1.0 if first.startswith(opener) else 0.0
        for reason in RISK_REASONS:
            signals[f"reason:{reason}"] = 1.0 if result.reason == reason else 0.0
        return signals

    def _focus_on_ask(self, text: str, analysed: _Analysed, ask: str, limit: int) -> MatchResult:
        """A long message describing a situation: the clause that asks ("… vem ska jag prata
        med först?") has its own share of the score (the Ranker's ask_* weights), so the
        background does not pull the answer towards an entry about the background. Without a
        Ranker, the clause weighs ASK_SHARE and only adds evidence."""
        result = self._match(text, analysed, max(limit, ASK_POOL), None)
        if not result.candidates:
            return result
        pool = [c.entry_id for c in result.candidates]
        whole_best = pool[0]
        asked = self._match(ask, self._analyse(ask, correct=True), len(pool), pool)
        ask_found = {c.entry_id: c for c in asked.candidates}
        ranker = self.ranker
        for c in result.candidates:
            if ranker is not None:
                c.score = ranker.score(c, ask_found.get(c.entry_id), True)
            else:
                a = ask_found.get(c.entry_id)
                c.score = round(max(c.base, (1 - ASK_SHARE) * c.base + ASK_SHARE * (a.base if a else 0.0)), 4)
        ranked = sorted(result.candidates, key=lambda c: (-c.score, -c.bm25, c.entry_id))
        meaningful = [s for s in analysed.stems if s not in self._weak and (s in self._idf or not s.isdigit())]
        result.agree = bool(asked.candidates) and asked.candidates[0].entry_id == whole_best == ranked[0].entry_id
        result.own_words = sum(s not in analysed.expanded for s in meaningful)
        result.expanded = analysed.expanded
        result = self._decide(result, ranked, meaningful, limit, asking=True)
        result.reason += "+ask"
        return result

    def phrasings(self) -> list[tuple[str, str]]:
        """(entry id, text) of every indexed phrasing (question titles included), in index order."""
        return [(d[0], d[1]) for d in self._docs]

    def rivals(self, index: int, limit: int = 4) -> list[str]:
        """The entries most likely to compete with phrasing `index`: those sharing its rarest
        words (the first RIVAL_SCAN entries of each word's postings), most shared weight first;
        on a tie, the entry met first. Cost grows with how common those words are, not with the
        size of the knowledge base.

        Found with set operations rather than by adding up weights entry by entry: only an
        entry in two or more of the words' postings, or one of the first `limit` entries of a
        posting, can be among the best `limit`."""
        entry_id, _, stems = self._docs[index]
        # Equally rare words in the stems' order, not the set's: an unpickled copy iterates a set
        # in another order, and must find the same rivals.
        rare = sorted((s for s in stems if s in self._idf and s not in self._weak), key=lambda s: (-self._idf[s], s))[
            :RIVAL_WORDS
        ]
        lists = [(*self._rival_postings(s), self._idf[s]) for s in rare]
        several: set[str] = set()
        for i, (_, first, _) in enumerate(lists):
            for _, second, _ in lists[i + 1 :]:
                several |= first & second
        several.discard(entry_id)
        candidates = set(several)
        for entries, _, _ in lists:
            taken = 0
            for other in entries:
                if taken >= limit:
                    break
                if other != entry_id and other not in several:
                    candidates.add(other)
                    taken += 1
        order: dict[str, tuple[float, int, int]] = {}
        for other in candidates:
            shared, met = 0.0, None
            for k, (entries, members, weight) in enumerate(lists):
                if other in members:
                    shared += weight
                    if met is None:
                        met = (k, entries.index(other))
            assert met is not None
            order[other] = (-shared, *met)
        return sorted(order, key=order.__getitem__)[:limit]

    def _rival_postings(self, stem: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """The first RIVAL_SCAN entries of a stem's postings, in order and as a set (cached)."""
        found = self._rival_cache.get(stem)
        if found is None:
            head = tuple(self._postings.get(stem, ())[:RIVAL_SCAN])
            found = self._rival_cache[stem] = (head, frozenset(head))
        return found

    def match_phrasing(self, index: int, limit: int = 3) -> MatchResult:
        """Phrasing `index` asked exactly as written, scored against its own entry and its
        likely rivals only (the knowledge-base check: near-linear in the number of phrasings)."""
        entry_id, text, _ = self._docs[index]
        analysed = self._analysed_docs[index] if self._analysed_docs is not None else None
        if analysed is None:
            analysed = self._analyse(text, correct=False)
        return self._match(text, analysed, limit, [entry_id, *self.rivals(index)])

    def _match(self, text: str, q: _Analysed, limit: int, only: Iterable[str] | None) -> MatchResult:
        result = MatchResult(
            query=text,
            level=NONE,
            candidates=[],
            corrections=q.corrections,
            expansions=q.expansions,
            compounds=q.compounds,
            stems=q.stems,
            reason="no-words",
        )
        # Numbers the knowledge base does not know (a date, a redacted personnummer) say nothing.
        meaningful = [s for s in q.stems if s not in self._weak and (s in self._idf or not s.isdigit())]
        result.own_words = sum(s not in q.expanded for s in meaningful)
        result.expanded = q.expanded
        # A word the question does not contain but a typo correction made up ("världens" →
        # "vårdens", "köpa" → "kpa") does not make it topical.
        guessed = {stem(w) for w in q.corrections.values()}
        result.topical = any(s in self._topic_stems and s not in guessed for s in q.stems)
        result.domain = (
            self._domain_share(meaningful) if meaningful else (1.0 if any(s in self._idf for s in q.stems) else 0.0)
        )
        known = [s for s in q.stems if (s in self._idf or s in self._answer_idf) and s not in self._weak]
        if not known:
            # A question made only of weak words ("vem gör vad?") may still match a phrasing
            # made of the same words; a single weak word ("hur") never does.
            known = [s for s in q.stems if s in self._idf] if len(q.stems) >= 2 else []
        if not known:
            return result
        w = self.weights
        sat_max = _saturate(1.0 + w.answer_tf, w.k1)
        # The question's own weight: every meaningful word; a word the knowledge base has never
        # seen weighs like a fairly rare word, so "fotboll" is not explained away.
        unknown_weight = self._max_idf
        expanded = q.expanded
        q_weight = (
            sum(
                self._idf.get(s, self._answer_idf.get(s, 0.0 if s.isdigit() else unknown_weight))
                for s in q.stems
                if s not in expanded
            )
            or 1.0
        )
        pool: Collection[str]
        if only is not None:
            pool = set(only)
        else:
            # Cheap first pass: shared weight per entry; only the best PREFILTER are scored fully.
            acc: dict[str, float] = defaultdict(float)
            for s in known:
                weight = self._idf.get(s) or self._answer_idf.get(s, 0.0)
                for entry_id in self._postings.get(s, ()):
                    acc[entry_id] += weight
            pool = acc.keys() if len(acc) <= PREFILTER else sorted(acc, key=acc.__getitem__, reverse=True)[:PREFILTER]
        qset = set(q.stems)
        qfrozen = frozenset(qset)
        q_places = qfrozen & self._places
        idf_get = self._idf_get
        q_questions = [s for s in q.stems if s in _QUESTION_STEMS]
        q_when = _asks_when(text)
        q_forms = [
            f
            for f in dict.fromkeys(q.text.split())
            if f in self._vocab and stem(f) in self._idf and stem(f) not in self._weak
        ]
        scored: list[Candidate] = []
        for entry_id in pool:
            tf = self._entry_tf.get(entry_id)
            if tf is None:
                continue
            answer = self._answer_stems.get(entry_id, frozenset())
            bm = 0.0
            explained = 0.0
            shared = []
            for s in qset:
                x = tf.get(s, 0.0) + (w.answer_tf if s in answer else 0.0)
                if x <= 0:
                    continue
                if s in tf:
                    shared.append(s)
                if s in expanded:  # found through an abbreviation: the abbreviation weighs
                    continue
                weight = self._idf.get(s) or self._answer_idf.get(s, 0.0)
                if s not in tf:  # only in the answer: weaker evidence
                    weight = min(weight, self._answer_idf.get(s, 0.0)) * 0.6
                bm += weight * _saturate(x, w.k1)
                explained += weight
            if bm <= 0:
                continue
            best_cov, best_doc = 0.0, self._entry_docs[entry_id][0]
            for d in self._entry_docs[entry_id]:
                common = self._docs[d][2] & qfrozen
                if not common:
                    continue
                # fsum: exactly rounded whatever the set's order, so equal phrasings tie exactly and
                # the first in file order wins (set order differs between processes and after pickling).
                cov = math.fsum(map(idf_get, common)) / self._doc_weight[d]
                if cov > best_cov:
                    best_cov, best_doc = cov, d
            focus = min(1.0, explained / q_weight)
            key = sum(self._idf.get(s, 0.0) * tf[s] for s in shared) / self._centroid_weight[entry_id]
            intent = max((tf.get(s, 0.0) for s in q_questions), default=0.0)
            if q_when:
                intent = max(intent, self._entry_when.get(entry_id, 0.0))
            forms = self._entry_forms[entry_id]
            form_share = (sum(1 for f in q_forms if f in forms) / len(q_forms)) if q_forms else 0.0
            cand = Candidate(
                entry_id,
                0.0,
                self._docs[best_doc][1],
                sorted(shared),
                round(best_cov, 4),
                round(focus, 4),
                round(bm, 4),
                round(key, 4),
                round(intent, 4),
                round(form_share, 4),
            )
            if q_places:
                own = self._entry_places.get(entry_id, frozenset())
                if own & q_places:
                    cand.place_match = 1.0
                elif own and not any(tf.get(p, 0.0) >= PLACE_MENTIONED for p in q_places):
                    cand.place_ok = 0.0
            scored.append(cand)
        if not scored:
            return result
        # BM25 relative to what the question could score at most (its known words, saturated).
        bm_ceiling = q_weight * sat_max
        w_total = (w.coverage + w.bm25 + w.focus + w.key + w.intent + w.forms) or 1.0
        for c in scored:
            rel_bm = min(1.0, c.bm25 / bm_ceiling)
            c.rel_bm = round(math.sqrt(rel_bm), 4)
            # Long questions: relative BM25 falls with length, coverage does not.
            c.base = c.score = round(
                (
                    w.coverage * c.overlap
                    + w.bm25 * math.sqrt(rel_bm)
                    + w.focus * c.fuzzy
                    + w.key * c.key
                    + w.intent * c.intent
                    + w.forms * c.forms
                )
                / w_total,
                4,
            )
            if self.ranker is not None:
                c.score = self.ranker.score(c, None, False)
        ranked = sorted(scored, key=lambda c: (-c.score, -c.bm25, c.entry_id))
        return self._decide(result, ranked, meaningful, limit)

    def _confidence(self, ranked: list[Candidate], asking: bool) -> float:
        """The Ranker's softmax probability that the best candidate is the right one, among the
        first CONFIDENCE_POOL that could be shown (the Ranker's logits are its blend times its
        total weight)."""
        ranker = self.ranker
        if ranker is None or not ranked:
            return 1.0
        weight = ranker.own_weight + (ranker.ask_weight if asking else 0.0)
        top = ranked[0].score
        floor = self.thresholds.suggest * 0.75
        pool = [c for c in ranked[:CONFIDENCE_POOL] if c.score >= floor or c is ranked[0]]
        return round(1.0 / math.fsum(math.exp(weight * (c.score - top)) for c in pool), 4)

    def _decide(
        self, result: MatchResult, ranked: list[Candidate], meaningful: list[str], limit: int, asking: bool = False
    ) -> MatchResult:
        """The level (answer / suggest / none) from the ranked candidates' scores, margin and
        the best one's probability."""
        th = self.thresholds
        result.confidence = confident = self._confidence(ranked, asking)
        result.level, result.missing = NONE, ""
        top = ranked[0].score
        second = ranked[1].score if len(ranked) > 1 else 0.0
        margin = 1.0 - second / top if top > 0 else 0.0
        result.margin = round(margin, 4)
        # A question with long_words meaningful words or more is long: a description of a situation.
        long = len(meaningful) >= th.long_words
        # One meaningful word ("sip") is an answer only when a phrasing is essentially that word.
        # A place the best entry is about counts as a word here: "samverk eksjö" asks for the group
        # in Eksjö, not for what Samverk is.
        single_word = len(meaningful) <= 1 and not ranked[0].place_match
        clear = not single_word or ranked[0].overlap >= 0.95
        # The question's most distinctive word must be something the best entry talks about:
        # "hur mycket får en samverkanskoordinator i lön" is not answered by what they do.
        best_entry = ranked[0].entry_id
        distinctive = max(
            meaningful, key=lambda s: self._idf.get(s, self._answer_idf.get(s, self._max_idf)), default=""
        )
        if (
            distinctive
            and len(meaningful) <= GAP_WORDS
            and distinctive not in self._entry_tf[best_entry]
            and distinctive not in self._answer_stems.get(best_entry, ())
        ):
            result.missing = distinctive
        result.facet = None
        result.evidence = self._evidence(result, ranked, meaningful, asking)
        decision = self.decision
        # The probability the fitted decision needs here (Decision.cutoff_for); no model: never met.
        needed = 2.0
        if decision is not None:
            result.probability = decision.probability(result.evidence)
            needed = decision.cutoff_for(result.evidence)
        if not clear and top >= th.answer:
            result.level, result.reason = SUGGEST, "single-word"
        elif result.missing and top >= th.answer:
            result.level, result.reason = SUGGEST, "missing-word"
        elif (
            top >= th.answer
            and margin < th.tie_margin
            and decision is not None
            and result.probability < th.tie_probability
        ):
            # Two entries tie and the fitted decision finds the first more likely wrong than
            # right: "vem betalar vad i samordningsförbundet" is offered, with its rival.
            result.level, result.reason = SUGGEST, "tie"
        elif top >= th.answer and (margin >= th.margin or (top >= th.sure and margin >= th.sure_margin)):
            result.level, result.reason = ANSWER, "clear"
        elif (
            long
            and top >= th.long_answer
            and margin >= th.long_margin
            and confident >= th.long_confidence
            and (decision is None or result.probability >= needed)
        ):
            # A long description of a situation explains less of itself with any one entry, so
            # its score is lower; a clear lead still makes the answer safe, if the fitted decision
            # does not find it less likely right than its own cut-off.
            result.level, result.reason = ANSWER, "clear-long"
        elif decision is not None and long and top >= th.suggest and result.probability >= needed:
            # The fitted decision: the best entry of a long question is likely right although no
            # hand threshold says so (its probability from the Ranker's own probability, the
            # score and the lead; scripts.fit_decision).
            result.level, result.reason = ANSWER, "likely-long"
        elif (
            asking
            and result.agree
            and len(ranked) == 1
            and long
            and top >= th.lone_answer
            and ranked[0].focus >= th.lone_focus
        ):
            # A long description of a situation that one entry alone explains, the asking clause
            # included: every other entry scored under the suggestion floor ("… finns det någon
            # insats som skulle passa honom?" with IT-spåret the only one near).
            result.level, result.reason = ANSWER, "lone-long"
        elif top >= th.suggest:
            result.level, result.reason = SUGGEST, "close" if top >= th.answer else "low"
        else:
            result.reason = "low"
        if result.level == ANSWER and ranked[0].place_ok == 0.0 and not long:
            # "hur ofta träffas samverk tranås" is not answered by the group in Eksjö: a short
            # question's place is what it asks about (a long one often names it in passing).
            own = self._entry_places.get(best_entry, frozenset())
            named = next((s for s in result.stems if s in self._places and s not in own), "")
            result.level, result.reason, result.missing = SUGGEST, "other-place", named
        if (
            result.level == ANSWER
            and result.own_words < th.long_words
            and margin < WHICH_PLACE_MARGIN
            and self._which_place(result.stems, ranked)
        ):
            # "hur ofta ses samverkanskoordinatorerna": the question names no place, and the two
            # best entries are about different ones (Nässjö's group, Sävsjö's), so it is offered
            # for the user to choose (session 30).
            result.level, result.reason = SUGGEST, "which-place"
        if result.level == ANSWER and result.own_words < th.long_words:
            # A short question's year and the effort or term it names are what it asks about:
            # "hur många avvikelser kom in 2023" is not answered by the figures for 2024, nor "hur
            # många deltagare gick igenom kpf förra året" by how SE-Höglandet went.
            if (dated := self._dated_runner_up(result.query, ranked)) is not None:
                # "hur många var i strukturerat efterstöd i se 2024": of two close entries, the one
                # that names the year asked about answers, not the method that names none.
                best_entry = _promote(ranked, dated)
                result.reason = "year-answer"
                result.missing = min(set(_YEAR.findall(result.query)) & self._years_of(best_entry))
            elif year := self._other_year(result.query, best_entry):
                result.level, result.reason, result.missing = SUGGEST, "other-year", year
            elif thing := self._other_thing(result.expansions, best_entry, result.query):
                result.level, result.reason, result.missing = SUGGEST, "other-thing", thing
            elif member := self._absent_member(result.query, best_entry, result.expansions):
                # "var kuratorer med på sip-utbildningen i eksjö" is not answered by who took part
                # when the answer never names kuratorer (session 25).
                result.level, result.reason, result.missing = SUGGEST, "other-thing", member
        if (
            result.level == ANSWER
            and result.own_words < FORBUND_WORDS
            and (forbund := self._other_forbund(result.stems, best_entry))
        ):
            # A förbund the documents barely describe is what a question of a sentence asks about,
            # short or not: "hur många avvikelser i samverkan kom in i södra vätterbygden 2024" is
            # not answered by Höglandet's figures (session 24: up to 11 words, was 7).
            result.level, result.reason, result.missing = SUGGEST, "other-place", forbund
        if (
            result.level == ANSWER
            and result.own_words < th.long_words
            and (asked_party := self._asked_party(result.query))
            and asked_party[0] not in self._entry_parties(best_entry)
        ):
            # "vårdens ansvar i jönköpingsmodellen": the party's own entry answers, not the model's.
            party, party_phrase = asked_party
            party_entries = [
                c for c in ranked[1:PARTY_DEPTH] if c.score >= th.suggest and party in self._entry_parties(c.entry_id)
            ]
            party_best: Candidate | None = None
            if party_entries:
                # Among the party's entries, the one that best answers the responsibility asked
                # about on its own ("vårdens ansvar"), without the model or place around it.
                asked = self.match(party_phrase, only=[c.entry_id for c in party_entries])
                first = asked.candidates[0].entry_id if asked.candidates else party_entries[0].entry_id
                party_best = next(c for c in party_entries if c.entry_id == first)
            if party_best is not None:
                best_entry = _promote(ranked, party_best)
                result.reason, result.missing = "party", party
        if result.level == ANSWER and (local := self._not_here(result, ranked)) is not None:
            # "finns arena i vaggeryd": Arena is in Jönköping, Habo and Mullsjö; who convenes it does
            # not answer. An entry that names the place, or says where the thing is, does.
            place, instead = local
            if instead is None:
                result.level, result.reason, result.missing = SUGGEST, "not-here", place
            else:
                best_entry = _promote(ranked, instead)
                result.reason, result.missing = "not-here-answer", place
        # Only an answer is checked: "vad kostar en plats på kpf?" asks for a sum that the entry
        # about KPF does not name, so it is offered instead (or nothing, under the suggestion floor).
        if result.level == ANSWER:
            folded = normalise(result.query)
            if place := self._elsewhere(folded, best_entry):
                # "har kalmar län också rätt stöd rätt försörjning": the documents are about
                # Jönköpings län, so an entry that does not name the place does not answer it
                # (checked first: "hur många kommuner finns det i sverige" is about Sverige).
                result.level, result.reason, result.missing = SUGGEST, "elsewhere", place
            elif (
                facet := self._unanswered_facet(
                    folded, best_entry, result.query, long=result.own_words >= th.long_words
                )
            ) is not None:
                result.facet = facet
                result.level, result.reason = (SUGGEST, "facet") if top >= th.suggest else (NONE, "low")
            elif result.own_words < th.long_words and (year := self._undated_year(result.query, best_entry)):
                # "antal sip upprättade på höglandet 2024": an entry that names no year at all does
                # not answer a short question about one (session 29; checked after the facets, whose
                # card says more: "vem föreläste om samtycke … 2024" asks for a name).
                result.level, result.reason, result.missing = SUGGEST, "undated-year", year
            elif not long and (stranger := self._stranger(meaningful, result.compounds)):
                # "kan man få bostadstillägg samtidigt som sjukersättning": a short question naming
                # a thing the knowledge base has never heard of is about that thing, not its neighbour.
                result.level, result.reason, result.missing = SUGGEST, "unknown-word", stranger
        elif (
            result.reason in ("close", "low")
            and result.level == SUGGEST
            and not long
            and (stranger := self._stranger(meaningful, result.compounds))
        ):
            # Offered anyway: the card says which word the knowledge base does not know.
            result.reason, result.missing = "unknown-word", stranger
        result.candidates = [c for c in ranked[: max(limit, 1)] if c.score >= th.suggest * 0.75 or c is ranked[0]]
        return result

    def _which_place(self, stems: Iterable[str], ranked: list[Candidate]) -> bool:
        """Whether a question naming no place has its two best entries about different places."""
        if len(ranked) < 2 or any(s in self._places for s in stems):
            return False
        first = self._entry_places.get(ranked[0].entry_id, frozenset())
        second = self._entry_places.get(ranked[1].entry_id, frozenset())
        return bool(first) and bool(second) and not first & second

    def _years_of(self, entry_id: str) -> frozenset[str]:
        """The years the entry's title and answer name (read once per entry: a short question with a
        year asks it of the best entry up to three times)."""
        years = self._years_cache.get(entry_id)
        if years is None:
            entry = self.kb.entries.get(entry_id)
            years = frozenset(_YEAR.findall(f"{entry.question} {entry.answer}")) if entry is not None else frozenset()
            self._years_cache[entry_id] = years
        return years

    def _dated_runner_up(self, query: str, ranked: list[Candidate]) -> Candidate | None:
        """A close runner-up (within YEAR_CLOSE of the best score, about no other place and about
        the question's place if the best entry is) that names a year the question asks about,
        when the best entry names none of them; None otherwise."""
        asked = set(_YEAR.findall(query))
        if not asked or len(ranked) < 2 or asked & self._years_of(ranked[0].entry_id):
            return None
        top = ranked[0].score
        return next(
            (
                c
                for c in ranked[1:YEAR_DEPTH]
                if c.score >= max(YEAR_CLOSE * top, self.thresholds.suggest)
                and c.place_ok > 0.0
                and c.place_match >= ranked[0].place_match
                and asked & self._years_of(c.entry_id)
            ),
            None,
        )

    def _other_year(self, query: str, entry_id: str) -> str:
        """A year the question names that the entry's title and answer do not, when they name
        another one (the entry is about that year); "" if none."""
        asked_years = _YEAR.findall(query)
        if not asked_years:
            return ""
        dated = self._years_of(entry_id)
        return next((y for y in asked_years if dated and y not in dated), "")

    def _undated_year(self, query: str, entry_id: str) -> str:
        """A year the question names when the entry's title and answer name none; "" otherwise."""
        asked_years = _YEAR.findall(query)
        return asked_years[0] if asked_years and not self._years_of(entry_id) else ""

    def _other_thing(self, expansions: list[tuple[str, str]], entry_id: str, query: str = "") -> str:
        """The alias (as matched) or the name (as typed) of an effort or a glossary term the
        question names and the entry's phrasings and answer never mention by any of its names;
        "" if none."""
        for alias, canonical in expansions:
            names = self._things.get(canonical)
            # "far" (father, or "får" typed without ring) names FaR only by accident
            if names and zipf(fold(alias)) < COMMON_ZIPF and not self._mentions(entry_id, names):
                return alias
        if not query:
            return ""
        # A name typed as it is ("hur många fick jobb via arena 2024" and SE-Höglandet's results),
        # each word the name's own or an inflection of it ("styr" is not "styrelse").
        words = tokens(query)
        typed = [stem(fold(t)) for t in words]
        for i, first in enumerate(typed):
            for phrase, canonical, own in self._thing_phrases.get(first, ()):
                said = words[i : i + len(phrase)]
                if (
                    tuple(typed[i : i + len(phrase)]) == phrase
                    and all(_inflects(fold(t), w) for t, w in zip(said, own))
                    and not self._mentions(entry_id, (frozenset(phrase), *self._things[canonical]))
                ):
                    return " ".join(said)
        return ""

    def _absent_member(self, query: str, entry_id: str, expansions: Iterable[tuple[str, str]] = ()) -> str:
        """Who a "var/är/har X (varit) med på/i …" question asks about, or the property of those a
        "hur många … var Y" question counts, as folded, when the entry's phrasings and answer never
        name a word of it (a place aside); "" otherwise."""
        folded = normalise(query)
        m = _MEMBER.match(folded) or _PROPERTY.search(folded)
        if m is None:
            return ""
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            return ""
        # the entry's words as written, by stem: "kuratorer" and "kurs" share the stem "kur"
        written: dict[str, set[str]] = defaultdict(set)
        for t in tokens(" ".join((entry.question, entry.answer, *entry.phrasings))):
            written[stem(fold(t))].add(fold(t)[:MEMBER_PREFIX])

        def named(word: str) -> bool:
            return word[:MEMBER_PREFIX] in written.get(stem(word), ())

        for word in m.group("who").split():
            if word in STOPWORDS or stem(word) in self._places or named(word):
                continue
            # an abbreviation the entry writes out: "sitter ek bist med på samsa" (ekonomiskt bistånd)
            expanded = [canon for alias, canon in expansions if any(w.startswith(word) for w in fold(alias).split())]
            if any(named(fold(t)) for canon in expanded for t in tokens(canon) if fold(t) not in STOPWORDS):
                continue
            return word
        return ""

    def _other_forbund(self, stems: Collection[str], entry_id: str) -> str:
        """The name of a förbund the documents barely describe that the question names and the
        entry's phrasings and answer never do; "" if none."""
        asked = set(stems)
        return next(
            (
                name
                for name, own in self._unseen_forbund.items()
                if own <= asked and not self._mentions(entry_id, (own,))
            ),
            "",
        )

    def _named_by(self, entry_id: str) -> set[str]:
        """The stems of the entry's phrasings and answer."""
        return self._entry_tf.get(entry_id, {}).keys() | self._answer_stems.get(entry_id, frozenset())

    def _mentions(self, entry_id: str, names: tuple[frozenset[str], ...]) -> bool:
        """Whether the entry's phrasings or answer have every stem of one of a thing's names."""
        have = self._named_by(entry_id)
        return any(n <= have for n in names)

    def _not_here(self, result: MatchResult, ranked: list[Candidate]) -> tuple[str, Candidate | None] | None:
        """(the place, the candidate to answer with instead or None) when the question names a
        municipality and an effort or process the documents tie to other municipalities, and the
        best entry is about that thing but names neither the place nor where the thing is."""
        if not self._local_things:
            return None
        q = set(result.stems)
        if not any(s and s <= q for s in self._muni_stems.values()):
            return None
        # The places the question itself names, not those an alias brought ("arena" expands to
        # "samråd i Habo, Mullsjö och Jönköping").
        own = q - result.expanded
        places = {m: s for m, s in self._muni_stems.items() if s and s <= own}
        if not places:
            return None
        asked = frozenset().union(*places.values())

        def names(entry_id: str, stems: frozenset[str]) -> bool:
            return bool(stems & self._named_places(entry_id))

        best = ranked[0].entry_id
        for thing_names, where in self._local_things:
            # The thing's name as one (an alias's expansion names it whole), not its words apart:
            # "vårdens uppdrag i jönköpings samverkansmodell" is not about Uppdrag Samverkan.
            if asked & where or not any(
                n <= q and (n & result.expanded or _together(n, result.stems)) for n in thing_names
            ):
                continue
            if not self._mentions(best, thing_names) or names(best, asked | where):
                continue
            near = [c for c in ranked[1:NOT_HERE_DEPTH] if c.score >= self.thresholds.suggest]
            # What the documents say about the place ("Gislaved, Gnosjö, Värnamo och Vaggeryd nämns
            # inte"), else where the thing is, said by an entry about it ("Arena … i Jönköpings
            # kommun, Habo och Mullsjö").
            instead = next((c for c in near if names(c.entry_id, asked)), None) or next(
                (c for c in near if self._mentions(c.entry_id, thing_names) and names(c.entry_id, where)), None
            )
            return min(min(s) for s in places.values()), instead
        return None

    def _asked_party(self, query: str) -> tuple[str, str] | None:
        """(the party whose responsibility a question asks about, the words that ask it): ("regionen",
        "vardens ansvar") for "vårdens ansvar i jönköpingsmodellen"; None if none."""
        folded = normalise(query)
        for m in [*_PARTY_ASKED.finditer(folded), *_PARTY_ASKED_VERB.finditer(folded)]:
            word = m.group(1) or m.group(2)
            party = self._party_names.get(word) or self._party_names.get(word.removesuffix("s"), "")
            if party:
                return party, m.group(0)
        return None

    def _entry_parties(self, entry_id: str) -> tuple[str, ...]:
        entry = self.kb.entries.get(entry_id)
        return entry.parties if entry is not None else ()

    def _named_places(self, entry_id: str) -> frozenset[str]:
        """The stems an entry's title and answer bring themselves, not through an alias ("Arena"
        expands to its three municipalities): the caller looks for municipalities among them."""
        named = self._named_cache.get(entry_id)
        if named is None:
            entry = self.kb.entries.get(entry_id)
            named = frozenset()
            if entry is not None:
                a = self._analyse(f"{entry.question}\n{entry.answer}", correct=False)
                named = frozenset(a.stems) - a.expanded
            self._named_cache[entry_id] = named
        return named

    def _stranger(self, meaningful: list[str], compounds: dict[str, list[str]]) -> str:
        """A long word of the question (after typo correction and compound splitting) that no
        phrasing, answer or glossary text knows: "bostadstillagg", "bokforing"; "" if none. A word
        that splits into known words (`compounds`: "avvikelseblanketten") is none."""
        split = {stem(w) for w in compounds}
        return next(
            (
                s
                for s in meaningful
                if len(s) >= STRANGER_LENGTH and s not in self._domain_stems and not s.isdigit() and s not in split
            ),
            "",
        )

    def _elsewhere(self, folded_question: str, entry_id: str) -> str:
        """A place outside Jönköpings län the question names and the entry does not (lotsen.facets)."""
        own = self._entry_tf.get(entry_id, {})
        answer = self._answer_stems.get(entry_id, frozenset())
        for place in places_elsewhere(folded_question):
            if not all(s in own or s in answer for s in place.stems):
                return place.name
        return ""

    def _unanswered_facet(
        self, folded_question: str, entry_id: str, query: str = "", *, long: bool = False
    ) -> Facet | None:
        """The facet the question asks for when the entry's answer does not name it (an entry
        that says the documents are silent, gap: true, answers every facet); a count names what
        it counts, as the question (`query`) spells it."""
        facet = asked(folded_question, query)
        if facet is None or (long and facet.name in SHORT_FACETS):
            return None
        entry = self.kb.entries.get(entry_id)
        key = (entry_id, facet.name)
        known = self._facet_answers.get(key)
        if known is None:
            known = (
                entry is None
                or (entry.gap and self._gap_answers(entry, facet))
                or answers(facet, fold_answer(entry.answer))
            )
            self._facet_answers[key] = known
        if known and facet.name in PLACED_FACETS and not long:
            # "hur många deltagare har it-spåret haft i värnamo": the entry's 19 deltagare are the
            # whole effort's; a number for one municipality needs an answer that names it (a long
            # question often names its place in passing).
            answer = self._answer_stems.get(entry_id, frozenset())
            words = tokens(query)
            if facet.name == "listing" and entry is not None:
                # the place the list is asked for ("… finns i habo"; not "kpf jkpg vilka yrken finns
                # i teamet"), among the places the answer itself names, not those of the terms it
                # uses (Arena's definition names Habo; which vårdenheter Arena includes does not)
                asked_in = next((m.group(0).split()[-1] for p in facet.asks if (m := p.search(folded_question))), "")
                words = [t for t in words if fold(t) == asked_in]
                answer = frozenset(stem(fold(t)) for t in tokens(entry.answer))
            place = next((t for t in words if (s := stem(fold(t))) in self._places and s not in answer), "")
            if place:
                return in_place(facet, place)
        if (
            known
            and facet.name in ("payer", "amount")
            and not long
            and (what := self._paid_for(facet, folded_question))
        ):
            # "vem betalar resorna till it-spåret" is not answered by who pays for IT-spåret, nor
            # "vad kostade revisionen 2024" by what the efforts cost (session 23): what is paid
            # for must be something the entry's phrasings or answer name.
            if not set(self._analyse(what, correct=True).stems) & self._named_by(entry_id):
                return of_what(facet, f"för {what}")
        if known and facet.name == "count" and (what := counted(folded_question, query)):
            # "hur många vårdcentraler …" is not answered by "Länet har 13 kommuner".
            if entry is not None and not entry.gap and not counts(stem(what), fold(entry.answer)):
                return of_what(facet, next((t for t in tokens(query) if fold(t) == what), what))
        elif (
            known
            and facet.name == "count"
            and not long
            and asks_how_many(folded_question)
            and entry is not None
            and not entry.gap
        ):
            # "hur många fick jobb via ips i tranås 2024" is not answered by "en IPS-coach på halvtid
            # (50 %)" or "sedan januari 2024": a count names no thing, but it is still a count.
            if not counts_anything(fold(entry.answer)):
                return facet
        return None if known else facet

    @staticmethod
    def _paid_for(facet: Facet, folded_question: str) -> str:
        """What a question asking who pays, or what something costs, names as paid for."""
        return paid_for(folded_question) if facet.name == "payer" else cost_of(folded_question)

    def _gap_answers(self, entry: Entry, facet: Facet) -> bool:
        """Whether an entry saying the documents are silent answers the facet: it does for the
        families of facets its question and phrasings ask about, or for all when they ask none."""
        families = {f.family for p in (entry.question, *entry.phrasings) if (f := asked(normalise(p), p)) is not None}
        return not families or facet.family in families

    def _evidence(
        self, result: MatchResult, ranked: list[Candidate], meaningful: list[str], asking: bool
    ) -> dict[str, float]:
        """The signals of whether the best candidate is the right one (DECISION_SIGNALS)."""
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        entry_id = best.entry_id
        own = self._entry_tf.get(entry_id, {})
        answer = self._answer_stems.get(entry_id, frozenset())
        known = [s for s in meaningful if s in self._idf or s in self._answer_idf]
        distinctive = max(known, key=lambda s: self._idf.get(s, self._answer_idf.get(s, 0.0)), default="")
        entry = self.kb.entries.get(entry_id)
        other = self.kb.entries.get(second.entry_id) if second is not None else None
        sibling = (
            entry is not None
            and other is not None
            and (other.id in getattr(entry, "related", ()) or entry.id in getattr(other, "related", ()))
        )
        return {
            "confidence": result.confidence,
            "top": best.score,
            "margin": result.margin,
            "words": min(len(meaningful), 30) / 10,
            "asking": 1.0 if asking else 0.0,
            "agree": 1.0 if asking and result.agree else 0.0,
            "bm25_first": 1.0 if max(ranked, key=lambda c: (c.bm25, c.score)) is best else 0.0,
            "base_first": 1.0 if max(ranked, key=lambda c: (c.base, c.score)) is best else 0.0,
            "coverage": best.overlap,
            "focus": best.fuzzy,
            "missing": 1.0 if distinctive and distinctive not in own and distinctive not in answer else 0.0,
            "unknown": round(1.0 - result.domain, 4),
            "sibling": 1.0 if sibling else 0.0,
        }

    def alternatives(self, result: MatchResult, limit: int = 3) -> list[Candidate]:
        """Entries close to an answered best one, offered as "Menar du kanske …" links."""
        if not result.candidates:
            return []
        top = result.candidates[0].score
        return [
            c
            for c in result.candidates[1 : limit + 1]
            if c.score >= top * self.thresholds.close and c.score >= self.thresholds.suggest
        ]
