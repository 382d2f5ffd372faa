"""What the repositories hand out: plain records, no connection attached."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from lotsen.texts import say


class DraftConflict(Exception):
    """The draft changed (another submit, possibly at another instance) since it was read."""


class AlreadyRecorded(Exception):
    """The activity's change was recorded before (a retry or replay); `case` is the case now."""

    def __init__(self, case: "Case"):
        super().__init__(case.reference)
        self.case = case


class StorageUnavailable(Exception):
    """The database cannot be reached or is locked for longer than we wait."""


@dataclass(frozen=True)
class Draft:
    flow: str
    data: dict[str, Any]
    version: int


@dataclass
class Case:
    id: int
    reference: str
    kind: str
    form_id: str
    created_at: str
    updated_at: str
    municipality: str | None
    status: str
    reporter_aad: str
    reporter_name: str
    reporter_ref: dict[str, Any] | None
    wants_feedback: bool
    data: dict[str, Any]
    routed_to: dict[str, Any] = field(default_factory=dict)
    channel_ref: dict[str, Any] | None = None
    channel_activity_id: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Case":
        return cls(
            id=row["id"],
            reference=row["reference"],
            kind=row["kind"],
            form_id=row["form_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            municipality=row["municipality"],
            status=row["status"],
            reporter_aad=row["reporter_aad"] or "",
            reporter_name=row["reporter_name"] or "",
            reporter_ref=json.loads(row["reporter_ref"]) if row["reporter_ref"] else None,
            wants_feedback=bool(row["wants_feedback"]),
            data=json.loads(row["data"]),
            routed_to=json.loads(row["routed_to"]) if row["routed_to"] else {},
            channel_ref=json.loads(row["channel_ref"]) if row["channel_ref"] else None,
            channel_activity_id=row["channel_activity_id"] or "",
        )


@dataclass(frozen=True)
class Event:
    at: str
    actor_aad: str
    status: str
    comment: str


@dataclass(frozen=True)
class ChannelLink:
    kind: str
    target: str
    conversation_ref: dict[str, Any]
    linked_by: str
    linked_at: str
    inactive_since: str | None = None  # Teams refused a message there (403/404): the bot was removed

    @property
    def label(self) -> str:
        return str(self.conversation_ref.get("_label") or say("storage.linked_channel"))

    @property
    def active(self) -> bool:
        return self.inactive_since is None


def conversation_key(conversation_ref: dict[str, Any]) -> str:
    """The conversation a stored reference points at: a channel thread ("19:…;messageid=…")
    counts as its channel."""
    conversation = conversation_ref.get("conversation") if isinstance(conversation_ref, dict) else None
    raw = str(conversation.get("id") or "") if isinstance(conversation, dict) else ""
    return raw.split(";messageid=", 1)[0]


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list or count: kinds, municipality, one status or any of `statuses`,
    who filed them, and created_at bounds as stored (UTC ISO) timestamps, `created_from` inclusive,
    `created_before` exclusive."""

    kinds: tuple[str, ...]
    municipality: str | None = None
    status: str | None = None
    statuses: tuple[str, ...] | None = None
    created_from: str | None = None
    created_before: str | None = None
    reporter_aad: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: str
    event: str
    actor: str | None
    target: str | None
    outcome: str | None
