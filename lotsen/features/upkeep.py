"""Keeping the knowledge base current (coordinators only).

    testa: <fråga>            which entries match, with scores, and why
    ladda om kunskapsbasen    validate → diff → swap; on errors the old one keeps serving
    obesvarade frågor [dagar] what the bot could not answer (default 30 days), most frequent first
    feedback [dagar]          👎 on answers, most frequent first
    skicka sammanfattning     post the weekly digest to the connected channels now

Coordinators are recognised by Entra object id (COORDINATOR_IDS); everyone else gets a polite
refusal, for the typed commands (coordinator_only) and the card buttons alike.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from lotsen import digest, insights
from lotsen.assistant import NOT_ALLOWED, NOT_HERE, Assistant
from lotsen.context import Context
from lotsen.explain import explain, num
from lotsen.features.teach import taught_norms
from lotsen.kb.reload import reload_knowledge
from lotsen.text import fold
from lotsen.turn import Card, Out, Text

MAX_QUESTION = 500
MAX_ERRORS_SHOWN = 15
LIST_LIMIT = 15
# Typed commands that take a text before question answering, in words a coordinator knows.
COMMAND_LABELS = {
    "help": "hjälpen",
    "contact-question": "kontaktfrågor (”Vem kontaktar jag?”)",
    "start-deviation": "avvikelserapporten",
    "cancel": "avbryt",
    "resume": "fortsätt formuläret",
    "link-channel": "koppla kanal",
}
OWN_COMMANDS = ("upkeep-test", "upkeep-reload", "upkeep-unanswered", "upkeep-feedback", "upkeep-digest")
TEST_HELP = ("Ändra formuleringarna (phrasings) i kunskapsbasen om fel fråga vinner, "
             "och skriv sedan **ladda om kunskapsbasen**.")
TEST_USAGE = "Skriv frågan efter kolon, till exempel **testa: vem kallar till sip**."

TEST_PATTERN = r"^test(a)?\s*:"
RELOAD_PATTERN = r"^ladda om( (hela )?(kunskapsbas(en)?|kb|fragorna))?[.!]*$"
UNANSWERED_PATTERN = r"^(visa )?obesvarade( fragor(na)?)?( (senaste )?\d+( dagar(na)?| d)?)?[.!]*$"
FEEDBACK_PATTERN = r"^(visa )?(feedback|aterkoppling(en)?)( (senaste )?\d+( dagar(na)?| d)?)?[.!]*$"
DIGEST_PATTERN = r"^skicka (vecko)?sammanfattning(en)?( nu)?[.!]*$"


def _days(raw: object) -> int:
    """Days from "obesvarade frågor 7" or a card's data; default 30, at most a year."""
    match = re.search(r"\d+", str(raw or ""))
    days = int(match.group()) if match else insights.DEFAULT_DAYS
    return max(1, min(days, insights.MAX_DAYS))


