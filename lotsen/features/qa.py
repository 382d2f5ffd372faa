"""Answering who-does-what questions from the knowledge base."""

from __future__ import annotations

import re
import unicodedata
import uuid
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.domain import domain_words_of
from lotsen.fields import Field, validate_field
from lotsen.insights import question_for_suggestion
from lotsen.kb.model import Concept, Entry, KnowledgeBase
from lotsen.matching import ANSWER, NONE, SUGGEST, Matcher, MatchResult
from lotsen.pii import redact
from lotsen.routing import route
from lotsen.text import content_tokens, fold, normalise, stem, tokens, upper_first
from lotsen.turn import Card, Out, Text, UpdateCard

CONVERSATION_TEXTS = Path(__file__).resolve().parent.parent / "data" / "conversation.yaml"


@lru_cache(maxsize=1)
def conversation_texts() -> dict:
    """Small-talk replies, the off-topic refusal and question answering's texts
    (lotsen/data/conversation.yaml)."""
    return yaml.safe_load(CONVERSATION_TEXTS.read_text(encoding="utf-8"))


TEXTS: dict[str, str] = {k: v for k, v in conversation_texts()["qa"].items() if isinstance(v, str)}
_FLOW_DATA = {
    "avvikelse": {"verb": "dev.start"},
    "arena": {"verb": "req.start", "kind": "arena"},
    "sip": {"verb": "req.start", "kind": "sip"},
}
FLOW_BUTTONS = {
    action: (conversation_texts()["qa"]["flow_buttons"][action], data) for action, data in _FLOW_DATA.items()
}
# Which contact purpose fits a party, when an entry does not name one.
PARTY_PURPOSE = {
    "forsakringskassan": "fk-samordning",
    "arbetsformedlingen": "af",
    "socialtjansten": "ekonomiskt-bistand",
    "arbetsmarknadsenheter": "ekonomiskt-bistand",
    "vardcentralen": "rehabkoordinator",
    "regionen": "rehabkoordinator",
    "psykiatrin": "rehabkoordinator",
    "samordningsforbunden": "forbund",
}
DEFAULT_PURPOSE = "lokal-samverkan"
# Why an answer did not help (after 👎): (stored value, what the person reads).
FEEDBACK_REASONS = tuple((str(k), str(v)) for k, v in conversation_texts()["qa"]["feedback_reasons"].items())
REASON_TITLES = dict(FEEDBACK_REASONS)
FEEDBACK_COMMENT = Field(
    "kommentar",
    TEXTS["feedback_comment_label"],
    "textarea",
    max_length=500,
    placeholder=TEXTS["feedback_comment_placeholder"],
)
REF = re.compile(r"[0-9a-f]{32}")
MAX_QUESTION_STORED = 300
SHORT_TERM = 4  # a glossary term this long or longer may start a compound ("arena" in "arenamöte"); a shorter one not
SUGGESTIONS_SHOWN = 3  # choices in "Menade du …?"
ALTERNATIVES_SHOWN = 2  # "Menar du kanske …" links under an answer
ENTRY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def contact_purpose_for(kb: KnowledgeBase, entry: Entry) -> str:
    for purpose in (entry.contact_purpose, *(PARTY_PURPOSE.get(p, "") for p in entry.parties), DEFAULT_PURPOSE):
        if purpose and purpose in kb.purposes:
            return purpose
    return next(iter(kb.purposes), DEFAULT_PURPOSE)


def answer_card(ctx: Context, entry: Entry, asked: str = "", alternatives: list[Entry] | None = None) -> Card:
    """The answer; `asked` (already redacted) is what the person wrote, carried by the 👍/👎
    buttons so feedback is grouped by the real question."""
    kb = ctx.kb
    shown = {entry.id, *(a.id for a in alternatives or [])}
    related = [
        {"id": rid, "title": kb.entries[rid].question}
        for rid in entry.related[:4]
        if rid in kb.entries and rid not in shown
    ]
    flows = [{"title": FLOW_BUTTONS[a][0], "data": FLOW_BUTTONS[a][1]} for a in entry.actions if a in FLOW_BUTTONS]
    parties = ", ".join(kb.parties[p].name for p in entry.parties if p in kb.parties)
    return ctx.card(
        "answer",
        question=entry.question,
        answer=entry.answer,
        legal_notes=kb.legal_texts(entry.legal),
        gap=entry.gap,
        parties=parties,
        source=kb.cite(entry.sources),
        related=related,
        alternatives=[{"id": a.id, "title": a.question} for a in alternatives or []],
        flow_actions=flows,
        contact_purpose=contact_purpose_for(kb, entry),
        entry_id=entry.id,
        asked=asked[:MAX_QUESTION_STORED],
    )


