"""The repositories in portable SQL (SQLite ≥ 3.35 and PostgreSQL ≥ 12 both run it)."""

from __future__ import annotations

import asyncio
import contextvars
import json
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Callable, Protocol, cast

from lotsen.storage.models import (
    AlreadyRecorded,
    AuditEntry,
    Case,
    CaseFilter,
    ChannelLink,
    Draft,
    DraftConflict,
    Event,
    conversation_key,
)

TABLES = (
    "drafts",
    "sequences",
    "cases",
    "case_events",
    "channel_links",
    "conversation_refs",
    "feedback",
    "unanswered",
    "answered",
    "audit",
    "job_claims",
    "user_settings",
    "seen_activities",
    "navigator_counts",
    "outbox",
    "inactive_conversations",
)

# The unanswered rows: "none", "suggest_rejected", and "suggest" nobody picked from.
_UNANSWERED = "(kind IN ('none', 'suggest_rejected') OR (kind = 'suggest' AND resolved = 0))"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Conn(Protocol):
    async def execute(self, sql: str, args: tuple | list = ()) -> int:
        """Run a statement; returns the number of rows changed."""

    async def one(self, sql: str, args: tuple | list = ()) -> dict[str, Any] | None: ...

    async def all(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]: ...

    async def lock(self, key: str) -> None:
        """Serialise the rest of this transaction with others that lock the same key."""


class Session(Protocol):
    clock: Callable[[], datetime]

    def write(self) -> Any:
        """async context manager: a Conn inside a transaction (the current one, if any)."""

    def read(self) -> Any:
        """async context manager: a Conn for reading (the current transaction's, if any)."""

    async def log(self, statements: list[tuple[str, tuple]]) -> None:
        """Statements that only add to a log or a counter (question log, navigator counts),
        committed when this returns: in the current transaction, if any, else together with the
        log writes of other turns waiting at the same moment (group commit, see SqlStore.log)."""


class _Repo:
    def __init__(self, session: Session):
        self.s = session

    def now(self) -> str:
        return iso(self.s.clock())


class SqlDrafts(_Repo):
    async def get(self, key: str) -> Draft | None:
        async with self.s.read() as c:
            row = await c.one(
                "SELECT flow, data, version FROM drafts WHERE key = ? AND expires_at > ?", (key, self.now())
            )
        return Draft(row["flow"], json.loads(row["data"]), int(row["version"])) if row else None

    async def save(
        self, key: str, flow: str, data: dict[str, Any], ttl: timedelta, expected_version: int | None = None
    ) -> int:
        now = self.s.clock()
        stamp, expires = iso(now), iso(now + ttl)
        async with self.s.write() as c:
            if expected_version is None:
                row = await c.one(
                    "INSERT INTO drafts (key, flow, data, updated_at, expires_at, version) VALUES (?, ?, ?, ?, ?, 1) "
                    "ON CONFLICT (key) DO UPDATE SET flow = excluded.flow, data = excluded.data, "
                    "updated_at = excluded.updated_at, expires_at = excluded.expires_at, "
                    "version = drafts.version + 1 RETURNING version",
                    (key, flow, dumps(data), stamp, expires),
                )
            else:
                row = await c.one(
                    "UPDATE drafts SET flow = ?, data = ?, updated_at = ?, expires_at = ?, version = version + 1 "
                    "WHERE key = ? AND version = ? AND expires_at > ? RETURNING version",
                    (flow, dumps(data), stamp, expires, key, expected_version, stamp),
                )
                if row is None:
                    raise DraftConflict(key)
        return int(row["version"])

    async def delete(self, key: str) -> bool:
        async with self.s.write() as c:
            return await c.execute("DELETE FROM drafts WHERE key = ?", (key,)) > 0

    async def purge_expired(self) -> int:
        async with self.s.write() as c:
            return await c.execute("DELETE FROM drafts WHERE expires_at <= ?", (self.now(),))


