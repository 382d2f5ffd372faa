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

import logging
import re
from datetime import datetime
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from lotsen import digest, insights
from lotsen.assistant import NOT_ALLOWED, NOT_HERE, Assistant
from lotsen.context import Context
from lotsen.explain import explain, num
from lotsen.features.teach import taught_norms
from lotsen.kb.reload import ReloadResult, builds_isolated, reload_knowledge
from lotsen.outbox import for_services
from lotsen.text import fold
from lotsen.texts import say
from lotsen.turn import Card, Out, Text

log = logging.getLogger(__name__)
MAX_QUESTION = 500
RELOAD_KIND = "kb_reload"  # the outbox kind of the progress messages of a large reload
MAX_ERRORS_SHOWN = 15
LIST_LIMIT = 15
# Typed commands that take a text before question answering, in words a coordinator knows.
COMMAND_LABELS = {
    "help": say("upkeep.command_help"),
    "contact-question": say("upkeep.command_contact_question"),
    "start-deviation": say("upkeep.command_start_deviation"),
    "cancel": say("upkeep.command_cancel"),
    "resume": say("upkeep.command_resume"),
    "link-channel": say("upkeep.command_link_channel"),
}
OWN_COMMANDS = ("upkeep-test", "upkeep-reload", "upkeep-unanswered", "upkeep-feedback", "upkeep-digest")
TEST_HELP = say("upkeep.test_help")
TEST_USAGE = say("upkeep.test_usage")

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
    return say("upkeep.once") if n == 1 else say("upkeep.times", count=n)


# --- testa: ----------------------------------------------------------------------------------


def test_card(ctx: Context, question: str, assistant: Assistant) -> Card:
    ex = explain(ctx.matcher, ctx.kb, question)
    command = assistant.match_command(question)
    intercepted = ""
    if command is not None and command.name not in OWN_COMMANDS:
        label = COMMAND_LABELS.get(command.name, command.name)
        intercepted = say("upkeep.test_intercepted", command=label)
    return ctx.card(
        "match_test",
        question=question,
        decision=ex.decision,
        intercepted_by=intercepted,
        facts=ex.facts(),
        candidates=[
            {
                "entry_id": c.entry_id,
                "question": c.question,
                "where": c.where,
                "score": num(c.score),
                "phrasing": c.phrasing,
                "shared": ", ".join(c.shared) or "–",
                "parts": c.parts(),
            }
            for c in ex.candidates
        ],
        thresholds=ex.thresholds,
        help=TEST_HELP,
    )


# --- ladda om ----------------------------------------------------------------------------------


async def reload_outs(ctx: Context) -> list[Out]:
    """Reload and answer with the result. A large knowledge base (built in a child process,
    lotsen.kb.reload) takes longer than Teams waits for a reply: the answer is at once that the
    reload is under way, and the progress follows in the same chat (through the outbox): when
    the new version answers, with its number of questions, and the result with the quality
    warnings when they are checked."""
    knowledge = ctx.services.knowledge
    outbox = for_services(ctx.services)
    if knowledge.reloading:
        return [Text(say("upkeep.reload_busy"))]
    if outbox is None or not ctx.turn.conversation_ref or not builds_isolated(knowledge.directory):
        return await _reload_result(ctx, await _reload(ctx))
    conversation_ref = ctx.turn.conversation_ref

    async def post(out: Out) -> None:
        card, text = (out.card, None) if isinstance(out, Card) else (None, getattr(out, "text", ""))
        message_id = await outbox.add(RELOAD_KIND, conversation_ref, card=card, text=text)
        await outbox.send_now(message_id)

    async def in_background() -> None:
        async def installed(entries: int) -> None:
            await post(Text(say("upkeep.reload_answering", entries=entries)))

        try:
            result = await _reload(ctx, on_installed=installed)
            for out in await _reload_result(ctx, result):
                await post(out)
        except Exception:  # noqa: BLE001 - logged; the old knowledge base keeps answering
            log.exception("knowledge base reload in the background failed")

    await ctx.services.soon(in_background(), wait=0)
    return [Text(say("upkeep.reload_started"))]


async def _reload(ctx: Context, on_installed: Callable[[int], Awaitable[None]] | None = None) -> ReloadResult:
    return await reload_knowledge(
        ctx.services.knowledge,
        review_days=ctx.settings.kb_review_days,
        today=ctx.services.today(),
        on_installed=on_installed,
    )


