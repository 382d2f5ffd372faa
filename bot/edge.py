"""The Teams edge's behaviour, shared by both SDK edges: an authenticated activity in, the
domain's answers out through the shared connector, and the HTTP answer (invoke response).

What each SDK contributes (bot/botbuilder/, bot/agents/) is only what differs between them:
how a request's token is validated and how the bot's own outbound token is fetched.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.activities import (
    adaptive_card_action_data,
    addressed,
    card_activity,
    card_invoke_response,
    conversation_ref,
    message_invoke_response,
    proactive_reference,
    tenant_id,
    text_activity,
    to_turn,
    typing_activity,
)
from bot.connector import Connector
from lotsen.assistant import Assistant
from lotsen.tenancy import TenantPolicy
from lotsen.texts import say
from lotsen.turn import Card, DeliveryError, InvokeCard, Out, Text, Typing, UpdateCard

log = logging.getLogger(__name__)
APOLOGY = say("edge.apology")


class EdgeResult:
    """What the HTTP request is answered with: a status and, for invokes, a JSON body."""

    __slots__ = ("status", "body")

    def __init__(self, status: int, body: dict[str, Any] | None = None):
        self.status = status
        self.body = body


ACCEPTED = EdgeResult(201)


class Edge:
    def __init__(self, assistant: Assistant, connector: Connector, tenants: TenantPolicy):
        self.assistant = assistant
        self.connector = connector
        self.tenants = tenants

    async def on_activity(self, activity: dict[str, Any]) -> EdgeResult:
        """Runs after the request is authenticated. A tenant the policy refuses (lotsen.tenancy)
        gets no reply and no processing."""
        if not await self.tenants.admits(tenant_id(activity)):
            return ACCEPTED
        kind = activity.get("type")
        ref = conversation_ref(activity)
        try:
            if kind == "message":
                await self._on_message(activity, ref)
            elif kind == "conversationUpdate":
                await self._on_conversation_update(activity, ref)
            elif kind == "invoke":
                return await self._on_invoke(activity, ref)
            # installationUpdate, messageReaction, event …: nothing to answer.
            return ACCEPTED
        except Exception as error:  # noqa: BLE001 - the user gets an apology, the log the type
            log.error("unhandled error in turn: %s", type(error).__name__, exc_info=error)
            if kind == "invoke":
                return EdgeResult(200, message_invoke_response(APOLOGY))
            try:
                await self.connector.send(addressed(text_activity(APOLOGY), ref, reply=True))
            except Exception:  # noqa: BLE001
                pass
            return ACCEPTED

    async def _on_message(self, activity: dict[str, Any], ref: dict[str, Any]) -> None:
        turn = to_turn(activity)

        async def typing() -> None:
            await self.connector.send(addressed(typing_activity(), ref, reply=True))

        outs = await self.assistant.on_message(turn, typing=typing)
        await self.send(ref, outs)

    async def _on_conversation_update(self, activity: dict[str, Any], ref: dict[str, Any]) -> None:
        # Welcome once, when the bot itself is added (install / added to a team or chat),
        # not every time a person joins.
        members = activity.get("membersAdded") if isinstance(activity.get("membersAdded"), list) else []
        bot_id = (activity.get("recipient") or {}).get("id")
        conversation_type = (activity.get("conversation") or {}).get("conversationType")
        personal = conversation_type in (None, "personal")
        # In a personal chat the only member that can be added is the person installing the app;
        # in teams and group chats only the bot's own arrival is welcomed.
        if any(isinstance(m, dict) and m.get("id") == bot_id for m in members) or (personal and members):
            await self.send(ref, await self.assistant.on_welcome(to_turn(activity)))

    async def _on_invoke(self, activity: dict[str, Any], ref: dict[str, Any]) -> EdgeResult:
        if activity.get("name") != "adaptiveCard/action":
            return EdgeResult(501)
        turn = to_turn(activity, value=adaptive_card_action_data(activity), is_invoke=True)
        outs = await self.assistant.on_message(turn)
        card = next((o.card for o in outs if isinstance(o, InvokeCard)), None)
        # Without a refreshed card, plain texts (a refusal, "not found") are the answer to the
        # person who pressed the button, shown by Teams next to the card, not a message posted
        # to everyone in the chat or channel.
        texts = [o.text for o in outs if isinstance(o, Text)] if card is None else []
        await self.send(
            ref, [o for o in outs if not isinstance(o, InvokeCard) and not (card is None and isinstance(o, Text))]
        )
        if card is not None:
            return EdgeResult(200, card_invoke_response(card))
        return EdgeResult(200, message_invoke_response("\n\n".join(texts) or "OK"))

    async def send(self, ref: dict[str, Any], outs: list[Out]) -> None:
        for out in outs:
            if isinstance(out, Text):
                await self.connector.send(addressed(text_activity(out.text), ref, reply=True))
            elif isinstance(out, Card):
                await self.connector.send(addressed(card_activity(out.card), ref, reply=True))
            elif isinstance(out, Typing):
                await self.connector.send(addressed(typing_activity(), ref, reply=True))
            elif isinstance(out, UpdateCard):
                activity = addressed(card_activity(out.card), ref, reply=True)
                activity["id"] = out.activity_id
                try:
                    await self.connector.update(activity)
                except DeliveryError:  # the card may be gone; say it in a new message instead
                    log.warning("could not update activity; sending the card as a new message")
                    await self.connector.send(addressed(card_activity(out.card), ref, reply=True))


class ConnectorMessenger:
    """Proactive messages (implements lotsen.turn.Messenger) from a stored conversation
    reference, through the shared connector. Raises lotsen.turn.DeliveryError when Teams
    refuses or cannot be reached."""

    def __init__(self, connector: Connector):
        self.connector = connector

    async def send(
        self, conversation_ref: dict[str, Any], card: dict[str, Any] | None = None, text: str | None = None
    ) -> str:
        activity = card_activity(card, text) if card is not None else text_activity(text or "")
        return await self.connector.send(addressed(activity, proactive_reference(conversation_ref), reply=False))

    async def update(self, conversation_ref: dict[str, Any], activity_id: str, card: dict[str, Any]) -> None:
        activity = addressed(card_activity(card), proactive_reference(conversation_ref), reply=False)
        activity["id"] = activity_id
        await self.connector.update(activity)
