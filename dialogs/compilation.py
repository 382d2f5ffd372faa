"""The yearly compilation of deviation reports in the shape of Bilaga 6 (seed 003).

"Sammanställning och analys för avvikelser i samverkan 2024" (Höglandets samordningsförbund,
årsredovisning 2024, Bilaga 6): number of reports and how many are serious, berörda
samverkansparter ("Regionen 5 varav psykiatri 3 …"), orsaker, konsekvenser, lösningar and
vidtagna åtgärder; plus severity and kommun. Section titles and option titles come from
knowledge/forms.yaml, so a renamed option is renamed here too."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from cards.render import render
from dialogs.periods import KIND, Filters
from lotsen import cases
from lotsen.context import Context
from lotsen.kb.model import KnowledgeBase

FREE_TEXT_CAP = 10
FREE_TEXT_CHARS = 200
SOURCE_NOTE = (
    "Upplägget följer Bilaga 6 i Höglandets samordningsförbunds årsredovisning 2024 "
    "(003_9e0fac3eaf44f1c1.txt), ”Sammanställning och analys för avvikelser i samverkan”."
)
MULTI_NOTE = (
    "En rapport kan gälla flera parter, orsaker och konsekvenser. Därför kan summan i ett "
    "avsnitt bli större än antalet rapporter."
)
SERIOUS = "allvarlig"  # the value of "Allvarlig" in the list avvikelse-allvarlighet (values never change)

# Status words people type → stored statuses (avvikelse).
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
FREE_TEXT_TITLES = {
    "orsak_annat": "Annan orsak",
    "konsekvens_annat": "Annan konsekvens",
    "losning_text": "Eget förslag",
    "atgard_text": "Beskriven åtgärd",
}
FALLBACK_TITLES = {
    "parter": "Berörda samverkansparter",
    "orsaker": "Orsaker",
    "konsekvenser": "Konsekvenser",
    "losningar": "Förslag på lösning",
    "atgarder": "Redan vidtagna åtgärder",
    "allvarlighet": "Allvarlighetsgrad",
    "kommun": "Kommun",
    "insats": "Insats eller process som berörs",
    "status": "Status",
}


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
        sections.append(
            Section(field_id, section_title(kb, field_id, list_id), rows, shown, max(0, len(texts) - FREE_TEXT_CAP))
        )
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
    extra = [
        f
        for s in form.steps
        for f in s.fields
        if f.kind in ("text", "textarea") and not f.required and f.id not in used
    ]
    sections = []
    for spec in extra:
        texts = [
            " ".join(str(c.data.get("values", {}).get(spec.id)).split())
            for c in reports
            if str(c.data.get("values", {}).get(spec.id) or "").strip()
        ]
        if texts:
            sections.append(
                Section(
                    spec.id,
                    spec.label,
                    [Row("Rapporter med svar", len(texts))],
                    [_cut(t) for t in texts[:FREE_TEXT_CAP]],
                    max(0, len(texts) - FREE_TEXT_CAP),
                )
            )
    return sections


def _party_rows(
    kb: KnowledgeBase, reports: list[cases.Case], counter: Counter, titles: dict[str, str], listed: list[str]
) -> list[Row]:
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
    return text if len(text) <= FREE_TEXT_CHARS else text[: FREE_TEXT_CHARS - 1].rstrip() + "…"


async def compilation_card(ctx: Context, filters: Filters) -> dict[str, Any]:
    reports = await cases.list_cases(ctx.store, **filters.query())
    result = compile_deviations(ctx.kb, reports)
    muni = ctx.kb.municipalities.get(filters.municipality or "")
    period = filters.period_label()
    title = "Avvikelser i samverkan – sammanställning " + (
        period.removeprefix("år ") if period.startswith("år ") else period
    )
    sections = [
        {
            "title": s.title,
            "facts": [{"title": r.label, "value": r.value} for r in s.rows],
            "texts": s.texts
            + ([f"… och {s.more_texts} till. Alla finns i exporten till Excel."] if s.more_texts else []),
        }
        for s in result.sections
    ]
    return render(
        "case_compilation",
        title=title,
        subtitle=" · ".join(p for p in ((muni.name if muni else "Alla kommuner"), filters.status_label) if p),
        summary=result.summary,
        note=MULTI_NOTE if result.total else "",
        sections=sections if result.total else [],
        source=SOURCE_NOTE,
    )