def fallback_card(ctx: Context, text: str = "") -> Card:
    """ "I don't know" with the most relevant contact list (municipality-specific when named)."""
    kb = ctx.kb
    municipality = find_municipality(kb, text) if text else None
    routed = route(kb, DEFAULT_PURPOSE, municipality)
    title = routed.contact_list.title if routed else TEXTS["default_contact"]
    return ctx.card("fallback", contact_title=title, contact_purpose=DEFAULT_PURPOSE, municipality=municipality)


def find_municipality(kb: KnowledgeBase, text: str) -> str | None:
    """The first municipality named in the text (by name or alias, diacritics folded)."""
    words = normalise(text).split()
    joined = f" {' '.join(words)} "
    for muni in kb.municipalities.values():
        for name in (muni.name, *muni.aliases):
            needle = normalise(name)
            if needle and f" {needle} " in joined:
                return muni.id
            # genitive / definite: "vetlandas", "jönköpings"
            if needle and any(w in (needle + "s", needle + "es") for w in words):
                return muni.id
    return None


_WHAT_IS = re.compile(
    r"^(?:vad (?:ar|e|betyder|innebar|menas med|star)|va (?:ar|e)|vad (?:ar|e) det for|forklara|definiera|what is)\s+"
    r"(?:en |ett |begreppet |forkortningen |termen |ordet )?(?P<term>.+?)"
    r"(?:\s+(?:for nagot|for nat|for nagonting|for))?(?:\s+egentligen)?(?:\s+i praktiken)?$"
)
# Chat order, the term first: "salutogent förhållningssätt vad menas", "lsg vad är det", "fsö def", "rh2 betyder",
# "finsamlagen vilken lag är det", "samverk höglandet vad är det för grupp";
# "e" is chat for "är" ("samverk höglandet vad e det", "vad e far"), and "va" for "vad" ("va e salutogent
# förhållningssätt", session 22); "hsf står för?" asks what an abbreviation stands for; "… vad menas i
# modellen (i rsrf)", "… vad menar modellen" (session 26), "… vad menas i samverkansmodellen" (session 30).
_WHAT_IS_AFTER = re.compile(
    r"^(?P<term>.+?)\s+(?:va(?:d)? (?:ar|e|betyder|innebar|menas(?: med)?|menar modellen)(?: det| detta| det for (?:en )?\w+)?"
    r"(?: i (?:praktiken|(?:samverkans)?modellen|rsrf|ratt stod ratt forsorjning))?"
    r"|(?:vilken|vilket) \w+ (?:ar|e) det|betyder(?: vad)?|innebar vad|star for(?: vad)?|def|definition)$"
)
# A second question after the term (session 26).
_AND_ASKS = re.compile(r" och (?:vem|vad|hur|var|nar|varfor|vilk\w*)\b.*$")
# "… vad innebär det", "… vad betyder det i praktiken": what the term means in practice, not what it is.
_ASKS_IMPLICATION = re.compile(r"\b(?:vad innebar|innebar vad)\b|\bi praktiken$")
_glossaries: dict[int, tuple[weakref.ref[KnowledgeBase], dict[str, Concept]]] = {}
# "X i Y": a term asked about within a context ("… i modellen", "… i rätt stöd rätt försörjning").
_WITHIN = re.compile(r"^(?P<term>.+?) (?:i|inom) (?:den |det )?(?P<context>.+)$")
_THE_MODEL = frozenset({"modellen", "samverkansmodellen"})


def _is_context(glossary: dict[str, Concept], context: str) -> bool:
    """Whether the words after "i" name the model or another glossary term (not a place)."""
    return context in _THE_MODEL or context in glossary


def _glossary(kb: KnowledgeBase) -> dict[str, Concept]:
    """Every normalised name of every concept → the concept, built once per knowledge base
    (a reload makes a new KnowledgeBase, so a new table)."""
    cached = _glossaries.get(id(kb))
    if cached is not None and cached[0]() is kb:
        return cached[1]
    table: dict[str, Concept] = {}
    for concept in kb.concepts.values():
        for name in concept.names():
            table.setdefault(name, concept)  # a name two concepts claim: the knowledge-base check warns
    for key in [k for k, (ref, _) in _glossaries.items() if ref() is None]:
        del _glossaries[key]
    _glossaries[id(kb)] = (weakref.ref(kb), table)
    return table


