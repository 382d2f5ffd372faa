"""Filed cases: deviation reports ("avvikelse") and Arena/SIP requests ("arena", "sip").

Filing is idempotent on the form's id: the same form submitted twice (double click,
concurrent submits, Teams redelivering the activity) files exactly one case, and the
second attempt gets the first one's reference.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from lotsen.storage import Store

STATUS_TITLES: dict[str, dict[str, str]] = {
    "avvikelse": {
        "mottagen": "Mottagen",
        "under-utredning": "Under utredning",
        "atgardad": "Åtgärdad",
        "avslutad": "Avslutad",
    },
    "arena": {
        "mottagen": "Mottagen",
        "bokad": "Bokad",
        "avbojd": "Avböjd",
        "genomford": "Genomförd",
    },
}
STATUS_TITLES["sip"] = STATUS_TITLES["arena"]
KIND_TITLES = {"avvikelse": "Avvikelse i samverkan", "arena": "Arena-konsultation", "sip": "SIP-möte"}
REFERENCE_PREFIX = {"avvikelse": "AVV", "arena": "ARENA", "sip": "SIP"}


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

    @property
    def status_title(self) -> str:
        return STATUS_TITLES.get(self.kind, {}).get(self.status, self.status)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Case":
        return cls(
            id=row["id"], reference=row["reference"], kind=row["kind"], form_id=row["form_id"],
            created_at=row["created_at"], updated_at=row["updated_at"], municipality=row["municipality"],
            status=row["status"], reporter_aad=row["reporter_aad"] or "", reporter_name=row["reporter_name"] or "",
            reporter_ref=json.loads(row["reporter_ref"]) if row["reporter_ref"] else None,
            wants_feedback=bool(row["wants_feedback"]), data=json.loads(row["data"]),
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


def file_case(store: Store, *, kind: str, form_id: str, municipality: str | None, reporter_aad: str,
              reporter_name: str, reporter_ref: dict[str, Any] | None, wants_feedback: bool,
              data: dict[str, Any], draft_key: str | None = None) -> tuple[Case, bool]:
    """Store a case in one transaction (reference, row, first event, draft removed).

    Returns (case, created). created is False when this form was already filed."""
    prefix = REFERENCE_PREFIX[kind]
    with store.transaction() as db:
        row = db.execute("SELECT * FROM cases WHERE form_id = ?", (form_id,)).fetchone()
        if row is not None:
            return Case.from_row(row), False
        now = store.clock()
        year = now.year
        number = db.execute(
            "INSERT INTO sequences (prefix, year, last) VALUES (?, ?, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last",
            (prefix, year),
        ).fetchone()[0]
        reference = f"{prefix}-{year}-{number:04d}"
        stamp = store.now()
        cur = db.execute(
            "INSERT INTO cases (reference, kind, form_id, created_at, updated_at, municipality, status, "
            "reporter_aad, reporter_name, reporter_ref, wants_feedback, data) "
            "VALUES (?, ?, ?, ?, ?, ?, 'mottagen', ?, ?, ?, ?, ?)",
            (reference, kind, form_id, stamp, stamp, municipality, reporter_aad, reporter_name,
             json.dumps(reporter_ref) if reporter_ref else None, int(wants_feedback),
             json.dumps(data, ensure_ascii=False)),
        )
        db.execute("INSERT INTO case_events (case_id, at, actor_aad, status, comment) VALUES (?, ?, ?, 'mottagen', '')",
                   (cur.lastrowid, stamp, reporter_aad))
        db.execute("INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'case_filed', ?, ?, 'ok')",
                   (stamp, reporter_aad, reference))
        if draft_key:
            db.execute("DELETE FROM drafts WHERE key = ?", (draft_key,))
        row = db.execute("SELECT * FROM cases WHERE id = ?", (cur.lastrowid,)).fetchone()
    return Case.from_row(row), True


def get_case(store: Store, reference: str) -> Case | None:
    row = store.db.execute("SELECT * FROM cases WHERE reference = ?", (reference,)).fetchone()
    return Case.from_row(row) if row else None


def case_by_form(store: Store, form_id: str) -> Case | None:
    row = store.db.execute("SELECT * FROM cases WHERE form_id = ?", (form_id,)).fetchone()
    return Case.from_row(row) if row else None


def set_routing(store: Store, case: Case, routed_to: dict[str, Any], channel_ref: dict[str, Any] | None = None,
                channel_activity_id: str = "") -> None:
    store.db.execute(
        "UPDATE cases SET routed_to = ?, channel_ref = ?, channel_activity_id = ? WHERE id = ?",
        (json.dumps(routed_to, ensure_ascii=False), json.dumps(channel_ref) if channel_ref else None,
         channel_activity_id or None, case.id),
    )
    case.routed_to, case.channel_ref, case.channel_activity_id = routed_to, channel_ref, channel_activity_id


def change_status(store: Store, case: Case, status: str, actor_aad: str, comment: str = "",
                  extra: dict[str, Any] | None = None) -> Case:
    """Record a status change (and optional details such as a booked time) atomically."""
    if status not in STATUS_TITLES[case.kind]:
        raise ValueError(f"unknown status {status!r} for {case.kind}")
    with store.transaction() as db:
        stamp = store.now()
        data = dict(case.data)
        if extra:
            data.setdefault("handling", {}).update(extra)
        db.execute("UPDATE cases SET status = ?, updated_at = ?, data = ? WHERE id = ?",
                   (status, stamp, json.dumps(data, ensure_ascii=False), case.id))
        db.execute("INSERT INTO case_events (case_id, at, actor_aad, status, comment) VALUES (?, ?, ?, ?, ?)",
                   (case.id, stamp, actor_aad, status, comment))
        db.execute("INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'case_status', ?, ?, ?)",
                   (stamp, actor_aad, case.reference, status))
        row = db.execute("SELECT * FROM cases WHERE id = ?", (case.id,)).fetchone()
    return Case.from_row(row)


def events(store: Store, case: Case) -> list[Event]:
    rows = store.db.execute(
        "SELECT at, actor_aad, status, comment FROM case_events WHERE case_id = ? ORDER BY id", (case.id,)
    ).fetchall()
    return [Event(r["at"], r["actor_aad"] or "", r["status"] or "", r["comment"] or "") for r in rows]


def list_cases(store: Store, *, kinds: tuple[str, ...], municipality: str | None = None, status: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int | None = None) -> list[Case]:
    """Cases filtered by kind, municipality, status and created date (ISO dates, inclusive)."""
    sql = f"SELECT * FROM cases WHERE kind IN ({','.join('?' * len(kinds))})"
    args: list[Any] = list(kinds)
    if municipality:
        sql += " AND municipality = ?"
        args.append(municipality)
    if status:
        sql += " AND status = ?"
        args.append(status)
    if date_from:
        sql += " AND substr(created_at, 1, 10) >= ?"
        args.append(date_from)
    if date_to:
        sql += " AND substr(created_at, 1, 10) <= ?"
        args.append(date_to)
    sql += " ORDER BY created_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Case.from_row(r) for r in store.db.execute(sql, args).fetchall()]