def _local_day(ctx: Context, stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone(ZoneInfo(ctx.settings.digest_timezone)).date().isoformat()
    except ValueError:
        return stamp[:10]


def _times(n: int) -> str:
    return "1 gång" if n == 1 else f"{n} gånger"


# --- testa: ----------------------------------------------------------------------------------


def test_card(ctx: Context, question: str, assistant: Assistant) -> Card:
    ex = explain(ctx.matcher, ctx.kb, question)
    command = assistant.match_command(question)
    intercepted = ""
    if command is not None and command.name not in OWN_COMMANDS:
        label = COMMAND_LABELS.get(command.name, command.name)
        intercepted = (f"Obs! Skriver någon precis så här svarar boten med {label} i stället för att leta "
                       f"bland frågorna. Matchningen nedan gäller om frågan skrivs på ett annat sätt.")
    return ctx.card(
        "match_test",
        question=question,
        decision=ex.decision,
        intercepted_by=intercepted,
        facts=ex.facts(),
        candidates=[{
            "entry_id": c.entry_id, "question": c.question, "where": c.where, "score": num(c.score),
            "phrasing": c.phrasing, "shared": ", ".join(c.shared) or "–", "parts": c.parts(),
        } for c in ex.candidates],
        thresholds=ex.thresholds,
        help=TEST_HELP,
    )


# --- ladda om ----------------------------------------------------------------------------------


async def reload_outs(ctx: Context) -> list[Out]:
    result = await reload_knowledge(ctx.services.knowledge, review_days=ctx.settings.kb_review_days,
                                    today=ctx.services.today())
    actor = ctx.turn.user.aad_object_id
    if result.busy:
        return [Text("Kunskapsbasen laddas redan om. Vänta en stund och försök igen.")]
    if not result.ok:
        ctx.store.audit("kb_reload", actor, str(ctx.services.knowledge.directory), "refused")
        shown = [str(p) for p in result.errors[:MAX_ERRORS_SHOWN]]
        if len(result.errors) > MAX_ERRORS_SHOWN:
            shown.append(f"… och {len(result.errors) - MAX_ERRORS_SHOWN} fel till "
                         f"(se alla med python -m scripts.kb check).")
        return [ctx.card(
            "notice",
            title="Kunskapsbasen laddades inte om",
            text=(f"Den nya versionen har {len(result.errors)} fel, så jag fortsätter med den gamla. "
                  "Rätta felen (fil:rad) och skriv **ladda om kunskapsbasen** igen."),
            lines=shown,
        )]
    ctx.store.audit("kb_reload", actor, str(ctx.services.knowledge.directory), "ok")
    changes = result.diff.lines() if result.diff else []
    lines = changes or ["Inget har ändrats."]
    if result.warnings:
        lines.append(f"Kvalitetsvarningar: {len(result.warnings)}. De stoppar inte omladdningen – "
                     "se dem med python -m scripts.kb check.")
    return [ctx.card(
        "notice",
        title="Kunskapsbasen är omladdad",
        text=(f"Boten använder nu den nya versionen: {result.entries} frågor. "
              "Pågående samtal och formulär fortsätter som vanligt."),
        lines=lines,
    )]


# --- obesvarade frågor / feedback ----------------------------------------------------------------


def unanswered_card(ctx: Context, days: int) -> Card:
    period = insights.Period.last_days(ctx.services.clock(), days)
    taught = taught_norms(ctx)
    groups = [g for g in insights.unanswered(ctx.store, period) if g.norm not in taught]
    total = sum(g.count for g in groups)
    items = []
    for g in groups[:LIST_LIMIT]:
        parts = [_times(g.count), f"senast {_local_day(ctx, g.last_at)}"]
        if g.entries:
            titles = [f"{ctx.kb.entries[e].question} ({e})" if e in ctx.kb.entries else e for e in g.entries[:3]]
            parts.append("erbjöd ”Menade du”: " + "; ".join(titles))
        else:
            parts.append("inget svar alls")
        items.append({"question": g.question, "details": " · ".join(parts), "suggest": g.entries[0] if g.entries else ""})
    more = len(groups) - len(items)
    return ctx.card(
        "upkeep_list",
        title="Obesvarade frågor",
        subtitle=f"Senaste {days} dagarna: {total} frågor, {len(groups)} olika. Vanligast först.",
        items=items,
        empty=f"Inga obesvarade frågor de senaste {days} dagarna.",
        note=(f"{more} fler frågor visas inte. " if more > 0 else "") +
             "Personnummer tas bort innan en fråga sparas. Testa en fråga för att se varför boten inte svarade.",
    )


def feedback_card(ctx: Context, days: int) -> Card:
    period = insights.Period.last_days(ctx.services.clock(), days)
    taught = taught_norms(ctx)
    groups = [g for g in insights.feedback(ctx.store, period, "down") if g.norm not in taught]
    counts = insights.counts(ctx.store, period)
    items = []
    for g in groups[:LIST_LIMIT]:
        answers = [f"{ctx.kb.entries[e].question} ({e})" if e in ctx.kb.entries else f"{e} (finns inte längre)"
                   for e in g.entries[:3]]
        parts = [_times(g.count), f"senast {_local_day(ctx, g.last_at)}", "svaret: " + "; ".join(answers)]
        why = insights.reasons_text(g)
        if why:
            parts.append("varför: " + why)
        parts.extend(f"”{c}”" for c in g.comments)
        items.append({"question": g.question, "details": " · ".join(parts), "suggest": g.entries[0] if g.entries else ""})
    more = len(groups) - len(items)
    return ctx.card(
        "upkeep_list",
        title="Negativ återkoppling (👎)",
        subtitle=(f"Senaste {days} dagarna: {counts.feedback_down} 👎 och {counts.feedback_up} 👍. "
                  "Vanligast först."),
        items=items,
        empty=f"Ingen har tryckt 👎 de senaste {days} dagarna.",
        note=(f"{more} fler frågor visas inte. " if more > 0 else "") +
             "Testa frågan för att se om rätt svar vann, och förbättra svaret eller formuleringarna.",
    )


# --- sammanfattning ---------------------------------------------------------------------------


async def digest_outs(ctx: Context) -> list[Out]:
    result = await digest.send_digest(ctx.services, actor=ctx.turn.user.aad_object_id)
    outs: list[Out] = []
    if result.channels:
        outs.append(Text("Veckosammanfattningen är skickad till " + ", ".join(result.channels) + "."))
    if result.failed:
        outs.append(Text("Jag kunde inte skicka sammanfattningen till " + ", ".join(result.failed) +
                         ". Kontrollera att boten finns kvar i kanalen och försök igen."))
    if not result.channels and not result.failed:
        outs.append(Text("Ingen kanal är kopplad för veckosammanfattningen. Skriv **koppla kanal sammanfattning** "
                         "i den kanal som ska få den. Så här ser den ut just nu:"))
        if result.card is not None:
            outs.append(Card(result.card))
    return outs


# --- registration ------------------------------------------------------------------------------


def register(assistant: Assistant) -> None:
    async def test_command(ctx: Context) -> list[Out]:
        question = re.split(r":", ctx.turn.text, maxsplit=1)[-1].strip()[:MAX_QUESTION]
        if not question:
            return [Text(TEST_USAGE)]
        return [test_card(ctx, question, assistant)]

    async def test_button(ctx: Context) -> list[Out]:
        if not ctx.is_coordinator:
            return [Text(NOT_ALLOWED)]
        question = ctx.value.get("q")
        if not isinstance(question, str) or not question.strip():
            return [Text(TEST_USAGE)]
        return [test_card(ctx, question.strip()[:MAX_QUESTION], assistant)]

    async def reload_command(ctx: Context) -> list[Out]:
        await ctx.typing()
        return await reload_outs(ctx)

    async def unanswered_command(ctx: Context) -> list[Out]:
        return [unanswered_card(ctx, _days(fold(ctx.turn.text)))]

    async def feedback_command(ctx: Context) -> list[Out]:
        return [feedback_card(ctx, _days(fold(ctx.turn.text)))]

    async def list_button(ctx: Context) -> list[Out]:
        if not ctx.is_coordinator:
            return [Text(NOT_ALLOWED)]
        if not ctx.in_private_scope:
            return [Text(NOT_HERE)]
        days = _days(ctx.value.get("days"))
        if ctx.turn.verb == "upkeep.feedback":
            return [feedback_card(ctx, days)]
        return [unanswered_card(ctx, days)]

    async def digest_command(ctx: Context) -> list[Out]:
        await ctx.typing()
        return await digest_outs(ctx)

    assistant.command("upkeep-test", TEST_PATTERN, test_command, coordinator_only=True)
    assistant.command("upkeep-reload", RELOAD_PATTERN, reload_command, coordinator_only=True)
    assistant.command("upkeep-unanswered", UNANSWERED_PATTERN, unanswered_command, private=True)
    assistant.command("upkeep-feedback", FEEDBACK_PATTERN, feedback_command, private=True)
    assistant.command("upkeep-digest", DIGEST_PATTERN, digest_command, coordinator_only=True)
    assistant.verb("upkeep.test", test_button)
    assistant.verb("upkeep.unanswered", list_button)
    assistant.verb("upkeep.feedback", list_button)

