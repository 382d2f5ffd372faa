"""Coordinators' view of deviation reports: a filtered list, the yearly compilation and export.

Typed commands (coordinators only, by Entra object id; in a channel after @mentioning the bot):
    lista avvikelser [kommun] [period] [status]     the most recent reports, as a card
    sammanställning [år | period] [kommun]          counts in the shape of Bilaga 6 (dialogs.compilation)
    exportera avvikelser [period]                   how to get every report into Excel (dialogs.export)

Filters: dialogs.periods.
"""

from __future__ import annotations

import re
from typing import Any

from cards.render import render
from dialogs.compilation import compilation_card, compile_deviations, municipality_title, severity_short
from dialogs.export import export_table, latest_comments
from dialogs.periods import Filters, parse_filters
from dialogs.texts import dialog_texts
from lotsen import cases
from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.text import fold
from lotsen.turn import Card, Out, Text

__all__ = ["compile_deviations", "export_table", "latest_comments", "parse_filters"]
LIST_CAP = 25

# Sections of the compilation: (field id in the form, pick list in knowledge/forms.yaml, free-text field, order).


# --- the list --------------------------------------------------------------------------------


async def list_card(ctx: Context, filters: Filters) -> dict[str, Any]:
    texts = dialog_texts()
    found = await cases.list_cases(ctx.store, limit=LIST_CAP, **filters.query())
    total = await cases.count_cases(ctx.store, **filters.query())
    items = [
        {
            "reference": c.reference,
            "line": texts(
                "reports_line",
                date=cases.local_date(c.created_at),
                municipality=municipality_title(ctx.kb, c.municipality),
            ),
            "details": texts(
                "reports_details",
                status=ctx.services.kinds.status_title(c),
                severity=severity_short(ctx.kb, c.data.get("values", {}).get("allvarlighet")),
            ),
            "data": {"verb": "case.show", "reference": c.reference},
        }
        for c in found
    ]
    if total == 0:
        summary = texts("reports_none")
    elif total > len(found):
        summary = texts("reports_capped", shown=len(found), total=total)
    else:
        summary = texts("reports_count", total=total, noun=texts("reports_one" if total == 1 else "reports_many"))
    return render(
        "case_list", title=texts("reports_title"), subtitle=filters.describe(ctx.kb), summary=summary, items=items
    )


# --- commands --------------------------------------------------------------------------------

LIST_PATTERN = r"^(?:lista|visa) (?:alla )?(?:avvikelser(?:na)?|avvikelse|avvikelserapporter)\b"
COMPILE_PATTERN = r"^(?:ars)?sammanstall(?:ning|ningen|)\b"
EXPORT_PATTERN = r"^export(?:era)?\b"


def _arguments(text: str, pattern: str) -> str:
    return re.sub(pattern, " ", fold(text.strip()), count=1).strip(" .!?")


def _problem_reply(filters: Filters, cmd: str) -> list[Out]:
    return [Text(" ".join(filters.problems) + " " + dialog_texts()("reports_period_help", cmd=cmd))]


async def list_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, LIST_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "lista avvikelser")
    return [Card(await list_card(ctx, filters))]


def _default_to_this_year(ctx: Context, filters) -> None:
    """No period given: the whole current year, as in the yearly compilation."""
    if not filters.date_from and not filters.date_to:
        year = ctx.services.today().year
        filters.date_from, filters.date_to = f"{year}-01-01", f"{year}-12-31"


async def compile_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, COMPILE_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "sammanställning")
    _default_to_this_year(ctx, filters)
    await ctx.typing()
    return [Card(await compilation_card(ctx, filters))]


async def export_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, EXPORT_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "exportera avvikelser")
    _default_to_this_year(ctx, filters)
    command = "python -m scripts.export_cases"
    if filters.date_from:
        command += f" --from {filters.date_from}"
    if filters.date_to:
        command += f" --to {filters.date_to}"
    count = await cases.count_cases(ctx.store, **filters.query())
    texts = dialog_texts()
    noun = texts("reports_export_one" if count == 1 else "reports_export_many")
    return [Text(texts("reports_export", count=count, noun=noun, period=filters.period_label(), command=command))]


def register(assistant: Assistant) -> None:
    assistant.command("list-reports", LIST_PATTERN, list_reports, private=True)
    assistant.command("compile-reports", COMPILE_PATTERN, compile_reports, private=True)
    assistant.command("export-reports", EXPORT_PATTERN, export_reports, private=True)
