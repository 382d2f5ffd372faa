"""Coordinators' view of deviation reports: a filtered list, the yearly compilation and export.

Typed commands (coordinators only, by Entra object id; in a channel after @mentioning the bot):
    lista avvikelser [kommun] [period] [status]     the most recent reports, as a card
    sammanställning [år | period] [kommun]          counts in the shape of Bilaga 6 (seed 003)
    exportera avvikelser [period]                   how to get every report into Excel

A period is a year (2026), a month (2026-03), one date (from that day) or two dates
(from, to; inclusive), counted on the Swedish calendar day the report came in.

The compilation follows "Sammanställning och analys för avvikelser i samverkan 2024"
(Höglandets samordningsförbund, årsredovisning 2024, Bilaga 6): number of reports and how
many are serious, berörda samverkansparter ("Regionen 5 varav psykiatri 3 …"), orsaker,
konsekvenser, lösningar and vidtagna åtgärder; plus severity and kommun. Section titles and
option titles come from knowledge/forms.yaml, so a renamed option is renamed here too.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from rapidfuzz import fuzz

from cards.render import render
from dialogs.views import display
from lotsen import cases
from lotsen.assistant import Assistant
from lotsen.casekinds import CaseKinds
from lotsen.context import Context
from lotsen.fields import Field
from lotsen.kb.model import KnowledgeBase
from lotsen.text import fold
from lotsen.turn import Card, Out, Text

KIND = "avvikelse"
LIST_CAP = 25
FREE_TEXT_CAP = 10
FREE_TEXT_CHARS = 200
SOURCE_NOTE = ("Upplägget följer Bilaga 6 i Höglandets samordningsförbunds årsredovisning 2024 "
               "(003_9e0fac3eaf44f1c1.txt), ”Sammanställning och analys för avvikelser i samverkan”.")
MULTI_NOTE = ("En rapport kan gälla flera parter, orsaker och konsekvenser. Därför kan summan i ett "
              "avsnitt bli större än antalet rapporter.")
SERIOUS = "allvarlig"  # the value of "Allvarlig" in the list avvikelse-allvarlighet (values never change)

# Status words people type → stored statuses (avvikelse).
STATUS_WORDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (r"under utredning|utreds", ("under-utredning",), "Under utredning"),
    (r"oppna|pagaende|ej avslutade|inte avslutade|ohanterade", ("mottagen", "under-utredning"),
     "Öppna (mottagna eller under utredning)"),
    (r"klara|hanterade", ("atgardad", "avslutad"), "Hanterade (åtgärdade eller avslutade)"),
    (r"mottagen|mottagna|mottaget|nya", ("mottagen",), "Mottagen"),
    (r"atgardad|atgardade|atgardat", ("atgardad",), "Åtgärdad"),
    (r"avslutad|avslutade|avslutat|stangda", ("avslutad",), "Avslutad"),
)
FILLER = frozenset("""
    avvikelser avvikelse avvikelserna avvikelserapporter rapporter rapporterna arenden alla for fran och med
    till i pa perioden period mellan kommun kommunen kommuner status ar aret under som fom tom hela lanet lan
    se visa lista
