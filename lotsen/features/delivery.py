"""What the bot could not deliver, for coordinators (lotsen.outbox).

    leveranser            how many messages could not be delivered, which, where Teams no longer
                          takes messages and what to do, and a retry button

A message that cannot be delivered (retries used up, or the bot was removed from the team or
chat: 403/404) is also announced to the coordinators: in the "sammanfattning" channel when
one is connected ("koppla kanal sammanfattning"), else in another connected channel that
still takes messages. When Teams refuses a channel for good, the note says which channel and
how to connect it again; a new case for that channel is held (not tried) until then, and
announced too. Texts: lotsen/data/texts.yaml, `delivery`."""

from __future__ import annotations

from typing import Any

from lotsen import channels
from lotsen.assistant import NOT_ALLOWED, NOT_HERE, Assistant
from lotsen.context import Context, Services
from lotsen.outbox import Outbox, for_services
from lotsen.storage import ChannelLink, conversation_key
from lotsen.texts import say
from lotsen.turn import Card, Out, Text

PATTERN = r"^(?:visa )?(?:leveranser|leveransstatus|olevererade(?: meddelanden)?)\b"
DIGEST_KIND = "sammanfattning"


def outbox_of(services: Services) -> Outbox | None:
    return for_services(services)


def install(services: Services) -> Outbox | None:
    """The process's outbox, with its alert to the coordinators (called by the app factory)."""
    outbox = for_services(services)
    if outbox is None:
        return None
    outbox.alert = lambda message, verdict: _alert(services, outbox, message, verdict)
    return outbox


def kind_title(kind: str) -> str:
    titles = {
        "case_post": say("delivery.kinds.case_post"),
        "reporter_note": say("delivery.kinds.reporter_note"),
        "digest": say("delivery.kinds.digest"),
        "delivery_alert": say("delivery.kinds.delivery_alert"),
        "kb_reload": say("delivery.kinds.kb_reload"),
    }
    return titles.get(kind, kind)


def summary(count: int) -> str:
    if count == 0:
        return say("delivery.summary_none")
    return say("delivery.summary_one") if count == 1 else say("delivery.summary_many", count=count)


def reconnect_command(services: Services, link: ChannelLink) -> str:
    """The command a coordinator types in the channel to connect it again."""
    if link.kind == DIGEST_KIND:
        return say("delivery.reconnect_digest")
    kind = services.kinds.get(link.kind)
    what = kind.plural if kind is not None else link.kind
    municipalities = services.knowledge.snapshot.kb.municipalities
    place = municipalities[link.target].name if link.target in municipalities else say("delivery.all_places")
    return say("delivery.reconnect_channel", what=what, place=place)


async def where(services: Services, key: str) -> tuple[str, str]:
    """(which conversation, what to do) for a conversation Teams refuses."""
    links = [
        link for link in await channels.all_links(services.store) if conversation_key(link.conversation_ref) == key
    ]
    if not links:
        return say("delivery.personal_chat"), say("delivery.todo_personal")
    commands = say("delivery.or").join(f"**@Samverkanslotsen {reconnect_command(services, link)}**" for link in links)
    return links[0].label, say("delivery.todo_channel", commands=commands)


async def _alert_target(services: Services, gone: str) -> ChannelLink | None:
    """Where to tell the coordinators: the digest channel, else another connected channel,
    as long as it still takes messages and is not the conversation that refused."""
    links = await channels.all_links(services.store)
    usable = [link for link in links if link.active and conversation_key(link.conversation_ref) != gone]
    usable.sort(key=lambda link: (link.kind != DIGEST_KIND, link.kind, link.target))
    return usable[0] if usable else None


async def _alert(services: Services, outbox: Outbox, message: dict[str, Any], verdict: str) -> None:
    if message["kind"] == "delivery_alert":
        return
    key = conversation_key(message["conversation_ref"])
    target = await _alert_target(services, key)
    if target is None:  # nowhere to say it: "leveranser" shows it
        return
    what = kind_title(message["kind"])
    reference = message["meta"].get("reference")
    what = f"{what}, {reference}" if reference else what
    failed = summary(len(await outbox.failed()))
    if verdict == "dead":
        text = say("delivery.alert_dead", what=what, summary=failed)
    else:
        place, todo = await where(services, key)
        if verdict == "inactive":
            text = say("delivery.alert_inactive", what=what, place=place, todo=todo, summary=failed)
        else:
            text = say("delivery.alert_held", what=what, place=place, todo=todo, summary=failed)
    await outbox.add("delivery_alert", target.conversation_ref, text=text)


async def status_card(ctx: Context, outbox: Outbox) -> Card:
    failed = await outbox.failed()
    rows = []
    for message in failed[:15]:
        what = kind_title(message["kind"])
        reference = message["meta"].get("reference") or ""
        if message["status"] == "inactive":
            why = say("delivery.why_inactive")
        else:
            why = say(
                "delivery.why_dead",
                attempts=message["attempts"],
                error=message["last_error"] or say("delivery.unknown_error"),
            )
        rows.append({"title": f"{what} {reference}".strip(), "value": why})
    lines = []
    for gone in await ctx.store.conversations.all_inactive():
        place, todo = await where(ctx.services, gone["conversation_id"])
        lines.append(say("delivery.inactive_line", place=place, todo=todo))
    actions = [{"title": say("delivery.retry_button"), "data": {"verb": "outbox.retry"}}] if failed else []
    return ctx.card(
        "notice", title=say("delivery.title"), text=summary(len(failed)), lines=lines, facts=rows, actions=actions
    )


def register(assistant: Assistant) -> None:
    async def show(ctx: Context) -> list[Out]:
        outbox = outbox_of(ctx.services)
        if outbox is None:
            return [Text(say("delivery.no_outbox"))]
        return [await status_card(ctx, outbox)]

    async def retry(ctx: Context) -> list[Out]:
        if not ctx.is_coordinator:
            return [Text(NOT_ALLOWED)]
        if not await ctx.in_private_scope():
            return [Text(NOT_HERE)]
        outbox = outbox_of(ctx.services)
        count = await outbox.retry_failed() if outbox is not None else 0
        await ctx.store.audit.record("delivery_retry", ctx.turn.user.aad_object_id, str(count), "ok")
        if count == 0:
            return [Text(say("delivery.nothing_to_retry"))]
        return [Text(say("delivery.retrying_one") if count == 1 else say("delivery.retrying_many", count=count))]

    assistant.command("delivery-status", PATTERN, show, private=True)
    assistant.verb("outbox.retry", retry)