class SqlCases(_Repo):
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
        async with self.s.write() as c:
            await c.lock(f"form:{form_id}")  # two instances filing the same form: one waits, then finds it
            row = await c.one("SELECT * FROM cases WHERE form_id = ?", (form_id,))
            if row is not None:
                return Case.from_row(row), False
            stamp = self.now()
            number = (
                await c.one(
                    "INSERT INTO sequences (prefix, year, last) VALUES (?, ?, 1) "
                    "ON CONFLICT (prefix, year) DO UPDATE SET last = sequences.last + 1 RETURNING last",
                    (prefix, year),
                )
            )["last"]
            reference = f"{prefix}-{year}-{int(number):04d}"
            row = await c.one(
                "INSERT INTO cases (reference, kind, form_id, created_at, updated_at, municipality, status, "
                "reporter_aad, reporter_name, reporter_ref, wants_feedback, data, routed_to) "
                "VALUES (?, ?, ?, ?, ?, ?, 'mottagen', ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    reference,
                    kind,
                    form_id,
                    stamp,
                    stamp,
                    municipality,
                    reporter_aad,
                    reporter_name,
                    json.dumps(reporter_ref) if reporter_ref else None,
                    int(wants_feedback),
                    dumps(data),
                    dumps(routed_to) if routed_to else None,
                ),
            )
            await c.execute(
                "INSERT INTO case_events (case_id, at, actor_aad, status, comment) VALUES (?, ?, ?, 'mottagen', '')",
                (row["id"], stamp, reporter_aad),
            )
            await c.execute(
                "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'case_filed', ?, ?, 'ok')",
                (stamp, reporter_aad, reference),
            )
            if draft_key:
                await c.execute("DELETE FROM drafts WHERE key = ?", (draft_key,))
        return Case.from_row(row), True

    async def _one(self, column: str, value: str) -> Case | None:
        async with self.s.read() as c:
            row = await c.one(f"SELECT * FROM cases WHERE {column} = ?", (value,))
        return Case.from_row(row) if row else None

    async def get(self, reference: str) -> Case | None:
        return await self._one("reference", reference)

    async def by_form(self, form_id: str) -> Case | None:
        return await self._one("form_id", form_id)

    async def latest_by_reporter(self, reporter_aad: str, kinds: tuple[str, ...]) -> Case | None:
        async with self.s.read() as c:
            row = await c.one(
                f"SELECT * FROM cases WHERE reporter_aad = ? AND kind IN ({','.join('?' * len(kinds))}) "
                "ORDER BY id DESC LIMIT 1",
                (reporter_aad, *kinds),
            )
        return Case.from_row(row) if row else None

    async def set_routing(
        self, case_id: int, routed_to: dict[str, Any], channel_ref: dict[str, Any] | None, channel_activity_id: str
    ) -> None:
        async with self.s.write() as c:
            await c.execute(
                "UPDATE cases SET routed_to = ?, channel_ref = ?, channel_activity_id = ? WHERE id = ?",
                (
                    dumps(routed_to),
                    json.dumps(channel_ref) if channel_ref else None,
                    channel_activity_id or None,
                    case_id,
                ),
            )

    async def change_status(
        self, case_id: int, status: str, actor_aad: str, comment: str, data: dict[str, Any], once_key: str = ""
    ) -> Case:
        async with self.s.write() as c:
            stamp = self.now()
            if once_key and not await _mark_seen(c, once_key, stamp):
                row = await c.one("SELECT * FROM cases WHERE id = ?", (case_id,))
                raise AlreadyRecorded(Case.from_row(row))
            row = await c.one(
                "UPDATE cases SET status = ?, updated_at = ?, data = ? WHERE id = ? RETURNING *",
                (status, stamp, dumps(data), case_id),
            )
            if row is None:
                raise KeyError(case_id)
            await c.execute(
                "INSERT INTO case_events (case_id, at, actor_aad, status, comment) VALUES (?, ?, ?, ?, ?)",
                (case_id, stamp, actor_aad, status, comment),
            )
            await c.execute(
                "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'case_status', ?, ?, ?)",
                (stamp, actor_aad, row["reference"], status),
            )
        return Case.from_row(row)

    async def events(self, case_id: int) -> list[Event]:
        async with self.s.read() as c:
            rows = await c.all(
                "SELECT at, actor_aad, status, comment FROM case_events WHERE case_id = ? ORDER BY id", (case_id,)
            )
        return [Event(r["at"], r["actor_aad"] or "", r["status"] or "", r["comment"] or "") for r in rows]

    @staticmethod
    def _where(f: CaseFilter) -> tuple[str, list[Any]]:
        sql = f"WHERE kind IN ({','.join('?' * len(f.kinds))})"
        args: list[Any] = list(f.kinds)
        for clause, value in (
            ("reporter_aad = ?", f.reporter_aad),
            ("municipality = ?", f.municipality),
            ("status = ?", f.status),
            ("created_at >= ?", f.created_from),
            ("created_at < ?", f.created_before),
        ):
            if value:
                sql += f" AND {clause}"
                args.append(value)
        if f.statuses:
            sql += f" AND status IN ({','.join('?' * len(f.statuses))})"
            args.extend(f.statuses)
        return sql, args

    async def list(self, where: CaseFilter, limit: int | None = None) -> list[Case]:
        clause, args = self._where(where)
        sql = f"SELECT * FROM cases {clause} ORDER BY created_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        async with self.s.read() as c:
            return [Case.from_row(r) for r in await c.all(sql, args)]

    async def count(self, where: CaseFilter) -> int:
        clause, args = self._where(where)
        async with self.s.read() as c:
            return int((await c.one(f"SELECT COUNT(*) AS n FROM cases {clause}", args))["n"])