""".split())
PERIOD_HELP = ("Skriv till exempel **{cmd}**, **{cmd} vetlanda**, **{cmd} 2026**, "
               "**{cmd} 2026-01-01 2026-06-30** eller **{cmd} under utredning**.")

# Sections of the compilation: (field id in the form, pick list in knowledge/forms.yaml, free-text field, order).
SECTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("parter", "avvikelse-parter", "", "count"),
    ("orsaker", "avvikelse-orsaker", "orsak_annat", "count"),
    ("konsekvenser", "avvikelse-konsekvenser", "konsekvens_annat", "count"),
    ("losningar", "avvikelse-losningar", "losning_text", "count"),
    ("atgarder", "avvikelse-atgarder", "atgard_text", "count"),
    ("allvarlighet", "avvikelse-allvarlighet", "", "list"),
    ("kommun", "", "", "count"),
    ("insats", "avvikelse-insats", "", "count"),
    ("status", "", "", "list"),
)
FREE_TEXT_TITLES = {"orsak_annat": "Annan orsak", "konsekvens_annat": "Annan konsekvens",
                    "losning_text": "Eget förslag", "atgard_text": "Beskriven åtgärd"}
FALLBACK_TITLES = {"parter": "Berörda samverkansparter", "orsaker": "Orsaker", "konsekvenser": "Konsekvenser",
                   "losningar": "Förslag på lösning", "atgarder": "Redan vidtagna åtgärder",
                   "allvarlighet": "Allvarlighetsgrad", "kommun": "Kommun",
                   "insats": "Insats eller process som berörs", "status": "Status"}


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
        return {"kinds": (KIND,), "municipality": self.municipality, "date_from": self.date_from,
                "date_to": self.date_to, "statuses": self.statuses or None}

    def period_label(self) -> str:
        if self.date_from and self.date_to:
            start, end = date.fromisoformat(self.date_from), date.fromisoformat(self.date_to)
            if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
                return f"år {start.year}"
            return f"{self.date_from} – {self.date_to}"
        if self.date_from:
            return f"från och med {self.date_from}"
        if self.date_to:
            return f"till och med {self.date_to}"
        return "hela tiden"

    def describe(self, kb: KnowledgeBase) -> str:
        muni = kb.municipalities.get(self.municipality or "")
        parts = [muni.name if muni else "Alla kommuner", self.period_label().capitalize()]
        if self.status_label:
            parts.append(self.status_label)
        return " · ".join(parts)


def _valid_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_filters(kb: KnowledgeBase, text: str, status_words=None, filler: frozenset[str] = frozenset()) -> Filters:
    """Kommun, period and status from what follows the command ("vetlanda 2026 under utredning").
    `status_words` (default: the deviation statuses) and extra `filler` words serve other case kinds."""
    status_words = STATUS_WORDS if status_words is None else status_words
    filters = Filters()
    rest = " " + fold(text) + " "

    # Dates: "till 2026-06-30" is an end date; otherwise the first date is the start.
    dates: list[tuple[str, date]] = []
    for match in list(re.finditer(r"(?:(till(?: och med)?|tom|t\.o\.m\.?)\s+)?(\d{4})-(\d{1,2})-(\d{1,2})", rest)):
        day = _valid_date(match.group(2), match.group(3), match.group(4))
        if day is None:
            filters.problems.append(f"{match.group(0).strip()} är inget giltigt datum.")
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
            filters.problems.append("Månaden ska vara 01–12, till exempel 2026-03.")
        if valid:
            (y1, m1), (y2, m2) = min(valid), max(valid)
            filters.date_from = date(y1, m1, 1).isoformat()
            filters.date_to = date(y2, m2, calendar.monthrange(y2, m2)[1]).isoformat()
    elif years:
        filters.date_from = date(min(years), 1, 1).isoformat()
        filters.date_to = date(max(years), 12, 31).isoformat()
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters.problems.append("Startdatumet ligger efter slutdatumet.")

    statuses: list[str] = []
    labels: list[str] = []
    for pattern, values, label in status_words:
        if re.search(rf"\b(?:{pattern})\b", rest):
            rest = re.sub(rf"\b(?:{pattern})\b", " ", rest)
            statuses.extend(v for v in values if v not in statuses)
            labels.append(label)
    filters.statuses = tuple(statuses)
    filters.status_label = " eller ".join(labels)

    words = [w for w in re.findall(r"[0-9a-z]+", rest) if w not in FILLER and w not in filler]
    if words:
        muni, used = _municipality(kb, words)
        if muni is not None:
            filters.municipality = muni
            words = [w for w in words if w not in used]
        if words:
            filters.problems.append(f"Jag förstod inte ”{' '.join(words)}”.")
    return filters


def _municipality(kb: KnowledgeBase, words: list[str]) -> tuple[str | None, set[str]]:
    """A kommun named by one or two words (exact, alias, or a small typo)."""
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            chunk = words[i:i + size]
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


# --- titles ----------------------------------------------------------------------------------

def option_titles(kb: KnowledgeBase, list_id: str) -> dict[str, str]:
    pick = kb.lists.get(list_id)
    return {o.value: o.title for o in pick.options} if pick else {}


def section_title(kb: KnowledgeBase, field_id: str, list_id: str) -> str:
    pick = kb.lists.get(list_id) if list_id else None
    return pick.title if pick else FALLBACK_TITLES[field_id]


def severity_short(kb: KnowledgeBase, value: str | None) -> str:
    """ "Allvarlig – risk för …" → "Allvarlig"."""
    if not value:
        return "–"
    return option_titles(kb, "avvikelse-allvarlighet").get(value, value).split(" – ")[0]


def municipality_title(kb: KnowledgeBase, municipality: str | None) -> str:
    muni = kb.municipalities.get(municipality or "")
    return muni.name if muni else (municipality or "Ingen kommun angiven")


# --- the list --------------------------------------------------------------------------------

async def list_card(ctx: Context, filters: Filters) -> dict[str, Any]:
    found = await cases.list_cases(ctx.store, limit=LIST_CAP, **filters.query())
    total = await cases.count_cases(ctx.store, **filters.query())
    items = [{
        "reference": c.reference,
        "line": f"{cases.local_date(c.created_at)} · {municipality_title(ctx.kb, c.municipality)}",
        "details": f"Status: {c.status_title} · {severity_short(ctx.kb, c.data.get('values', {}).get('allvarlighet'))}",
        "data": {"verb": "case.show", "reference": c.reference},
    } for c in found]
    if total == 0:
        summary = "Inga avvikelser matchar urvalet."
    elif total > len(found):
        summary = (f"Visar de {len(found)} senaste av {total} rapporter. Avgränsa med kommun, period eller status, "
                   f"till exempel **lista avvikelser vetlanda 2026**.")
    else:
        summary = f"{total} {'rapport' if total == 1 else 'rapporter'}, senaste först."
    return render("case_list", title="Avvikelser i samverkan", subtitle=filters.describe(ctx.kb),
                  summary=summary, items=items)


# --- the compilation -------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    label: str
    count: int
    detail: str = ""  # "varav psykiatri 3, annan specialistvård 1"

    @property
    def value(self) -> str:
        return f"{self.count}, {self.detail}" if self.detail else str(self.count)


@dataclass
class Section:
    field_id: str
    title: str
    rows: list[Row]
    texts: list[str] = field(default_factory=list)  # free texts ("Annat: …"), capped
    more_texts: int = 0


@dataclass
class Compilation:
    total: int
    serious: int
    sections: list[Section]

    def section(self, field_id: str) -> Section:
        return next(s for s in self.sections if s.field_id == field_id)

    @property
    def summary(self) -> str:
        noun = "avvikelseärende" if self.total == 1 else "avvikelseärenden"
        if self.total == 0:
            return "Inga avvikelser har kommit in under perioden."
        if self.serious == self.total:
            judged = "bedöms vara allvarligt" if self.total == 1 else "samtliga bedöms vara allvarliga"
        elif self.serious == 0:
            judged = "inget bedöms vara allvarligt"
        else:
            judged = f"varav {self.serious} bedöms vara {'allvarligt' if self.serious == 1 else 'allvarliga'}"
        return f"{self.total} {noun}, {judged}."


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value not in (None, "") else []


def _order(counter: Counter, listed: list[str], by: str) -> list[str]:
    seen = [v for v in listed if counter[v]] + sorted(v for v in counter if v not in listed and counter[v])
    if by == "count":
        seen.sort(key=lambda v: -counter[v])  # stable: ties keep the list order
    return seen


def compile_deviations(kb: KnowledgeBase, reports: Iterable[cases.Case]) -> Compilation:
    """Counts per category over the given reports (each report counts once per option it names)."""
    reports = list(reports)
    sections: list[Section] = []
    for field_id, list_id, text_id, order in SECTIONS:
        counter: Counter = Counter()
        texts: list[str] = []
        for case in reports:
            values = case.data.get("values", {})
            if field_id == "kommun":
                chosen = [case.municipality or ""]
            elif field_id == "status":
                chosen = [case.status]
            else:
                chosen = _as_list(values.get(field_id))
            counter.update(set(chosen))
            if text_id and str(values.get(text_id) or "").strip():
                texts.append(" ".join(str(values[text_id]).split()))
        if field_id == "kommun":
            titles = {v: municipality_title(kb, v or None) for v in counter}
            listed: list[str] = []
        elif field_id == "status":
            titles = dict(cases.STATUS_TITLES[KIND])
            listed = list(titles)
        else:
            titles = option_titles(kb, list_id)
            listed = list(titles)
        if field_id == "parter":
            rows = _party_rows(kb, reports, counter, titles, listed)
        else:
            rows = [Row(titles.get(v, v), counter[v]) for v in _order(counter, listed, order)]
        prefix = FREE_TEXT_TITLES.get(text_id, "")
        shown = [f"{prefix}: {_cut(t)}" for t in texts[:FREE_TEXT_CAP]]
        sections.append(Section(field_id, section_title(kb, field_id, list_id), rows, shown,
                                max(0, len(texts) - FREE_TEXT_CAP)))
    sections += _extra_text_sections(kb, reports)
    serious = sum(1 for c in reports if c.data.get("values", {}).get("allvarlighet") == SERIOUS)
    return Compilation(len(reports), serious, sections)


def _extra_text_sections(kb: KnowledgeBase, reports: list[cases.Case]) -> list[Section]:
    """Optional free-text fields a coordinator added to knowledge/forms/avvikelse.yaml: their
    answers, capped, each under the field's label."""
    form = kb.forms.get(KIND)
    if form is None:
        return []
    used = {field_id for field_id, _, text_id, _ in SECTIONS} | {text_id for _, _, text_id, _ in SECTIONS}
    extra = [f for s in form.steps for f in s.fields
             if f.kind in ("text", "textarea") and not f.required and f.id not in used]
    sections = []
    for spec in extra:
        texts = [" ".join(str(c.data.get("values", {}).get(spec.id)).split()) for c in reports
                 if str(c.data.get("values", {}).get(spec.id) or "").strip()]
        if texts:
            sections.append(Section(spec.id, spec.label, [Row("Rapporter med svar", len(texts))],
                                    [_cut(t) for t in texts[:FREE_TEXT_CAP]],
                                    max(0, len(texts) - FREE_TEXT_CAP)))
    return sections


