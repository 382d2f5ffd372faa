"""What happens to a filed case: routing, the channel card, status changes, notifications.

Shared by deviation reports and Arena/SIP requests. Coordinators (by Entra object id,
COORDINATOR_IDS) connect channels and change status; everyone else is politely refused.
"""

from __future__ import annotations

import logging
import re
from datetime import time
from typing import Any

from cards.render import render
from lotsen import cases, channels
from lotsen.assistant import NOT_ALLOWED, Assistant
from lotsen.casekinds import CaseKind
from lotsen.context import Context
from lotsen.features.delivery import outbox_of
from lotsen.fields import Choice, Field, validate_form
from lotsen.routing import route
from lotsen.storage import Unit
from lotsen.text import fold
from lotsen.turn import Card, InvokeCard, Out, Text, UpdateCard

log = logging.getLogger(__name__)

LINK_KINDS = {
    "avvikelse": "avvikelse", "avvikelser": "avvikelse", "arena": "arena", "sip": "sip",
    "sammanfattning": "sammanfattning", "sammanfattningar": "sammanfattning", "digest": "sammanfattning",
}
DIGEST_TITLE = "veckosammanfattningen"
LINK_PATTERN = r"^koppla (?:bort )?(?:kanal(?:en)? )?(?:for |till )?(\w+)(?: (?:for |i )?(.+))?$"

FORMAT_CHOICES = (Choice("fysiskt", "Fysiskt möte"), Choice("digitalt", "Digitalt möte"), Choice("telefon", "Telefon"))


def handling_fields(kind: CaseKind) -> tuple[Field, ...]:
    statuses = tuple(Choice(k, v) for k, v in kind.statuses.items())
    base = (Field("status", "Ny status", "choice", required=True, choices=statuses),
            Field("comment", "Kommentar", "textarea", max_length=1000,
                  placeholder="Vad har gjorts? Inga namn eller personnummer."))
    if not kind.booking:
        return base
    return base + (
        Field("datum", "Datum (om bokad)", "date", allow_future=True),
        Field("tid", "Tid (om bokad)", "time"),
        Field("format", "Form (om bokad)", "choice", choices=FORMAT_CHOICES),
    )


def municipality_name(ctx: Context, municipality: str | None) -> str:
    if municipality and municipality in ctx.kb.municipalities:
        return ctx.kb.municipalities[municipality].name
    return "alla kommuner" if municipality in (None, channels.ALL) else str(municipality)


def contact_lines(ctx: Context, purpose: str, municipality: str | None) -> tuple[str, list[str]]:
    routed = route(ctx.kb, purpose, municipality)
    if routed is None:
        return "din samverkanskoordinator", []
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
    return await outbox.add("case_post", link.conversation_ref, card=await case_card(ctx, case),
                            meta={"reference": case.reference, "label": link.label}, tx=tx)


async def route_case(ctx: Context, case: cases.Case, *, purpose: str, queued: int | None = None) -> list[str]:
    """Try the queued channel post once (after the commit); return receipt lines saying who got it.

    When a coordinator has connected a channel for this kind and kommun (or for all), the case
    card was queued in the filing transaction (queue_case_post) and is tried now; if Teams does
    not take it, the outbox worker keeps trying. Otherwise the case is only stored and the
    reporter is told whom to notify."""
    title, contacts = contact_lines(ctx, purpose, case.municipality)
    routed: dict[str, Any] = {**plan_route(ctx, purpose, case.municipality), **case.routed_to}
    title = routed.get("contact_title") or title
    kind = ctx.services.kinds[case.kind]
    noun = kind.noun
    groups = follow_up_groups(ctx, purpose, case.municipality)
    groups_line = [f"Avvikelser i {municipality_name(ctx, case.municipality)} följs också upp i {join_words(groups)}."] \
        if groups else []
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
            await cases.set_routing(ctx.store, case, routed, link.conversation_ref, activity_id)
            return [f"{noun} har skickats till {title} och finns nu i {link.label} i Teams, där den följs upp.",
                    *groups_line]
        pending = await ctx.store.outbox.get(queued)
        if pending is not None and pending["status"] in ("pending", "sending"):
            routed["channel_pending"] = link.label
            await cases.set_routing(ctx.store, case, routed, link.conversation_ref, "")
            return [f"{noun} är registrerad. Teams svarar inte just nu, så jag lägger den i {link.label} så snart "
                    f"det går – du behöver inte göra något. Referens: {case.reference}.", *groups_line]
    if link is not None:
        routed["channel_failed"] = link.label
    await cases.set_routing(ctx.store, case, routed)
    return [f"{noun} är sparad men har inte nått någon. Mejla eller ring {title} och ange referensen "
            f"{case.reference}.", *groups_line]


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