def _term(text: str, *, after: bool = False) -> str:
    """The term a question asks about: "vad är treserva?" → "treserva"; a bare term is itself;
    with `after`, also the chat order "treserva vad är det"."""
    folded = normalise(text)
    if (match := _WHAT_IS.match(folded)) is not None:
        # "vad är välfärdsguiden och vem är lokal redaktör": the term, then a second question
        return _AND_ASKS.sub("", match.group("term"))
    match = _WHAT_IS_AFTER.match(folded) if after else None
    return match.group("term") if match else folded


def _asks_more(text: str) -> bool:
    """Whether "vad är X …" goes on to a second question ("… och vem är lokal redaktör")."""
    folded = normalise(text)
    return bool(_WHAT_IS.match(folded) and _AND_ASKS.search(folded))


def glossary_entry(kb: KnowledgeBase, text: str, *, after: bool = False) -> Entry | None:
    """ "Vad är Treserva?" or just "treserva": the glossary's definition, as an entry.

    Used when no question-answer entry is a confident match, so every term in
    knowledge/concepts.yaml can be looked up even without an entry of its own."""
    term = _term(text, after=after)
    if not term:
        return None
    glossary = _glossary(kb)
    concept = glossary.get(term)
    if concept is None and (within := _WITHIN.match(term)) and _is_context(glossary, within.group("context")):
        # "vad menas med salutogent förhållningssätt i modellen", "behovsgruppering i mix": the term
        # within the model or another term (session 23); a place ("samverk i eksjö") is not a context.
        concept = glossary.get(within.group("term"))
    if concept is None and " som " in term:
        # "vad är reko som modellen presenterades för": the term before its relative clause (session 30)
        concept = glossary.get(term.split(" som ", 1)[0])
    if concept is None:
        return None
    expansion = f" – {concept.expansion}" if concept.expansion else ""
    return Entry(
        id=f"ordlista-{concept.id}",
        question=TEXTS["glossary_title"].format(term=concept.term),
        phrasings=(),
        answer=f"**{concept.term}**{expansion}. {concept.definition}",
        sources=concept.sources,
        legal=concept.legal,
        where=concept.where,
    )


# --- the decision ----------------------------------------------------------------------------

VERDICT_ANSWER = "answer"  # one entry answers: its card, with close alternatives as "Menar du kanske …"
VERDICT_SUGGEST = "suggest"  # no entry is good enough alone: "Menade du …?" with the candidates
VERDICT_UNKNOWN = "unknown"  # in the domain but nothing fits: "Det vet jag tyvärr inte" + contact
VERDICT_OFFTOPIC = "offtopic"  # not what the bot is for: a clean refusal saying what it can do
VERDICT_SMALLTALK = "smalltalk"  # "hej", "tack!": a short polite reply, nothing logged


@dataclass
class Verdict:
    kind: str
    entry: Entry | None = None
    alternatives: list[Entry] = field(default_factory=list)  # answer: close ones; suggest: the choices
    result: MatchResult | None = None
    reply: str = ""  # small talk
    why: str = ""  # off-topic: "words" (outside words or phrases), "unrelated", or MatchResult.off_topic_why


@lru_cache(maxsize=1)
def _smalltalk_table() -> dict[str, str]:
    return {normalise(p): group["reply"] for group in conversation_texts()["smalltalk"] for p in group["patterns"]}


@lru_cache(maxsize=1)
def _smalltalk_words() -> tuple[list[tuple[frozenset[str], str]], frozenset[str], int, str]:
    """(group words, reply) in precedence order, the filler words, the longest small-talk
    message in words and the reply to a message of only emoji."""
    texts = conversation_texts()
    groups = [(frozenset(normalise(w) for w in group.get("words", ())), group["reply"]) for group in texts["smalltalk"]]
    fillers = frozenset(normalise(w) for w in texts.get("smalltalk_fillers", ()))
    emoji = next((group["reply"] for group in texts["smalltalk"] if group.get("emoji")), "")
    return groups, fillers, int(texts.get("smalltalk_max_words", 6)), emoji


def _only_emoji(text: str) -> bool:
    """Whether a message is made of emoji and punctuation only ("👍", "🙏🙏")."""
    return any(unicodedata.category(ch) == "So" for ch in text) and not any(ch.isalnum() for ch in text)


