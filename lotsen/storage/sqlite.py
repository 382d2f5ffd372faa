"""SQLite storage: one file, WAL journal, synchronous=FULL, schema-versioned.

All access happens on the event loop thread without awaiting inside a transaction, so
each method is atomic for the process; UNIQUE constraints (form_id, reference) make
filing idempotent across processes sharing the file too.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from lotsen.storage.migrations import MIGRATIONS


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path | str, *, clock=utcnow):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.migrate()

    # --- plumbing ---------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolls back on any exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def now(self) -> str:
        return _iso(self.clock())

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        current = self.schema_version
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.transaction() as db:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    # --- drafts (flow state) ------------------------------------------------------------

    def get_draft(self, key: str) -> tuple[str, dict[str, Any]] | None:
        row = self.db.execute("SELECT flow, data, expires_at FROM drafts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row["expires_at"] <= self.now():
            self.db.execute("DELETE FROM drafts WHERE key = ?", (key,))
            return None
        return row["flow"], json.loads(row["data"])

    def save_draft(self, key: str, flow: str, data: dict[str, Any], ttl: timedelta) -> None:
        now = self.clock()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO drafts (key, flow, data, updated_at, expires_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET flow = excluded.flow, data = excluded.data, "
                "updated_at = excluded.updated_at, expires_at = excluded.expires_at",
                (key, flow, json.dumps(data, ensure_ascii=False), _iso(now), _iso(now + ttl)),
            )

    def delete_draft(self, key: str) -> None:
        self.db.execute("DELETE FROM drafts WHERE key = ?", (key,))

    def purge_expired_drafts(self) -> int:
        return self.db.execute("DELETE FROM drafts WHERE expires_at <= ?", (self.now(),)).rowcount

    # --- outbox (lotsen.outbox) ----------------------------------------------------------------

    def outbox_enqueue(self, kind: str, conversation_ref: dict[str, Any], *, card: dict[str, Any] | None = None,
                       text: str | None = None, meta: dict[str, Any] | None = None,
                       db: sqlite3.Connection | None = None) -> int:
        """Add a message to deliver; pass `db` to join the caller's transaction."""
        stamp = self.now()
        cur = (db or self.db).execute(
            "INSERT INTO outbox (kind, conversation_ref, card, text, meta, next_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, json.dumps(conversation_ref), json.dumps(card, ensure_ascii=False) if card is not None else None,
             text, json.dumps(meta or {}, ensure_ascii=False), stamp, stamp))
        return int(cur.lastrowid or 0)

    @staticmethod
    def _outbox_row(row: sqlite3.Row) -> dict[str, Any]:
        item = dict(row)
        item["conversation_ref"] = json.loads(item["conversation_ref"])
        item["card"] = json.loads(item["card"]) if item["card"] else None
        item["meta"] = json.loads(item["meta"] or "{}")
        return item

    def outbox_get(self, message_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM outbox WHERE id = ?", (message_id,)).fetchone()
        return self._outbox_row(row) if row else None

    def outbox_claim_due(self, lease: timedelta, limit: int = 20) -> list[dict[str, Any]]:
        """Pending messages that are due, leased for `lease` (so another process sharing the
        file does not send them too; an expired lease after a crash makes them due again)."""
        now = self.now()
        until = _iso(self.clock() + lease)
        with self.transaction() as db:
            rows = db.execute("SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id "
                              "LIMIT ?", (now, limit)).fetchall()
            for row in rows:
                db.execute("UPDATE outbox SET next_at = ? WHERE id = ?", (until, row["id"]))
        return [self._outbox_row(r) for r in rows]

    def outbox_claim(self, message_id: int, lease: timedelta) -> dict[str, Any] | None:
        """Lease one pending, due message (for the first attempt inside a turn)."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM outbox WHERE id = ? AND status = 'pending' AND next_at <= ?",
                             (message_id, self.now())).fetchone()
            if row is None:
                return None
            db.execute("UPDATE outbox SET next_at = ? WHERE id = ?", (_iso(self.clock() + lease), message_id))
        return self._outbox_row(row)

    def outbox_delivered(self, message_id: int, activity_id: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'delivered', delivered_at = ?, activity_id = ?, "
                        "attempts = attempts + 1 WHERE id = ?", (self.now(), activity_id, message_id))

    def outbox_retry_at(self, message_id: int, delay: timedelta, status: int | None, error: str) -> int:
        """Count a failed attempt and make the message due again after `delay`; returns attempts."""
        with self.transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_status = ?, last_error = ? "
                       "WHERE id = ?", (_iso(self.clock() + delay), status, error[:200], message_id))
            return int(db.execute("SELECT attempts FROM outbox WHERE id = ?", (message_id,)).fetchone()[0])

    def outbox_give_up(self, message_id: int, final: str, status: int | None, error: str) -> None:
        """`final`: 'dead' (retries exhausted or refused) or 'inactive' (bot removed: 403/404)."""
        self.db.execute("UPDATE outbox SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ? "
                        "WHERE id = ?", (final, status, error[:200], message_id))

    def outbox_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
        return {r[0]: r[1] for r in rows}

    def outbox_failed(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM outbox WHERE status IN ('dead', 'inactive') ORDER BY id").fetchall()
        return [self._outbox_row(r) for r in rows]

    def outbox_requeue_failed(self) -> int:
        """Make every dead-lettered or inactive message pending again (a coordinator's retry)."""
        return self.db.execute("UPDATE outbox SET status = 'pending', attempts = 0, next_at = ? "
                               "WHERE status IN ('dead', 'inactive')", (self.now(),)).rowcount

    # --- replay protection -----------------------------------------------------------------

    # A Bot Framework token lives about an hour (+ 5 min clock skew); a captured request can be
    # replayed only that long, and Teams retries within seconds. A day covers both.
    SEEN_WINDOW = timedelta(hours=24)

    @staticmethod
    def mark_seen(db: sqlite3.Connection, key: str, at: str) -> bool:
        """Inside a transaction: record `key`; False if it was recorded already (a replay)."""
        return db.execute("INSERT OR IGNORE INTO seen_activities (key, at) VALUES (?, ?)", (key, at)).rowcount == 1

    def purge_seen_activities(self) -> int:
        cutoff = _iso(self.clock() - self.SEEN_WINDOW)
        return self.db.execute("DELETE FROM seen_activities WHERE at < ?", (cutoff,)).rowcount

    # --- conversation references (for personal notifications) ------------------------------

    def save_conversation_ref(self, user_key: str, ref: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO conversation_refs (user_key, ref, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at",
            (user_key, json.dumps(ref), self.now()),
        )

    def conversation_ref(self, user_key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT ref FROM conversation_refs WHERE user_key = ?", (user_key,)).fetchone()
        return json.loads(row["ref"]) if row else None

    # --- what staff asked ------------------------------------------------------------------

    def record_answered(self, entry_id: str) -> None:
        self.db.execute("INSERT INTO answered (at, entry_id) VALUES (?, ?)", (self.now(), entry_id))

    def record_unanswered(self, question: str, question_norm: str, kind: str, offered: list[str] | None = None,
                          ref: str | None = None) -> None:
        """`question` must already be redacted of personnummer (see lotsen.pii.redact)."""
        self.db.execute(
            "INSERT INTO unanswered (at, ref, kind, question, question_norm, offered) VALUES (?, ?, ?, ?, ?, ?)",
            (self.now(), ref, kind, question, question_norm, json.dumps(offered or [])),
        )

    def resolve_suggestion(self, ref: str, kind: str | None = None) -> bool:
        """Mark an offered "menade du" as chosen (kind None) or rejected (kind given)."""
        if kind is None:
            cur = self.db.execute("UPDATE unanswered SET resolved = 1 WHERE ref = ? AND resolved = 0", (ref,))
        else:
            cur = self.db.execute("UPDATE unanswered SET kind = ? WHERE ref = ? AND resolved = 0", (kind, ref))
        return cur.rowcount > 0

    def record_feedback(self, entry_id: str, vote: str, question: str | None, question_norm: str | None,
                        ref: str | None = None) -> None:
        """`ref` identifies this vote so a reason can be added to it later (set_feedback_reason)."""
        self.db.execute(
            "INSERT INTO feedback (at, entry_id, vote, question, question_norm, ref) VALUES (?, ?, ?, ?, ?, ?)",
            (self.now(), entry_id, vote, question, question_norm, ref),
        )

    def set_feedback_reason(self, ref: str, reason: str, comment: str | None) -> bool:
        """What was wrong with an answer (after 👎); `comment` must already be free of personnummer.
        Returns False when no vote has this ref."""
        cur = self.db.execute("UPDATE feedback SET reason = ?, comment = ? WHERE ref = ?", (reason, comment, ref))
        return cur.rowcount > 0

    # --- per-person settings -----------------------------------------------------------------

    def user_municipality(self, user_key: str) -> str | None:
        """The kommun a person gave last (for "Vem kontaktar jag?"), or None."""
        row = self.db.execute("SELECT municipality FROM user_settings WHERE user_key = ?", (user_key,)).fetchone()
        return row["municipality"] if row else None

    def set_user_municipality(self, user_key: str, municipality: str | None) -> None:
        """Remember (or, with None, forget) a person's kommun. Nothing else is stored about them."""
        self.db.execute(
            "INSERT INTO user_settings (user_key, municipality, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET municipality = excluded.municipality, updated_at = excluded.updated_at",
            (user_key, municipality, self.now()),
        )

    # --- the navigator (Vägvisaren): anonymous counts only -----------------------------------

    def record_navigator_use(self, use: str, facts: list[str], rules: list[str]) -> None:
        """Count one use of the navigator for the coordinators' statistics. Only counters per day:
        `use` ("situation" | "recommendation"), each fact as "fact=value" and each rule id that fired
        are counted separately, so nothing links them to each other, to a description or to a person."""
        day = self.now()[:10]
        keys = [("use", use)] + [("fact", f) for f in facts] + [("rule", r) for r in rules]
        with self.transaction() as db:
            for kind, key in keys:
                db.execute(
                    "INSERT INTO navigator_counts (day, kind, key, n) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (day, kind, key) DO UPDATE SET n = n + 1",
                    (day, kind, key[:100]),
                )

    def navigator_counts(self, since: str, until: str) -> dict[str, dict[str, int]]:
        """{kind: {key: count}} for the days from since to until, both included (ISO dates or
        timestamps; counts are kept per UTC day)."""
        rows = self.db.execute(
            "SELECT kind, key, SUM(n) AS n FROM navigator_counts WHERE day >= ? AND day <= ? GROUP BY kind, key",
            (since[:10], until[:10]),
        ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for row in rows:
            out.setdefault(row["kind"], {})[row["key"]] = int(row["n"])
        return out

    def audit(self, event: str, actor: str | None = None, target: str | None = None, outcome: str = "ok") -> None:
        self.db.execute(
            "INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, ?, ?, ?, ?)",
            (self.now(), event, actor, target, outcome),
        )