def _party_rows(kb: KnowledgeBase, reports: list[cases.Case], counter: Counter, titles: dict[str, str],
                listed: list[str]) -> list[Row]:
    """Parties, with options that share a name before " – " (Regionen – psykiatri, Regionen –
    primärvård …) counted together as in Bilaga 6: "Regionen 5 varav psykiatri 3 …"."""
    groups: dict[str, list[str]] = {}
    for value in listed:
        head = titles[value].split(" – ")[0]
        groups.setdefault(head, []).append(value)
    grouped = {v: head for head, members in groups.items() if len(members) > 1 for v in members}
    rows: list[tuple[int, Row]] = []
    done: set[str] = set()
    for position, value in enumerate(listed + sorted(v for v in counter if v not in listed)):
        group = grouped.get(value)
        if group is None:
            if counter[value]:
                rows.append((position, Row(titles.get(value, value), counter[value])))
            continue
        if group in done:
            continue
        done.add(group)
        members = groups[group]
        involved = sum(1 for c in reports if set(_as_list(c.data.get("values", {}).get("parter"))) & set(members))
        if involved:
            detail = ", ".join(f"{titles[m].split(' – ', 1)[1]} {counter[m]}" for m in members if counter[m])
            rows.append((position, Row(group, involved, f"varav {detail}")))
    rows.sort(key=lambda pr: (-pr[1].count, pr[0]))
    return [row for _, row in rows]


