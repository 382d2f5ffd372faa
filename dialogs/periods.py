"""Filters typed after a coordinator's command: kommun, period and status.

A period is a year (2026), a month (2026-03), one date (from that day) or two dates
(from, to; inclusive), counted on the Swedish calendar day the case came in."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from dialogs.texts import StatusWords, dialog_texts, dialog_words
from lotsen.kb.model import KnowledgeBase
from lotsen.text import fold

KIND = "avvikelse"

# --- filters ---------------------------------------------------------------------------------


@dataclass
class Filters:
    municipality: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    statuses: tuple[str, ...] = ()
    status_label: str = ""
    problems: list[str] = field(default_factory=list)

    def query(self) -> dict[str, Any]:
        return {
            "kinds": (KIND,),
            "municipality": self.municipality,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "statuses": self.statuses or None,
        }

    def year(self) -> int | None:
        """The calendar year the period is, if it is exactly one."""
        if not (self.date_from and self.date_to):
            return None
        start, end = date.fromisoformat(self.date_from), date.fromisoformat(self.date_to)
        whole = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year
        return start.year if whole else None

    def period_label(self) -> str:
        texts = dialog_texts()
        if (year := self.year()) is not None:
            return texts("filter_year", year=year)
        if self.date_from and self.date_to:
            return texts("filter_between", start=self.date_from, end=self.date_to)
        if self.date_from:
            return texts("filter_from", start=self.date_from)
        if self.date_to:
            return texts("filter_to", end=self.date_to)
        return texts("filter_always")

    def describe(self, kb: KnowledgeBase) -> str:
        muni = kb.municipalities.get(self.municipality or "")
        parts = [muni.name if muni else dialog_texts()("filter_all_municipalities"), self.period_label().capitalize()]
        if self.status_label:
            parts.append(self.status_label)
        return " · ".join(parts)


def _valid_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_filters(
    kb: KnowledgeBase,
    text: str,
    status_words: tuple[StatusWords, ...] | None = None,
    filler: frozenset[str] = frozenset(),
) -> Filters:
    """Kommun, period and status from what follows the command ("vetlanda 2026 under utredning").
    `status_words` (default: the deviation statuses) and extra `filler` words serve other case kinds
    (the words are dialogs/words.yaml)."""
    words_file = dialog_words()
    texts = dialog_texts()
    status_words = words_file.deviation_statuses if status_words is None else status_words
    filters = Filters()
    rest = " " + fold(text) + " "

    # Dates: "till 2026-06-30" is an end date; otherwise the first date is the start.
    dates: list[tuple[str, date]] = []
    for match in list(re.finditer(r"(?:(till(?: och med)?|tom|t\.o\.m\.?)\s+)?(\d{4})-(\d{1,2})-(\d{1,2})", rest)):
        day = _valid_date(match.group(2), match.group(3), match.group(4))
        if day is None:
            filters.problems.append(texts("filter_bad_date", text=match.group(0).strip()))
        else:
            dates.append(("to" if match.group(1) else "from", day))
    rest = re.sub(r"(?:(till(?: och med)?|tom|t\.o\.m\.?)\s+)?\d{4}-\d{1,2}-\d{1,2}", " ", rest)
    months = [(int(y), int(m)) for y, m in re.findall(r"\b(\d{4})-(\d{1,2})\b", rest)]
    rest = re.sub(r"\b\d{4}-\d{1,2}\b", " ", rest)
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", rest)]
    rest = re.sub(r"\b(?:19|20)\d{2}\b", " ", rest)

    if dates:
        starts = [d for kind, d in dates if kind == "from"]
        ends = [d for kind, d in dates if kind == "to"]
        if len(starts) >= 2 and not ends:
            starts, ends = starts[:1], starts[1:2]
        if starts:
            filters.date_from = min(starts).isoformat()
        if ends:
            filters.date_to = max(ends).isoformat()
    elif months:
        valid = [(y, m) for y, m in months if 1 <= m <= 12]
        if len(valid) != len(months):
            filters.problems.append(texts("filter_bad_month"))
        if valid:
            (y1, m1), (y2, m2) = min(valid), max(valid)
            filters.date_from = date(y1, m1, 1).isoformat()
            filters.date_to = date(y2, m2, calendar.monthrange(y2, m2)[1]).isoformat()
    elif years:
        filters.date_from = date(min(years), 1, 1).isoformat()
        filters.date_to = date(max(years), 12, 31).isoformat()
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters.problems.append(texts("filter_reversed"))

    statuses: list[str] = []
    labels: list[str] = []
    for entry in status_words:
        if re.search(rf"\b(?:{entry.pattern})\b", rest):
            rest = re.sub(rf"\b(?:{entry.pattern})\b", " ", rest)
            statuses.extend(v for v in entry.statuses if v not in statuses)
            labels.append(entry.label)
    filters.statuses = tuple(statuses)
    filters.status_label = texts("filter_or").join(labels)

    words = [w for w in re.findall(r"[0-9a-z]+", rest) if w not in words_file.filler and w not in filler]
    if words:
        muni, used = _municipality(kb, words)
        if muni is not None:
            filters.municipality = muni
            words = [w for w in words if w not in used]
        if words:
            filters.problems.append(texts("filter_not_understood", words=" ".join(words)))
    return filters


def _municipality(kb: KnowledgeBase, words: list[str]) -> tuple[str | None, set[str]]:
    """A kommun named by one or two words (exact, alias, or a small typo)."""
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            chunk = words[i : i + size]
            muni = kb.municipality_by_name(" ".join(chunk))
            if muni is not None:
                return muni.id, set(chunk)
    best: tuple[float, str, str] | None = None
    for word in words:
        if len(word) < 4:
            continue
        for muni in kb.municipalities.values():
            score = fuzz.ratio(word, fold(muni.name))
            if score >= 85 and (best is None or score > best[0]):
                best = (score, muni.id, word)
    return (best[1], {best[2]}) if best else (None, set())