def _link(row: dict[str, Any], inactive: dict[str, dict[str, Any]]) -> ChannelLink:
    ref = json.loads(row["conversation_ref"])
    gone = inactive.get(conversation_key(ref))
    return ChannelLink(
        row["kind"],
        row["target"],
        ref,
        row["linked_by"] or "",
        row["linked_at"],
        inactive_since=gone["since"] if gone else None,
    )


async def _inactive(c: Conn) -> dict[str, dict[str, Any]]:
    return {r["conversation_id"]: r for r in await c.all("SELECT * FROM inactive_conversations")}


async def _reactivate(c: Conn, keys: set[str], now: str) -> int:
    """Forget that these conversations refused messages and put the messages held for them back
    in the queue; returns how many messages were requeued."""
    keys.discard("")
    if not keys:
        return 0
    for key in keys:
        await c.execute("DELETE FROM inactive_conversations WHERE conversation_id = ?", (key,))
    held = [
        r["id"]
        for r in await c.all("SELECT id, conversation_ref FROM outbox WHERE status = 'inactive'")
        if conversation_key(json.loads(r["conversation_ref"])) in keys
    ]
    for message_id in held:
        await c.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_at = ? WHERE id = ?", (now, message_id)
        )
    return len(held)


class SqlChannels(_Repo):
    async def link(self, kind: str, target: str, conversation_ref: dict[str, Any], actor: str) -> None:
        async with self.s.write() as c:
            stamp = self.now()
            await c.execute(
                "INSERT INTO channel_links (kind, target, conversation_ref, linked_by, linked_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, target) DO UPDATE SET conversation_ref = excluded.conversation_ref, "
                "linked_by = excluded.linked_by, linked_at = excluded.linked_at",
                (kind, target, json.dumps(conversation_ref), actor, stamp),
            )
            await c.execute(
                "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'channel_linked', ?, ?, 'ok')",
                (stamp, actor, f"{kind}:{target}"),
            )
            # Connecting a channel again (the bot was added back) makes it active and sends what waited.
            await _reactivate(c, {conversation_key(conversation_ref)}, stamp)

    async def unlink(self, kind: str, target: str, actor: str) -> bool:
        async with self.s.write() as c:
            removed = await c.execute("DELETE FROM channel_links WHERE kind = ? AND target = ?", (kind, target))
            await c.execute(
                "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'channel_unlinked', ?, ?, ?)",
                (self.now(), actor, f"{kind}:{target}", "ok" if removed else "none"),
            )
        return removed > 0

    async def get(self, kind: str, target: str) -> ChannelLink | None:
        async with self.s.read() as c:
            row = await c.one("SELECT * FROM channel_links WHERE kind = ? AND target = ?", (kind, target))
            return _link(row, await _inactive(c)) if row else None

    async def all(self, kind: str | None = None) -> list[ChannelLink]:
        sql, args = "SELECT * FROM channel_links", cast(tuple[str, ...], ())
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        async with self.s.read() as c:
            inactive = await _inactive(c)
            return [_link(r, inactive) for r in await c.all(sql + " ORDER BY kind, target", args)]