def smalltalk_reply(text: str) -> str:
    """The polite reply to a greeting, thanks or acknowledgement; "" for anything else.

    A whole message from lotsen/data/conversation.yaml, or a short message made only of
    small-talk words and fillers ("toppen, tack", "okej då"), or only emoji."""
    folded = normalise(text)
    exact = _smalltalk_table().get(folded)
    if exact:
        return exact
    groups, fillers, max_words, emoji = _smalltalk_words()
    if not folded:
        return emoji if _only_emoji(text) else ""
    words = folded.split()
    if len(words) > max_words:
        return ""
    anchors = set().union(*(g for g, _ in groups)) if groups else set()
    if not all(w in anchors or w in fillers for w in words):
        return ""
    return next((reply for group, reply in groups if group.intersection(words)), "")


@lru_cache(maxsize=1)
def _outside_words() -> tuple[frozenset[str], tuple[str, ...], int, tuple[str, ...]]:
    """Words of matters the bot is not for (lotsen/data/conversation.yaml, offtopic.words):
    whole words, and the longer ones (five letters or more) as the start or end of a word;
    the short-question limit; and the phrases (offtopic.phrases), normalised."""
    texts = conversation_texts()["offtopic"]
    # Short words keep their diacritics ("tåg" is not "tag"), like the matcher's short aliases.
    words = {w.lower() if len(w) <= SHORT_WORD else normalise(w) for w in texts.get("words", ())} - {""}
    phrases = tuple(dict.fromkeys(normalise(p) for p in texts.get("phrases", ()) if normalise(p)))
    return (
        frozenset(words),
        tuple(sorted(w for w in words if len(w) >= 5)),
        int(texts.get("short_words", 8)),
        phrases,
    )


SHORT_WORD = 4  # words this short are compared with their diacritics
# A long message with an outside word is refused only when less than this share of its
# distinctive words are the domain's (lotsen.domain): a client's situation may mention a holiday.
OUTSIDE_LONG_SPECIFIC = 0.4


def outside_words(text: str) -> list[str]:
    """The words and phrases in `text` that are about something outside the bot's domain
    ("busskort", "lösenordet", "vädret"; "tjänar en", "om jag själv")."""
    exact, affixes, _, phrases = _outside_words()
    found = []
    for raw in tokens(text):
        word = raw.lower() if len(raw) <= SHORT_WORD else fold(raw)
        if word in exact or any(len(word) > len(a) and (word.startswith(a) or word.endswith(a)) for a in affixes):
            found.append(fold(word))
    folded = f" {normalise(text)} "
    found.extend(p for p in phrases if f" {p} " in folded)
    return found


def _uses_stem(entry: Entry, word: str) -> bool:
    """Whether an entry's title, phrasings or answer use a word in some form (its stem)."""
    own = stem(fold(word))
    return any(stem(fold(t)) == own for t in tokens(" ".join((entry.question, *entry.phrasings, entry.answer))))


def _uses_word(entry: Entry, word: str) -> bool:
    """Whether an entry's title, phrasings or answer use a word (or a word starting with it)."""
    folded = f" {normalise(' '.join((entry.question, *entry.phrasings, entry.answer)))}"
    return f" {word}" in folded


def _outside(kb: KnowledgeBase, result: MatchResult, text: str) -> bool:
    """A question about something the bot is not for, even though some words match an entry:
    "vad kostar ett busskort", "hur mycket tjänar en rehabkoordinator". A short question with
    such a word is refused unless its best entry uses the word; a long one (a client's
    situation may mention a car or a holiday) only when nothing answers it and its words are
    mostly not the domain's. When no entry is even good enough to suggest, an entry that uses
    the word does not save the question ("skriva ett mejl till min chef")."""
    words = outside_words(text)
    if not words:
        return False
    best = kb.entries.get(result.best.entry_id) if result.best else None
    long = len(content_tokens(text)) > _outside_words()[2]  # its words, not their stems and expansions
    if result.level == ANSWER and best is not None:
        if not long:
            return not all(_uses_word(best, w) for w in words)
        # A long message is answered anyway, unless only because no other entry was near (lone-long,
        # session 26: "… utvecklingssamtal med mina medarbetare … struktur för samtalet?" got the
        # model's dialogue questions) or scored at all ("jag ska köpa ny bil … laddhybrid eller en ren
        # elbil … vad är smartast ekonomiskt" got SMARTA mål); then the entry must use the word in
        # some form ("datorn" and IT-spåret's "datorer").
        # Session 27: so must a long answer whose words are mostly not the domain's ("vi ska spela
        # padel med kollegorna … hur räknas poängen" got Räkna med oss!).
        weakest = (
            result.reason.startswith("lone-long") or result.margin >= 1.0 or result.specific < OUTSIDE_LONG_SPECIFIC
        )
        return weakest and not all(_uses_stem(best, w) for w in words)
    if long and result.specific >= OUTSIDE_LONG_SPECIFIC:
        return False  # mostly the domain's words: "… kan inte komma på mötet pga semester, vad …"
    if result.level == NONE:
        return True  # not even a suggestion: an entry that merely uses the word does not answer it
    return best is None or not all(_uses_word(best, w) for w in words)