def case_facts(ctx: Context, case: cases.Case) -> list[dict[str, str]]:
    kind = ctx.services.kinds.get(case.kind)
    return kind.facts(ctx, case.data) if kind is not None else []


async def case_card(ctx: Context, case: cases.Case, errors: dict[str, str] | None = None,
              entered: dict[str, str] | None = None) -> dict[str, Any]:
    """The channel card. After a refused save, `entered` keeps what the coordinator typed."""
    kind = ctx.services.kinds[case.kind]
    history = [{"title": cases.local_stamp(e.at),
                "value": kind.statuses.get(e.status, e.status) + (f" – {e.comment}" if e.comment else "")}
               for e in await cases.events(ctx.store, case)][-5:]
    handling = case.data.get("handling", {})
    booked = ""
    if case.status == "bokad" and handling:
        fmt = dict((c.value, c.title) for c in FORMAT_CHOICES).get(handling.get("format", ""), "")
        booked = f"{handling.get('datum', '')} {handling.get('tid', '')} · {fmt}".strip()
    fields = [{"id": f.id, "label": f.label, "kind": f.kind, "choices": [{"title": c.title, "value": c.value}
               for c in f.choices], "placeholder": f.placeholder,
               "value": (entered or {}).get(f.id) or (case.status if f.id == "status" else "")}
              for f in handling_fields(kind)]
    data = {"verb": "case.status", "reference": case.reference}
    return render(
        "case_card", kind_title=kind.title, reference=case.reference, status=case.status_title,
        municipality=municipality_name(ctx, case.municipality), created=cases.local_stamp(case.created_at),
        reporter=case.reporter_name or "–", wants_feedback=case.wants_feedback, booked=booked,
        facts=case_facts(ctx, case), history=history, fields=fields, data=data, errors=errors or {},
    )


async def _refuse(ctx: Context, target: str) -> list[Out]:
    await ctx.store.audit.record("admin_denied", ctx.turn.user.aad_object_id, target, "denied")
    return [Text(NOT_ALLOWED)]


