"""Typed text that starts a flow: a request for Arena/SIP or a deviation report, told apart
from a question about them (questions go to question answering, whose cards carry a button)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from lotsen.frequency import zipf
from lotsen.matching import TYPO_KEEP_ZIPF
from lotsen.text import fold, tokens


def fuzzy_intent(verbs: tuple[str, ...], nouns: tuple[str, ...], *, alone: tuple[str, ...] = ()):
    """A predicate: the text has a word like one of `verbs` and one like one of `nouns`
    (typos allowed), or is exactly one of `alone` (folded). A common Swedish word is never a
    typo: "kallade", "bokade", "alla", "bara" and "smärta" are not "kalla", "boka" or "starta"."""

    def like(word: str, targets: tuple[str, ...]) -> bool:
        if word in targets:
            return True
        return len(word) >= 4 and zipf(word) < TYPO_KEEP_ZIPF and any(fuzz.ratio(word, t) >= 80 for t in targets)

    def predicate(folded: str) -> bool:
        if folded.strip(" .!?") in alone:
            return True
        words = [fold(w) for w in tokens(folded)]
        return any(like(w, verbs) for w in words) and any(like(w, nouns) for w in words)

    return predicate


# Starting an Arena or SIP request from typed text ("begära arenakonsultation", "kalla till SIP",
# "jag behöver en SIP", typos allowed). Questions ("Vem kallar till SIP?") are left to the
# question answering, whose answer cards carry a button that starts the flow.
REQUEST_VERBS = (
    "begara",
    "begar",
    "begaran",
    "boka",
    "kalla",
    "kallar",
    "anmala",
    "remittera",
    "behover",
    "onskar",
    "ordna",
    "starta",
    "skicka",
    "ansoka",
    "ny",
    "nytt",
    "ha",
)
ARENA_NOUNS = (
    "arena",
    "arenan",
    "arenakonsultation",
    "arenakonsultationen",
    "arenasamrad",
    "arenamote",
    "arenaarende",
    "arenasamverkan",
    "arenaforfragan",
)
SIP_NOUNS = ("sip", "sipmote", "sip-mote", "sipen")
QUESTION_STARTS = frozenset(
    {
        "vem",
        "vems",
        "vad",
        "hur",
        "nar",
        "var",
        "vart",
        "vilka",
        "vilken",
        "vilket",
        "varfor",
        "maste",
        "kan",
        "far",
        "ska",
        "finns",
        "ar",
        "galler",
        "behovs",
        "racker",
        "koppla",
        # a finite verb first is a yes/no question ("behöver fk komma på sip", "hinner jag lämna
        # avvikelsen"); a request uses the imperative or "jag vill …" ("boka sip", "anmäl avvikelse")
        "behover",
        "kallar",
        "kommer",
        "hinner",
        "brukar",
        "blir",
        "har",
        "stammer",
        "funkar",
        "fungerar",
        "deltar",
        "betalar",
        "tar",
    }
)
NOT_A_REQUEST = frozenset(
    {
        "veta",
        "lasa",
        "forsta",
        "information",
        "info",
        "lara",
        "fraga",
        "fragor",
        "vad",
        "hur",
        "vem",
        "varfor",
        "vilka",
        "vilken",
        "nar",
        "betyder",
        "kontakt",
        "kontakta",
        "kontaktperson",
        "kontakter",
        "kontaktlista",
        "kontaktlistan",
        "telefon",
        "nummer",
        "mejl",
        "epost",
        "avvikelse",
    }
)


# A question without a question mark ("klienten vill ha sip själv, går det"), a verb before its
# subject ("arena kontaktlistan behöver man logga in", "min klient vill ha en sip, kan hon begära
# det"), or one to the bot ("vill du ha sip på kaffet"): not a request.
ASKS_ABOUT = re.compile(
    r"\b(gar det|funkar det|fungerar det|ar det (ok|okej|mojligt|sa)|"
    r"(kan|far|maste|behover|ska) (man|jag|vi|hon|han|hen|de|dom)|undrar|vill du)\b"
)


def request_intent(nouns: tuple[str, ...], alone: tuple[str, ...] = ()):
    """A predicate on folded text: a request for Arena/SIP, not a question about it."""
    base = fuzzy_intent(REQUEST_VERBS, nouns, alone=alone)

    def predicate(folded: str) -> bool:
        if "?" in folded or ASKS_ABOUT.search(folded):
            return False
        words = [fold(w) for w in tokens(folded)]
        if not words or len(words) > 14 or words[0] in QUESTION_STARTS or NOT_A_REQUEST & set(words):
            return False
        return base(folded)

    return predicate


# Starting a deviation report from typed text: "rapportera avvikelse", "ny avvikelse", "jag vill
# anmäla en avvikelse i samverkan". A question that mentions a deviation ("Finns det en tidsgräns
# för när en avvikelse måste rapporteras?") is left to the question answering: questions beat
# triggers, and the answer card carries a button that starts the form.
DEVIATION_VERBS = ("rapportera", "anmala", "lamna", "skicka", "registrera", "skriva", "gora", "ny", "vill")
DEVIATION_NOUNS = ("avvikelse", "avvikelser", "avvikelserapport")
_deviation_words = fuzzy_intent(
    DEVIATION_VERBS, DEVIATION_NOUNS, alone=("avvikelse", "avvikelse i samverkan", "ny avvikelse", "avvikelserapport")
)
# "jag vill rapportera …", "vi behöver anmäla …": the person asks to act.
WANTS_TO_ACT = re.compile(
    r"\b(jag|vi) (vill|ska|behover|skulle vilja|maste|tanker|onskar) (\w+ ){0,2}?"
    r"(rapportera|anmala|lamna|skriva|gora|registrera|skicka|fylla)\b"
)
ASKS = re.compile(r"\?|\b(undrar|fraga|fragor|veta|ok att|far jag|far man|kan jag|kan man|maste jag|ska jag)\b")
# A question word anywhere ("inom hur många dagar ska avvikelse anmälas"), or a question about
# time ("för sent att anmäla avvikelse", "sista dag att lämna in avvikelse"): a question, unless
# the message also says "jag vill anmäla".
QUESTION_WORDS = re.compile(r"\b(hur|nar|vem|varfor|vilken|vilket|vilka|for sent|senast|sista dag(en)?|hinner)\b")


def deviation_request(folded: str) -> bool:
    """A request to file a deviation report, not a question about deviations."""
    words = [fold(w) for w in tokens(folded)]
    if not words or not _deviation_words(folded):
        return False
    if ASKS.search(folded):
        return False
    joined = " ".join(words)
    if WANTS_TO_ACT.search(joined):
        return True
    if QUESTION_WORDS.search(joined):
        return False
    return len(words) <= 8 and words[0] not in QUESTION_STARTS


arena_request = request_intent(ARENA_NOUNS, alone=("arenakonsultation", "arena konsultation", "arenaarende"))
sip_request = request_intent(SIP_NOUNS, alone=("sip mote", "sipmote", "nytt sip mote", "ny sip"))
