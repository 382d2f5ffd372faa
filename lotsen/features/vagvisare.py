"""Vägvisaren in chat: from a described situation to the next steps, parties and contacts.

Ways in: a description of a client's situation (taken before question answering when it is
clearly one, see Extraction.is_strong, unless it ends in a specific question that question
answering answers confidently; otherwise through question answering's hook when it has no
confident answer), "vägvisare" / "vad ska jag göra med min klient", the buttons on the
welcome and help cards, and "Ändra svaren" / "Ny situation" on the recommendation.

Nothing about the client is stored: the description is read, never saved or logged; the facts
travel in the card's data; only anonymous counters are written (store.navigator.record).
A description with a personnummer is refused before it is read.
"""

from __future__ import annotations

from typing import Any

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.matching import ANSWER
from lotsen.pii import contains_identity_number
from lotsen.text import fold
from lotsen.texts import say
from lotsen.turn import Card, Out, Text
from lotsen.vagvisare import advice
from lotsen.vagvisare.explain import explain
from lotsen.vagvisare.extract import STRONG_MIN_WORDS, extractor_for
from lotsen.vagvisare.patterns import tokenize
from lotsen.vagvisare.rules import evaluate

PII_BLOCKED = say("vagvisare.pii_blocked")
NOT_CONFIGURED = say("vagvisare.not_configured")
TITLE = say("vagvisare.title")
INTRO_FOUND = say("vagvisare.intro_found")
INTRO_EMPTY = say("vagvisare.intro_empty")
MISSING_TITLE = say("vagvisare.missing_title")
TEST_PATTERN = r"^testa?\s+vagvisaren?\s*:"
TEST_USAGE = say("vagvisare.test_usage")


def _navigator_ready(ctx: Context):
    nav = ctx.kb.navigator
    extractor = extractor_for(ctx.kb)
    return (nav, extractor) if nav is not None and extractor is not None else (None, None)


def situation_card(
    ctx: Context,
    facts: dict[str, Any],
    ask: list[str],
    extraction=None,
    *,
    errors: dict[str, str] | None = None,
    show_all: bool = False,
    intro: str = INTRO_FOUND,
) -> Card:
    nav = ctx.kb.navigator
    form = advice.form_fields(ctx.kb, nav, facts, ask, extraction)
    if show_all:  # "Ändra svaren" and an empty start: every fact, the unknown ones as questions
        form.missing, form.others = form.missing + form.others, []
    return ctx.card(
        "vagvisare_situation",
        title=TITLE,
        intro=intro,
        known=form.known,
        missing=form.missing,
        others=form.others,
        missing_title=MISSING_TITLE if facts else say("vagvisare.empty_title"),
        show_others=False,
        errors=errors or {},
        error_text=say("vagvisare.unreadable_answers") if errors else "",
    )


async def advice_outs(ctx: Context, facts: dict[str, Any]) -> list[Out]:
    nav = ctx.kb.navigator
    evaluation = evaluate(ctx.kb, nav, facts)
    data = advice.recommendation(ctx.kb, nav, evaluation)
    await ctx.services.soon(
        ctx.store.navigator.record("recommendation", advice.stat_keys(nav, facts), [r.id for r in evaluation.fired])
    )
    return [ctx.card("vagvisare_advice", **data)]


async def navigate(
    ctx: Context, text: str, *, require_situation: bool = True, off_topic: bool = False
) -> list[Out] | None:
    """The navigator for a typed description. None when the text is not a situation (and
    `require_situation`): the caller answers it some other way. `off_topic`: question answering
    judged the text off-topic; then it needs a fact about the person besides the kommun."""
    nav, extractor = _navigator_ready(ctx)
    if nav is None:
        return None if require_situation else [Text(NOT_CONFIGURED)]
    if not require_situation and contains_identity_number(text):
        return [Text(PII_BLOCKED)]
    extraction = extractor.extract(text, ctx.services.today())  # in memory only, never stored or logged
    if require_situation and not extraction.is_situational:
        return None
    if off_topic and not extraction.has_person_facts:
        return None
    if contains_identity_number(text):
        return [Text(PII_BLOCKED)]
    facts = dict(extraction.facts)
    if not facts:
        await ctx.services.soon(ctx.store.navigator.record("situation", [], []))
        return [situation_card(ctx, {}, [], show_all=True, intro=INTRO_EMPTY)]
    evaluation = evaluate(ctx.kb, nav, facts)
    ask = evaluation.missing(nav)
    if ask:
        await ctx.services.soon(ctx.store.navigator.record("situation", [], []))
        return [situation_card(ctx, facts, ask, extraction)]
    await ctx.services.soon(ctx.store.navigator.record("direct", [], []))
    return await advice_outs(ctx, facts)


