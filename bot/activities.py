"""Teams activity JSON ⇄ domain Turn/Out, SDK-free: both edges share this module.

Works on the activity exactly as Teams posts it (a dict from the request body) and builds the
outgoing activities as dicts, so a card goes out as the JSON the template rendered, serialised
once, never walked by an SDK's model serialiser. The shapes match what botbuilder's TurnContext
produced (`apply_conversation_reference`, `MessageFactory`), so stored conversation references
and replies are the same whichever SDK edge runs.
"""

from __future__ import annotations

import re
from typing import Any

from lotsen.turn import Turn, User

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"

_AT_TAG = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def clean_text(activity: dict[str, Any]) -> str:
    """Text without @mentions of the bot (channels, group chats) and stray markup."""
    text = _str(activity.get("text"))
    recipient_id = _dict(activity.get("recipient")).get("id")
    entities = activity.get("entities") if isinstance(activity.get("entities"), list) else []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        mentioned = _dict(entity.get("mentioned"))
        mention_text = _str(entity.get("text"))
        if mention_text and (not recipient_id or mentioned.get("id") == recipient_id):
            text = text.replace(mention_text, " ")
    text = _AT_TAG.sub(" ", text)  # any remaining <at>…</at> (e.g. the bot's name)
    text = _HTML_TAG.sub(" ", text).replace("&nbsp;", " ")
    return _SPACE.sub(" ", text).strip()


def tenant_id(activity: dict[str, Any]) -> str:
    tenant = _dict(_dict(activity.get("channelData")).get("tenant")).get("id")
    if not tenant:
        tenant = _dict(activity.get("conversation")).get("tenantId")
    return tenant if isinstance(tenant, str) else ""


_ACCOUNT_KEYS = ("id", "name", "aadObjectId", "role")
_CONVERSATION_KEYS = ("isGroup", "conversationType", "id", "name", "aadObjectId", "role", "tenantId")


def _pick(source: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    source = _dict(source)
    return {k: source[k] for k in keys if source.get(k) is not None}


def conversation_ref(activity: dict[str, Any]) -> dict[str, Any]:
    """The reference stored for proactive messages, in botbuilder's serialised shape
    (`ConversationReference.serialize()`), which the Agents SDK's model also reads ("bot" is an
    alias of its "agent")."""
    ref: dict[str, Any] = {
        "activityId": activity.get("id"),
        "user": _pick(activity.get("from"), _ACCOUNT_KEYS),
        "bot": _pick(activity.get("recipient"), _ACCOUNT_KEYS),
        "conversation": _pick(activity.get("conversation"), _CONVERSATION_KEYS),
        "channelId": activity.get("channelId"),
        "locale": activity.get("locale"),
        "serviceUrl": activity.get("serviceUrl"),
    }
    ref = {k: v for k, v in ref.items() if v not in (None, "")}
    tenant = tenant_id(activity)
    if tenant:
        ref.setdefault("conversation", {})["tenantId"] = tenant
    return ref


def to_turn(activity: dict[str, Any], value: Any = None, *, is_invoke: bool = False) -> Turn:
    channel_data = _dict(activity.get("channelData"))
    conv = _dict(activity.get("conversation"))
    user = _dict(activity.get("from"))
    raw_value = activity.get("value") if value is None else value
    return Turn(
        activity_id=_str(activity.get("id")),
        text="" if raw_value is not None and not activity.get("text") else clean_text(activity),
        value=raw_value if isinstance(raw_value, dict) else ({"verb": ""} if raw_value is not None else None),
        user=User(id=_str(user.get("id")), aad_object_id=_str(user.get("aadObjectId")), name=_str(user.get("name"))),
        conversation_id=_str(conv.get("id")),
        conversation_type=_str(conv.get("conversationType")) or "personal",
        tenant_id=tenant_id(activity),
        reply_to_id=_str(activity.get("replyToId")),
        team_id=_str(_dict(channel_data.get("team")).get("id")),
        channel_id=_str(_dict(channel_data.get("channel")).get("id")),
        is_invoke=is_invoke,
        conversation_ref=conversation_ref(activity),
    )


# --- outgoing ------------------------------------------------------------------------------


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "inputHint": "acceptingInput"}


def card_activity(card: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
        "inputHint": "acceptingInput",
    }
    if text:
        activity["text"] = text
    return activity


def typing_activity() -> dict[str, Any]:
    return {"type": "typing"}


def addressed(activity: dict[str, Any], ref: dict[str, Any], *, reply: bool) -> dict[str, Any]:
    """Address an outgoing activity from a conversation reference, as botbuilder's
    `TurnContext.apply_conversation_reference(activity, ref)` does: from the bot to the user,
    in the reference's conversation; a reply names the activity it answers."""
    out = dict(activity)
    out["channelId"] = ref.get("channelId") or "msteams"
    out["serviceUrl"] = ref.get("serviceUrl")
    out["conversation"] = ref.get("conversation") or {}
    bot = ref.get("bot") or ref.get("agent")
    if bot:
        out["from"] = bot
    if ref.get("user"):
        out["recipient"] = ref["user"]
    if ref.get("locale") and not out.get("locale"):
        out["locale"] = ref["locale"]
    if reply and ref.get("activityId"):
        out["replyToId"] = ref["activityId"]
    return out


def proactive_reference(data: dict[str, Any]) -> dict[str, Any]:
    """Where a proactive message goes: the conversation itself, never a reply.

    A stored reference remembers the activity it was taken from (e.g. the "koppla kanal"
    message). Replying to it would put every new report in that one thread, so the activity id
    is dropped, and a Teams channel thread id ("19:…@thread.tacv2;messageid=…") becomes the
    channel id: a message sent there is a new post in the channel. References stored by either
    SDK edge are read ("bot" from botbuilder, "agent" from an Agents SDK model dump).
    """
    ref = dict(data)
    ref.pop("activityId", None)
    conversation = dict(_dict(ref.get("conversation")))
    if isinstance(conversation.get("id"), str):
        conversation["id"] = conversation["id"].split(";messageid=", 1)[0]
    ref["conversation"] = conversation
    if "bot" not in ref and "agent" in ref:
        ref["bot"] = ref["agent"]
    return ref


def adaptive_card_action_data(activity: dict[str, Any]) -> dict[str, Any]:
    """The data of an Action.Execute (`adaptiveCard/action` invoke), with its verb."""
    value = _dict(activity.get("value"))
    action = _dict(value.get("action"))
    data = dict(_dict(action.get("data")))
    if action.get("verb") and "verb" not in data:
        data["verb"] = action["verb"]
    return data


def card_invoke_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}


def message_invoke_response(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": text}
