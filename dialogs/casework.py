"""What happens to a filed case: routing, the channel card, status changes, notifications.

Shared by deviation reports and Arena/SIP requests. Coordinators (by Entra object id,
COORDINATOR_IDS) connect channels and change status; everyone else is politely refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cards.render import render
from dialogs.texts import dialog_texts
from lotsen import cases, channels
from lotsen.casekinds import CaseKind
from lotsen.context import Context
from lotsen.features.delivery import outbox_of
from lotsen.fields import Choice, Field
from lotsen.routing import route
from lotsen.storage import Unit
from lotsen.text import fold

log = logging.getLogger(__name__)

LINK_PATTERN = r"^koppla (?:bort )?(?:kanal(?:en)? )?(?:for |till )?(\w+)(?: (?:for |i )?(.+))?$"

FORMATS = ("fysiskt", "digitalt", "telefon")  # stored values of a booked meeting's form


def format_choices() -> tuple[Choice, ...]:
    texts = dialog_texts()
    return tuple(Choice(value, texts(f"case_format_{value}")) for value in FORMATS)


def format_title(value: str) -> str:
    """The title of a stored meeting form ("" for none or an unknown one)."""
    return dialog_texts()(f"case_format_{value}") if value in FORMATS else ""


def handling_fields(kind: CaseKind) -> tuple[Field, ...]:
    texts = dialog_texts()
    statuses = tuple(Choice(k, v) for k, v in kind.statuses.items())
    base = (
        Field("status", texts("case_new_status"), "choice", required=True, choices=statuses),
        Field(
            "comment",
            texts("case_comment"),
            "textarea",
            max_length=1000,
            placeholder=texts("case_comment_placeholder"),
        ),
    )
    if not kind.booking:
        return base
    return base + (
        Field("datum", texts("case_booked_date"), "date", allow_future=True),
        Field("tid", texts("case_booked_time"), "time"),
        Field("format", texts("case_booked_format"), "choice", choices=format_choices()),
    )


def municipality_name(ctx: Context, municipality: str | None) -> str:
    if municipality and municipality in ctx.kb.municipalities:
        return ctx.kb.municipalities[municipality].name
    return dialog_texts()("case_all_municipalities") if municipality in (None, channels.ALL) else str(municipality)


def contact_lines(ctx: Context, purpose: str, municipality: str | None) -> tuple[str, list[str]]:
    routed = route(ctx.kb, purpose, municipality)
    if routed is None:
        return dialog_texts()("receipt_default_contact"), []
    cl = routed.contact_list
    lines = []
    for c in cl.contacts:
        parts = [c.role] + [p for p in (c.name, c.email, c.phone) if p]
        lines.append(" · ".join(parts))
    return cl.title, lines


def follow_up_groups(ctx: Context, purpose: str, municipality: str | None) -> list[str]:
    """The Samverk groups that follow up deviations in a Höglandet kommunområde (knowledge/geography.yaml):
    "följs upp i Samverk, dels i respektive kommunområde" (seed 003), i.e. its styrgrupp and arbetsgrupp."""
    muni = ctx.kb.municipalities.get(municipality or "")
    if purpose != "avvikelse" or muni is None or not muni.kommunomrade:
        return []
    samverk = [g for g in muni.samverk_groups if fold(g).startswith("samverk ")]
    return [g for g in samverk if "styrgrupp" in fold(g) or "arbetsgrupp" in fold(g)] or samverk


def personal_ref_key(aad_object_id: str) -> str:
    return f"personal|{aad_object_id.lower()}"


def is_personal_ref(ref: dict[str, Any] | None) -> bool:
    """A conversation reference of a one-to-one chat with the bot (not a group chat or channel)."""
    return bool(ref) and ((ref or {}).get("conversation") or {}).get("conversationType") == "personal"


def plan_route(ctx: Context, purpose: str, municipality: str | None) -> dict[str, Any]:
    """Who is responsible for a case (stored with it when it is filed): the purpose and the
    title of the contact list the routing rules give for it (purpose, kommun; "*" is the default)."""
    title, _ = contact_lines(ctx, purpose, municipality)
    return {"purpose": purpose, "contact_title": title}


async def remember_reporter(ctx: Context, tx: Unit, case: cases.Case) -> None:
    """In the filing transaction: where to send feedback later (the reporter's personal chat),
    even if a later case is filed from a group chat."""
    turn = ctx.turn
    if turn.is_personal and turn.conversation_ref and case.reporter_aad:
        await tx.conversations.save(personal_ref_key(case.reporter_aad), turn.conversation_ref)


async def queue_case_post(ctx: Context, tx: Unit, case: cases.Case) -> int | None:
    """In the filing transaction: queue the case card for its connected channel in the outbox,
    so the post commits with the case (a crash after the commit cannot lose it; the outbox
    worker delivers it, also after a restart). Returns the outbox message id, or None when no
    channel is connected or nothing can send (the receipt then says whom to notify)."""
    outbox = outbox_of(ctx.services)
    link = await channels.find(tx, case.kind, case.municipality)
    if link is None or outbox is None:
        return None
    return await outbox.add(
        "case_post",
        link.conversation_ref,
        card=await case_card(ctx, case),
        meta={"reference": case.reference, "label": link.label},
        tx=tx,
    )


@dataclass(frozen=True)
class Delivery:
    """What the first delivery attempt observed, for the case row (one update, by the case service)."""

    lines: list[str]  # the receipt's lines about who got the case
    routed: dict[str, Any]  # the routing decision plus the outcome (channel / channel_pending / channel_failed)
    channel_ref: dict[str, Any] | None = None
    activity_id: str = ""


async def route_case(ctx: Context, case: cases.Case, *, purpose: str, queued: int | None = None) -> Delivery:
    """Try the queued channel post once (after the commit); say who got it. Writes nothing: the
    case service stores the outcome with the receipt lines in one update of the case row.

    When a coordinator has connected a channel for this kind and kommun (or for all), the case
    card was queued in the filing transaction (queue_case_post) and is tried now; if Teams does
    not take it, the outbox worker keeps trying. Otherwise the case is only stored and the
    reporter is told whom to notify."""
    title, contacts = contact_lines(ctx, purpose, case.municipality)
    routed: dict[str, Any] = {**plan_route(ctx, purpose, case.municipality), **case.routed_to}
    title = routed.get("contact_title") or title
    kind = ctx.services.kinds[case.kind]
    noun = kind.noun
    texts = dialog_texts()
    groups = follow_up_groups(ctx, purpose, case.municipality)
    groups_line = (
        [texts("case_follow_up", municipality=municipality_name(ctx, case.municipality), groups=join_words(groups))]
        if groups
        else []
    )
    link = await channels.find(ctx.store, case.kind, case.municipality)
    outbox = outbox_of(ctx.services)
    if link is not None and outbox is not None and queued is not None:
        try:
            activity_id = await outbox.send_now(queued)
        except Exception:  # noqa: BLE001 - the post is in the outbox (committed with the case); the worker retries
            log.exception("first delivery of the channel post of %s failed", case.reference)
            activity_id = None
        if activity_id is not None:
            routed["channel"] = link.label
            lines = [texts("case_routed", noun=noun, title=title, channel=link.label), *groups_line]
            return Delivery(lines, routed, link.conversation_ref, activity_id)
        pending = await ctx.store.outbox.get(queued)
        if pending is not None and pending["status"] in ("pending", "sending"):
            routed["channel_pending"] = link.label
            lines = [texts("case_routed_later", noun=noun, channel=link.label, reference=case.reference), *groups_line]
            return Delivery(lines, routed, link.conversation_ref)
    if link is not None:
        routed["channel_failed"] = link.label
    return Delivery([texts("case_not_routed", noun=noun, title=title, reference=case.reference), *groups_line], routed)


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + dialog_texts()("and") + words[-1]


def case_facts(ctx: Context, case: cases.Case) -> list[dict[str, str]]:
    kind = ctx.services.kinds.get(case.kind)
    return kind.facts(ctx, case.data) if kind is not None else []


async def case_card(
    ctx: Context, case: cases.Case, errors: dict[str, str] | None = None, entered: dict[str, str] | None = None
) -> dict[str, Any]:
    """The channel card. After a refused save, `entered` keeps what the coordinator typed."""
    kind = ctx.services.kinds[case.kind]
    history = [
        {
            "title": cases.local_stamp(e.at),
            "value": kind.statuses.get(e.status, e.status) + (f" – {e.comment}" if e.comment else ""),
        }
        for e in await cases.events(ctx.store, case)
    ][-5:]
    handling = case.data.get("handling", {})
    booked = ""
    if case.status == "bokad" and handling:
        fmt = format_title(handling.get("format", ""))
        booked = f"{handling.get('datum', '')} {handling.get('tid', '')} · {fmt}".strip()
    fields = [
        {
            "id": f.id,
            "label": f.label,
            "kind": f.kind,
            "choices": [{"title": c.title, "value": c.value} for c in f.choices],
            "placeholder": f.placeholder,
            "value": (entered or {}).get(f.id) or (case.status if f.id == "status" else ""),
        }
        for f in handling_fields(kind)
    ]
    data = {"verb": "case.status", "reference": case.reference}
    return render(
        "case_card",
        kind_title=kind.title,
        reference=case.reference,
        status=kind.status_title(case.status),
        municipality=municipality_name(ctx, case.municipality),
        created=cases.local_stamp(case.created_at),
        reporter=case.reporter_name or "–",
        wants_feedback=case.wants_feedback,
        booked=booked,
        facts=case_facts(ctx, case),
        history=history,
        fields=fields,
        data=data,
        errors=errors or {},
    )
