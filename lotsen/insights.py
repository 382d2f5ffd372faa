"""What staff asked: unanswered questions and feedback, grouped for coordinators.

lotsen.features.qa writes the rows (questions are redacted of personnummer before they are
stored); this module only reads them. A question counts as unanswered when the bot said
"Det vet jag tyvärr inte", or offered "Menade du …?" and nothing was chosen (rejected with
"Ingen av dessa", or left unanswered). Questions are grouped by their normalised text
(lotsen.text.normalise), so "Vem kallar till SIP?" and "vem kallar till sip" are one group.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from lotsen.storage import Unit
from lotsen.texts import say

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, now: datetime, days: int) -> "Period":
        return cls(now - timedelta(days=days), now)

    @property
    def days(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 86400))

    @property
    def args(self) -> tuple[str, str]:
        return _iso(self.start), _iso(self.end)


@dataclass
class QuestionGroup:
    norm: str
    question: str  # the latest wording (already redacted)
    count: int
    last_at: str
    # entries offered (unanswered) or rated (feedback), most frequent first
    entries: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    # feedback only: why the answer did not help (reason value → count), and the latest comments
    reasons: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


async def unanswered(store: Unit, period: Period, limit: int | None = None) -> list[QuestionGroup]:
    """Unanswered questions in the period, most frequent first (then most recent)."""
    rows = await store.questions.unanswered_rows(*period.args)
    groups: dict[str, QuestionGroup] = {}
    offered: dict[str, Counter] = {}
    for row in rows:
        norm = row["question_norm"] or row["question"]
        group = groups.get(norm)
        if group is None:
            group = groups[norm] = QuestionGroup(norm, row["question"], 0, row["at"])
            offered[norm] = Counter()
        group.count += 1
        group.kinds[row["kind"]] = group.kinds.get(row["kind"], 0) + 1
        try:
            offered[norm].update(json.loads(row["offered"] or "[]"))
        except (TypeError, ValueError):
            pass
    for norm, group in groups.items():
        group.entries = [eid for eid, _ in offered[norm].most_common()]
    return _ranked(groups.values(), limit)


async def feedback(store: Unit, period: Period, vote: str = "down", limit: int | None = None) -> list[QuestionGroup]:
    """Feedback with this vote in the period, grouped by the normalised question."""
    rows = await store.questions.feedback_rows(*period.args, vote)
    groups: dict[str, QuestionGroup] = {}
    entries: dict[str, Counter] = {}
    for row in rows:
        question = row["question"] or row["entry_id"]
        norm = row["question_norm"] or question
        group = groups.get(norm)
        if group is None:
            group = groups[norm] = QuestionGroup(norm, question, 0, row["at"])
            entries[norm] = Counter()
        group.count += 1
        entries[norm][row["entry_id"]] += 1
        if row["reason"]:
            group.reasons[row["reason"]] = group.reasons.get(row["reason"], 0) + 1
        if row["comment"] and len(group.comments) < 3:
            group.comments.append(row["comment"])
    for norm, group in groups.items():
        group.entries = [eid for eid, _ in entries[norm].most_common()]
    return _ranked(groups.values(), limit)


REASON_TITLES = {
    "fel-svar": say("insights.reasons.fel_svar"),
    "svaret-saknas": say("insights.reasons.svaret_saknas"),
    "svart-att-forsta": say("insights.reasons.svart_att_forsta"),
    "annat": say("insights.reasons.annat"),
}


def reasons_text(group: QuestionGroup) -> str:
    """ "fel svar 2, svårt att förstå 1" (most frequent first), or "" when nobody said why."""
    ranked = sorted(group.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{REASON_TITLES.get(r, r)} {n}" for r, n in ranked)


def _ranked(groups, limit: int | None) -> list[QuestionGroup]:
    """Most frequent first; among equals, the most recent first."""
    ranked = sorted(groups, key=lambda g: g.last_at, reverse=True)
    ranked.sort(key=lambda g: -g.count)
    return ranked[:limit] if limit else ranked


@dataclass(frozen=True)
class Counts:
    answered: int
    unanswered: int
    feedback_up: int
    feedback_down: int

    @property
    def questions(self) -> int:
        return self.answered + self.unanswered


async def counts(store: Unit, period: Period) -> Counts:
    return Counts(**await store.questions.counts(*period.args))


async def question_for_suggestion(store: Unit, ref: str) -> str:
    """The (redacted) question a "Menade du …?" card was offered for, or ""."""
    return await store.questions.question_for_suggestion(ref)
