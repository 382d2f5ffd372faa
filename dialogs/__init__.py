"""Guided flows as plain Python: deviation reports and Arena/SIP requests."""

from __future__ import annotations


from rapidfuzz import fuzz

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.text import fold, tokens
from lotsen.turn import Card, Out, Text


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


def register(assistant: Assistant) -> None:
    from dialogs import casework
    from dialogs.deviation import DeviationFlow

    flows = [DeviationFlow()]
    for flow in flows:
        casework.FLOWS[flow.kind] = flow
        assistant.verb(flow.prefix + ".", flow.handle)
    deviation = flows[0]

    async def start_deviation(ctx: Context) -> list[Out]:
        return await deviation.start(ctx)

    assistant.command(
        "start-deviation",
        fuzzy_intent(("rapportera", "anmala", "lamna", "skicka", "registrera", "skriva", "gora", "ny", "vill"),
                     ("avvikelse", "avvikelser", "avvikelserapport"),
                     alone=("avvikelse", "avvikelse i samverkan", "ny avvikelse", "avvikelserapport")),
        start_deviation,
    )

    async def cancel(ctx: Context) -> list[Out]:
        found = ctx.store.get_draft(ctx.turn.draft_key)
        if found is None:
            return [Text("Det finns inget påbörjat formulär att avbryta. Skriv **hjälp** om du vill se vad jag kan.")]
        ctx.store.delete_draft(ctx.turn.draft_key)
        return [Text("Avbrutet. Inget har sparats. Du kan börja om när du vill.")]

    async def resume(ctx: Context) -> list[Out]:
        found = ctx.store.get_draft(ctx.turn.draft_key)
        if found is None or found[0] not in casework.FLOWS:
            return [Text("Du har inget påbörjat formulär. Skriv **rapportera avvikelse** eller **begär sip** för att börja.")]
        flow = casework.FLOWS[found[0]]
        return [Text("Här är formuläret du höll på med:"), Card(flow.resume_card(ctx, found[1]))]

    assistant.command("cancel", r"^(avbryt|avbryt formularet|avsluta|stopp|stop|cancel)[.!]*$", cancel)
    assistant.command("resume", r"^(fortsatt|fortsatt formularet|visa formularet)[.!]*$", resume)
    casework.register(assistant)
