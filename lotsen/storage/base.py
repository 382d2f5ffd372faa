"""The storage seam: one protocol per aggregate, a unit of work, and the store.

Everything outside `lotsen/storage/` talks to these protocols only; SQL lives in the
backends (`sqlite/`, `postgres/`) and in `portable/` (statements both backends share).

Every repository method is a coroutine. A method called on `store.<repo>` runs in its
own transaction; to make several calls atomic, use a unit of work:

    async with store.transaction() as tx:
        case, created = await tx.cases.file(...)
        await tx.audit.record(...)
        # await tx.outbox.enqueue(...)   (a repository added later joins the same transaction)

All of `tx`'s repositories use one connection and commit together (or roll back together
when the block raises). Keep network I/O out of the block: it holds the write lock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, AsyncContextManager, Protocol

from lotsen.storage.models import AuditEntry, Case, CaseFilter, ChannelLink, Draft, Event


class Drafts(Protocol):
    async def get(self, key: str) -> Draft | None:
        """The unexpired draft of this key (person and conversation)."""

    async def save(
        self, key: str, flow: str, data: dict[str, Any], ttl: timedelta, expected_version: int | None = None
    ) -> int:
        """Create or replace; returns the new version. With `expected_version`, replace only
        if the stored draft still has that version, else raise DraftConflict."""

    async def delete(self, key: str) -> bool: ...

    async def purge_expired(self) -> int: ...


class Cases(Protocol):
    async def file(
        self,
        *,
        kind: str,
        prefix: str,
        year: int,
        form_id: str,
        municipality: str | None,
        reporter_aad: str,
        reporter_name: str,
        reporter_ref: dict[str, Any] | None,
        wants_feedback: bool,
        data: dict[str, Any],
        routed_to: dict[str, Any] | None = None,
        draft_key: str | None = None,
    ) -> tuple[Case, bool]:
        """File once per form id: reference `{prefix}-{year}-{n:04d}` (sequential per prefix and
        year), the case row with its routing, the first event, the audit entry and the draft
        removed, in one transaction. Returns (case, created); created is False when this form
        was filed before (by this or any other instance)."""

    async def get(self, reference: str) -> Case | None: ...

    async def by_form(self, form_id: str) -> Case | None: ...

    async def latest_by_reporter(self, reporter_aad: str, kinds: tuple[str, ...]) -> Case | None:
        """This person's most recently filed case of these kinds."""

    async def set_routing(
        self, case_id: int, routed_to: dict[str, Any], channel_ref: dict[str, Any] | None, channel_activity_id: str
    ) -> None: ...

    async def change_status(
        self, case_id: int, status: str, actor_aad: str, comment: str, data: dict[str, Any], once_key: str = ""
    ) -> Case:
        """With `once_key`: a second change with the same key (a retried or replayed activity)
        changes nothing and raises AlreadyRecorded with the case as it is."""

    async def events(self, case_id: int) -> list[Event]: ...

    async def list(self, where: CaseFilter, limit: int | None = None) -> list[Case]:
        """Most recent first."""

    async def count(self, where: CaseFilter) -> int: ...


class Channels(Protocol):
    async def link(self, kind: str, target: str, conversation_ref: dict[str, Any], actor: str) -> None:
        """Connect (or re-connect) and audit it. Re-connecting a conversation that refused
        messages (Conversations.mark_inactive) makes it active and requeues what was held for it."""

    async def unlink(self, kind: str, target: str, actor: str) -> bool: ...

    async def get(self, kind: str, target: str) -> ChannelLink | None: ...

    async def all(self, kind: str | None = None) -> list[ChannelLink]: ...


class Conversations(Protocol):
    """Conversation references for proactive messages (e.g. a reporter's personal chat)."""

    async def save(self, key: str, ref: dict[str, Any]) -> None: ...

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def mark_inactive(self, conversation_id: str, status: int | None, kind: str) -> bool:
        """Teams refused a message to this conversation for good (403/404: the bot was removed).
        `conversation_id` is models.conversation_key of its reference. True when newly marked."""

    async def inactive(self, conversation_id: str) -> dict[str, Any] | None:
        """{conversation_id, since, last_status, kind} when the conversation is marked inactive."""

    async def all_inactive(self) -> list[dict[str, Any]]: ...

    async def reactivate(self, conversation_id: str) -> int:
        """Clear the mark and requeue the messages held for it; returns how many."""


