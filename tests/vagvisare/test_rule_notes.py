"""Why a rule holds or not, in the words "testa vägvisare:" and the situation card show: each
kind of condition gives its note (texts in lotsen/data/texts.yaml, group `vagvisare`), and a
fact's value is described by its title, its answers' titles or its number and unit."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import pytest

from lotsen.kb import model as m
from lotsen.kb.loader import load_knowledge_base
from lotsen.vagvisare.model import Condition, Navigator
from lotsen.vagvisare.rules import describe, evaluate_condition

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kb"


@lru_cache(maxsize=1)
def kb() -> m.KnowledgeBase:
    return load_knowledge_base(FIXTURE)


def nav() -> Navigator:
    return kb().navigator


def leaf(fact: str, test: str, arg: object) -> Condition:
    return Condition("leaf", fact=fact, test=test, arg=arg)


@pytest.mark.parametrize(
    "condition, facts, holds, notes",
    [
        (leaf("sgi", "known", True), {}, False, ("SGI: okänt",)),
        (leaf("sgi", "known", False), {"sgi": "nej"}, False, ("SGI: känt",)),
        (leaf("sgi", "known", True), {"sgi": "nej"}, True, ()),
        (leaf("sgi", "is", "nej"), {"sgi": "nej"}, True, ("SGI: Saknar SGI",)),
        (leaf("sgi", "is", "ja"), {"sgi": "nej"}, False, ("SGI är ”Saknar SGI”, regeln kräver ”Har SGI”",)),
        (leaf("alder", "at_least", 30), {"alder": 21}, False, ("Ålder är ”21 år”, regeln kräver minst 30",)),
        (leaf("alder", "at_most", 18), {"alder": 21}, False, ("Ålder är ”21 år”, regeln kräver högst 18",)),
        (leaf("alder", "between", [30, 40]), {"alder": 21}, False, ("Ålder är ”21 år”, regeln kräver 30–40",)),
        (
            leaf("halsa", "has_all", ["psykisk", "autism"]),
            {"halsa": frozenset({"psykisk"})},
            False,
            ("Hälsa är ”Psykisk ohälsa”, regeln kräver ”Psykisk ohälsa” och ”Autism”",),
        ),
        (
            leaf("halsa", "has_any", ["psykisk", "autism"]),
            {"halsa": frozenset()},
            False,
            ("Hälsa är ”inga”, regeln kräver ”Psykisk ohälsa” eller ”Autism”",),
        ),
        (Condition("not", (leaf("sgi", "is", "nej"),)), {"sgi": "nej"}, False, ("inte: SGI: Saknar SGI",)),
        (Condition("not", (leaf("sgi", "is", "ja"),)), {"sgi": "nej"}, True, ()),
    ],
)
def test_each_condition_says_why(condition, facts, holds, notes):
    outcome = evaluate_condition(kb(), nav(), condition, facts)
    assert (outcome.value, outcome.notes) == (holds, notes)


def test_a_value_in_words():
    assert describe(kb(), nav(), "alder", 21) == "21 år"
    assert describe(kb(), nav(), "kommun", "vetlanda") == "Vetlanda"
    assert describe(kb(), nav(), "halsa", frozenset({"psykisk", "autism"})) == "Psykisk ohälsa, Autism"
    assert describe(kb(), nav(), "halsa", frozenset()) == "inga"
    assert describe(kb(), nav(), "okand", 3) == "3"


def test_a_number_without_a_unit_is_the_bare_number():
    """The unit comes from vagvisare.yaml (`unit:` of a number fact), not from the fact's id."""
    alder = nav().facts["alder"]
    without = dataclasses.replace(nav(), facts={**nav().facts, "alder": dataclasses.replace(alder, unit="")})
    assert describe(kb(), without, "alder", 21) == "21"
    weeks = dataclasses.replace(nav(), facts={**nav().facts, "alder": dataclasses.replace(alder, unit="veckor")})
    assert describe(kb(), weeks, "alder", 21) == "21 veckor"


def test_a_rule_text_names_the_municipality_and_its_groups():
    """{kommun} and {samverk} in a rule's texts; without a known kommun the words stand in for them."""
    from lotsen.vagvisare.advice import _fill

    text = "I {kommun} kommun tar du upp det i {samverk}."
    assert _fill(kb(), text, "vetlanda") == "I Vetlanda kommun tar du upp det i Samverk Vetlanda arbetsgrupp."
    assert _fill(kb(), text, None) == "I kommunen tar du upp det i Samverk."
