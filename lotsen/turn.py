"""What the user did (Turn) and what the bot answers (Out), free of any bot SDK.

The edge (`bot/`) translates a Teams activity into a `Turn` and the returned `Out` values
into activities. Proactive messages go through the `Messenger` protocol, which the edge
implements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Union


@dataclass(frozen=True)
class User:
    id: str
    aad_object_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Turn:
    activity_id: str
    text: str
    user: User
    conversation_id: str
    conversation_type: str = "personal"  # personal | groupChat | channel
    value: dict[str, Any] | None = None
    tenant_id: str = ""
    reply_to_id: str = ""
    team_id: str = ""
    channel_id: str = ""
    is_invoke: bool = False
    conversation_ref: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def verb(self) -> str:
        """The card action verb of a card submit, or "" for typed text."""
        if isinstance(self.value, dict):
            verb = self.value.get("verb")
            return verb if isinstance(verb, str) else ""
        return ""

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == "personal"

    @property
    def draft_key(self) -> str:
        """One draft per person and conversation, so drafts in a group chat never mix."""
        return f"{self.conversation_id}|{self.user.aad_object_id or self.user.id}"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Card:
    card: dict[str, Any]


@dataclass(frozen=True)
class Typing:
    pass


@dataclass(frozen=True)
class UpdateCard:
    activity_id: str
    card: dict[str, Any]


@dataclass(frozen=True)
class InvokeCard:
    card: dict[str, Any]


Out = Union[Text, Card, Typing, UpdateCard, InvokeCard]


class DeliveryError(Exception):
    """Teams refused a message or could not be reached (raised by every Messenger).

    `status` is the Bot Connector's HTTP status (None for a timeout or connection error);
    `retry_after` the seconds from a `Retry-After` header, if any."""

    def __init__(self, status: int | None, retry_after: float | None = None, message: str = ""):
        super().__init__(
            message
            or (f"Bot Connector answered HTTP {status}" if status is not None else "Bot Connector could not be reached")
        )
        self.status = status
        self.retry_after = retry_after


class Messenger(Protocol):
    """Proactive messaging, implemented by the edge."""

    async def send(
        self, conversation_ref: dict[str, Any], card: dict[str, Any] | None = None, text: str | None = None
    ) -> str:
        """Post a new message; returns its activity id."""

    async def update(self, conversation_ref: dict[str, Any], activity_id: str, card: dict[str, Any]) -> None:
        """Replace an earlier card in place."""
