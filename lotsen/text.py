"""Swedish text normalisation for matching: folding, tokenising, stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_TOKEN = re.compile(r"[0-9a-zåäöéüæø]+", re.IGNORECASE)
_STEMMER = snowballstemmer.stemmer("swedish")

# Function words that carry no meaning for "who does what". Question words (vem, vad, hur …)
# are kept on purpose: "vad är SIP" and "vem kallar till SIP" are different questions.
# The last line is chat spelling: "vad e sip", "fk o af", "å andra sidan".
STOPWORDS = frozenset(
    """
    och i att det som en på är av för med till den har de inte om ett men var jag sig från vi så
    kan man när säga mot eller då skulle ha sitt sin sina min mitt mina du dig din ditt dina
    vara blir bli blev får få fick ska skall måste kunna kunde hade även också eftersom efter
    här där detta dessa denna den det dem dom deras hans hennes hon han vår våra ert era er oss
    något någon några någ nåt nån nånting ngn ngt sån sånt såna mej dej
    lite mycket bara just nu alltså typ väl ju nog hej tack snälla egentligen
    undrar fråga frågor gäller angående ang hos vid över under utan inom sådan sådant sådana
    vilket vilka vilken vilket ni mig the a an of
    e o å
    """.split()
)


# Question words and auxiliaries: kept (they tell questions apart) but weak: a match that
# shares only these with the question is no match at all.
WEAK_WORDS = frozenset(
    """
    vem vad hur var nar vilka vilken vilket varfor vart kan far maste ska skall gor gora
    finns fins behover behova galler ar blir hjalp hjalpa
    """.split()
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Arbetsförmedlingen" → "arbetsformedlingen"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def upper_first(text: str) -> str:
    """The text with its first letter in upper case and the rest as it is ("Finnvedens
    samordningsförbund", "Södra Vätterbygden"; str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, diacritics kept (the stemmer needs them)."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text.lower()))


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Swedish stem of a folded token, so "kassan", "kassa" and "kassans" meet.

    Snowball leaves many definite forms alone ("förbundet", "koordinatorn"), so a definite
    suffix is stripped and the word stemmed again until it is stable. Over-stemming is fine
    here: both the knowledge base and the question go through the same function.
    """
    word = fold(token)
    if word.isdigit() or len(word) <= 2:
        return word
    for _ in range(3):
        stemmed = _STEMMER.stemWord(word)
        if len(stemmed) >= 5:
            for suffix in ("en", "et", "n"):
                if stemmed.endswith(suffix):
                    stemmed = stemmed[: -len(suffix)]
                    break
        if stemmed == word:
            break
        word = stemmed
    return word


def content_tokens(text: str) -> list[str]:
    """Tokens without stopwords (compared folded, so "nar" and "när" are both dropped)."""
    folded_stop = _FOLDED_STOPWORDS
    return [t for t in tokens(text) if fold(t) not in folded_stop]


_FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)


def normalise(text: str) -> str:
    """Folded, single-spaced text for fuzzy comparison and grouping of questions."""
    return " ".join(fold(t) for t in tokens(text))