def _term_name(term: Entry) -> str:
    """A glossary entry's term, normalised, from its title ("Vad betyder AMIE?" → "amie")."""
    prefix = TEXTS["glossary_title"].split("{term}")[0]
    return normalise(term.question.removeprefix(prefix).split("(")[0])


def _names(text: str, name: str) -> bool:
    """Whether normalised text names a term as a word of its own or, from four letters, the start
    of one ("arena" in "arenamöte"); not inside another word, nor a short term as the start of a
    longer one ("mi" is not in "mix")."""
    end = "" if len(name) >= SHORT_TERM else r"(?!\w)"
    return re.search(rf"(?<!\w){re.escape(name)}{end}", text) is not None


def _about(term: Entry, entry: Entry) -> bool:
    """Whether a question-answer entry is about a glossary term (its title names the term)."""
    return _names(normalise(entry.question), _term_name(term))


def _answer_names(term: Entry, entry: Entry) -> bool:
    """Whether an entry's answer names the glossary term."""
    return _names(normalise(entry.answer), _term_name(term))


@lru_cache(maxsize=1)
def _defining_openings() -> tuple[str, ...]:
    """How a title that defines a term begins ("vad är ", "vad betyder "), normalised
    (lotsen/data/conversation.yaml, qa.defining_openings)."""
    return tuple(normalise(o) + " " for o in conversation_texts()["qa"]["defining_openings"])


def _defines(term: Entry, entry: Entry) -> bool:
    """Whether a question-answer entry defines the term ("Vad är Förrehabilitering i Hälsocenter?")."""
    title = normalise(entry.question)
    return title.startswith(_defining_openings()) and _about(term, entry)


def _names_specific(kb: KnowledgeBase, text: str, term: Entry, entry: Entry) -> bool:
    """Whether the user typed a place's own name of a glossary term ("samverk tranås" for
    Samverk) that the entry's title names as a whole ("vad är finsamlagen" still asks what
    Finsam is), or a bare term and a place ("amie tranås") and the entry is about the term in
    that place ("Vad gör AMIE i Tranås?")."""
    place = find_municipality(kb, text)
    if place is None:
        return False
    typed, title = _term(text), normalise(entry.question)
    if f" {typed} " in f" {title} ":
        return True
    return not _WHAT_IS.match(normalise(text)) and _about(term, entry) and find_municipality(kb, title) == place


def _defining(kb: KnowledgeBase, result: MatchResult, term: Entry) -> Entry | None:
    """The best candidate entry whose title defines the glossary term, if any."""
    return next(
        (
            kb.entries[c.entry_id]
            for c in result.candidates
            if c.entry_id in kb.entries and _defines(term, kb.entries[c.entry_id])
        ),
        None,
    )


def _as_corrected(text: str, result: MatchResult) -> str:
    """The question with the matcher's typo corrections applied word by word (folded), or as typed
    when nothing was corrected."""
    if not result.corrections:
        return text
    return " ".join(result.corrections.get(word, word) for word in normalise(text).split())


def _passed_over(kb: KnowledgeBase, result: MatchResult, answer: Entry, unrelated: bool) -> list[Entry]:
    """The entry a definition (the glossary's, or an entry defining the term) was chosen over:
    the matcher's best entry, offered as a "Menar du kanske …" link, so the entry that
    "arbetssökande med förhinder vad betyder det" also matched is one click away. Only when the
    matcher found it good enough to offer (answer or suggest level) and related to the question."""
    if unrelated or result.off_topic or result.level not in (ANSWER, SUGGEST) or not result.best:
        return []
    best = result.best.entry_id
    return [kb.entries[best]] if best != answer.id and best in kb.entries else []


