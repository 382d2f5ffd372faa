"""Requesting an Arena consultation or a SIP meeting: the kind chooser and the "req." verbs.

The two requests are declarations (dialogs.arena, dialogs.sip) interpreted by the engine; their
preconditions are the pure rules in dialogs.request_rules (re-exported here), their shared parts
are in dialogs.request_common."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from cards.render import render
from dialogs import arena, sip
from dialogs import request_common as rc
from dialogs.engine import Flow
from dialogs.filing import CaseService
from dialogs.request_rules import arena_municipalities
from dialogs.spec import fill
from dialogs.texts import Texts, load_texts
from lotsen.assistant import Handler
from lotsen.turn import Card, Out, Text

if TYPE_CHECKING:
    from lotsen.context import Context


def ArenaFlow(texts: Texts | None = None, filer: CaseService | None = None) -> Flow:  # noqa: N802 - a flow, as before
    texts = texts or load_texts()
    return Flow(arena.declaration(texts), texts, filer or CaseService())


def SipFlow(texts: Texts | None = None, filer: CaseService | None = None) -> Flow:  # noqa: N802
    texts = texts or load_texts()
    return Flow(sip.declaration(texts), texts, filer or CaseService())


def chooser_card(ctx: "Context", kommun: str | None = None, texts: Texts | None = None) -> dict[str, Any]:
    """Arena or SIP? One option per request form, its texts from the form file."""
    kb, texts = ctx.kb, texts or load_texts()
    extra = {"kommun": kommun} if kommun else {}
    values = {"arena_kommuner": rc.names(kb, arena_municipalities(kb))}
    options = []
    for kind in rc.REQUEST_KINDS:
        form = kb.forms[kind]
        options.append(
            {
                "title": form.title,
                "text": fill(form.text("chooser_text"), values),
                "button": form.text("chooser_button"),
                "data": {"verb": "req.start", "kind": kind, "replace": True, **extra},
            }
        )
    return render(
        "request_kind",
        title=texts("chooser_title"),
        subtitle=texts("chooser_subtitle"),
        options=options,
        source=kb.cite([ref for kind in rc.REQUEST_KINDS for ref in kb.forms[kind].sources]),
    )


def req_handler(flows: Mapping[str, Flow], texts: Texts) -> Handler:
    """Verbs "req.*": "req.start" with kind "arena"/"sip" starts that flow; without a kind, the chooser."""

    async def handle_req(ctx: "Context") -> list[Out]:
        action = ctx.turn.verb.split(".", 1)[1] if "." in ctx.turn.verb else ""
        if action != "start":
            return [Text(texts("req_unknown_action"))]
        kind = ctx.value.get("kind")
        flow = flows.get(kind) if kind in rc.REQUEST_KINDS else None
        if flow is None:
            kommun = ctx.value.get("kommun")
            return [
                Card(
                    chooser_card(
                        ctx, kommun if isinstance(kommun, str) and kommun in ctx.kb.municipalities else None, texts
                    )
                )
            ]
        return await flow.start(ctx)

    return handle_req
