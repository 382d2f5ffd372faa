"""The Teams activity handler: turns activities into domain turns and sends the answers."""

from __future__ import annotations

import logging
from http import HTTPStatus

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ChannelAccount
from msrest.serialization import Model

from bot.convert import card_activity, tenant_id, to_turn, typing_activity
from lotsen.assistant import Assistant
from lotsen.tenancy import TenantPolicy
from lotsen.turn import Card, InvokeCard, Out, Text, Typing, UpdateCard

log = logging.getLogger(__name__)
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


class MessageInvokeResponse(Model):
    """The text answer to an Action.Execute (AdaptiveCardInvokeResponse only serialises a dict value).

    CloudAdapter serialises the invoke response body with msrest, so it must be a Model, not a dict."""

    _attribute_map = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "str"},
    }

    def __init__(self, *, status_code: int = 200, value: str = "", **kwargs):
        super().__init__(**kwargs)
        self.status_code = status_code
        self.type = MESSAGE_CONTENT_TYPE
        self.value = value


class TeamsBot(ActivityHandler):
    def __init__(self, assistant: Assistant, tenants: TenantPolicy):
        self.assistant = assistant
        self.tenants = tenants

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Runs after the adapter has authenticated the request. A tenant the policy refuses
        gets no reply and no processing."""
        if not await self.tenants.admits(tenant_id(turn_context.activity)):
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = to_turn(turn_context.activity)

        async def typing() -> None:
            await turn_context.send_activity(typing_activity())

        outs = await self.assistant.on_message(turn, typing=typing)
        await self._send(turn_context, outs)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        # Welcome once, when the bot itself is added (install / added to a team or chat),
        # not every time a person joins.
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        personal = getattr(activity.conversation, "conversation_type", None) in (None, "personal")
        # In a personal chat the only member that can be added is the person installing the app;
        # in teams and group chats only the bot's own arrival is welcomed.
        if any(member.id == bot_id for member in members_added or []) or (personal and members_added):
            await self._send(turn_context, await self.assistant.on_welcome(to_turn(turn_context.activity)))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = dict(action.get("data") or {}) if isinstance(action.get("data"), dict) else {}
        if action.get("verb") and "verb" not in data:
            data["verb"] = action["verb"]
        turn = to_turn(activity, value=data, is_invoke=True)
        outs = await self.assistant.on_message(turn)
        card = next((o.card for o in outs if isinstance(o, InvokeCard)), None)
        # Without a refreshed card, plain texts (a refusal, "not found") are the answer to the
        # person who pressed the button, shown by Teams next to the card, not a message posted
        # to everyone in the chat or channel.
        texts = [o.text for o in outs if isinstance(o, Text)] if card is None else []
        await self._send(turn_context, [o for o in outs if not isinstance(o, InvokeCard) and not
                                        (card is None and isinstance(o, Text))])
        body: Model
        if card is not None:
            body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        else:
            body = MessageInvokeResponse(value="\n\n".join(texts) or "OK")
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def _send(self, turn_context: TurnContext, outs: list[Out]) -> None:
        for out in outs:
            if isinstance(out, Text):
                await turn_context.send_activity(MessageFactory.text(out.text))
            elif isinstance(out, Card):
                await turn_context.send_activity(card_activity(out.card))
            elif isinstance(out, Typing):
                await turn_context.send_activity(typing_activity())
            elif isinstance(out, UpdateCard):
                activity: Activity = card_activity(out.card)
                activity.id = out.activity_id
                try:
                    await turn_context.update_activity(activity)
                except Exception:  # noqa: BLE001 - the card may be gone; say it in a new message instead
                    log.warning("could not update activity; sending the card as a new message")
                    await turn_context.send_activity(card_activity(out.card))
