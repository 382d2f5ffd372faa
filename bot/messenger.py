"""Proactive messages through the Bot Framework adapter (implements lotsen.turn.Messenger)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, MessageFactory, TurnContext

from bot.convert import card_activity, reference_from_dict


class AdapterMessenger:
    def __init__(self, adapter: BotAdapter, app_id: str):
        self.adapter = adapter
        self.app_id = app_id

    async def send(self, conversation_ref: dict[str, Any], card: dict[str, Any] | None = None,
                   text: str | None = None) -> str:
        sent: dict[str, str] = {}

        async def callback(turn_context: TurnContext) -> None:
            activity = card_activity(card) if card is not None else MessageFactory.text(text or "")
            if card is not None and text:
                activity.text = text
            response = await turn_context.send_activity(activity)
            sent["id"] = (response.id if response else "") or ""

        await self.adapter.continue_conversation(reference_from_dict(conversation_ref), callback, self.app_id)
        return sent.get("id", "")

    async def update(self, conversation_ref: dict[str, Any], activity_id: str, card: dict[str, Any]) -> None:
        async def callback(turn_context: TurnContext) -> None:
            activity = card_activity(card)
            activity.id = activity_id
            await turn_context.update_activity(activity)

        await self.adapter.continue_conversation(reference_from_dict(conversation_ref), callback, self.app_id)
