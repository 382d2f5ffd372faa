"""Teams activity ⇄ domain Turn/Out. The only place that knows both worlds."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference

from lotsen.turn import Turn, User

_AT_TAG = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def clean_text(activity: Activity) -> str:
    """Text without @mentions of the bot (channels, group chats) and stray markup."""
    text = activity.text or ""
    recipient_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties if hasattr(entity, "additional_properties") else {}
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned = (props or {}).get("mentioned") or {}
        mention_text = (props or {}).get("text") or ""
        if mention_text and (not recipient_id or mentioned.get("id") == recipient_id):
            text = text.replace(mention_text, " ")
    text = _AT_TAG.sub(" ", text)  # any remaining <at>…</at> (e.g. the bot's name)
    text = _HTML_TAG.sub(" ", text).replace("&nbsp;", " ")
    return _SPACE.sub(" ", text).strip()


def conversation_ref(activity: Activity) -> dict[str, Any]:
    ref = TurnContext.get_conversation_reference(activity).serialize()
    tenant = tenant_id(activity)
    if tenant:
        ref.setdefault("conversation", {})["tenantId"] = tenant
    return ref


def reference_from_dict(data: dict[str, Any]) -> ConversationReference:
    ref = ConversationReference().deserialize(data)
    tenant = (data.get("conversation") or {}).get("tenantId")
    if tenant and ref.conversation is not None:
        ref.conversation.tenant_id = tenant
    return ref


def tenant_id(activity: Activity) -> str:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (channel_data.get("tenant") or {}).get("id") if isinstance(channel_data.get("tenant"), dict) else None
    if not tenant and activity.conversation is not None:
        tenant = getattr(activity.conversation, "tenant_id", None)
    return tenant or ""


def to_turn(activity: Activity, value: Any = None, *, is_invoke: bool = False) -> Turn:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team") if isinstance(channel_data.get("team"), dict) else {}
    channel = channel_data.get("channel") if isinstance(channel_data.get("channel"), dict) else {}
    conv = activity.conversation
    user = activity.from_property
    raw_value = activity.value if value is None else value
    return Turn(
        activity_id=activity.id or "",
        text="" if raw_value is not None and not activity.text else clean_text(activity),
        value=raw_value if isinstance(raw_value, dict) else ({"verb": ""} if raw_value is not None else None),
        user=User(
            id=(user.id if user else "") or "",
            aad_object_id=(getattr(user, "aad_object_id", None) or "") if user else "",
            name=(user.name if user else "") or "",
        ),
        conversation_id=(conv.id if conv else "") or "",
        conversation_type=(getattr(conv, "conversation_type", None) or "personal") if conv else "personal",
        tenant_id=tenant_id(activity),
        reply_to_id=activity.reply_to_id or "",
        team_id=team.get("id", "") or "",
        channel_id=channel.get("id", "") or "",
        is_invoke=is_invoke,
        conversation_ref=conversation_ref(activity),
    )


def card_activity(card: dict[str, Any]) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(card))


def typing_activity() -> Activity:
    return Activity(type=ActivityTypes.typing)
