"""What the bot could not deliver, for coordinators (lotsen.outbox).

    leveranser            how many messages could not be delivered, which, and a retry button

A message that cannot be delivered (retries used up, or the bot was removed from the team or
chat: 403/404) is also announced in the coordinators' "sammanfattning" channel when one is
connected ("koppla kanal sammanfattning")."""

from __future__ import annotations

from typing import Any

from lotsen import channels
from lotsen.assistant import NOT_ALLOWED, NOT_HERE, Assistant
from lotsen.context import Context, Services
from lotsen.outbox import Outbox, for_services
from lotsen.turn import Card, Out, Text

PATTERN = r"^(?:visa )?(?:leveranser|leveransstatus|olevererade(?: meddelanden)?)\b"
KIND_TITLES = {"case_post": "nytt ärende till kanal", "reporter_note": "besked till den som rapporterade",
               "digest": "veckosammanfattning", "delivery_alert": "leveransvarning"}
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


def summary(count: int) -> str:
    if count == 0:
        return "Alla meddelanden har levererats."
    return f"{count} {'meddelande' if count == 1 else 'meddelanden'} kunde inte levereras."


async def _alert(services: Services, outbox: Outbox, message: dict[str, Any], verdict: str) -> None:
    if message["kind"] == "delivery_alert":
        return
    link = await channels.find(services.store, DIGEST_KIND, None)
    if link is None:
        return
    what = KIND_TITLES.get(message["kind"], message["kind"])
    reference = message["meta"].get("reference")
    why = ("boten finns inte längre i den chatten eller kanalen" if verdict == "inactive"
           else "Teams tog inte emot det trots flera försök")
    failed = len(await outbox.failed())
    text = (f"Ett meddelande kunde inte levereras ({what}{', ' + reference if reference else ''}): {why}. "
            f"{summary(failed)} Skriv **leveranser** till mig för att se dem och försöka igen.")
    await outbox.add("delivery_alert", link.conversation_ref, text=text)


async def status_card(ctx: Context, outbox: Outbox) -> Card:
    failed = await outbox.failed()
    rows = []
    for message in failed[:15]:
        what = KIND_TITLES.get(message["kind"], message["kind"])
        reference = message["meta"].get("reference") or ""
        why = "boten är borttagen ur chatten/kanalen" if message["status"] == "inactive" else (
            f"gav upp efter {message['attempts']} försök ({message['last_error'] or 'okänt fel'})")
        rows.append({"title": f"{what} {reference}".strip(), "value": why})
    actions = [{"title": "Försök leverera igen", "data": {"verb": "outbox.retry"}}] if failed else []
    return ctx.card("notice", title="Leveranser", text=summary(len(failed)), facts=rows, actions=actions)


def register(assistant: Assistant) -> None:
    async def show(ctx: Context) -> list[Out]:
        outbox = outbox_of(ctx.services)
        if outbox is None:
            return [Text("Jag skickar inga meddelanden själv här (inget Teams-anslutet läge).")]
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
            return [Text("Det finns inget att försöka leverera igen.")]
        return [Text(f"Jag försöker leverera {count} {'meddelande' if count == 1 else 'meddelanden'} igen. "
                     "Skriv **leveranser** om en stund för att se hur det gick.")]

    assistant.command("delivery-status", PATTERN, show, private=True)
    assistant.verb("outbox.retry", retry)
