"""Guided flows as declarations: deviation reports and Arena/SIP requests.

`build_flows` builds one engine (dialogs.engine.Flow) per declaration (dialogs.deviation,
dialogs.arena, dialogs.sip) over the phrases (dialogs/texts.yaml) and the case service
(dialogs.filing); `feature` registers their verbs and the typed commands around them."""

from __future__ import annotations

from typing import Mapping, Sequence

from dialogs import case_status, deviation, mycases, reports
from dialogs.arena import declaration as arena_declaration
from dialogs.engine import Flow
from dialogs.filing import CaseService
from dialogs.intents import arena_request, deviation_request, sip_request
from dialogs.request import chooser_card, req_handler
from dialogs.sip import declaration as sip_declaration
from dialogs.texts import Texts, load_texts
from lotsen.assistant import Assistant
from lotsen.casekinds import CaseKinds
from lotsen.context import Context
from lotsen.features import Feature
from lotsen.features.qa import find_municipality
from lotsen.kb.model import KnowledgeBase
from lotsen.text import fold
from lotsen.turn import Card, Out, Text

__all__ = ["Flow", "arena_request", "build_flows", "case_kinds", "deviation_request", "feature", "sip_request"]


def build_flows(texts: Texts | None = None, filer: CaseService | None = None) -> tuple[Flow, ...]:
    """The guided flows, one per case kind (built once by the composition root)."""
    texts = texts or load_texts()
    filer = filer or CaseService()
    return tuple(
        Flow(declare(texts), texts, filer) for declare in (deviation.declaration, arena_declaration, sip_declaration)
    )


def case_kinds(flows: Sequence[Flow], kb: KnowledgeBase) -> CaseKinds:
    """The registry of the case kinds these flows file, their texts from the form files in `kb`."""
    return CaseKinds.of(flow.case_kind(kb) for flow in flows)


def feature(flows: Sequence[Flow]) -> Feature:
    """The flows as a feature: their verbs, the commands that start, resume and cancel them,
    case handling (casework), coordinators' reports and people's own cases."""
    by_kind = {flow.kind: flow for flow in flows}

    def register(assistant: Assistant) -> None:
        _register(assistant, by_kind, flows[0].texts if flows else load_texts())

    return register


def _register(assistant: Assistant, flows: Mapping[str, Flow], texts: Texts) -> None:
    for flow in flows.values():
        assistant.verb(flow.prefix + ".", flow.handle)
    assistant.verb("req.", req_handler(flows, texts))
    deviation_flow = flows[deviation.KIND]

    async def start_deviation(ctx: Context) -> list[Out]:
        return await deviation_flow.start(ctx)

    assistant.command("start-deviation", deviation_request, start_deviation)

    async def cancel(ctx: Context) -> list[Out]:
        found = await ctx.store.drafts.get(ctx.turn.draft_key)
        if found is None:
            return [Text(texts("nothing_to_cancel"))]
        await ctx.store.drafts.delete(ctx.turn.draft_key)
        return [Text(texts("cancelled"))]

    async def resume(ctx: Context) -> list[Out]:
        found = await ctx.store.drafts.get(ctx.turn.draft_key)
        if found is None or found.flow not in flows:
            return [Text(texts("nothing_to_resume"))]
        return [Text(texts("resume")), Card(flows[found.flow].resume_card(ctx, found.data))]

    async def open_form_hint(ctx: Context) -> str | None:
        """After an answer: remind the person of a form they have open."""
        return texts("open_form_hint") if await ctx.store.drafts.get(ctx.turn.draft_key) is not None else None

    assistant.command("cancel", r"^(avbryt|avbryt formularet|avsluta|stopp|stop|cancel)[.!]*$", cancel)
    assistant.command("resume", r"^(fortsatt|fortsatt formularet|visa formularet)[.!]*$", resume)
    assistant.hint(open_form_hint)
    case_status.register(assistant)
    reports.register(assistant)
    mycases.register(assistant)

    async def start_request(ctx: Context) -> list[Out]:
        folded = fold(ctx.turn.text.strip())
        kinds = [kind for kind, wanted in (("arena", arena_request), ("sip", sip_request)) if wanted(folded)]
        if len(kinds) == 1:
            return await flows[kinds[0]].start(ctx)
        return [Card(chooser_card(ctx, find_municipality(ctx.kb, ctx.turn.text)))]

    assistant.command("start-request", lambda folded: arena_request(folded) or sip_request(folded), start_request)