class SqlConversations(_Repo):
    async def save(self, key: str, ref: dict[str, Any]) -> None:
        async with self.s.write() as c:
            await c.execute(
                "INSERT INTO conversation_refs (user_key, ref, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at",
                (key, json.dumps(ref), self.now()),
            )

    async def get(self, key: str) -> dict[str, Any] | None:
        async with self.s.read() as c:
            row = await c.one("SELECT ref FROM conversation_refs WHERE user_key = ?", (key,))
        return json.loads(row["ref"]) if row else None

    async def mark_inactive(self, conversation_id: str, status: int | None, kind: str) -> bool:
        async with self.s.write() as c:
            return (
                await c.execute(
                    "INSERT INTO inactive_conversations (conversation_id, since, last_status, kind) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING",
                    (conversation_id, self.now(), status, kind),
                )
                > 0
            )

    async def inactive(self, conversation_id: str) -> dict[str, Any] | None:
        async with self.s.read() as c:
            return await c.one("SELECT * FROM inactive_conversations WHERE conversation_id = ?", (conversation_id,))

    async def all_inactive(self) -> list[dict[str, Any]]:
        async with self.s.read() as c:
            return await c.all("SELECT * FROM inactive_conversations ORDER BY since, conversation_id")

    async def reactivate(self, conversation_id: str) -> int:
        async with self.s.write() as c:
            return await _reactivate(c, {conversation_id}, self.now())


class SqlQuestions(_Repo):
    async def record_answered(self, entry_id: str) -> None:
        await self.s.log([("INSERT INTO answered (at, entry_id) VALUES (?, ?)", (self.now(), entry_id))])

    async def record_unanswered(
        self, question: str, question_norm: str, kind: str, offered: list[str] | None = None, ref: str | None = None
    ) -> None:
        await self.s.log(
            [
                (
                    "INSERT INTO unanswered (at, ref, kind, question, question_norm, offered) VALUES (?, ?, ?, ?, ?, ?)",
                    (self.now(), ref, kind, question, question_norm, json.dumps(offered or [])),
                )
            ]
        )

    async def resolve_suggestion(self, ref: str, kind: str | None = None) -> bool:
        async with self.s.write() as c:
            if kind is None:
                n = await c.execute("UPDATE unanswered SET resolved = 1 WHERE ref = ? AND resolved = 0", (ref,))
            else:
                n = await c.execute("UPDATE unanswered SET kind = ? WHERE ref = ? AND resolved = 0", (kind, ref))
        return n > 0

    async def question_for_suggestion(self, ref: str) -> str:
        async with self.s.read() as c:
            row = await c.one("SELECT question FROM unanswered WHERE ref = ? ORDER BY id DESC LIMIT 1", (ref,))
        return row["question"] if row else ""

    async def record_feedback(
        self, entry_id: str, vote: str, question: str | None, question_norm: str | None, ref: str | None = None
    ) -> None:
        async with self.s.write() as c:
            await c.execute(
                "INSERT INTO feedback (at, entry_id, vote, question, question_norm, ref) VALUES (?, ?, ?, ?, ?, ?)",
                (self.now(), entry_id, vote, question, question_norm, ref),
            )

    async def set_feedback_reason(self, ref: str, reason: str, comment: str | None) -> bool:
        async with self.s.write() as c:
            return (
                await c.execute("UPDATE feedback SET reason = ?, comment = ? WHERE ref = ?", (reason, comment, ref)) > 0
            )

    async def unanswered_rows(self, start: str, end: str) -> list[dict[str, Any]]:
        async with self.s.read() as c:
            return await c.all(
                f"SELECT at, kind, question, question_norm, offered FROM unanswered "
                f"WHERE at >= ? AND at <= ? AND {_UNANSWERED} ORDER BY at DESC, id DESC",
                (start, end),
            )

    async def feedback_rows(self, start: str, end: str, vote: str) -> list[dict[str, Any]]:
        async with self.s.read() as c:
            return await c.all(
                "SELECT at, entry_id, question, question_norm, reason, comment FROM feedback "
                "WHERE at >= ? AND at <= ? AND vote = ? ORDER BY at DESC, id DESC",
                (start, end, vote),
            )

    async def counts(self, start: str, end: str) -> dict[str, int]:
        async with self.s.read() as c:
            row = await c.one(
                "SELECT "
                "(SELECT COUNT(*) FROM answered WHERE at >= ? AND at <= ?) AS answered, "
                f"(SELECT COUNT(*) FROM unanswered WHERE at >= ? AND at <= ? AND {_UNANSWERED}) AS unanswered, "
                "(SELECT COUNT(*) FROM feedback WHERE at >= ? AND at <= ? AND vote = 'up') AS feedback_up, "
                "(SELECT COUNT(*) FROM feedback WHERE at >= ? AND at <= ? AND vote = 'down') AS feedback_down",
                (start, end) * 4,
            )
        return {k: int(v) for k, v in row.items()}


