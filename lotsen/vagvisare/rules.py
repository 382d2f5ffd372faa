"""Evaluating the navigator's rules over what is known about a situation.

Three-valued: a condition is true, false, or open (it depends on a fact nobody has told us).
A rule with municipalities (a local routine) also needs the municipality to be one of them.

- fired:  the conditions hold → a recommendation;
- not:    a condition fails → the reason, for "testa vägvisare:";
- open:   nothing fails, something is unknown, and at least one condition already holds →
          the unknown facts matter and are worth asking about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lotsen.kb.model import KnowledgeBase
from lotsen.texts import say
from lotsen.vagvisare.model import MUNICIPALITY, NUMBER, SEVERAL, Condition, Navigator, Rule

FIRED, NOT, OPEN = "fired", "not", "open"


@dataclass(frozen=True)
class Outcome:
    value: bool | None
    support: int  # conditions on known facts that hold
    missing: frozenset[str]
    notes: tuple[str, ...]  # why it failed (for false), what holds (for true)


@dataclass
class RuleResult:
    rule: Rule
    status: str
    reasons: list[str] = field(default_factory=list)
    missing: frozenset[str] = frozenset()
    support: int = 0


@dataclass
class Evaluation:
    results: list[RuleResult]
    facts: dict[str, Any]

    @property
    def fired(self) -> list[Rule]:
        return [r.rule for r in self.results if r.status == FIRED]

    @property
    def open(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == OPEN]

    def missing(self, nav: Navigator) -> list[str]:
        """Facts to ask about, in file order: those always asked, and those that decide an open
        rule that is at least half decided (no more unknown facts than conditions that hold)."""
        wanted = {f for r in self.open if len(r.missing) <= r.support for f in r.missing}
        wanted |= {f.id for f in nav.facts.values() if f.always_ask and not known(self.facts, f.id)}
        return [fid for fid in nav.facts if fid in wanted]


def known(facts: dict[str, Any], fid: str) -> bool:
    return fid in facts and facts[fid] is not None


def describe(kb: KnowledgeBase, nav: Navigator, fid: str, value: Any) -> str:
    """A fact's value in words: "Saknar SGI", "Psykisk ohälsa, Missbruk", "21 år", "Jönköping"."""
    fact = nav.facts.get(fid)
    if fact is None:
        return str(value)
    if fact.kind == MUNICIPALITY:
        muni = kb.municipalities.get(str(value))
        return muni.name if muni else str(value)
    if fact.kind == NUMBER:
        return f"{value} {fact.unit}" if fact.unit else str(value)
    if fact.kind == SEVERAL:
        titles = [v.title for v in fact.values if v.value in value]
        return ", ".join(titles) if titles else say("vagvisare.rule_none")
    v = fact.value(str(value))
    return v.title if v else str(value)


def _leaf(kb: KnowledgeBase, nav: Navigator, cond: Condition, facts: dict[str, Any]) -> Outcome:
    fact = nav.facts[cond.fact]
    if cond.test == "known":
        holds = known(facts, cond.fact) == cond.arg
        if holds:
            return Outcome(True, 0, frozenset(), ())
        note = (
            say("vagvisare.rule_fact_unknown", fact=fact.title)
            if cond.arg
            else say("vagvisare.rule_fact_known", fact=fact.title)
        )
        return Outcome(False, 0, frozenset(), (note,))
    if not known(facts, cond.fact):
        return Outcome(None, 0, frozenset({cond.fact}), ())
    value = facts[cond.fact]
    arg, test = cond.arg, cond.test
    if test == "is":
        holds = value == arg
    elif test == "in":
        holds = value in arg
    elif test == "has":
        holds = arg in value
    elif test == "has_any":
        holds = bool(set(arg) & set(value))
    elif test == "has_all":
        holds = set(arg) <= set(value)
    elif test == "between":
        holds = arg[0] <= value <= arg[1]
    elif test == "at_least":
        holds = value >= arg
    else:  # at_most
        holds = value <= arg
    is_text = describe(kb, nav, cond.fact, value)
    if holds:
        return Outcome(True, 1, frozenset(), (f"{fact.title}: {is_text}",))
    want = _wanted(kb, nav, cond)
    return Outcome(
        False, 0, frozenset(), (say("vagvisare.rule_requires", fact=fact.title, value=is_text, wanted=want),)
    )