class Questions(Protocol):
    """What staff asked: answered, unanswered and feedback rows (questions already redacted)."""

    async def record_answered(self, entry_id: str) -> None: ...

    async def record_unanswered(
        self, question: str, question_norm: str, kind: str, offered: list[str] | None = None, ref: str | None = None
    ) -> None: ...

    async def resolve_suggestion(self, ref: str, kind: str | None = None) -> bool:
        """Mark an offered "menade du" as chosen (kind None) or rejected (kind given)."""

    async def question_for_suggestion(self, ref: str) -> str: ...

    async def record_feedback(
        self, entry_id: str, vote: str, question: str | None, question_norm: str | None, ref: str | None = None
    ) -> None:
        """`ref` identifies this vote so a reason can be added to it later (set_feedback_reason)."""

    async def set_feedback_reason(self, ref: str, reason: str, comment: str | None) -> bool:
        """What was wrong with an answer (after 👎); `comment` must already be free of personnummer.
        Returns False when no vote has this ref."""

    async def unanswered_rows(self, start: str, end: str) -> list[dict[str, Any]]:
        """Unanswered rows in [start, end], most recent first: at, kind, question, question_norm, offered."""

    async def feedback_rows(self, start: str, end: str, vote: str) -> list[dict[str, Any]]:
        """Feedback rows with this vote in [start, end], most recent first."""

    async def counts(self, start: str, end: str) -> dict[str, int]:
        """answered, unanswered, feedback_up, feedback_down in [start, end]."""


class Seen(Protocol):
    """Activities whose side effect is recorded (replay protection, kept SEEN_WINDOW)."""

    async def mark(self, key: str) -> bool:
        """Record `key`; False if it was recorded already (a replay). Use inside a unit of work
        together with the side effect."""

    async def purge(self, older_than: str) -> int:
        """Forget keys recorded before this stored timestamp; returns how many."""


class Navigator(Protocol):
    """Vägvisaren's anonymous counts: counters per UTC day only."""

    async def record(self, use: str, facts: list[str], rules: list[str]) -> None:
        """Count one use ("situation" | "recommendation" | "direct"), each fact as "fact=value" and
        each rule id that fired, separately, so nothing links them to each other, to a
        description or to a person."""

    async def counts(self, since: str, until: str) -> dict[str, dict[str, int]]:
        """{kind: {key: count}} for the days from since to until, both included (ISO dates or
        timestamps)."""


class Outbox(Protocol):
    """Proactive messages until Teams has them (lotsen.outbox drives delivery). Enqueue inside
    the unit of work that makes the state change, so both commit together."""

    async def enqueue(
        self,
        kind: str,
        conversation_ref: dict[str, Any],
        *,
        card: dict[str, Any] | None = None,
        text: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int: ...

    async def get(self, message_id: int) -> dict[str, Any] | None: ...

    async def claim_due(self, lease: timedelta, limit: int = 20) -> list[dict[str, Any]]:
        """Due pending messages, leased (no other instance gets them until the lease ends)."""

    async def claim(self, message_id: int, lease: timedelta) -> dict[str, Any] | None: ...

    async def delivered(self, message_id: int, activity_id: str) -> None: ...

    async def retry_at(self, message_id: int, delay: timedelta, status: int | None, error: str) -> int:
        """Count a failed attempt, due again after `delay`; returns the attempts so far."""

    async def give_up(self, message_id: int, final: str, status: int | None, error: str) -> None:
        """`final`: 'dead' (retries exhausted or refused) or 'inactive' (bot removed: 403/404)."""

    async def counts(self) -> dict[str, int]: ...

    async def failed(self) -> list[dict[str, Any]]: ...

    async def requeue_failed(self) -> int:
        """Make every dead-lettered or inactive message pending again (a coordinator's retry);
        the conversations that refused them are tried again too (their marks are cleared)."""


class Users(Protocol):
    """Per-person settings: only what a person chose to have remembered."""

    async def municipality(self, user_key: str) -> str | None:
        """The kommun a person gave last (for "Vem kontaktar jag?"), or None."""

    async def set_municipality(self, user_key: str, municipality: str | None) -> None:
        """Remember (or, with None, forget) a person's kommun. Nothing else is stored about them."""


class Audit(Protocol):
    async def record(
        self, event: str, actor: str | None = None, target: str | None = None, outcome: str = "ok"
    ) -> None: ...

    async def entries(self, event: str | None = None) -> list[AuditEntry]: ...


class Jobs(Protocol):
    """Work that must run once across all instances sharing the database."""

    async def claim(self, job: str, slot: str) -> bool:
        """True for exactly one caller per (job, slot), across instances and restarts."""


class Unit(Protocol):
    """Repositories bound to one transaction."""

    drafts: Drafts
    cases: Cases
    channels: Channels
    conversations: Conversations
    questions: Questions
    users: Users
    seen: Seen
    navigator: Navigator
    outbox: Outbox
    audit: Audit
    jobs: Jobs

    def now(self) -> str:
        """The store's clock as a stored timestamp (UTC ISO 8601, seconds)."""


class Store(Unit, Protocol):
    backend: str  # "sqlite" | "postgresql"
    opened_version: int  # the schema version open() left (no database round trip)
    latest_version: int  # the number of migrations this release has

    async def open(self) -> None:
        """Connect and apply pending migrations (safe when several processes start at once)."""

    async def close(self) -> None: ...

    def transaction(self) -> AsyncContextManager[Unit]: ...

    async def schema_version(self) -> int: ...

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""

    async def table_counts(self) -> dict[str, int]:
        """Rows per table (for copies between backends and for operators)."""
