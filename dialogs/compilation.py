"""The yearly compilation of deviation reports in the shape of Bilaga 6 (seed 003).

"Sammanställning och analys för avvikelser i samverkan 2024" (Höglandets samordningsförbund,
årsredovisning 2024, Bilaga 6): number of reports and how many are serious, berörda
samverkansparter ("Regionen 5 varav psykiatri 3 …"), orsaker, konsekvenser, lösningar and
vidtagna åtgärder; plus severity and kommun. Section titles and option titles come from
knowledge/forms.yaml, so a renamed option is renamed here too."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from cards.render import render
from dialogs.periods import KIND, Filters
from dialogs.texts import dialog_texts
from lotsen import cases
from lotsen.context import Context
from lotsen.kb.model import KnowledgeBase

FREE_TEXT_CAP = 10
FREE_TEXT_CHARS = 200
SERIOUS = "allvarlig"  # the value of "Allvarlig" in the list avvikelse-allvarlighet (values never change)

# Sections: (field id in the form, pick list in knowledge/forms/avvikelse.yaml, free-text field, order);
# a section without a pick list is titled by compilation_section_<field id> in dialogs/texts.yaml,
# a free text by compilation_free_<field id>.
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

# --- titles ----------------------------------------------------------------------------------


def option_titles(kb: KnowledgeBase, list_id: str) -> dict[str, str]:
    pick = kb.lists.get(list_id)
    return {o.value: o.title for o in pick.options} if pick else {}


def section_title(kb: KnowledgeBase, field_id: str, list_id: str) -> str:
    pick = kb.lists.get(list_id) if list_id else None
    return pick.title if pick else dialog_texts()(f"compilation_section_{field_id}")


def severity_short(kb: KnowledgeBase, value: str | None) -> str:
    """ "Allvarlig – risk för …" → "Allvarlig"."""
    if not value:
        return "–"
    return option_titles(kb, "avvikelse-allvarlighet").get(value, value).split(" – ")[0]


def municipality_title(kb: KnowledgeBase, municipality: str | None) -> str:
    muni = kb.municipalities.get(municipality or "")
    return muni.name if muni else (municipality or dialog_texts()("compilation_no_municipality"))


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
        texts = dialog_texts()
        if self.total == 0:
            return texts("compilation_none")
        noun = texts("compilation_one" if self.total == 1 else "compilation_many")
        if self.serious == self.total:
            judged = texts("compilation_serious_the_one" if self.total == 1 else "compilation_serious_all")
        elif self.serious == 0:
            judged = texts("compilation_serious_none")
        else:
            key = "compilation_serious_one" if self.serious == 1 else "compilation_serious_some"
            judged = texts(key, serious=self.serious)
        return texts("compilation_summary", total=self.total, noun=noun, judged=judged)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value not in (None, "") else []


def _order(counter: Counter, listed: list[str], by: str) -> list[str]:
    seen = [v for v in listed if counter[v]] + sorted(v for v in counter if v not in listed and counter[v])
    if by == "count":
        seen.sort(key=lambda v: -counter[v])  # stable: ties keep the list order
    return seen


def compile_deviations(
    kb: KnowledgeBase, reports: Iterable[cases.Case], statuses: Mapping[str, str] | None = None
) -> Compilation:
    """Counts per category over the given reports (each report counts once per option it names).
    `statuses`: the deviation kind's status titles (its CaseKind; by default the form file's)."""
    if statuses is None:
        form = kb.forms.get(KIND)
        statuses = form.case.statuses if form is not None and form.case is not None else {}
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
            titles = dict(statuses)
            listed = list(titles)
        else:
            titles = option_titles(kb, list_id)
            listed = list(titles)
        if field_id == "parter":
            rows = _party_rows(kb, reports, counter, titles, listed)
        else:
            rows = [Row(titles.get(v, v), counter[v]) for v in _order(counter, listed, order)]
        prefix = dialog_texts()(f"compilation_free_{text_id}") if text_id else ""
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
                    [Row(dialog_texts()("compilation_answered"), len(texts))],
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
    result = compile_deviations(ctx.kb, reports, ctx.services.kinds[KIND].statuses)
    muni = ctx.kb.municipalities.get(filters.municipality or "")
    texts = dialog_texts()
    year = filters.year()
    title = texts("compilation_title", period=filters.period_label() if year is None else year)
    sections = [
        {
            "title": s.title,
            "facts": [{"title": r.label, "value": r.value} for r in s.rows],
            "texts": s.texts + ([texts("compilation_more", count=s.more_texts)] if s.more_texts else []),
        }
        for s in result.sections
    ]
    return render(
        "case_compilation",
        title=title,
        subtitle=" · ".join(
            p for p in ((muni.name if muni else texts("compilation_all_municipalities")), filters.status_label) if p
        ),
        summary=result.summary,
        note=texts("compilation_multi") if result.total else "",
        sections=sections if result.total else [],
        source=texts("compilation_source"),
    )
