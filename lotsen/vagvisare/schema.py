"""Read and check knowledge/vagvisare.yaml, reporting every problem with file and line.

Called by lotsen.kb.loader: `read_navigator` while the files are read (structure, patterns,
conditions), `check_navigator` once the whole knowledge base is built (every reference
resolves: facts and values in conditions, parties, contact purposes, question–answer entries,
source documents, municipalities, actions; every rule has a source).
The messages are data: lotsen/data/texts.yaml, group `vagvisare_check`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from lotsen.kb import model as m
from lotsen.kb.yamlio import Located, YamlError, load_yaml
from lotsen.vagvisare.model import (
    ACTIONS,
    FACT_KINDS,
    MUNICIPALITY,
    NUMBER,
    ONE,
    SEVERAL,
    Condition,
    Duration,
    Fact,
    FactValue,
    Navigator,
    Pattern,
    Percent,
    Rule,
)
from lotsen.text import fold
from lotsen.texts import say
from lotsen.vagvisare.patterns import NUMBER_PLACEHOLDER, PatternError, compile_pattern

Report = Callable[[m.Where, str], None]
FILE_NAME = "vagvisare.yaml"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # as lotsen.kb.loader (which imports this module)


def _sources(value: Any) -> tuple[tuple[m.SourceRef, ...], str | None]:
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if not isinstance(item, dict) or set(item) - {"doc", "section"} or "doc" not in item:
            return (), say("vagvisare_check.source_shape")
        doc, section = item.get("doc"), item.get("section", "")
        if not isinstance(doc, str) or not isinstance(section, str):
            return (), say("vagvisare_check.source_not_texts")
        refs.append(m.SourceRef(doc=doc.strip(), section=section.strip()))
    if not refs:
        return (), say("vagvisare_check.source_empty")
    return tuple(refs), None


FACT_KEYS = {
    "id",
    "title",
    "kind",
    "question",
    "values",
    "always_ask",
    "negated_by",
    "patterns",
    "not_after",
    "range",
    "unit",
    "duration",
    "percent",
}
RULE_KEYS = {
    "id",
    "order",
    "title",
    "do",
    "who",
    "why",
    "when",
    "source",
    "municipalities",
    "gap",
    "contact_purpose",
    "actions",
    "related",
}
LEAF_EXAMPLE = "{fact: …, is: …}"  # a condition on one fact, as the messages show it
LEAF_TESTS = {
    ONE: ("is", "in", "known"),
    MUNICIPALITY: ("is", "in", "known"),
    SEVERAL: ("has", "has_any", "has_all", "known"),
    NUMBER: ("between", "at_least", "at_most", "known"),
}


def _where(node: Any, fallback: m.Where) -> m.Where:
    line = getattr(node, "line", 0)
    return m.Where(fallback.file, line) if line else fallback


def _text(node: dict, key: str, where: m.Where, report: Report, required: bool = True) -> str:
    value = node.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        report(where, say("vagvisare_check.not_text", key=key))
        return ""
    return value.strip()


def _texts(value: Any, where: m.Where, report: Report, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        report(where, say("vagvisare_check.not_texts", key=key))
        return ()
    return tuple(v.strip() for v in value)


def _patterns(value: Any, where: m.Where, report: Report, label: str) -> tuple[Pattern, ...]:
    out = []
    for text in _texts(value, where, report, f"{label}: patterns"):
        try:
            out.append(compile_pattern(text))
        except PatternError as exc:
            report(where, f"{label}: {exc}")
    return tuple(out)


def read_navigator(path: Path, name: str, report: Report) -> Navigator | None:
    try:
        doc = load_yaml(path, name)
    except YamlError as exc:
        report(m.Where(exc.file, exc.line), exc.message)
        return None
    top = m.Where(name, getattr(doc, "line", 1) or 1)
    if not isinstance(doc, Located) or set(doc) - {"situation", "facts", "rules"}:
        report(top, say("vagvisare_check.top_keys"))
        return None
    situation = doc.get("situation") or {}
    if not isinstance(situation, dict) or set(situation) - {"triggers", "client", "next_step"}:
        report(_where(situation, top), say("vagvisare_check.situation_keys"))
        situation = {}
    sw = _where(situation, top)
    triggers = _patterns(situation.get("triggers"), sw, report, "situation.triggers")
    client = _patterns(situation.get("client"), sw, report, "situation.client")
    next_step = _patterns(situation.get("next_step"), sw, report, "situation.next_step")
    facts: dict[str, Fact] = {}
    for node in doc.get("facts") or []:
        fact = _read_fact(node, _where(node, top), report)
        if fact is None:
            continue
        if fact.id in facts:
            report(fact.where, say("vagvisare_check.fact_twice", fact=repr(fact.id), where=facts[fact.id].where))
            continue
        facts[fact.id] = fact
    rules: dict[str, Rule] = {}
    for node in doc.get("rules") or []:
        rule = _read_rule(node, _where(node, top), report)
        if rule is None:
            continue
        if rule.id in rules:
            report(rule.where, say("vagvisare_check.rule_twice", rule=repr(rule.id), where=rules[rule.id].where))
            continue
        rules[rule.id] = rule
    ordered = tuple(sorted(rules.values(), key=lambda r: (r.order, r.id)))
    return Navigator(facts=facts, rules=ordered, triggers=triggers, client=client, next_step=next_step, where=top)


def _read_fact(node: Any, where: m.Where, report: Report) -> Fact | None:
    if not isinstance(node, dict):
        report(where, say("vagvisare_check.fact_not_mapping"))
        return None
    for key in set(node) - FACT_KEYS:
        report(where, say("vagvisare_check.fact_unknown_key", key=repr(key), allowed=", ".join(sorted(FACT_KEYS))))
    fid = node.get("id")
    if not isinstance(fid, str) or not ID_RE.match(fid):
        report(where, say("vagvisare_check.fact_bad_id", id=repr(fid)))
        return None
    kind = node.get("kind")
    if kind not in FACT_KINDS:
        report(where, say("vagvisare_check.fact_kind", fact=fid, kinds=", ".join(FACT_KINDS)))
        return None
    title, question = _text(node, "title", where, report), _text(node, "question", where, report)
    values: list[FactValue] = []
    if kind in (ONE, SEVERAL):
        raw_values = node.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            report(where, say("vagvisare_check.values_missing", fact=fid))
        for item in raw_values or []:
            iw = _where(item, where)
            if not isinstance(item, dict) or set(item) - {"value", "title", "patterns"}:
                report(iw, say("vagvisare_check.value_shape", fact=fid))
                continue
            value = item.get("value")
            if not isinstance(value, str) or not ID_RE.match(value):
                report(iw, say("vagvisare_check.value_bad", fact=fid, value=repr(value)))
                continue
            if any(v.value == value for v in values):
                report(iw, say("vagvisare_check.value_twice", fact=fid, value=repr(value)))
                continue
            value_patterns = _patterns(item.get("patterns"), iw, report, f"{fid}={value}")
            values.append(FactValue(value, _text(item, "title", iw, report), value_patterns))
    elif node.get("values") is not None:
        report(where, say("vagvisare_check.values_not_for_kind", fact=fid, kind=kind))
    patterns: tuple[Pattern, ...] = ()
    rng = None
    if kind == NUMBER:
        patterns = _patterns(node.get("patterns"), where, report, fid)
        if not patterns:
            report(where, say("vagvisare_check.number_without_patterns", fact=fid, tal=NUMBER_PLACEHOLDER))
        elif any(not any(e.kind == "number" for e in p.elements) for p in patterns):
            report(where, say("vagvisare_check.number_pattern_without_number", fact=fid, tal=NUMBER_PLACEHOLDER))
        raw = node.get("range")
        if raw is not None:
            if isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, int) for x in raw) and raw[0] <= raw[1]:
                rng = (raw[0], raw[1])
            else:
                report(where, say("vagvisare_check.range", fact=fid))
    duration = _read_duration(node.get("duration"), where, report, fid, values) if "duration" in node else None
    percent = _read_percent(node.get("percent"), where, report, fid, values) if "percent" in node else None
    always = node.get("always_ask", False)
    if not isinstance(always, bool):
        report(where, say("vagvisare_check.always_ask", fact=fid))
        always = False
    return Fact(
        id=fid,
        title=title,
        kind=kind,
        question=question,
        values=tuple(values),
        always_ask=always,
        negated_by=tuple(fold(w) for w in _texts(node.get("negated_by"), where, report, "negated_by")),
        patterns=patterns,
        not_after=tuple(fold(w) for w in _texts(node.get("not_after"), where, report, "not_after")),
        range=rng,
        unit=_text(node, "unit", where, report, required=False),
        duration=duration,
        percent=percent,
        where=where,
    )


def _read_duration(raw: Any, where: m.Where, report: Report, fid: str, values: list[FactValue]) -> Duration | None:
    if not isinstance(raw, dict) or set(raw) != {"anchors", "at_least"} or not isinstance(raw["at_least"], list):
        report(where, say("vagvisare_check.duration", fact=fid))
        return None
    anchors = _patterns(raw["anchors"], where, report, f"{fid} duration")
    steps = []
    for item in raw["at_least"]:
        if (
            not isinstance(item, dict)
            or set(item) != {"months", "value"}
            or not isinstance(item["months"], int)
            or not any(v.value == item["value"] for v in values)
        ):
            report(_where(item, where), say("vagvisare_check.duration_step", fact=fid))
            continue
        steps.append((item["months"], item["value"]))
    return Duration(anchors, tuple(sorted(steps, reverse=True)))


def _read_percent(raw: Any, where: m.Where, report: Report, fid: str, values: list[FactValue]) -> Percent | None:
    known = {v.value for v in values}
    if (
        not isinstance(raw, dict)
        or set(raw) != {"anchors", "full", "full_value", "part_value"}
        or not isinstance(raw["full"], int)
        or raw["full_value"] not in known
        or raw["part_value"] not in known
    ):
        report(where, say("vagvisare_check.percent", fact=fid))
        return None
    anchors = _patterns(raw["anchors"], where, report, f"{fid} percent")
    return Percent(anchors, raw["full"], raw["full_value"], raw["part_value"])


def _read_rule(node: Any, where: m.Where, report: Report) -> Rule | None:
    if not isinstance(node, dict):
        report(where, say("vagvisare_check.rule_not_mapping"))
        return None
    ok = True
    for key in set(node) - RULE_KEYS:
        report(where, say("vagvisare_check.rule_unknown_key", key=repr(key), allowed=", ".join(sorted(RULE_KEYS))))
        ok = False
    rid = node.get("id")
    if not isinstance(rid, str) or not ID_RE.match(rid):
        report(where, say("vagvisare_check.rule_bad_id", id=repr(rid)))
        return None
    if "source" not in node:
        report(where, say("vagvisare_check.rule_without_source", rule=rid))
        ok = False
        sources: tuple = ()
    else:
        sources, problem = _sources(node["source"])
        if problem:
            report(where, say("vagvisare_check.rule_source", rule=rid, problem=problem))
            ok = False
    if "when" not in node:
        report(where, say("vagvisare_check.rule_without_when", rule=rid))
        return None
    when = _read_condition(node["when"], _where(node["when"], where), report, rid)
    order = node.get("order", 100)
    if not isinstance(order, int):
        report(where, say("vagvisare_check.rule_order", rule=rid))
        ok = False
    gap = node.get("gap", False)
    if not isinstance(gap, bool):
        report(where, say("vagvisare_check.rule_gap", rule=rid))
        ok = False
    texts = {k: _text(node, k, where, report) for k in ("title", "do", "why")}
    who = _texts(node.get("who"), where, report, "who")
    if not who:
        report(where, say("vagvisare_check.rule_without_who", rule=rid))
        ok = False
    if when is None or not ok or not all(texts.values()):
        return None
    return Rule(
        id=rid,
        order=order,
        title=texts["title"],
        do=texts["do"],
        who=who,
        why=texts["why"],
        when=when,
        sources=sources,
        municipalities=_texts(node.get("municipalities"), where, report, "municipalities"),
        gap=gap,
        contact_purpose=_text(node, "contact_purpose", where, report, required=False),
        actions=_texts(node.get("actions"), where, report, "actions"),
        related=_texts(node.get("related"), where, report, "related"),
        where=where,
    )


def _read_condition(node: Any, where: m.Where, report: Report, rid: str) -> Condition | None:
    where = _where(node, where)
    if not isinstance(node, dict) or not node:
        report(where, say("vagvisare_check.condition_shape", rule=rid, leaf=LEAF_EXAMPLE))
        return None
    if set(node) in ({"all"}, {"any"}):
        op = next(iter(node))
        items = node[op]
        if not isinstance(items, list) or not items:
            report(where, say("vagvisare_check.condition_list", rule=rid, op=op))
            return None
        children = [_read_condition(item, where, report, rid) for item in items]
        if any(c is None for c in children):
            return None
        return Condition(op, tuple(children), where=where)  # type: ignore[arg-type]
    if set(node) == {"not"}:
        child = _read_condition(node["not"], where, report, rid)
        return Condition("not", (child,), where=where) if child else None
    tests = set(node) - {"fact"}
    if "fact" not in node or len(tests) != 1:
        report(where, say("vagvisare_check.condition_test", rule=rid))
        return None
    test = tests.pop()
    return Condition("leaf", fact=str(node["fact"]), test=test, arg=node[test], where=where)


def _leaves(cond: Condition):
    if cond.op == "leaf":
        yield cond
    for child in cond.children:
        yield from _leaves(child)


def check_navigator(kb: m.KnowledgeBase, nav: Navigator, report: Report, *, check_entries: bool = True) -> None:
    """Every reference in the rules resolves (errors, with file and line)."""
    for fact in nav.facts.values():
        if fact.kind == MUNICIPALITY and not kb.municipalities:
            report(fact.where, say("vagvisare_check.no_municipalities", fact=fact.id))
    for rule in nav.rules:
        w = rule.where
        if not rule.sources:
            report(w, say("vagvisare_check.rule_no_source", rule=rule.id))
        for ref in rule.sources:
            if ref.doc not in kb.sources:
                report(w, say("vagvisare_check.unknown_source", rule=rule.id, doc=repr(ref.doc)))
        for party in rule.who:
            if party not in kb.parties:
                report(w, say("vagvisare_check.unknown_party", rule=rule.id, party=repr(party)))
        if rule.contact_purpose and rule.contact_purpose not in kb.purposes:
            report(w, say("vagvisare_check.unknown_purpose", rule=rule.id, purpose=repr(rule.contact_purpose)))
        for action in rule.actions:
            if action not in ACTIONS:
                report(
                    w,
                    say(
                        "vagvisare_check.unknown_action", rule=rule.id, action=repr(action), allowed=", ".join(ACTIONS)
                    ),
                )
        if "kontakter" in rule.actions and not rule.contact_purpose:
            report(w, say("vagvisare_check.contacts_without_purpose", rule=rule.id))
        for entry in rule.related if check_entries else ():
            if entry not in kb.entries:
                report(w, say("vagvisare_check.unknown_entry", rule=rule.id, entry=repr(entry)))
        for muni in rule.municipalities:
            if muni not in kb.municipalities:
                report(w, say("vagvisare_check.unknown_municipality", rule=rule.id, municipality=repr(muni)))
        for leaf in _leaves(rule.when):
            _check_leaf(kb, nav, rule, leaf, report)


def _check_leaf(kb: m.KnowledgeBase, nav: Navigator, rule: Rule, leaf: Condition, report: Report) -> None:
    w = leaf.where
    fact = nav.facts.get(leaf.fact)
    if fact is None:
        report(w, say("vagvisare_check.unknown_fact", rule=rule.id, fact=repr(leaf.fact)))
        return
    if leaf.test not in LEAF_TESTS[fact.kind]:
        tests = ", ".join(LEAF_TESTS[fact.kind])
        report(
            w,
            say(
                "vagvisare_check.test_not_for_kind",
                rule=rule.id,
                test=repr(leaf.test),
                fact=fact.id,
                kind=fact.kind,
                tests=tests,
            ),
        )
        return
    arg = leaf.arg
    if leaf.test == "known":
        if not isinstance(arg, bool):
            report(w, say("vagvisare_check.known_not_bool", rule=rule.id))
        return
    if fact.kind == NUMBER:
        good = (
            (isinstance(arg, list) and len(arg) == 2 and all(isinstance(x, int) for x in arg))
            if leaf.test == "between"
            else isinstance(arg, int)
        )
        if not good:
            if leaf.test == "between":
                report(w, say("vagvisare_check.number_between", rule=rule.id, test=leaf.test, fact=fact.id))
            else:
                report(w, say("vagvisare_check.number_not_int", rule=rule.id, test=leaf.test, fact=fact.id))
        return
    wanted = arg if isinstance(arg, list) else [arg]
    if leaf.test in ("is", "has") and isinstance(arg, list):
        report(w, say("vagvisare_check.one_value", rule=rule.id, test=leaf.test))
    known = set(kb.municipalities) if fact.kind == MUNICIPALITY else {v.value for v in fact.values}
    for value in wanted:
        if value not in known:
            report(
                w,
                say(
                    "vagvisare_check.unknown_value",
                    rule=rule.id,
                    fact=fact.id,
                    value=repr(value),
                    known=", ".join(sorted(known)),
                ),
            )