async def _change_status(ctx: Context) -> list[Out]:
    """A coordinator saves a new status and/or a comment from a case card.

    Action.Execute (invoke): the refreshed card is the invoke response. Action.Submit (older
    clients): the card the coordinator pressed (replyToId) is updated in place. If that card was
    not the one in the coordinators' channel (e.g. a copy opened from "lista avvikelser"), the
    channel card is updated too, so everyone there sees the same status."""
    turn = ctx.turn
    if not ctx.is_coordinator:  # before any lookup: others learn nothing about the case
        return await _refuse(ctx, f"case.status:{str(ctx.value.get('reference'))[:40]}")
    reference = ctx.value.get("reference")
    case = await cases.get_case(ctx.store, reference) if isinstance(reference, str) else None
    if case is None:
        return [Text("Jag hittar inte det ärendet.")]
    inputs = {k: v for k, v in ctx.value.items() if k not in ("verb", "reference")}
    result = validate_form(handling_fields(ctx.services.kinds[case.kind]), inputs, today=ctx.services.today(), control_keys=())
    errors = dict(result.errors)
    status = result.values.get("status")
    if not errors and status == "bokad" and not all(result.values.get(k) for k in ("datum", "tid", "format")):
        errors["datum"] = "En bokad tid behöver datum, tid och form."
    if not errors and status == "avbojd" and not result.values.get("comment"):
        errors["comment"] = "Skriv varför förfrågan avböjs."
    if errors:
        card = await case_card(ctx, case, errors, result.raw)
        return [InvokeCard(card)] if turn.is_invoke else [UpdateCard(turn.reply_to_id, card)] if turn.reply_to_id \
            else [Text("Ändringen sparades inte: " + "; ".join(errors.values()))]
    comment = str(result.values.get("comment") or "")
    extra = None
    if status == "bokad":
        booked_time = result.values["tid"]
        assert isinstance(booked_time, time)
        extra = {"datum": str(result.values["datum"]), "tid": booked_time.strftime("%H:%M"),
                 "format": result.values["format"]}
    before = case
    changed = False
    once_key = f"{turn.conversation_id}|{turn.activity_id}" if turn.activity_id else ""
    note: int | None = None
    try:
        # The status change and the reporter's notification (outbox): one transaction.
        async with ctx.store.transaction() as tx:
            case = await cases.change_status(tx, case, str(status), turn.user.aad_object_id, comment, extra,
                                             once_key=once_key)
            changed = case.status != before.status or (extra is not None and extra != before.data.get("handling"))
            if changed:
                note = await queue_reporter_note(ctx, tx, case, comment)
    except cases.AlreadyRecorded as replay:
        # The same activity again (Teams retried, or a captured request was replayed): the
        # change is in the history once; answer with the card as it is, notify nobody.
        await ctx.store.audit.record("duplicate_suppressed", turn.user.aad_object_id, replay.case.reference,
                                     "case.status")
        return [InvokeCard(await case_card(ctx, replay.case))] if turn.is_invoke else []
    card = await case_card(ctx, case)
    outs: list[Out] = []
    if turn.is_invoke:
        outs.append(InvokeCard(card))
    elif turn.reply_to_id:
        outs.append(UpdateCard(turn.reply_to_id, card))
    pressed_channel_card = bool(case.channel_activity_id) and turn.reply_to_id == case.channel_activity_id
    if case.channel_ref and case.channel_activity_id and ctx.services.messenger and not pressed_channel_card:
        try:
            await ctx.services.messenger.update(case.channel_ref, case.channel_activity_id, card)
        except Exception:  # noqa: BLE001 - the status is saved; the channel card is best effort
            log.exception("could not update the channel card of %s", case.reference)
    if note is not None:
        await _send_queued(ctx, note)
    if not turn.is_invoke:
        outs.append(Text(f"{case.reference} har nu status {case.status_title}." if changed
                         else f"Kommentaren är sparad. {case.reference} har fortfarande status {case.status_title}."))
    return outs


async def _show_case(ctx: Context) -> list[Out]:
    """A case card on request (the "Visa" button in "lista avvikelser"), coordinators only."""
    if not ctx.is_coordinator:
        return await _refuse(ctx, f"case.show:{str(ctx.value.get('reference'))[:40]}")
    reference = ctx.value.get("reference")
    case = await cases.get_case(ctx.store, reference) if isinstance(reference, str) else None
    if case is None:
        return [Text("Jag hittar inte det ärendet.")]
    return [Card(await case_card(ctx, case))]


async def reporter_conversation(ctx: Context, case: cases.Case) -> dict[str, Any] | None:
    """The reporter's one-to-one chat with the bot: never the group chat or channel the case was
    filed in, where others would read the feedback."""
    if is_personal_ref(case.reporter_ref):
        return case.reporter_ref
    if case.reporter_aad:
        saved = await ctx.store.conversations.get(personal_ref_key(case.reporter_aad))
        if is_personal_ref(saved):
            return saved
    return None


async def queue_reporter_note(ctx: Context, tx: Unit, case: cases.Case, comment: str) -> int | None:
    """In the status change's transaction: queue the notification to the person who filed the
    case, for their personal chat (deviations only when they asked for it). Returns the outbox
    message id, or None when nobody is to be (or can be) told."""
    kind = ctx.services.kinds[case.kind]
    if not kind.notify_always and not case.wants_feedback:
        return None
    ref = await reporter_conversation(ctx, case)
    if ref is None or ctx.services.messenger is None:
        if ref is None:
            await tx.audit.record("notify_skipped", ctx.turn.user.aad_object_id, case.reference, "no personal chat")
        return None
    what = kind.notify_title
    text = f"{what} {case.reference} har fått status: **{case.status_title}**."
    handling = case.data.get("handling", {})
    if case.status == "bokad" and handling:
        fmt = dict((c.value, c.title.lower()) for c in FORMAT_CHOICES).get(handling.get("format", ""), "")
        text += f" Tid: {handling.get('datum')} kl. {handling.get('tid')}, {fmt}."
    if comment:
        text += f" Kommentar: {comment}"
    outbox = outbox_of(ctx.services)
    if outbox is None:
        return None
    return await outbox.add("reporter_note", ref, text=text, meta={"reference": case.reference}, tx=tx)


