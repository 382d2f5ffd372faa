"""Filed cases: deviation reports ("avvikelse") and Arena/SIP requests ("arena", "sip").

Filing is idempotent on the form's id: the same form submitted twice (double click,
concurrent submits, Teams redelivering the activity) files exactly one case, and the
second attempt gets the first one's reference.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping

from lotsen.storage import Store

# Read-only tables (the case kinds' records in lotsen.casekinds are built from them).
_REQUEST_STATUSES = MappingProxyType({
    "mottagen": "Mottagen",
    "bokad": "Bokad",
    "avbojd": "Avböjd",
    "genomford": "Genomförd",
})
STATUS_TITLES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "avvikelse": MappingProxyType({
        "mottagen": "Mottagen",
        "under-utredning": "Under utredning",
        "atgardad": "Åtgärdad",
        "avslutad": "Avslutad",
    }),
    "arena": _REQUEST_STATUSES,
    "sip": _REQUEST_STATUSES,
})
KIND_TITLES: Mapping[str, str] = MappingProxyType(
    {"avvikelse": "Avvikelse i samverkan", "arena": "Arena-konsultation", "sip": "SIP-möte"})
REFERENCE_PREFIX: Mapping[str, str] = MappingProxyType({"avvikelse": "AVV", "arena": "ARENA", "sip": "SIP"})
LOCAL_ZONE = "Europe/Stockholm"


@lru_cache(maxsize=1)
def local_zone() -> tzinfo | None:
    """Swedish time for dates people read and periods they ask for (None: the host's zone)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(LOCAL_ZONE)
    except Exception:  # noqa: BLE001 - no tz database on the host: fall back to its local time
        return None


def to_local(stamp: str) -> datetime:
    """A stored UTC timestamp (ISO 8601) in Swedish time."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(local_zone())


def local_stamp(stamp: str) -> str:
    """"2026-03-01 09:30" in Swedish time."""
    return to_local(stamp).strftime("%Y-%m-%d %H:%M")


def local_date(stamp: str) -> str:
    return to_local(stamp).date().isoformat()


def _utc_start_of(day: date) -> str:
    """The first instant of a Swedish calendar day, as a stored (UTC) timestamp."""
    zone = local_zone()
    start = datetime.combine(day, time(0, 0), tzinfo=zone) if zone else datetime.combine(day, time(0, 0)).astimezone()
    return start.astimezone(timezone.utc).isoformat(timespec="seconds")


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
        stamp = store.now()
        year = to_local(stamp).year  # the Swedish year, also in the hour around New Year
        number = db.execute(
            "INSERT INTO sequences (prefix, year, last) VALUES (?, ?, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last",
            (prefix, year),
        ).fetchone()[0]
        reference = f"{prefix}-{year}-{number:04d}"
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
                  extra: dict[str, Any] | None = None, *, once_key: str = "") -> Case:
    """Record a status change (and optional details such as a booked time) atomically.

    `once_key` (the activity that asked for it): a second change with the same key within
    Store.SEEN_WINDOW (a connector retry, a replayed request) changes nothing and raises
    AlreadyRecorded carrying the case as it is."""
    if status not in STATUS_TITLES[case.kind]:
        raise ValueError(f"unknown status {status!r} for {case.kind}")
    with store.transaction() as db:
        stamp = store.now()
        if once_key and not store.mark_seen(db, f"case.status|{once_key}", stamp):
            row = db.execute("SELECT * FROM cases WHERE id = ?", (case.id,)).fetchone()
            raise AlreadyRecorded(Case.from_row(row))
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


class AlreadyRecorded(Exception):
    """The activity's change was recorded before (a retry or replay); `case` is the case now."""

    def __init__(self, case: Case):
        super().__init__(case.reference)
        self.case = case


def events(store: Store, case: Case) -> list[Event]:
    rows = store.db.execute(
        "SELECT at, actor_aad, status, comment FROM case_events WHERE case_id = ? ORDER BY id", (case.id,)
    ).fetchall()
    return [Event(r["at"], r["actor_aad"] or "", r["status"] or "", r["comment"] or "") for r in rows]


def _where(kinds: tuple[str, ...], municipality: str | None, status: str | None, statuses: tuple[str, ...] | None,
           date_from: str | None, date_to: str | None, reporter_aad: str | None = None) -> tuple[str, list[Any]]:
    sql = f"WHERE kind IN ({','.join('?' * len(kinds))})"
    args: list[Any] = list(kinds)
    if reporter_aad:
        sql += " AND reporter_aad = ?"
        args.append(reporter_aad)
    if municipality:
        sql += " AND municipality = ?"
        args.append(municipality)
    if status:
        sql += " AND status = ?"
        args.append(status)
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        args.extend(statuses)
    if date_from:
        sql += " AND created_at >= ?"
        args.append(_utc_start_of(date.fromisoformat(date_from)))
    if date_to:
        sql += " AND created_at < ?"
        args.append(_utc_start_of(date.fromisoformat(date_to) + timedelta(days=1)))
    return sql, args


def list_cases(store: Store, *, kinds: tuple[str, ...], municipality: str | None = None, status: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int | None = None,
               statuses: tuple[str, ...] | None = None, reporter_aad: str | None = None) -> list[Case]:
    """Cases filtered by kind, municipality, status (one, or any of `statuses`), the date they
    came in (ISO dates, inclusive, Swedish calendar days) and who filed them, most recent first."""
    where, args = _where(kinds, municipality, status, statuses, date_from, date_to, reporter_aad)
    sql = f"SELECT * FROM cases {where} ORDER BY created_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Case.from_row(r) for r in store.db.execute(sql, args).fetchall()]


def count_cases(store: Store, *, kinds: tuple[str, ...], municipality: str | None = None, status: str | None = None,
                date_from: str | None = None, date_to: str | None = None,
                statuses: tuple[str, ...] | None = None, reporter_aad: str | None = None) -> int:
    """How many cases list_cases would return without a limit."""
    where, args = _where(kinds, municipality, status, statuses, date_from, date_to, reporter_aad)
    return int(store.db.execute(f"SELECT COUNT(*) FROM cases {where}", args).fetchone()[0])
