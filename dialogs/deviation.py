"""Filing an "avvikelse i samverkan" (deviation report): the declaration.

Fields follow the categories the förbund compiles each year (seed 003, Bilaga 6: berörda
parter, orsaker, konsekvenser, lösningar, vidtagna åtgärder); the pick lists live in
knowledge/forms.yaml, the form itself (steps, fields, texts, the notice, the case kind's
texts) in knowledge/forms/avvikelse.yaml, so coordinators can change them without code.

Routing: the routing rule for purpose "avvikelse" and the chosen kommun decides which
contact list receives the report; if a coordinator has connected a Teams channel for
avvikelser in that kommun (or for all), the report is posted there as a card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cards.render import render
from dialogs.engine import Flow
from dialogs.filing import CaseService
from dialogs.spec import FlowSpec, steps_from
from dialogs.texts import Texts, load_texts

if TYPE_CHECKING:
    from lotsen.context import Context

KIND = "avvikelse"


def declaration(texts: Texts) -> FlowSpec:
    def notice(ctx: "Context") -> dict[str, Any] | None:
        """The notice from the form file (what a deviation is, serious, de-identified), then "begin"."""
        form = ctx.kb.forms[KIND]
        if form.notice is None:
            return None
        return render(
            "notice",
            title=form.notice.title,
            text=form.notice.text,
            lines=list(form.notice.lines),
            source=ctx.kb.cite(form.sources),
            actions=[
                {"title": form.notice.begin, "data": {"verb": "dev.begin"}, "style": "positive"},
                {"title": texts("cancel"), "data": {"verb": "dev.cancel"}},
            ],
        )

    return FlowSpec(
        kind=KIND,
        prefix="dev",
        steps=lambda kb, draft: steps_from(kb, kb.forms[KIND]),
        review_intro=lambda kb: texts("review_intro"),
        notice=notice,
    )


def DeviationFlow(texts: Texts | None = None, filer: CaseService | None = None) -> Flow:  # noqa: N802 - as before
    texts = texts or load_texts()
    return Flow(declaration(texts), texts, filer or CaseService())