async def _mark_seen(c: Conn, key: str, at: str) -> bool:
    return (
        await c.execute("INSERT INTO seen_activities (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, at))
        == 1
    )


class SqlSeen(_Repo):
    async def mark(self, key: str) -> bool:
        async with self.s.write() as c:
            return await _mark_seen(c, key, self.now())

    async def purge(self, older_than: str) -> int:
        async with self.s.write() as c:
            return await c.execute("DELETE FROM seen_activities WHERE at < ?", (older_than,))


def _outbox_row(row: dict[str, Any]) -> dict[str, Any]:
    item = dict(row)
    item["conversation_ref"] = json.loads(item["conversation_ref"])
    item["card"] = json.loads(item["card"]) if item["card"] else None
    item["meta"] = json.loads(item["meta"] or "{}")
    return item


class SqlOutbox(_Repo):
    """Proactive messages until Teams has them (lotsen.outbox). Claims lease rows by moving
    next_at; on PostgreSQL the claim skips rows another instance holds (SKIP LOCKED)."""

    async def enqueue(
        self,
        kind: str,
        conversation_ref: dict[str, Any],
        *,
        card: dict[str, Any] | None = None,
        text: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int:
        stamp = self.now()
        async with self.s.write() as c:
            row = await c.one(
                "INSERT INTO outbox (kind, conversation_ref, card, text, meta, next_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    kind,
                    json.dumps(conversation_ref),
                    dumps(card) if card is not None else None,
                    text,
                    dumps(meta or {}),
                    stamp,
                    stamp,
                ),
            )
        return int(row["id"]) if row else 0

    async def get(self, message_id: int) -> dict[str, Any] | None:
        async with self.s.read() as c:
            row = await c.one("SELECT * FROM outbox WHERE id = ?", (message_id,))
        return _outbox_row(row) if row else None

    async def claim_due(self, lease: timedelta, limit: int = 20) -> list[dict[str, Any]]:
        until = iso(self.s.clock() + lease)
        async with self.s.write() as c:
            rows = await c.all(
                "SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id "
                f"LIMIT {int(limit)}{getattr(c, 'SKIP_LOCKED', '')}",
                (self.now(),),
            )
            for row in rows:
                await c.execute("UPDATE outbox SET next_at = ? WHERE id = ?", (until, row["id"]))
        return [_outbox_row(r) for r in rows]

    async def claim(self, message_id: int, lease: timedelta) -> dict[str, Any] | None:
        async with self.s.write() as c:
            row = await c.one(
                "SELECT * FROM outbox WHERE id = ? AND status = 'pending' AND next_at <= ?"
                f"{getattr(c, 'SKIP_LOCKED', '')}",
                (message_id, self.now()),
            )
            if row is None:
                return None
            await c.execute("UPDATE outbox SET next_at = ? WHERE id = ?", (iso(self.s.clock() + lease), message_id))
        return _outbox_row(row)

    async def delivered(self, message_id: int, activity_id: str) -> None:
        async with self.s.write() as c:
            await c.execute(
                "UPDATE outbox SET status = 'delivered', delivered_at = ?, activity_id = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                (self.now(), activity_id, message_id),
            )

    async def retry_at(self, message_id: int, delay: timedelta, status: int | None, error: str) -> int:
        async with self.s.write() as c:
            row = await c.one(
                "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_status = ?, "
                "last_error = ? WHERE id = ? RETURNING attempts",
                (iso(self.s.clock() + delay), status, error[:200], message_id),
            )
        return int(row["attempts"]) if row else 0

    async def give_up(self, message_id: int, final: str, status: int | None, error: str) -> None:
        async with self.s.write() as c:
            await c.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?",
                (final, status, error[:200], message_id),
            )

    async def counts(self) -> dict[str, int]:
        async with self.s.read() as c:
            rows = await c.all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    async def failed(self) -> list[dict[str, Any]]:
        async with self.s.read() as c:
            rows = await c.all("SELECT * FROM outbox WHERE status IN ('dead', 'inactive') ORDER BY id")
        return [_outbox_row(r) for r in rows]

    async def requeue_failed(self) -> int:
        async with self.s.write() as c:
            # A coordinator's retry: the conversations that refused are tried again, too.
            refused = await c.all("SELECT conversation_ref FROM outbox WHERE status = 'inactive'")
            for key in {conversation_key(json.loads(r["conversation_ref"])) for r in refused}:
                await c.execute("DELETE FROM inactive_conversations WHERE conversation_id = ?", (key,))
            return await c.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_at = ? WHERE status IN ('dead', 'inactive')",
                (self.now(),),
            )


