"""Following up a filed case in Teams: coordinators change its status from the case card (the
reporter is told through the outbox), show a case, and connect channels to routing targets.

Coordinators are recognised by Entra object id (COORDINATOR_IDS); everyone else is politely
refused and the attempt is audited."""

from __future__ import annotations

import logging
import re
from datetime import time
from typing import Any

from dialogs.casework import (
    LINK_PATTERN,
    case_card,
    format_title,
    handling_fields,
    is_personal_ref,
    municipality_name,
    personal_ref_key,
)
from dialogs.texts import dialog_texts, dialog_words
from lotsen import cases, channels
from lotsen.assistant import NOT_ALLOWED, Assistant
from lotsen.context import Context
from lotsen.features.delivery import outbox_of
from lotsen.fields import validate_form
from lotsen.storage import Unit
from lotsen.text import fold
from lotsen.turn import Card, InvokeCard, Out, Text, UpdateCard

log = logging.getLogger(__name__)


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
        return [Text(dialog_texts()("case_not_found"))]
    inputs = {k: v for k, v in ctx.value.items() if k not in ("verb", "reference")}
    result = validate_form(
        handling_fields(ctx.services.kinds[case.kind]), inputs, today=ctx.services.today(), control_keys=()
    )
    texts = dialog_texts()
    errors = dict(result.errors)
    status = result.values.get("status")
    if not errors and status == "bokad" and not all(result.values.get(k) for k in ("datum", "tid", "format")):
        errors["datum"] = texts("case_booking_incomplete")
    if not errors and status == "avbojd" and not result.values.get("comment"):
        errors["comment"] = texts("case_decline_reason")
    if errors:
        card = await case_card(ctx, case, errors, result.raw)
        return (
            [InvokeCard(card)]
            if turn.is_invoke
            else [UpdateCard(turn.reply_to_id, card)]
            if turn.reply_to_id
            else [Text(texts("case_not_saved", errors="; ".join(errors.values())))]
        )
    comment = str(result.values.get("comment") or "")
    extra = None
    if status == "bokad":
        booked_time = result.values["tid"]
        assert isinstance(booked_time, time)
        extra = {
            "datum": str(result.values["datum"]),
            "tid": booked_time.strftime("%H:%M"),
            "format": result.values["format"],
        }
    before = case
    changed = False
    once_key = f"{turn.conversation_id}|{turn.activity_id}" if turn.activity_id else ""
    note: int | None = None
    try:
        # The status change and the reporter's notification (outbox): one transaction.
        async with ctx.store.transaction() as tx:
            case = await cases.change_status(
                tx,
                case,
                str(status),
                turn.user.aad_object_id,
                comment,
                extra,
                once_key=once_key,
                statuses=ctx.services.kinds[case.kind].statuses,
            )
            changed = case.status != before.status or (extra is not None and extra != before.data.get("handling"))
            if changed:
                note = await queue_reporter_note(ctx, tx, case, comment)
    except cases.AlreadyRecorded as replay:
        # The same activity again (Teams retried, or a captured request was replayed): the
        # change is in the history once; answer with the card as it is, notify nobody.
        await ctx.store.audit.record(
            "duplicate_suppressed", turn.user.aad_object_id, replay.case.reference, "case.status"
        )
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
        key = "case_status_changed" if changed else "case_comment_saved"
        status_title = ctx.services.kinds.status_title(case)
        outs.append(Text(texts(key, reference=case.reference, status=status_title)))
    return outs


async def _show_case(ctx: Context) -> list[Out]:
    """A case card on request (the "Visa" button in "lista avvikelser"), coordinators only."""
    if not ctx.is_coordinator:
        return await _refuse(ctx, f"case.show:{str(ctx.value.get('reference'))[:40]}")
    reference = ctx.value.get("reference")
    case = await cases.get_case(ctx.store, reference) if isinstance(reference, str) else None
    if case is None:
        return [Text(dialog_texts()("case_not_found"))]
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
    texts = dialog_texts()
    text = texts("case_note", what=kind.notify_title, reference=case.reference, status=kind.status_title(case.status))
    handling = case.data.get("handling", {})
    if case.status == "bokad" and handling:
        fmt = format_title(handling.get("format", "")).lower()
        text += texts("case_note_booked", date=handling.get("datum"), time=handling.get("tid"), form=fmt)
    if comment:
        text += texts("case_note_comment", comment=comment)
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
    texts = dialog_texts()
    match = re.match(LINK_PATTERN, fold(turn.text.strip()).rstrip(".!"))
    unlink = " bort " in f" {fold(turn.text)} "
    vocabulary = dialog_words()
    if match is None or match.group(1) not in vocabulary.link_kinds:
        return [Text(texts("link_help"))]
    kind = vocabulary.link_kinds[match.group(1)]
    place = re.sub(r"^(?:kommunomrade|kommun) | (?:kommun|kommunomrade)$", "", (match.group(2) or "").strip()).strip()
    if kind == "sammanfattning" or place == "" or place in vocabulary.link_everywhere:
        target: str | None = channels.ALL
    else:
        muni = ctx.kb.municipality_by_name(place)
        target = muni.id if muni else None
    if target is None:
        return [Text(texts("link_unknown_municipality", place=place))]
    where = municipality_name(ctx, target)
    titles = {k.id: k.plural for k in ctx.services.kinds} | {"sammanfattning": texts("link_digest")}
    if unlink:
        removed = await channels.unlink(ctx.store, kind, target, turn.user.aad_object_id)
        return [Text(texts("link_removed" if removed else "link_none", what=titles[kind], where=where))]
    if turn.conversation_type != "channel":
        return [Text(texts("link_in_channel"))]
    digest = kind == "sammanfattning"
    label = texts("link_label_digest") if digest else texts("link_label", what=titles[kind], where=where)
    await channels.link(ctx.store, kind, target, turn.conversation_ref, turn.user.aad_object_id, label)
    what = texts("link_new_digest") if digest else texts("link_new", what=titles[kind], where=where)
    if kind != "avvikelse":
        listing = ""
    elif target == channels.ALL:
        listing = texts("link_listing_all")
    else:
        listing = texts("link_listing", where=where.lower())
    return [Text(texts("link_done", what=what, listing=listing))]


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
