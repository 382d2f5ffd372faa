"""Proactive messages through the Bot Framework adapter (implements lotsen.turn.Messenger)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.convert import card_activity, reference_from_dict


def proactive_reference(data: dict[str, Any]) -> ConversationReference:
    """Where a proactive message goes: the conversation itself, never a reply.

    A stored reference remembers the activity it was taken from (e.g. the "koppla kanal"
    message). Replying to it would put every new report in that one thread, so the activity id
    is dropped, and a Teams channel thread id ("19:…@thread.tacv2;messageid=…") becomes the
    channel id: a message sent there is a new post in the channel.
    """
    ref = reference_from_dict(data)
    ref.activity_id = None
    if ref.conversation is not None and ref.conversation.id:
        ref.conversation.id = ref.conversation.id.split(";messageid=", 1)[0]
    return ref


async def _not_a_reply(_: TurnContext, activities: list[Activity], next_send: Callable[[], Awaitable[None]]) -> None:
    # TurnContext addresses every activity as a reply to the (synthetic) continuation
    # activity; a proactive message is a new message in the conversation instead.
    for activity in activities:
        activity.reply_to_id = None
    await next_send()


class AdapterMessenger:
    """Errors are raised to the caller. Inside continue_conversation the adapter would hand them
    to on_turn_error instead, which swallows them and posts an apology into the conversation we
    could not reach."""

    def __init__(self, adapter: BotAdapter, app_id: str):
        self.adapter = adapter
        self.app_id = app_id

    async def _continue(self, conversation_ref: dict[str, Any],
                        logic: Callable[[TurnContext], Awaitable[None]]) -> None:
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                await logic(turn_context)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the adapter
                failures.append(exc)

        await self.adapter.continue_conversation(proactive_reference(conversation_ref), callback, self.app_id)
        if failures:
            raise failures[0]

    async def send(self, conversation_ref: dict[str, Any], card: dict[str, Any] | None = None,
                   text: str | None = None) -> str:
        sent: dict[str, str] = {}

        async def logic(turn_context: TurnContext) -> None:
            turn_context.on_send_activities(_not_a_reply)
            activity = card_activity(card) if card is not None else MessageFactory.text(text or "")
            if card is not None and text:
                activity.text = text
            response = await turn_context.send_activity(activity)
            sent["id"] = (response.id if response else "") or ""

        await self._continue(conversation_ref, logic)
        return sent.get("id", "")

    async def update(self, conversation_ref: dict[str, Any], activity_id: str, card: dict[str, Any]) -> None:
        async def logic(turn_context: TurnContext) -> None:
            activity = card_activity(card)
            activity.id = activity_id
            await turn_context.update_activity(activity)

        await self._continue(conversation_ref, logic)