class SqlNavigator(_Repo):
    async def record(self, use: str, facts: list[str], rules: list[str]) -> None:
        day = self.now()[:10]
        keys = [("use", use)] + [("fact", f) for f in facts] + [("rule", r) for r in rules]
        await self.s.log(
            [
                (
                    "INSERT INTO navigator_counts (day, kind, key, n) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (day, kind, key) DO UPDATE SET n = navigator_counts.n + 1",
                    (day, kind, key[:100]),
                )
                for kind, key in keys
            ]
        )

    async def counts(self, since: str, until: str) -> dict[str, dict[str, int]]:
        async with self.s.read() as c:
            rows = await c.all(
                "SELECT kind, key, SUM(n) AS n FROM navigator_counts WHERE day >= ? AND day <= ? GROUP BY kind, key",
                (since[:10], until[:10]),
            )
        out: dict[str, dict[str, int]] = {}
        for row in rows:
            out.setdefault(row["kind"], {})[row["key"]] = int(row["n"])
        return out


class SqlUsers(_Repo):
    async def municipality(self, user_key: str) -> str | None:
        async with self.s.read() as c:
            row = await c.one("SELECT municipality FROM user_settings WHERE user_key = ?", (user_key,))
        return row["municipality"] if row else None

    async def set_municipality(self, user_key: str, municipality: str | None) -> None:
        async with self.s.write() as c:
            await c.execute(
                "INSERT INTO user_settings (user_key, municipality, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET municipality = excluded.municipality, "
                "updated_at = excluded.updated_at",
                (user_key, municipality, self.now()),
            )


class SqlAudit(_Repo):
    async def record(
        self, event: str, actor: str | None = None, target: str | None = None, outcome: str = "ok"
    ) -> None:
        async with self.s.write() as c:
            await c.execute(
                "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, ?, ?, ?, ?)",
                (self.now(), event, actor, target, outcome),
            )

    async def entries(self, event: str | None = None) -> list[AuditEntry]:
        sql, args = "SELECT at, event, actor, target, outcome FROM audit", cast(tuple[str, ...], ())
        if event:
            sql, args = sql + " WHERE event = ?", (event,)
        async with self.s.read() as c:
            rows = await c.all(sql + " ORDER BY id", args)
        return [AuditEntry(r["at"], r["event"], r["actor"], r["target"], r["outcome"]) for r in rows]


class SqlJobs(_Repo):
    async def claim(self, job: str, slot: str) -> bool:
        async with self.s.write() as c:
            return (
                await c.execute(
                    "INSERT INTO job_claims (job, slot, claimed_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (job, slot) DO NOTHING",
                    (job, slot, self.now()),
                )
                == 1
            )