def _cut(text: str) -> str:
    return text if len(text) <= FREE_TEXT_CHARS else text[:FREE_TEXT_CHARS - 1].rstrip() + "…"


async def compilation_card(ctx: Context, filters: Filters) -> dict[str, Any]:
    reports = await cases.list_cases(ctx.store, **filters.query())
    result = compile_deviations(ctx.kb, reports)
    muni = ctx.kb.municipalities.get(filters.municipality or "")
    period = filters.period_label()
    title = "Avvikelser i samverkan – sammanställning " + (period.removeprefix("år ") if period.startswith("år ") else period)
    sections = [{
        "title": s.title,
        "facts": [{"title": r.label, "value": r.value} for r in s.rows],
        "texts": s.texts + ([f"… och {s.more_texts} till. Alla finns i exporten till Excel."] if s.more_texts else []),
    } for s in result.sections]
    return render("case_compilation", title=title,
                  subtitle=" · ".join(p for p in ((muni.name if muni else "Alla kommuner"), filters.status_label) if p),
                  summary=result.summary, note=MULTI_NOTE if result.total else "", sections=sections if result.total else [],
                  source=SOURCE_NOTE)


# --- export (rows for scripts/export_cases.py) ------------------------------------------------

HANDLING_TITLES = {"datum": "Bokat datum", "tid": "Bokad tid", "format": "Form"}


