"""Drive the bot over HTTP the way Teams does, and read what it answered."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from tests.support.fake_connector import Call, FakeConnector

BOT = {"id": "28:bot-id", "name": "Samverkanslotsen"}
TENANT = "00000000-0000-0000-0000-000000000001"


@dataclass(frozen=True)
class Person:
    id: str
    aad: str
    name: str

    def account(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}


CASEWORKER = Person("29:caseworker", "aaaaaaaa-0000-0000-0000-000000000001", "Kim Handläggare")
COORDINATOR = Person("29:coordinator", "cccccccc-0000-0000-0000-000000000001", "Sam Koordinator")
OTHER = Person("29:other", "bbbbbbbb-0000-0000-0000-000000000002", "Sam Koordinator")  # same name, not a coordinator


class Replies(list):
    """The connector calls one turn produced, with helpers to read them."""

    @property
    def activities(self) -> list[dict[str, Any]]:
        return [c.body for c in self if c.method in ("reply", "send")]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [a for a in self.activities if a.get("type") == "message"]

    @property
    def texts(self) -> list[str]:
        return [a.get("text") or "" for a in self.messages if a.get("text")]

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            att["content"]
            for a in self.messages
            for att in a.get("attachments") or []
            if att.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def updates(self) -> list[Call]:
        return [c for c in self if c.method == "update"]

    @property
    def typing(self) -> bool:
        return any(a.get("type") == "typing" for a in self.activities)

    def all_text(self) -> str:
        """Every visible string in texts and cards, for simple assertions."""
        parts = list(self.texts)
        for card in self.cards + [
            c.body["attachments"][0]["content"] for c in self.updates if c.body.get("attachments")
        ]:
            parts.extend(visible_strings(card))
        return "\n".join(parts)


def card_nodes(node: Any):
    """Every element, action and choice of a card, depth first; submit data is not walked."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "data":
                yield from card_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_nodes(item)


VISIBLE_KEYS = ("text", "title", "value", "label", "placeholder")


def visible_strings(node: Any, keys: tuple[str, ...] = VISIBLE_KEYS) -> list[str]:
    return [n[k] for n in card_nodes(node) for k in keys if isinstance(n.get(k), str)]


def card_strings(card: dict[str, Any]) -> str:
    return "\n".join(visible_strings(card))


def submit_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """All Action.Submit / Action.Execute in a card (top-level and in ActionSets)."""
    return [n for n in card_nodes(card) if n.get("type") in ("Action.Submit", "Action.Execute")]


def inputs_of(card: dict[str, Any]) -> dict[str, str]:
    """What Teams submits for a card's inputs when nothing is changed."""
    return {
        n["id"]: n.get("value", "false" if n["type"] == "Input.Toggle" else "")
        for n in card_nodes(card)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    for act in submit_actions(card):
        if act.get("title") == title:
            return act
    raise AssertionError(f"no action {title!r} in card; have {[a.get('title') for a in submit_actions(card)]}")


class TeamsClient:
    """Posts Teams-shaped activities to /api/messages; replies land at the fake connector."""

    def __init__(self, http, connector: FakeConnector, service_url: str):
        self.http = http
        self.connector = connector
        self.service_url = service_url
        self._ids = itertools.count(1)

    def activity(
        self,
        *,
        text: str | None = None,
        value: Any = None,
        person: Person = CASEWORKER,
        conversation: str = "personal-1",
        conversation_type: str = "personal",
        reply_to_id: str | None = None,
        activity_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        type_: str = "message",
        **extra: Any,
    ) -> dict[str, Any]:
        data = channel_data or {"tenant": {"id": TENANT}}
        data.setdefault("tenant", {"id": TENANT})
        activity: dict[str, Any] = {
            "type": type_,
            "id": activity_id or f"user-act-{next(self._ids)}",
            "timestamp": "2026-11-23T08:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": person.account(),
            "recipient": BOT,
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
            "channelData": data,
            "locale": "sv-SE",
        }
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        if reply_to_id:
            activity["replyToId"] = reply_to_id
        if entities:
            activity["entities"] = entities
        activity.update(extra)
        return activity

    async def post(self, activity: dict[str, Any]) -> tuple[int, Replies, Any]:
        mark = len(self.connector.calls)
        response = await self.http.post(
            "/api/messages", data=json.dumps(activity), headers={"Content-Type": "application/json"}
        )
        body_text = await response.text()
        body = json.loads(body_text) if body_text else None
        return response.status, Replies(self.connector.since(mark)), body

    async def send(self, text: str | None = None, value: Any = None, **kw: Any) -> Replies:
        status, replies, _ = await self.post(self.activity(text=text, value=value, **kw))
        assert status in (200, 201), f"bot answered HTTP {status}"
        return replies

    async def click(self, act: dict[str, Any], inputs: dict[str, Any] | None = None, **kw: Any) -> Replies:
        """Press an Action.Submit: its data plus the card's input values, no text."""
        value = dict(act.get("data") or {})
        value.update(inputs or {})
        return await self.send(value=value, **kw)

    async def install(self, **kw: Any) -> Replies:
        activity = self.activity(type_="conversationUpdate", membersAdded=[BOT, CASEWORKER.account()], **kw)
        status, replies, _ = await self.post(activity)
        assert status in (200, 201)
        return replies

    async def invoke(self, verb: str, data: dict[str, Any], **kw: Any) -> tuple[int, Any, Replies]:
        activity = self.activity(
            type_="invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            **kw,
        )
        status, replies, body = await self.post(activity)
        return status, body, replies