class SqlUnit:
    """Every repository, all on one session."""

    def __init__(self, session: Session):
        self._session = session
        self.drafts = SqlDrafts(session)
        self.cases = SqlCases(session)
        self.channels = SqlChannels(session)
        self.conversations = SqlConversations(session)
        self.questions = SqlQuestions(session)
        self.users = SqlUsers(session)
        self.seen = SqlSeen(session)
        self.navigator = SqlNavigator(session)
        self.outbox = SqlOutbox(session)
        self.audit = SqlAudit(session)
        self.jobs = SqlJobs(session)

    def now(self) -> str:
        return iso(self._session.clock())


class _Bound:
    """A session on one connection inside a transaction: every call joins it."""

    def __init__(self, conn: Conn, clock: Callable[[], datetime]):
        self.conn, self.clock = conn, clock

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        yield self.conn

    read = write

    async def log(self, statements: list[tuple[str, tuple]]) -> None:
        for sql, args in statements:
            await self.conn.execute(sql, args)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


class SqlStore(SqlUnit):
    """A store on a backend that provides `_begin()` (a Conn in a new transaction, committed
    when the block ends, rolled back when it raises) and `_reader()` (a Conn for reads).

    Calls on the store itself run in their own transaction, or join the transaction the
    calling task has open (`async with store.transaction()`), so nothing deadlocks on it."""

    backend = "sql"

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self._current: contextvars.ContextVar[Conn | None] = contextvars.ContextVar(f"tx{id(self)}", default=None)
        self._log_queue: list[tuple[list[tuple[str, tuple]], asyncio.Future[None]]] = []
        self._log_writer: asyncio.Task[None] | None = None
        super().__init__(self)

    def now(self) -> str:
        return iso(self.clock())

    def _begin(self) -> Any:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._begin() as conn:
            token = self._current.set(conn)
            try:
                yield conn
            finally:
                self._current.reset(token)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._reader() as conn:
            yield conn

    async def log(self, statements: list[tuple[str, tuple]]) -> None:
        """Group commit for log rows: every turn still waits until its rows are committed
        (synchronous=FULL on SQLite), but the rows of the turns that arrive while one batch is
        being written go into the next batch: one transaction, one fsync and (on SQLite) one
        thread hop for all of them, instead of one each. A batch that fails is retried row by
        row, so one bad row fails only its own caller. Nothing but log rows takes this path:
        drafts and filings keep their own units of work."""
        current = self._current.get()
        if current is not None:  # inside a unit of work: part of it
            for sql, args in statements:
                await current.execute(sql, args)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._log_queue.append((statements, done))
        if self._log_writer is None or self._log_writer.done():
            self._log_writer = asyncio.ensure_future(self._write_logs())
        await asyncio.shield(done)

    async def _write_logs(self) -> None:
        while self._log_queue:
            batch, self._log_queue = self._log_queue, []
            try:
                await self._write_batch([s for statements, _ in batch for s in statements])
            except asyncio.CancelledError as stop:  # shutting down: nobody may wait forever
                for _, done in batch + self._log_queue:
                    _settle(done, stop)
                self._log_queue = []
                raise
            except Exception as error:  # noqa: BLE001 - handed to the callers
                if len(batch) == 1:
                    _settle(batch[0][1], error)
                    continue
                for statements, done in batch:  # one at a time: only the bad row's caller fails
                    try:
                        await self._write_batch(statements)
                    except Exception as single:  # noqa: BLE001
                        _settle(done, single)
                    else:
                        _settle(done, None)
                continue
            for _, done in batch:
                _settle(done, None)

    async def _write_batch(self, statements: list[tuple[str, tuple]]) -> None:
        """The statements in one transaction (a backend may do it in fewer round trips)."""
        async with self.write() as c:
            for sql, args in statements:
                await c.execute(sql, args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnit]:
        async with self.write() as conn:
            yield SqlUnit(_Bound(conn, self.clock))

    async def table_counts(self) -> dict[str, int]:
        async with self.read() as c:
            return {t: int((await c.one(f"SELECT COUNT(*) AS n FROM {t}") or {"n": 0})["n"]) for t in TABLES}