def export_table(kb: KnowledgeBase, kinds: CaseKinds, reports: list[cases.Case], latest_comments: dict[int, str],
                 *, include_reporter: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and one row per report; multi-choice answers as their titles joined with "; "."""
    fields: dict[str, Any] = {}  # field id → Field, in form order over all reports
    per_case: dict[int, dict[str, Any]] = {}
    for case in reports:
        kind = kinds.get(case.kind)
        case_fields = kind.fields(kb, case.data) if kind is not None else \
            [Field(k, k, "text") for k in case.data.get("values", {})]
        per_case[case.id] = {f.id: f for f in case_fields}
        for f in case_fields:
            if f.id not in ("kommun", "aterkoppling"):
                fields.setdefault(f.id, f)
    handling_keys: list[str] = []
    for case in reports:
        for key in case.data.get("handling", {}) or {}:
            if key not in handling_keys:
                handling_keys.append(key)

    header = ["Referens", "Typ", "Inkom", "Senast ändrad", "Status", "Kommun"]
    header += [f.label for f in fields.values()]
    header += ["Vill ha återkoppling"] + [HANDLING_TITLES.get(k, k) for k in handling_keys]
    header += ["Mottagare", "Teams-kanal", "Senaste kommentar"] + (["Rapportör"] if include_reporter else [])

    rows = []
    for case in reports:
        values = case.data.get("values", {})
        row = [case.reference, kinds[case.kind].title if case.kind in kinds else case.kind,
               cases.local_stamp(case.created_at),
               cases.local_stamp(case.updated_at), case.status_title, municipality_title(kb, case.municipality)]
        for field_id, f in fields.items():
            value = values.get(field_id)
            own = per_case[case.id].get(field_id, f)
            row.append("" if value in (None, "", []) else display(own, value))
        row.append("Ja" if case.wants_feedback else "Nej")
        handling = case.data.get("handling", {}) or {}
        row += [str(handling.get(k, "")) for k in handling_keys]
        row += [str(case.routed_to.get("contact_title", "")), str(case.routed_to.get("channel", "")),
                latest_comments.get(case.id, "")]
        if include_reporter:
            row.append(case.reporter_name)
        rows.append(row)
    return header, rows


async def latest_comments(store, reports: list[cases.Case]) -> dict[int, str]:
    out: dict[int, str] = {}
    for case in reports:
        comments = [e.comment for e in await cases.events(store, case) if e.comment]
        if comments:
            out[case.id] = comments[-1]
    return out


# --- commands --------------------------------------------------------------------------------

LIST_PATTERN = r"^(?:lista|visa) (?:alla )?(?:avvikelser(?:na)?|avvikelse|avvikelserapporter)\b"
COMPILE_PATTERN = r"^(?:ars)?sammanstall(?:ning|ningen|)\b"
EXPORT_PATTERN = r"^export(?:era)?\b"


def _arguments(text: str, pattern: str) -> str:
    return re.sub(pattern, " ", fold(text.strip()), count=1).strip(" .!?")


def _problem_reply(filters: Filters, cmd: str) -> list[Out]:
    return [Text(" ".join(filters.problems) + " " + PERIOD_HELP.format(cmd=cmd))]


async def list_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, LIST_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "lista avvikelser")
    return [Card(await list_card(ctx, filters))]


def _default_to_this_year(ctx: Context, filters) -> None:
    """No period given: the whole current year, as in the yearly compilation."""
    if not filters.date_from and not filters.date_to:
        year = ctx.services.today().year
        filters.date_from, filters.date_to = f"{year}-01-01", f"{year}-12-31"


async def compile_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, COMPILE_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "sammanställning")
    _default_to_this_year(ctx, filters)
    await ctx.typing()
    return [Card(await compilation_card(ctx, filters))]


async def export_reports(ctx: Context) -> list[Out]:
    filters = parse_filters(ctx.kb, _arguments(ctx.turn.text, EXPORT_PATTERN))
    if filters.problems:
        return _problem_reply(filters, "exportera avvikelser")
    _default_to_this_year(ctx, filters)
    command = "python -m scripts.export_cases"
    if filters.date_from:
        command += f" --from {filters.date_from}"
    if filters.date_to:
        command += f" --to {filters.date_to}"
    count = await cases.count_cases(ctx.store, **filters.query())
    return [Text(
        f"Det finns {count} {'avvikelse' if count == 1 else 'avvikelser'} för {filters.period_label()}. "
        "Filen till Excel (CSV, en rad per rapport) skapas på servern där jag körs, så att inga rapporter "
        f"skickas runt i chatten. Be den som driftar mig att köra: `{command}`. "
        "Siffrorna per kategori ser du direkt med **sammanställning**."
    )]


def register(assistant: Assistant) -> None:
    assistant.command("list-reports", LIST_PATTERN, list_reports, private=True)
    assistant.command("compile-reports", COMPILE_PATTERN, compile_reports, private=True)
    assistant.command("export-reports", EXPORT_PATTERN, export_reports, private=True)
