"""Filed cases: deviation reports ("avvikelse") and Arena/SIP requests ("arena", "sip").

Filing is idempotent on the form's id: the same form submitted twice (double click,
concurrent submits, Teams redelivering the activity) files exactly one case, and the
second attempt gets the first one's reference.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from lotsen.storage import AlreadyRecorded, Case, CaseFilter, Event, Unit

__all__ = ["AlreadyRecorded", "Case", "Event"]

# A kind's reference prefix, titles and statuses are its lotsen.casekinds.CaseKind record.
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
    """ "2026-03-01 09:30" in Swedish time."""
    return to_local(stamp).strftime("%Y-%m-%d %H:%M")


def local_date(stamp: str) -> str:
    return to_local(stamp).date().isoformat()


def _utc_start_of(day: date) -> str:
    """The first instant of a Swedish calendar day, as a stored (UTC) timestamp."""
    zone = local_zone()
    start = datetime.combine(day, time(0, 0), tzinfo=zone) if zone else datetime.combine(day, time(0, 0)).astimezone()
    return start.astimezone(timezone.utc).isoformat(timespec="seconds")


async def file_case(
    store: Unit,
    *,
    kind: str,
    prefix: str,
    form_id: str,
    municipality: str | None,
    reporter_aad: str,
    reporter_name: str,
    reporter_ref: dict[str, Any] | None,
    wants_feedback: bool,
    data: dict[str, Any],
    draft_key: str | None = None,
    routed_to: dict[str, Any] | None = None,
) -> tuple[Case, bool]:
    """Store a case in one transaction (reference `<prefix>-<year>-<number>`, row with its routing,
    first event, audit entry, draft removed). `store` may be a unit of work (`store.transaction()`) to add more
    to the same transaction.

    Returns (case, created). created is False when this form was already filed."""
    year = to_local(store.now()).year  # the Swedish year, also in the hour around New Year
    return await store.cases.file(
        kind=kind,
        prefix=prefix,
        year=year,
        form_id=form_id,
        municipality=municipality,
        reporter_aad=reporter_aad,
        reporter_name=reporter_name,
        reporter_ref=reporter_ref,
        wants_feedback=wants_feedback,
        data=data,
        routed_to=routed_to,
        draft_key=draft_key,
    )


async def get_case(store: Unit, reference: str) -> Case | None:
    return await store.cases.get(reference)


async def case_by_form(store: Unit, form_id: str) -> Case | None:
    return await store.cases.by_form(form_id)


async def set_routing(
    store: Unit,
    case: Case,
    routed_to: dict[str, Any],
    channel_ref: dict[str, Any] | None = None,
    channel_activity_id: str = "",
) -> None:
    await store.cases.set_routing(case.id, routed_to, channel_ref, channel_activity_id)
    case.routed_to, case.channel_ref, case.channel_activity_id = routed_to, channel_ref, channel_activity_id


async def change_status(
    store: Unit,
    case: Case,
    status: str,
    actor_aad: str,
    comment: str = "",
    extra: dict[str, Any] | None = None,
    *,
    once_key: str = "",
    statuses: Collection[str] | None = None,
) -> Case:
    """Record a status change (and optional details such as a booked time) atomically.

    `once_key` (the activity that asked for it): a second change with the same key within
    SEEN_WINDOW (a connector retry, a replayed request) changes nothing and raises
    AlreadyRecorded carrying the case as it is. `statuses`: the kind's statuses (its CaseKind),
    when the caller has them; another status is refused."""
    if statuses is not None and status not in statuses:
        raise ValueError(f"unknown status {status!r} for {case.kind}")
    data = dict(case.data)
    if extra:
        data.setdefault("handling", {}).update(extra)
    return await store.cases.change_status(
        case.id, status, actor_aad, comment, data, once_key=f"case.status|{once_key}" if once_key else ""
    )


async def events(store: Unit, case: Case) -> list[Event]:
    return await store.cases.events(case.id)


def _filter(
    kinds: tuple[str, ...],
    municipality: str | None,
    status: str | None,
    statuses: tuple[str, ...] | None,
    date_from: str | None,
    date_to: str | None,
    reporter_aad: str | None = None,
) -> CaseFilter:
    return CaseFilter(
        kinds=tuple(kinds),
        municipality=municipality or None,
        status=status or None,
        statuses=statuses or None,
        reporter_aad=reporter_aad or None,
        created_from=_utc_start_of(date.fromisoformat(date_from)) if date_from else None,
        created_before=_utc_start_of(date.fromisoformat(date_to) + timedelta(days=1)) if date_to else None,
    )


async def list_cases(
    store: Unit,
    *,
    kinds: tuple[str, ...],
    municipality: str | None = None,
    status: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
    statuses: tuple[str, ...] | None = None,
    reporter_aad: str | None = None,
) -> list[Case]:
    """Cases filtered by kind, municipality, status (one, or any of `statuses`), the date they
    came in (ISO dates, inclusive, Swedish calendar days) and who filed them, most recent first."""
    return await store.cases.list(
        _filter(kinds, municipality, status, statuses, date_from, date_to, reporter_aad), limit
    )


async def count_cases(
    store: Unit,
    *,
    kinds: tuple[str, ...],
    municipality: str | None = None,
    status: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    statuses: tuple[str, ...] | None = None,
    reporter_aad: str | None = None,
) -> int:
    """How many cases list_cases would return without a limit."""
    return await store.cases.count(_filter(kinds, municipality, status, statuses, date_from, date_to, reporter_aad))
