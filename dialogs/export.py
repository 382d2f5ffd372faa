"""Rows for the CSV export of filed cases (scripts/export_cases.py): one row per case, every
form field as a person reads it."""

from __future__ import annotations

from typing import Any

from dialogs.compilation import municipality_title
from dialogs.texts import dialog_texts
from dialogs.views import display
from lotsen import cases
from lotsen.casekinds import CaseKinds
from lotsen.fields import Field
from lotsen.kb.model import KnowledgeBase

HANDLING_KEYS = ("datum", "tid", "format")  # titled by export_handling_<key> in dialogs/texts.yaml


def export_table(
    kb: KnowledgeBase,
    kinds: CaseKinds,
    reports: list[cases.Case],
    latest_comments: dict[int, str],
    *,
    include_reporter: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """Header and one row per report; multi-choice answers as their titles joined with "; "."""
    fields: dict[str, Any] = {}  # field id → Field, in form order over all reports
    per_case: dict[int, dict[str, Any]] = {}
    for case in reports:
        kind = kinds.get(case.kind)
        case_fields = (
            kind.fields(kb, case.data)
            if kind is not None
            else [Field(k, k, "text") for k in case.data.get("values", {})]
        )
        per_case[case.id] = {f.id: f for f in case_fields}
        for f in case_fields:
            if f.id not in ("kommun", "aterkoppling"):
                fields.setdefault(f.id, f)
    handling_keys: list[str] = []
    for case in reports:
        for key in case.data.get("handling", {}) or {}:
            if key not in handling_keys:
                handling_keys.append(key)

    texts = dialog_texts()
    header = [texts(f"export_{k}") for k in ("reference", "kind", "created", "updated", "status", "municipality")]
    header += [f.label for f in fields.values()]
    header += [texts("export_feedback")]
    header += [texts(f"export_handling_{k}") if k in HANDLING_KEYS else k for k in handling_keys]
    header += [texts(f"export_{k}") for k in ("recipient", "channel", "latest_comment")]
    header += [texts("export_reporter")] if include_reporter else []

    rows = []
    for case in reports:
        values = case.data.get("values", {})
        row = [
            case.reference,
            kinds[case.kind].title if case.kind in kinds else case.kind,
            cases.local_stamp(case.created_at),
            cases.local_stamp(case.updated_at),
            kinds.status_title(case),
            municipality_title(kb, case.municipality),
        ]
        for field_id, f in fields.items():
            value = values.get(field_id)
            own = per_case[case.id].get(field_id, f)
            row.append("" if value in (None, "", []) else display(own, value))
        row.append(texts("export_yes") if case.wants_feedback else texts("export_no"))
        handling = case.data.get("handling", {}) or {}
        row += [str(handling.get(k, "")) for k in handling_keys]
        row += [
            str(case.routed_to.get("contact_title", "")),
            str(case.routed_to.get("channel", "")),
            latest_comments.get(case.id, ""),
        ]
        if include_reporter:
            row.append(case.reporter_name)
        rows.append(row)
    return header, rows


async def latest_comments(store, reports: list[cases.Case]) -> dict[int, str]:
    out: dict[int, str] = {}
    for case in reports:
        comments = [e.comment for e in await cases.events(store, case) if e.comment]
        if comments:
            out[case.id] = comments[-1]
    return out