def decide(kb: KnowledgeBase, matcher: Matcher, text: str) -> Verdict:
    """What the bot does with a question: the single decision point of question answering."""
    reply = smalltalk_reply(text)
    if reply:
        return Verdict(VERDICT_SMALLTALK, reply=reply)
    result = matcher.match(text, limit=4)
    if _outside(kb, result, text):
        return Verdict(VERDICT_OFFTOPIC, result=result, why="words")
    # A typo in the term ("salutogent förhållningsätt vad betyder det") is read as the matcher corrected it.
    # A term typed as it is spelt is not corrected: "MI?" asks for MI, not MIX.
    corrected = _as_corrected(text, result)
    term = glossary_entry(kb, text) or (glossary_entry(kb, corrected) if corrected != text else None)
    # The chat order, "salutogent förhållningssätt vad menas", "samverk höglandet vad är det",
    # asks what the term is, as "vad är …" does; only "… vad innebär det" asks what it means in
    # practice, which an entry naming the term may answer better than the definition.
    term_after = glossary_entry(kb, corrected, after=True) if term is None else None
    if term_after is not None and not _ASKS_IMPLICATION.search(normalise(text)):
        term, term_after = term_after, None
    # An answer that shares none of the question's words of the domain is about something else;
    # so is one offered only because its answer lacks the number asked for ("hur många kommuner
    # finns det i sverige?" and the statistics about ekonomiskt bistånd).
    unrelated = bool(
        (result.level == ANSWER or result.reason.startswith("facet"))
        and result.best
        and not matcher.vocabulary.entry_uses_any(
            result.best.entry_id, domain_words_of(result.words), result.corrections, result.compounds, result.expansions
        )
    )

    def definition(answer: Entry) -> Verdict:
        """A definition answers, with the entry it was chosen over offered under it."""
        return Verdict(VERDICT_ANSWER, answer, _passed_over(kb, result, answer, unrelated), result)

    if result.level == ANSWER and result.best and not unrelated and not result.off_topic:
        entry = kb.entries[result.best.entry_id]
        # "Vad är X?" for a glossary term: an entry answers it only if it is about X, or if X is
        # one of the term's specific names and the entry's title names it: "samverk tranås" asks
        # for the group in Tranås, not for what Samverk is.
        if term_after is not None and not _defines(term_after, entry):
            # In the chat order only an entry defining the term replaces the answer (an entry
            # that answers "arbetssökande med förhinder vad innebär det" keeps it).
            if (defining := _defining(kb, result, term_after)) is not None:
                return definition(defining)
            if not _about(term_after, entry) and not _answer_names(term_after, entry):
                return definition(term_after)
        # "vad är en arbetssökande med förhinder och vad riskerar hen": with a second question after
        # the term, an answer naming the term answers, unless an entry defining the term is near
        # ("vad är välfärdsguiden och vem är lokal redaktör" is not the förbundschef's tasks).
        asks_more = term is not None and _asks_more(text)
        if (
            term is None
            or _defines(term, entry)
            or _names_specific(kb, text, term, entry)
            or (asks_more and _answer_names(term, entry) and _defining(kb, result, term) is None)
        ):
            alternatives = [
                kb.entries[c.entry_id]
                for c in matcher.alternatives(result, limit=ALTERNATIVES_SHOWN)
                if c.entry_id in kb.entries
            ]
            return Verdict(VERDICT_ANSWER, entry, alternatives, result)
    if result.level != ANSWER:
        term = term or term_after
    if term is not None:
        # An entry about the term itself ("Vad är Förrehabilitering i Hälsocenter?") beats the
        # glossary's short definition.
        if (defining := _defining(kb, result, term)) is not None:
            return definition(defining)
        return definition(term)
    if unrelated:
        return Verdict(VERDICT_OFFTOPIC, result=result, why="unrelated")
    if result.off_topic:
        return Verdict(VERDICT_OFFTOPIC, result=result, why=result.off_topic_why)
    if result.level == SUGGEST and result.candidates:
        choices = [kb.entries[c.entry_id] for c in result.candidates[:SUGGESTIONS_SHOWN] if c.entry_id in kb.entries]
        return Verdict(VERDICT_SUGGEST, None, choices, result)
    return Verdict(VERDICT_UNKNOWN, result=result)