async def _on_description(ctx: Context) -> list[Out]:
    outs = await navigate(ctx, ctx.turn.text, require_situation=False)
    return outs or [Text(NOT_CONFIGURED)]


async def _start(ctx: Context) -> list[Out]:
    nav, _ = _navigator_ready(ctx)
    if nav is None:
        return [Text(NOT_CONFIGURED)]
    return [situation_card(ctx, {}, [], show_all=True, intro=INTRO_EMPTY)]


async def _show(ctx: Context) -> list[Out]:
    nav, _ = _navigator_ready(ctx)
    if nav is None:
        return [Text(NOT_CONFIGURED)]
    facts, errors = advice.parse_answers(ctx.kb, nav, ctx.value)
    if errors:
        return [
            situation_card(
                ctx, facts, [f.removeprefix(advice.INPUT_PREFIX) for f in errors], errors=errors, show_all=True
            )
        ]
    return await advice_outs(ctx, facts)


async def _edit(ctx: Context) -> list[Out]:
    nav, _ = _navigator_ready(ctx)
    if nav is None:
        return [Text(NOT_CONFIGURED)]
    facts, _errors = advice.parse_answers(ctx.kb, nav, ctx.value)  # values removed by a reload are dropped
    return [situation_card(ctx, facts, [], show_all=True, intro=say("vagvisare.change_answers"))]


async def _test(ctx: Context) -> list[Out]:
    text = ctx.turn.text.split(":", 1)[1].strip() if ":" in ctx.turn.text else ""
    if not text:
        return [Text(TEST_USAGE)]
    if contains_identity_number(text):
        return [Text(PII_BLOCKED)]
    result = explain(ctx.kb, text, ctx.services.today())
    return [
        ctx.card(
            "vagvisare_test",
            description=result.description,
            verdict=result.verdict,
            facts=result.facts,
            sections=result.sections,
        )
    ]


def _strong_predicate(assistant: Assistant):
    """Typed text the navigator takes before other features: it names the navigator, or it
    clearly describes a client's situation. Short texts are left alone cheaply."""

    def predicate(text: str) -> bool:
        kb = assistant.services.knowledge.snapshot.kb
        nav = kb.navigator
        extractor = extractor_for(kb)
        if nav is None or extractor is None:
            return False
        tokens = tokenize(text)
        if extractor.names_navigator(tokens):
            return True
        if len(tokens) < STRONG_MIN_WORDS:
            return False
        extraction = extractor.extract(text)
        if not extraction.is_strong:
            return False
        # "…, räknas det som långvarigt bistånd?": a specific question that question answering
        # answers confidently gets that answer; "…, vad gör jag?" and plain descriptions come here.
        if extraction.asks_specific_question:
            return assistant.services.knowledge.snapshot.matcher.match(fold(text)).level != ANSWER
        return True

    return predicate


def register(assistant: Assistant) -> None:
    assistant.command("navigator-test", TEST_PATTERN, _test, coordinator_only=True)
    assistant.command("navigator", _strong_predicate(assistant), _on_description, typed=True)
    assistant.verb("nav.start", _start)
    assistant.verb("nav.show", _show)
    assistant.verb("nav.edit", _edit)
    # Question answering hands situational messages without a confident answer to the navigator.
    assistant.services.extras["navigator"] = navigate
