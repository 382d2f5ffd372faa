"""The weekly digest for coordinators, posted to every channel connected with
"koppla kanal sammanfattning": questions answered and not answered, the most frequent
unanswered questions, negative feedback, and new reports and requests by status.

The schedule is DIGEST_SCHEDULE / DIGEST_TIMEZONE (lotsen.schedule). A scheduled digest is
claimed in the audit table before it is sent, so two processes (or a restart in the same
minute) never post the same week twice. Coordinators can send one by hand with
"skicka sammanfattning"; `python -m scripts.digest` previews it on the command line.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

from cards.render import render
from lotsen import cases, channels, insights
from lotsen.casekinds import CaseKinds
from lotsen.kb.model import KnowledgeBase
from lotsen.outbox import for_services as outbox_for
from lotsen.schedule import WeeklySchedule
from lotsen.storage import Store
from lotsen.texts import say, say_list

log = logging.getLogger(__name__)

KIND = "sammanfattning"  # the channel link kind (lotsen.channels)
DAYS = 7
TOP = 5
MONTHS = say_list("digest.months")


@dataclass
class CaseCount:
    kind: str
    title: str
    total: int
    by_status: list[tuple[str, int]]  # (status title, count), in the order of the kind's statuses


@dataclass
class NavigatorCount:
    """Vägvisaren: anonymous counts only (Store.navigator_counts)."""

    uses: int = 0  # descriptions the navigator took (a situation card or straight to advice)
    recommendations: int = 0
    top_rules: list[tuple[str, int]] = field(default_factory=list)  # (rule id, times it fired)


@dataclass
class Digest:
    period: insights.Period
    counts: insights.Counts
    unanswered: list[insights.QuestionGroup]
    negative: list[insights.QuestionGroup]
    cases: list[CaseCount] = field(default_factory=list)
    navigator: NavigatorCount = field(default_factory=NavigatorCount)


async def build_digest(
    store: Store, now: datetime, *, kinds: CaseKinds | None = None, days: int = DAYS, top: int = TOP
) -> Digest:
    """The digest of the `days` before `now`; cases counted per kind in `kinds` (Services.kinds)."""
    period = insights.Period.last_days(now, days)
    start, end = period.args
    # list_cases takes Swedish calendar days: the days the period's two instants fall on there
    # (the UTC date is a day early between midnight in Sweden and midnight UTC).
    first_day, last_day = (cases.to_local(stamp).date().isoformat() for stamp in (start, end))
    case_counts = []
    for kind in kinds or ():
        found = [
            c
            for c in await cases.list_cases(store, kinds=(kind.id,), date_from=first_day, date_to=last_day)
            if start <= c.created_at <= end
        ]
        by_status = [(title, sum(1 for c in found if c.status == status)) for status, title in kind.statuses.items()]
        title = kind.digest_title or kind.title
        case_counts.append(CaseCount(kind.id, title, len(found), [s for s in by_status if s[1]]))
    nav = await store.navigator.counts(start, end)
    uses = nav.get("use", {})
    rules = sorted(nav.get("rule", {}).items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return Digest(
        period=period,
        counts=await insights.counts(store, period),
        unanswered=await insights.unanswered(store, period, limit=top),
        negative=await insights.feedback(store, period, "down", limit=top),
        cases=case_counts,
        navigator=NavigatorCount(
            uses=uses.get("situation", 0) + uses.get("direct", 0),
            recommendations=uses.get("recommendation", 0),
            top_rules=rules,
        ),
    )


def period_text(period: insights.Period, zone: ZoneInfo) -> str:
    """ "16–22 november 2026" (the days the period covers, local time)."""
    first = period.start.astimezone(zone).date()
    last = period.end.astimezone(zone).date()
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} – {last.day} {MONTHS[last.month - 1]} {last.year}"
    return f"{first.isoformat()} – {last.isoformat()}"


def _question_line(group: insights.QuestionGroup, kb: KnowledgeBase | None, with_entry: bool) -> str:
    line = f"{group.count} × {group.question}"
    if with_entry and group.entries:
        entry = group.entries[0]
        title = kb.entries[entry].question if kb and entry in kb.entries else entry
        if title != group.question:
            line += say("digest.answer_of", answer=title)
        why = insights.reasons_text(group)
        if why:
            line += f" – {why}"
    return line


def _case_value(count: CaseCount) -> str:
    if not count.total:
        return "0"
    return f"{count.total} ({', '.join(f'{title} {n}' for title, n in count.by_status)})"


def digest_data(digest: Digest, kb: KnowledgeBase | None, zone: ZoneInfo) -> dict[str, Any]:
    c = digest.counts
    return {
        "period": period_text(digest.period, zone),
        "counts": [
            {"title": say("digest.answered"), "value": str(c.answered)},
            {"title": say("digest.unanswered"), "value": str(c.unanswered)},
            {"title": say("digest.feedback"), "value": f"{c.feedback_up} 👍 · {c.feedback_down} 👎"},
        ],
        "unanswered": [_question_line(g, kb, False) for g in digest.unanswered],
        "negative": [_question_line(g, kb, True) for g in digest.negative],
        "cases": [{"title": cc.title, "value": _case_value(cc)} for cc in digest.cases],
        "navigator": [
            {"title": say("digest.situations"), "value": str(digest.navigator.uses)},
            {"title": say("digest.recommendations"), "value": str(digest.navigator.recommendations)},
        ],
        "navigator_rules": [f"{n} × {_rule_title(kb, rid)}" for rid, n in digest.navigator.top_rules],
        "days": digest.period.days,
    }


def _rule_title(kb: KnowledgeBase | None, rule_id: str) -> str:
    nav = getattr(kb, "navigator", None) if kb else None
    rule = next((r for r in nav.rules if r.id == rule_id), None) if nav else None
    return rule.title.replace("{kommun}", say("digest.the_municipality")) if rule else rule_id


def digest_card(digest: Digest, kb: KnowledgeBase | None, zone: ZoneInfo) -> dict[str, Any]:
    return render("digest", **digest_data(digest, kb, zone))


def digest_lines(digest: Digest, kb: KnowledgeBase | None, zone: ZoneInfo) -> list[str]:
    """Plain text for the command line."""
    data = digest_data(digest, kb, zone)
    out = [say("digest.heading", period=data["period"]), ""]
    out += [f"{f['title']}: {f['value']}" for f in data["counts"]]
    out += ["", say("digest.top_unanswered")] + [
        f"  {line}" for line in data["unanswered"] or [say("digest.none_unanswered")]
    ]
    out += ["", say("digest.negative")] + [f"  {line}" for line in data["negative"] or [say("digest.none_negative")]]
    out += ["", say("digest.new_cases")] + [f"  {f['title']}: {f['value']}" for f in data["cases"]]
    out += ["", say("digest.navigator")] + [f"  {f['title']}: {f['value']}" for f in data["navigator"]]
    out += [f"  {line}" for line in data["navigator_rules"]]
    return out


# --- sending -------------------------------------------------------------------------------


@dataclass
class SendResult:
    channels: list[str] = field(default_factory=list)  # labels of the channels it was posted to
    failed: list[str] = field(default_factory=list)
    already_sent: bool = False
    card: dict[str, Any] | None = None


async def send_digest(
    services: Any, *, now: datetime | None = None, slot: str | None = None, actor: str = ""
) -> SendResult:
    """Build the digest for the last week and post it to every "sammanfattning" channel.

    `slot` (the scheduled moment) makes the send idempotent: the claim on the slot (this or any
    other instance sharing the database) and the queued posts (outbox) are one transaction, so
    a crash cannot leave a claimed slot with nothing queued. A digest sent by hand has no slot."""
    store: Store = services.store
    now = now or services.clock()
    zone = ZoneInfo(services.settings.digest_timezone)
    digest = await build_digest(store, now, kinds=services.kinds)
    card = digest_card(digest, services.knowledge.kb, zone)
    result = SendResult(card=card)
    outbox = outbox_for(services)
    queued: list[tuple[str, int]] = []
    async with store.transaction() as tx:
        if slot is not None:
            if not await tx.jobs.claim("digest", slot):
                return SendResult(already_sent=True)
            await tx.audit.record("digest_sent", "schema", slot, "ok")
        for link in await channels.all_links(tx, KIND):
            if outbox is None:
                result.failed.append(link.label)
                continue
            queued.append(
                (
                    link.label,
                    await outbox.add("digest", link.conversation_ref, card=card, meta={"label": link.label}, tx=tx),
                )
            )
    for label, message_id in queued:
        # Queued with the claim; delivered now or by the outbox worker (retries, restarts).
        try:
            activity_id = await outbox.send_now(message_id) if outbox is not None else None
        except Exception:  # noqa: BLE001 - queued; the worker keeps trying
            log.exception("first delivery of the digest for %s failed", label)
            activity_id = None
        if activity_id is None:
            log.warning("the digest for %s is not delivered yet; the outbox keeps trying", label)
            result.failed.append(label)
        else:
            result.channels.append(label)
    if slot is None:
        await store.audit.record("digest_sent", actor or None, "hand", "ok" if not result.failed else "partial")
    log.info("digest sent to %d channel(s), %d failed", len(result.channels), len(result.failed))
    return result


async def run_schedule(
    services: Any,
    schedule: WeeklySchedule,
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    max_nap: float = 900.0,
) -> None:
    """Send the digest at every scheduled moment, forever (cancel the task to stop).

    Naps at most `max_nap` seconds at a time, so a changed system clock is noticed."""
    due = schedule.next_after(services.clock())
    log.info("next weekly digest: %s", due.isoformat())
    while True:
        remaining = (due - services.clock()).total_seconds()
        if remaining > 0:
            await sleep(min(remaining, max_nap))
            continue
        try:
            await send_digest(services, now=due, slot=due.isoformat())
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep the schedule alive
            log.exception("the weekly digest failed")
        due = schedule.next_after(max(due, services.clock()))