async def _send_queued(ctx: Context, message_id: int) -> None:
    """One delivery attempt now, after the commit; the outbox worker retries if it fails."""
    outbox = outbox_of(ctx.services)
    if outbox is None:
        return
    try:
        await outbox.send_now(message_id)
    except Exception:  # noqa: BLE001 - the message is queued; the worker keeps trying
        log.exception("first delivery of outbox message %s failed", message_id)


async def _link_channel(ctx: Context) -> list[Out]:
    turn = ctx.turn
    match = re.match(LINK_PATTERN, fold(turn.text.strip()).rstrip(".!"))
    unlink = " bort " in f" {fold(turn.text)} "
    if match is None or match.group(1) not in LINK_KINDS:
        return [Text("Skriv till exempel **koppla kanal avvikelser Vetlanda**, **koppla kanal arena Jönköping**, "
                     "**koppla kanal sip alla** eller **koppla kanal sammanfattning**.")]
    kind = LINK_KINDS[match.group(1)]
    place = re.sub(r"^(?:kommunomrade|kommun) | (?:kommun|kommunomrade)$", "", (match.group(2) or "").strip()).strip()
    if kind == "sammanfattning" or place in ("", "alla", "alla kommuner", "hela lanet", "*"):
        target: str | None = channels.ALL
    else:
        muni = ctx.kb.municipality_by_name(place)
        target = muni.id if muni else None
    if target is None:
        return [Text(f"Jag känner inte igen kommunen ”{place}”. Skriv kommunens namn, t.ex. Vetlanda, eller **alla**.")]
    where = municipality_name(ctx, target)
    titles = {k.id: k.plural for k in ctx.services.kinds} | {"sammanfattning": DIGEST_TITLE}
    if unlink:
        removed = await channels.unlink(ctx.store, kind, target, turn.user.aad_object_id)
        return [Text(f"Kanalen tar inte längre emot {titles[kind]} för {where}." if removed
                     else f"Ingen kanal var kopplad för {titles[kind]} i {where}.")]
    if turn.conversation_type != "channel":
        return [Text("Koppla kanal gör du i den Teams-kanal som ska ta emot ärendena: "
                     "@nämn mig där och skriv kommandot.")]
    label = f"kanalen för {titles[kind]} i {where}" if kind != "sammanfattning" else "kanalen för veckosammanfattningen"
    await channels.link(ctx.store, kind, target, turn.conversation_ref, turn.user.aad_object_id, label)
    what = "Veckosammanfattningen" if kind == "sammanfattning" else f"Nya {titles[kind]} för {where}"
    listing = "" if kind != "avvikelse" else (
        " Rapporter som redan har kommit in ser du med **lista avvikelser"
        + ("" if target == channels.ALL else f" {where.lower()}") + "**.")
    return [Text(f"Klart! {what} skickas hit från och med nu.{listing}")]


async def _posted_later(store, message: dict[str, Any], activity_id: str) -> None:
    """A channel post the outbox delivered after the turn: the case remembers its card."""
    case = await cases.get_case(store, message["meta"].get("reference", ""))
    if case is None:
        return
    routed = {k: v for k, v in case.routed_to.items() if k != "channel_pending"}
    routed["channel"] = message["meta"].get("label", "")
    await cases.set_routing(store, case, routed, message["conversation_ref"], activity_id)


def register(assistant: Assistant) -> None:
    outbox = outbox_of(assistant.services)
    if outbox is not None:
        store = assistant.services.store
        outbox.on_delivered("case_post", lambda message, activity_id: _posted_later(store, message, activity_id))
    assistant.verb("case.status", _change_status)
    assistant.verb("case.show", _show_case)
    assistant.command("link-channel", r"^koppla\b", _link_channel, coordinator_only=True)
