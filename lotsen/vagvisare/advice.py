"""What the navigator's cards show, as plain data (the feature renders it).

- `form_fields`: the understood facts (prefilled, editable, with the words they came from),
  the missing facts that matter, and the rest (behind "Fler uppgifter");
- `parse_answers`: the card's inputs back into facts, with a Swedish message per bad value;
- `recommendation`: numbered steps (what, who, why, source; local routines marked as local),
  honest gaps, the routed contacts for the municipality, and the action buttons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lotsen.kb.model import KnowledgeBase
from lotsen.routing import route
from lotsen.text import fold
from lotsen.texts import say
from lotsen.vagvisare.extract import Extraction
from lotsen.vagvisare.model import MUNICIPALITY, NUMBER, ONE, SEVERAL, Fact, Navigator, Rule
from lotsen.vagvisare.rules import Evaluation, describe

INPUT_PREFIX = "f_"
MAX_CONTACT_LISTS = 4
ACTION_BUTTONS = {
    "sip": say("vagvisare.button_sip"),
    "arena": say("vagvisare.button_arena"),
    "avvikelse": say("vagvisare.button_deviation"),
    "kontakter": say("vagvisare.button_contacts"),
}


def _choices(kb: KnowledgeBase, fact: Fact) -> list[dict[str, str]]:
    if fact.kind == MUNICIPALITY:
        munis = sorted(kb.municipalities.values(), key=lambda m: fold(m.name))
        return [{"title": m.name, "value": m.id} for m in munis]
    return [{"title": v.title, "value": v.value} for v in fact.values]


def _raw(fact: Fact, value: Any) -> str:
    if value is None:
        return ""
    if fact.kind == SEVERAL:
        return ",".join(v.value for v in fact.values if v.value in value)
    return str(value)


def field_for(kb: KnowledgeBase, fact: Fact, value: Any, words: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": INPUT_PREFIX + fact.id,
        "fact": fact.id,
        "title": fact.title,
        "question": fact.question,
        "kind": fact.kind,
        "choices": _choices(kb, fact),
        "value": _raw(fact, value),
        "words": ", ".join(f"”{w}”" for w in words or []),
        "min": fact.range[0] if fact.range else 0,
        "max": fact.range[1] if fact.range else 120,
    }


@dataclass
class Form:
    known: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)


def form_fields(
    kb: KnowledgeBase, nav: Navigator, facts: dict[str, Any], ask: list[str], extraction: Extraction | None = None
) -> Form:
    form = Form()
    for fact in nav.facts.values():
        value = facts.get(fact.id)
        words = [f.words for f in extraction.evidence.get(fact.id, [])] if extraction else []
        item = field_for(kb, fact, value, words)
        if value not in (None, frozenset()):
            form.known.append(item)
        elif fact.id in ask:
            form.missing.append(item)
        else:
            form.others.append(item)
    return form


def parse_answers(kb: KnowledgeBase, nav: Navigator, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Card inputs → facts. Unknown values are dropped with a message (keyed by input id)."""
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for fact in nav.facts.values():
        raw = data.get(INPUT_PREFIX + fact.id)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, (str, int)):
            errors[INPUT_PREFIX + fact.id] = say("vagvisare.bad_answer", fact=fact.title)
            continue
        text = str(raw).strip()
        if fact.kind == MUNICIPALITY:
            if text in kb.municipalities:
                facts[fact.id] = text
            else:
                errors[INPUT_PREFIX + fact.id] = say("vagvisare.bad_municipality", fact=fact.title)
        elif fact.kind == ONE:
            if fact.value(text):
                facts[fact.id] = text
            else:
                errors[INPUT_PREFIX + fact.id] = say("vagvisare.bad_choice", fact=fact.title)
        elif fact.kind == SEVERAL:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            if all(fact.value(p) for p in parts):
                facts[fact.id] = frozenset(parts)
            else:
                errors[INPUT_PREFIX + fact.id] = say("vagvisare.bad_choices", fact=fact.title)
        elif fact.kind == NUMBER:
            low, high = fact.range or (0, 120)
            try:
                number = int(float(text.replace(",", ".")))
            except ValueError:
                number = None
            if number is None or not low <= number <= high:
                errors[INPUT_PREFIX + fact.id] = say("vagvisare.bad_number", fact=fact.title, low=low, high=high)
            else:
                facts[fact.id] = number
    return facts, errors


def facts_to_data(nav: Navigator, facts: dict[str, Any]) -> dict[str, str]:
    """Facts as card data (for "Ändra svaren"): the same shape as the form's inputs."""
    return {INPUT_PREFIX + fid: _raw(nav.facts[fid], v) for fid, v in facts.items() if fid in nav.facts}