async def _reload_result(ctx: Context, result: ReloadResult) -> list[Out]:
    actor = ctx.turn.user.aad_object_id
    if result.busy:
        return [Text(say("upkeep.reload_busy"))]
    if not result.ok:
        await ctx.store.audit.record("kb_reload", actor, str(ctx.services.knowledge.directory), "refused")
        shown = [str(p) for p in result.errors[:MAX_ERRORS_SHOWN]]
        if len(result.errors) > MAX_ERRORS_SHOWN:
            shown.append(say("upkeep.reload_more_errors", count=len(result.errors) - MAX_ERRORS_SHOWN))
        return [
            ctx.card(
                "notice",
                title=say("upkeep.reload_refused_title"),
                text=say("upkeep.reload_refused", count=len(result.errors)),
                lines=shown,
            )
        ]
    await ctx.store.audit.record("kb_reload", actor, str(ctx.services.knowledge.directory), "ok")
    changes = result.diff.lines() if result.diff else []
    lines = changes or [say("upkeep.reload_unchanged")]
    if result.warnings:
        lines.append(say("upkeep.reload_warnings", count=len(result.warnings)))
    return [
        ctx.card(
            "notice",
            title=say("upkeep.reloaded_title"),
            text=say("upkeep.reloaded", entries=result.entries),
            lines=lines,
        )
    ]


# --- obesvarade frågor / feedback ----------------------------------------------------------------


async def unanswered_card(ctx: Context, days: int) -> Card:
    period = insights.Period.last_days(ctx.services.clock(), days)
    taught = taught_norms(ctx)
    groups = [g for g in await insights.unanswered(ctx.store, period) if g.norm not in taught]
    total = sum(g.count for g in groups)
    items = []
    for g in groups[:LIST_LIMIT]:
        parts = [_times(g.count), say("upkeep.last_asked", day=_local_day(ctx, g.last_at))]
        if g.entries:
            titles = [
                say("upkeep.entry", question=ctx.kb.entries[e].question, entry=e) if e in ctx.kb.entries else e
                for e in g.entries[:3]
            ]
            parts.append(say("upkeep.offered", entries="; ".join(titles)))
        else:
            parts.append(say("upkeep.no_answer"))
        items.append(
            {"question": g.question, "details": " · ".join(parts), "suggest": g.entries[0] if g.entries else ""}
        )
    more = len(groups) - len(items)
    return ctx.card(
        "upkeep_list",
        title=say("upkeep.unanswered_title"),
        subtitle=say("upkeep.unanswered_subtitle", days=days, total=total, distinct=len(groups)),
        items=items,
        empty=say("upkeep.unanswered_empty", days=days),
        note=(say("upkeep.more", count=more) if more > 0 else "") + say("upkeep.unanswered_note"),
    )


async def feedback_card(ctx: Context, days: int) -> Card:
    period = insights.Period.last_days(ctx.services.clock(), days)
    taught = taught_norms(ctx)
    groups = [g for g in await insights.feedback(ctx.store, period, "down") if g.norm not in taught]
    counts = await insights.counts(ctx.store, period)
    items = []
    for g in groups[:LIST_LIMIT]:
        answers = [
            say("upkeep.entry", question=ctx.kb.entries[e].question, entry=e)
            if e in ctx.kb.entries
            else say("upkeep.entry_gone", entry=e)
            for e in g.entries[:3]
        ]
        parts = [
            _times(g.count),
            say("upkeep.last_asked", day=_local_day(ctx, g.last_at)),
            say("upkeep.answered_with", entries="; ".join(answers)),
        ]
        why = insights.reasons_text(g)
        if why:
            parts.append(say("upkeep.why", reasons=why))
        parts.extend(f"”{c}”" for c in g.comments)
        items.append(
            {"question": g.question, "details": " · ".join(parts), "suggest": g.entries[0] if g.entries else ""}
        )
    more = len(groups) - len(items)
    return ctx.card(
        "upkeep_list",
        title=say("upkeep.feedback_title"),
        subtitle=say("upkeep.feedback_subtitle", days=days, down=counts.feedback_down, up=counts.feedback_up),
        items=items,
        empty=say("upkeep.feedback_empty", days=days),
        note=(say("upkeep.more", count=more) if more > 0 else "") + say("upkeep.feedback_note"),
    )


# --- sammanfattning ---------------------------------------------------------------------------


async def digest_outs(ctx: Context) -> list[Out]:
    result = await digest.send_digest(ctx.services, actor=ctx.turn.user.aad_object_id)
    outs: list[Out] = []
    if result.channels:
        outs.append(Text(say("upkeep.digest_sent", channels=", ".join(result.channels))))
    if result.failed:
        outs.append(Text(say("upkeep.digest_failed", channels=", ".join(result.failed))))
    if not result.channels and not result.failed:
        outs.append(Text(say("upkeep.digest_no_channel")))
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
        return [await unanswered_card(ctx, _days(fold(ctx.turn.text)))]

    async def feedback_command(ctx: Context) -> list[Out]:
        return [await feedback_card(ctx, _days(fold(ctx.turn.text)))]

    async def list_button(ctx: Context) -> list[Out]:
        if not ctx.is_coordinator:
            return [Text(NOT_ALLOWED)]
        if not await ctx.in_private_scope():
            return [Text(NOT_HERE)]
        days = _days(ctx.value.get("days"))
        if ctx.turn.verb == "upkeep.feedback":
            return [await feedback_card(ctx, days)]
        return [await unanswered_card(ctx, days)]

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