async def answer_text(ctx: Context, text: str, verdict: Verdict | None = None) -> list[Out]:
    kb = ctx.kb
    verdict = verdict or decide(kb, ctx.matcher, text)
    safe = redact(text)[:MAX_QUESTION_STORED]
    if verdict.kind == VERDICT_SMALLTALK:
        return [Text(verdict.reply)]
    if verdict.kind == VERDICT_ANSWER and verdict.entry is not None:
        await ctx.services.soon(ctx.store.questions.record_answered(verdict.entry.id))
        return [answer_card(ctx, verdict.entry, safe, alternatives=verdict.alternatives)]
    # Hook: a described situation without a confident answer goes to Vägvisaren (lotsen.features.vagvisare);
    # a question for a sum, a time, a name or a count ("hur många vårdcentraler finns det i
    # jönköpings län") asks for a fact, it does not describe a client, and so does one about a thing
    # or a person the closest answer never names ("var kuratorer med på sip-utbildningen i eksjö").
    navigator = ctx.services.extras.get("navigator")
    asks_for_fact = verdict.result is not None and (
        verdict.result.facet is not None or verdict.result.reason == "other-thing"
    )
    if (
        verdict.kind in (VERDICT_SUGGEST, VERDICT_UNKNOWN, VERDICT_OFFTOPIC)
        and navigator is not None
        and not asks_for_fact
    ):
        if (outs := await navigator(ctx, text, off_topic=verdict.kind == VERDICT_OFFTOPIC)) is not None:
            return outs
    if verdict.kind == VERDICT_SUGGEST:
        ref = uuid.uuid4().hex
        offered = [e.id for e in verdict.alternatives]
        await ctx.services.soon(ctx.store.questions.record_unanswered(safe, normalise(safe), "suggest", offered, ref))
        choices = [{"id": e.id, "title": e.question} for e in verdict.alternatives]
        return [ctx.card("suggestions", choices=choices, ref=ref, intro=_suggestions_intro(verdict))]
    await ctx.services.soon(ctx.store.questions.record_unanswered(safe, normalise(safe), "none"))
    if verdict.kind == VERDICT_OFFTOPIC:
        texts = conversation_texts()["offtopic"]
        return [ctx.card("offtopic", title=texts["title"], text=texts["text"], examples=texts.get("examples", []))]
    return [fallback_card(ctx, text)]


def _suggestions_intro(verdict: Verdict) -> str:
    """What the suggestions card says when the question asks a sum, a time, a payer, a name or a
    number that the closest entries do not name (lotsen.facets), asks about a place outside Jönköpings län
    ("elsewhere"), names a thing the knowledge base never mentions ("unknown-word") or, short,
    names a place in the county that the closest entries are not about ("other-place") or an
    effort or a term the closest answer never mentions ("other-thing") or a year it is not about
    ("other-year", "undated-year"), instead of "Jag är inte säker på vad du menar"."""
    result = verdict.result
    if result is None:
        return ""
    if result.facet is not None:
        return TEXTS["facet_intro"].format(none=result.facet.none)
    if result.reason == "elsewhere":
        return TEXTS["elsewhere_intro"].format(place=result.missing)
    if result.unknown_word:
        return TEXTS["unknown_word_intro"].format(word=result.unknown_word)
    if result.other_place:
        return TEXTS["other_place_intro"].format(place=upper_first(result.other_place))
    if result.other_thing:
        return TEXTS["other_thing_intro"].format(thing=result.other_thing)
    if result.reason.startswith("not-here"):
        return TEXTS["not_here_intro"].format(place=result.other_place_typed)
    if result.reason in ("other-year", "undated-year"):
        return TEXTS["other_year_intro"].format(year=result.missing)
    if result.reason == "which-place":
        return TEXTS["which_place_intro"]
    return ""


async def _on_text(ctx: Context) -> list[Out]:
    return await answer_text(ctx, ctx.turn.text)


async def _show(ctx: Context) -> list[Out]:
    entry = ctx.kb.entries.get(str(ctx.value.get("id", "")))
    ref = ctx.value.get("ref")
    asked = ""
    if isinstance(ref, str) and ref:
        await ctx.services.soon(ctx.store.questions.resolve_suggestion(ref))
        asked = await question_for_suggestion(ctx.store, ref)
    if entry is None:
        return [Text(TEXTS["entry_gone"])]
    await ctx.services.soon(ctx.store.questions.record_answered(entry.id))
    return [answer_card(ctx, entry, asked)]


async def _ask(ctx: Context) -> list[Out]:
    q = ctx.value.get("q")
    if not isinstance(q, str) or not q.strip():
        return [Text(TEXTS["empty_question"])]
    return await answer_text(ctx, q[:500])


