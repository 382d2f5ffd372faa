"""Guided flows as plain Python: deviation reports and Arena/SIP requests."""

from __future__ import annotations

import re

from typing import Mapping, Sequence

from rapidfuzz import fuzz

from dialogs import casework, mycases, reports
from dialogs.deviation import DeviationFlow
from dialogs.engine import CardFlow
from dialogs.request import ArenaFlow, SipFlow, chooser_card, req_handler
from lotsen.assistant import Assistant
from lotsen.casekinds import CaseKinds
from lotsen.features import Feature
from lotsen.features.qa import find_municipality
from lotsen.context import Context
from lotsen.text import fold, tokens
from lotsen.turn import Card, Out, Text


DRAFT_HINT = ("Du har ett påbörjat formulär. Skriv **fortsätt** för att visa det igen, "
              "eller **avbryt** för att avsluta det.")


def fuzzy_intent(verbs: tuple[str, ...], nouns: tuple[str, ...], *, alone: tuple[str, ...] = ()):
    """A predicate: the text has a word like one of `verbs` and one like one of `nouns`
    (typos allowed), or is exactly one of `alone` (folded)."""

    def like(word: str, targets: tuple[str, ...]) -> bool:
        return any(word == t or (len(word) >= 4 and fuzz.ratio(word, t) >= 80) for t in targets)

    def predicate(folded: str) -> bool:
        if folded.strip(" .!?") in alone:
            return True
        words = [fold(w) for w in tokens(folded)]
        return any(like(w, verbs) for w in words) and any(like(w, nouns) for w in words)

    return predicate


# Starting an Arena or SIP request from typed text ("begära arenakonsultation", "kalla till SIP",
# "jag behöver en SIP", typos allowed). Questions ("Vem kallar till SIP?") are left to the
# question answering, whose answer cards carry a button that starts the flow.
REQUEST_VERBS = ("begara", "begar", "begaran", "boka", "kalla", "kallar", "anmala", "remittera", "behover",
                 "onskar", "ordna", "starta", "skicka", "ansoka", "ny", "nytt", "ha")
ARENA_NOUNS = ("arena", "arenan", "arenakonsultation", "arenakonsultationen", "arenasamrad", "arenamote",
               "arenaarende", "arenasamverkan", "arenaforfragan")
SIP_NOUNS = ("sip", "sipmote", "sip-mote", "sipen")
QUESTION_STARTS = frozenset({"vem", "vad", "hur", "nar", "var", "vart", "vilka", "vilken", "vilket", "varfor",
                             "maste", "kan", "far", "ska", "finns", "ar", "galler", "behovs", "racker", "koppla"})
NOT_A_REQUEST = frozenset({"veta", "lasa", "forsta", "information", "info", "lara", "fraga", "fragor", "vad", "hur",
                           "vem", "varfor", "vilka", "vilken", "nar", "betyder", "kontakt", "kontakta",
                           "kontaktperson", "kontakter", "telefon", "nummer", "mejl", "epost", "avvikelse"})


def request_intent(nouns: tuple[str, ...], alone: tuple[str, ...] = ()):
    """A predicate on folded text: a request for Arena/SIP, not a question about it."""
    base = fuzzy_intent(REQUEST_VERBS, nouns, alone=alone)

    def predicate(folded: str) -> bool:
        if "?" in folded:
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
_deviation_words = fuzzy_intent(DEVIATION_VERBS, DEVIATION_NOUNS,
                                alone=("avvikelse", "avvikelse i samverkan", "ny avvikelse", "avvikelserapport"))
# "jag vill rapportera …", "vi behöver anmäla …": the person asks to act.
WANTS_TO_ACT = re.compile(r"\b(jag|vi) (vill|ska|behover|skulle vilja|maste|tanker|onskar) (\w+ ){0,2}?"
                          r"(rapportera|anmala|lamna|skriva|gora|registrera|skicka|fylla)\b")
