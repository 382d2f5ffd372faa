"""The receipt after filing: honest about whether anyone received the case."""

from __future__ import annotations

from typing import Any

from dialogs.texts import dialog_texts
from lotsen import cases
from lotsen.context import Context
from lotsen.features.contacts import contact_actions
from lotsen.routing import route


def _municipality_name(ctx: Context, municipality: str | None) -> str:
    muni = ctx.kb.municipalities.get(municipality or "")
    return muni.name if muni else dialog_texts()("receipt_municipality")


def receipt_outcome(ctx: Context, case: cases.Case) -> dict[str, Any]:
    """What the receipt says about delivery, from what was observed when the case was filed:
    whether a connected channel got it. Otherwise whom to e-mail, with the contacts as buttons."""
    texts = dialog_texts()
    routed = case.routed_to or {}
    title = routed.get("contact_title") or texts("receipt_default_contact")
    where = _municipality_name(ctx, case.municipality)
    status = ctx.services.kinds.status_title(case)
    if routed.get("channel"):
        return {
            "delivered": True,
            "headline": texts("receipt_sent", title=title),
            "status": texts("receipt_sent_status", status=status, title=title),
            "contacts": [],
        }
    if routed.get("channel_failed"):
        headline = texts("receipt_channel_failed", where=where, title=title)
    else:
        headline = texts("receipt_no_channel", where=where, title=title)
    contacts = []
    purpose = routed.get("purpose")
    routed_list = route(ctx.kb, purpose, case.municipality) if purpose in ctx.kb.purposes else None
    for c in routed_list.contact_list.contacts if routed_list else ():
        actions = contact_actions(c.email, c.phone)
        for a in actions:
            if a["url"].startswith("mailto:"):
                a["url"] += f"?subject={case.reference}"
        contacts.append({"line": " · ".join(p for p in (c.role, c.name, c.email, c.phone) if p), "actions": actions})
    return {
        "delivered": False,
        "headline": headline,
        "status": texts("receipt_not_sent_status", status=status, title=title),
        "contacts": contacts,
    }