def _wanted(kb: KnowledgeBase, nav: Navigator, cond: Condition) -> str:
    fact = nav.facts[cond.fact]
    arg = cond.arg
    if cond.test == "between":
        return f"{arg[0]}–{arg[1]}"
    if cond.test == "at_least":
        return say("vagvisare.rule_at_least", value=arg)
    if cond.test == "at_most":
        return say("vagvisare.rule_at_most", value=arg)
    values = arg if isinstance(arg, list) else [arg]
    words = [describe(kb, nav, fact.id, v if fact.kind != SEVERAL else frozenset([v])) for v in values]
    joiner = say("vagvisare.rule_and") if cond.test == "has_all" else say("vagvisare.rule_or")
    return "”" + f"”{joiner}”".join(words) + "”"


def evaluate_condition(kb: KnowledgeBase, nav: Navigator, cond: Condition, facts: dict[str, Any]) -> Outcome:
    if cond.op == "leaf":
        return _leaf(kb, nav, cond, facts)
    parts = [evaluate_condition(kb, nav, c, facts) for c in cond.children]
    if cond.op == "not":
        inner = parts[0]
        if inner.value is None:  # "unless known otherwise": an unknown fact does not block
            return Outcome(True, 0, frozenset(), ())
        if inner.value:
            return Outcome(False, 0, frozenset(), tuple(say("vagvisare.rule_not", reason=n) for n in inner.notes))
        return Outcome(True, 0, frozenset(), ())
    support = sum(p.support for p in parts if p.value)
    if cond.op == "all":
        failed = [p for p in parts if p.value is False]
        if failed:
            return Outcome(False, support, frozenset(), tuple(n for p in failed for n in p.notes))
        unknown = [p for p in parts if p.value is None]
        if unknown:
            return Outcome(None, support, frozenset().union(*(p.missing for p in unknown)), ())
        return Outcome(True, support, frozenset(), tuple(n for p in parts for n in p.notes))
    # any
    held = [p for p in parts if p.value]
    if held:
        return Outcome(True, max(p.support for p in held), frozenset(), held[0].notes)
    unknown = [p for p in parts if p.value is None]
    if unknown:
        return Outcome(None, 0, frozenset().union(*(p.missing for p in unknown)), ())
    return Outcome(False, 0, frozenset(), tuple(n for p in parts for n in p.notes))


def evaluate(kb: KnowledgeBase, nav: Navigator, facts: dict[str, Any]) -> Evaluation:
    results = []
    muni_fact = next((f.id for f in nav.facts.values() if f.kind == MUNICIPALITY), None)
    for rule in nav.rules:
        if rule.municipalities and muni_fact:
            if not known(facts, muni_fact):
                local = Outcome(None, 0, frozenset({muni_fact}), ())
            elif facts[muni_fact] in rule.municipalities:
                local = Outcome(True, 0, frozenset(), ())
            else:
                names = ", ".join(describe(kb, nav, muni_fact, m) for m in rule.municipalities)
                local = Outcome(False, 0, frozenset(), (say("vagvisare.rule_local_only", municipalities=names),))
        else:
            local = Outcome(True, 0, frozenset(), ())
        if local.value is False:
            results.append(RuleResult(rule, NOT, list(local.notes)))
            continue
        outcome = evaluate_condition(kb, nav, rule.when, facts)
        if outcome.value is False:
            results.append(RuleResult(rule, NOT, list(outcome.notes)))
        elif outcome.value is True and local.value is True:
            results.append(RuleResult(rule, FIRED, list(outcome.notes)))
        else:
            missing = outcome.missing | local.missing
            status = OPEN if outcome.support > 0 or (outcome.value is True) else NOT
            reasons = [] if status == OPEN else [say("vagvisare.rule_nothing_known")]
            results.append(RuleResult(rule, status, reasons, frozenset(missing), outcome.support))
    return Evaluation(results, dict(facts))