ASKS = re.compile(r"\?|\b(undrar|fraga|fragor|veta|ok att|far jag|far man|kan jag|kan man|maste jag|ska jag)\b")


def deviation_request(folded: str) -> bool:
    """A request to file a deviation report, not a question about deviations."""
    words = [fold(w) for w in tokens(folded)]
    if not words or not _deviation_words(folded):
        return False
    if ASKS.search(folded):
        return False
    if WANTS_TO_ACT.search(" ".join(words)):
        return True
    return len(words) <= 8 and words[0] not in QUESTION_STARTS


arena_request = request_intent(ARENA_NOUNS, alone=("arenakonsultation", "arena konsultation", "arenaarende"))
sip_request = request_intent(SIP_NOUNS, alone=("sip mote", "sipmote", "nytt sip mote", "ny sip"))


def build_flows() -> tuple[CardFlow, ...]:
    """The guided flows, one per case kind (built once by the composition root)."""
    return (DeviationFlow(), ArenaFlow(), SipFlow())


def case_kinds(flows: Sequence[CardFlow]) -> CaseKinds:
    """The registry of the case kinds these flows file."""
    return CaseKinds.of(flow.case_kind() for flow in flows)


def feature(flows: Sequence[CardFlow]) -> Feature:
    """The flows as a feature: their verbs, the commands that start, resume and cancel them,
    case handling (casework), coordinators' reports and people's own cases."""
    by_kind = {flow.kind: flow for flow in flows}

    def register(assistant: Assistant) -> None:
        _register(assistant, by_kind)

    return register


def _register(assistant: Assistant, flows: Mapping[str, CardFlow]) -> None:
    for flow in flows.values():
        assistant.verb(flow.prefix + ".", flow.handle)
    assistant.verb("req.", req_handler(flows))
    deviation = flows["avvikelse"]

    async def start_deviation(ctx: Context) -> list[Out]:
        return await deviation.start(ctx)

    assistant.command("start-deviation", deviation_request, start_deviation)

    async def cancel(ctx: Context) -> list[Out]:
        found = ctx.store.get_draft(ctx.turn.draft_key)
        if found is None:
            return [Text("Det finns inget påbörjat formulär att avbryta. Skriv **hjälp** om du vill se vad jag kan.")]
        ctx.store.delete_draft(ctx.turn.draft_key)
        return [Text("Avbrutet. Inget har sparats. Du kan börja om när du vill.")]

    async def resume(ctx: Context) -> list[Out]:
        found = ctx.store.get_draft(ctx.turn.draft_key)
        if found is None or found[0] not in flows:
            return [Text("Du har inget påbörjat formulär. Skriv **rapportera avvikelse** eller **begär sip** för att börja.")]
        flow = flows[found[0]]
        return [Text("Här är formuläret du höll på med:"), Card(flow.resume_card(ctx, found[1]))]

    async def open_form_hint(ctx: Context) -> str | None:
        """After an answer: remind the person of a form they have open."""
        return DRAFT_HINT if ctx.store.get_draft(ctx.turn.draft_key) is not None else None

    assistant.command("cancel", r"^(avbryt|avbryt formularet|avsluta|stopp|stop|cancel)[.!]*$", cancel)
    assistant.command("resume", r"^(fortsatt|fortsatt formularet|visa formularet)[.!]*$", resume)
    assistant.hint(open_form_hint)
    casework.register(assistant)
    reports.register(assistant)
    mycases.register(assistant)

    async def start_request(ctx: Context) -> list[Out]:
        folded = fold(ctx.turn.text.strip())
        kinds = [kind for kind, wanted in (("arena", arena_request), ("sip", sip_request)) if wanted(folded)]
        if len(kinds) == 1:
            return await flows[kinds[0]].start(ctx)
        return [Card(chooser_card(ctx, find_municipality(ctx.kb, ctx.turn.text)))]

    assistant.command("start-request", lambda folded: arena_request(folded) or sip_request(folded), start_request)