async def _none(ctx: Context) -> list[Out]:
    ref = ctx.value.get("ref")
    if isinstance(ref, str) and ref:
        await ctx.services.soon(ctx.store.questions.resolve_suggestion(ref, kind="suggest_rejected"))
    return [fallback_card(ctx)]


async def _feedback(ctx: Context) -> list[Out]:
    entry_id, vote = ctx.value.get("entry"), ctx.value.get("vote")
    # An entry removed by a reload since the card was shown still gets its feedback recorded.
    if not isinstance(entry_id, str) or len(entry_id) > 100 or not ENTRY_ID.fullmatch(entry_id):
        return [Text(TEXTS["feedback_not_saved"])]
    if vote not in ("up", "down"):
        return [Text(TEXTS["feedback_not_saved"])]
    asked = ctx.value.get("q")
    # What the person asked (redacted again: card data comes back from the client), else the entry's title.
    question = redact(asked.strip())[:MAX_QUESTION_STORED] if isinstance(asked, str) and asked.strip() else ""
    entry = ctx.kb.entries.get(entry_id)
    question = question or (entry.question if entry else entry_id)
    if vote == "up":
        await ctx.services.soon(ctx.store.questions.record_feedback(entry_id, vote, question, normalise(question)))
        return [Text(TEXTS["feedback_thanks"])]
    ref = uuid.uuid4().hex
    # awaited: the reason card that follows adds to this row
    await ctx.store.questions.record_feedback(entry_id, vote, question, normalise(question), ref=ref)
    return [reason_card(ctx, ref, entry_id)]


def _purpose_for(ctx: Context, entry_id: str) -> str:
    entry = ctx.kb.entries.get(entry_id)
    return contact_purpose_for(ctx.kb, entry) if entry else DEFAULT_PURPOSE


def reason_card(ctx: Context, ref: str, entry_id: str, reason: str = "", comment: str = "", error: str = "") -> Card:
    """After 👎: what was wrong, and a person to ask."""
    return ctx.card(
        "feedback_reason",
        ref=ref,
        entry_id=entry_id,
        reasons=[{"value": v, "title": t} for v, t in FEEDBACK_REASONS],
        reason=reason,
        comment=comment,
        error=error,
        comment_field=FEEDBACK_COMMENT,
        contact_data={"verb": "contact.show", "purpose": _purpose_for(ctx, entry_id), "entry": entry_id},
    )


async def _feedback_reason(ctx: Context) -> list[Out]:
    ref, entry_id, reason = ctx.value.get("ref"), ctx.value.get("entry"), ctx.value.get("reason")
    if not isinstance(ref, str) or not REF.fullmatch(ref):
        return [Text(TEXTS["feedback_not_saved"])]
    entry_id = entry_id if isinstance(entry_id, str) and ENTRY_ID.fullmatch(entry_id) and len(entry_id) <= 100 else ""
    result = validate_field(FEEDBACK_COMMENT, ctx.value.get("kommentar"), today=ctx.services.today())
    if result.pii_blocked:
        await ctx.store.audit.record("pii_blocked", ctx.turn.user.aad_object_id, "feedback:kommentar", "blocked")
    reason = reason if isinstance(reason, str) else ""
    if result.error or reason not in REASON_TITLES:
        error = result.error or TEXTS["feedback_choose_reason"]
        card = reason_card(ctx, ref, entry_id, reason if reason in REASON_TITLES else "", result.raw, error)
        return [UpdateCard(ctx.turn.reply_to_id, card.card)] if ctx.turn.reply_to_id else [card]
    comment = str(result.value) if result.value else None
    if not await ctx.store.questions.set_feedback_reason(ref, reason, comment):
        return [Text(TEXTS["feedback_not_found"])]
    thanks = ctx.card(
        "notice",
        title=TEXTS["feedback_noted_title"],
        text=TEXTS["feedback_noted_text"].format(reason=REASON_TITLES[reason]),
        actions=[
            {
                "title": TEXTS["ask_a_person"],
                "data": {"verb": "contact.show", "purpose": _purpose_for(ctx, entry_id), "entry": entry_id or None},
            }
        ],
    )
    return [UpdateCard(ctx.turn.reply_to_id, thanks.card)] if ctx.turn.reply_to_id else [thanks]


def register(assistant: Assistant) -> None:
    assistant.fallback(_on_text)
    assistant.verb("qa.show", _show)
    assistant.verb("qa.ask", _ask)
    assistant.verb("qa.none", _none)
    assistant.verb("feedback", _feedback)
    assistant.verb("feedback.reason", _feedback_reason)