def stat_keys(nav: Navigator, facts: dict[str, Any]) -> list[str]:
    """Anonymous counters: "fact=value" per value; ages only as a band."""
    keys = []
    for fid, value in facts.items():
        fact = nav.facts.get(fid)
        if fact is None or value in (None, frozenset()):
            continue
        if fact.kind == SEVERAL:
            keys += [f"{fid}={v}" for v in sorted(value)]
        elif fact.kind == NUMBER:
            keys.append(f"{fid}={_band(int(value))}")
        else:
            keys.append(f"{fid}={value}")
    return keys


def _band(age: int) -> str:
    for low, high in ((0, 17), (18, 29), (30, 49), (50, 64)):
        if low <= age <= high:
            return f"{low}-{high}"
    return "65-"


def genitive(name: str) -> str:
    """The municipality's name as in "Jönköpings kommun", "Tranås kommun", "Aneby kommun"."""
    return name if not name or name[-1].lower() in "aeiouyåäösxz" else name + "s"


def _fill(kb: KnowledgeBase, text: str, kommun: str | None) -> str:
    muni = kb.municipalities.get(kommun or "")
    name = muni.name if muni else say("vagvisare.the_municipality")
    groups = ", ".join(muni.samverk_groups) if muni and muni.samverk_groups else say("vagvisare.samverk_groups")
    text = text.replace("{kommun} kommun", f"{genitive(name)} kommun" if muni else name)
    return text.replace("{kommun}", name).replace("{samverk}", groups)


def _buttons(kb: KnowledgeBase, rule: Rule, kommun: str | None) -> list[dict[str, Any]]:
    out = []
    extra = {"kommun": kommun} if kommun else {}
    for action in rule.actions:
        if action == "sip":
            out.append({"title": ACTION_BUTTONS[action], "data": {"verb": "req.start", "kind": "sip", **extra}})
        elif action == "arena":
            out.append({"title": ACTION_BUTTONS[action], "data": {"verb": "req.start", "kind": "arena", **extra}})
        elif action == "avvikelse":
            out.append({"title": ACTION_BUTTONS[action], "data": {"verb": "dev.start"}})
        elif action == "kontakter" and rule.contact_purpose:
            out.append(
                {
                    "title": ACTION_BUTTONS[action],
                    "data": {"verb": "contact.show", "purpose": rule.contact_purpose, "municipality": kommun},
                }
            )
    related = next((e for e in rule.related if e in kb.entries), None)
    if related:
        out.append(
            {"title": say("vagvisare.read_more"), "data": {"verb": "qa.show", "id": related, "via": "vagvisare"}}
        )
    return out


def recommendation(kb: KnowledgeBase, nav: Navigator, evaluation: Evaluation) -> dict[str, Any]:
    facts = evaluation.facts
    muni_fact = next((f.id for f in nav.facts.values() if f.kind == MUNICIPALITY), "kommun")
    kommun = facts.get(muni_fact)
    muni = kb.municipalities.get(kommun or "")
    steps: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    purposes: list[str] = []
    for rule in evaluation.fired:
        who = ", ".join(kb.parties[p].name for p in rule.who if p in kb.parties)
        item = {
            "title": _fill(kb, rule.title, kommun),
            "do": _fill(kb, rule.do, kommun),
            "who": who,
            "why": _fill(kb, rule.why, kommun),
            "source": kb.cite(rule.sources),
            "local": say("vagvisare.local_routine", municipality=muni.name) if rule.municipalities and muni else "",
            "buttons": _buttons(kb, rule, kommun),
            "rule": rule.id,
        }
        (gaps if rule.gap else steps).append(item)
        if rule.contact_purpose and rule.contact_purpose not in purposes:
            purposes.append(rule.contact_purpose)
    if not steps and "lokal-samverkan" in kb.purposes and "lokal-samverkan" not in purposes:
        purposes.append("lokal-samverkan")
    contacts: list[dict[str, Any]] = []
    shown: set[str] = set()
    for purpose in purposes:
        if len(contacts) >= MAX_CONTACT_LISTS:
            break
        p = kb.purposes.get(purpose)
        if p is None:
            continue
        routed = route(kb, purpose, kommun if muni else None)
        if routed is None:
            continue
        cl = routed.contact_list
        if cl.id in shown:
            continue
        shown.add(cl.id)
        first = cl.contacts[0] if cl.contacts else None
        line = " · ".join(x for x in (first.role, first.email, first.phone) if x) if first else ""
        contacts.append(
            {
                "purpose": p.title,
                "title": cl.title,
                "line": line,
                "data": {"verb": "contact.show", "purpose": purpose, "municipality": kommun if muni else None},
            }
        )
    used = [
        {"title": nav.facts[fid].title, "value": describe(kb, nav, fid, v)}
        for fid, v in facts.items()
        if fid in nav.facts and v not in (None, frozenset())
    ]
    for n, step in enumerate(steps, start=1):
        step["n"] = n
    return {
        "kommun": muni.name if muni else "",
        "facts": used,
        "steps": steps,
        "gaps": gaps,
        "contacts": contacts,
        "edit_data": {"verb": "nav.edit", **facts_to_data(nav, facts)},
    }
