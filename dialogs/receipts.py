"""The receipt after filing: honest about whether anyone received the case."""

from __future__ import annotations

from typing import Any

from lotsen import cases
from lotsen.context import Context
from lotsen.features.contacts import contact_actions
from lotsen.routing import route


def _municipality_name(ctx: Context, municipality: str | None) -> str:
    muni = ctx.kb.municipalities.get(municipality or "")
    return muni.name if muni else "kommunen"


def receipt_outcome(ctx: Context, case: cases.Case) -> dict[str, Any]:
    """What the receipt says about delivery, from what was observed when the case was filed:
    whether a connected channel got it. Otherwise whom to e-mail, with the contacts as buttons."""
    routed = case.routed_to or {}
    title = routed.get("contact_title") or "din samverkanskoordinator"
    where = _municipality_name(ctx, case.municipality)
    if routed.get("channel"):
        return {"delivered": True, "headline": f"Skickad till {title}",
                "status": f"{case.status_title} – skickad till {title}", "contacts": []}
    if routed.get("channel_failed"):
        headline = f"Kanalen för {where} gick inte att nå just nu – mejla {title}"
    else:
        headline = f"Ingen kanal är kopplad för {where} – mejla {title}"
    contacts = []
    purpose = routed.get("purpose")
    routed_list = route(ctx.kb, purpose, case.municipality) if purpose in ctx.kb.purposes else None
    for c in routed_list.contact_list.contacts if routed_list else ():
        actions = contact_actions(c.email, c.phone)
        for a in actions:
            if a["url"].startswith("mailto:"):
                a["url"] += f"?subject={case.reference}"
        contacts.append({"line": " · ".join(p for p in (c.role, c.name, c.email, c.phone) if p), "actions": actions})
    return {"delivered": False, "headline": headline,
            "status": f"{case.status_title} – inte skickad till någon kanal, mejla {title}", "contacts": contacts}
