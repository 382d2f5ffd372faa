"""What a coordinator reads when knowledge/vagvisare.yaml is wrong: every check of
lotsen/vagvisare/schema.py and of the pattern language, with its exact message and line.

The messages are data (lotsen/data/texts.yaml, group `vagvisare_check`); these cases pin their
wording and the values filled in, so moving or rewording them cannot lose a value unnoticed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from lotsen.kb import model as m
from lotsen.kb.loader import check_knowledge_base, load_knowledge_base
from lotsen.vagvisare.extract import Extractor
from lotsen.vagvisare.patterns import PatternError, compile_pattern
from lotsen.vagvisare.schema import check_navigator, read_navigator

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
NAME = "knowledge/vagvisare.yaml"
BASE = (FIXTURE / "vagvisare.yaml").read_text(encoding="utf-8")
FACT_KEYS = (
    "always_ask, duration, id, kind, negated_by, not_after, patterns, percent, question, range, title, unit, values"
)
RULE_KEYS = "actions, contact_purpose, do, gap, id, municipalities, order, related, source, title, when, who, why"

RULE_HEAD = """
  - id: ny
    title: "Ny regel"
    do: "Gör något."
    why: "För att."
"""
RULE_BODY = """
    who: [samordningsforbunden]
    when: {fact: sgi, is: nej}
    source: {doc: rsrf-modell, section: "SIP"}
"""


@lru_cache(maxsize=1)
def fixture_kb() -> m.KnowledgeBase:
    return load_knowledge_base(FIXTURE)


def with_fact(block: str) -> str:
    return BASE.replace("\nrules:\n", "\n" + block.rstrip("\n") + "\n\nrules:\n", 1)


def with_rule(block: str) -> str:
    return BASE + block


def rule(**fields: str) -> str:
    """A rule `ny` (valid as given) with `fields` replaced, added or (value None) removed."""
    lines = {}
    for line in (RULE_HEAD + RULE_BODY).strip("\n").splitlines():
        key = line.strip().removeprefix("- ").split(":", 1)[0]
        lines[key] = line
    for key, value in fields.items():
        prefix = "  - " if key == "id" else "    "
        if value is None:
            del lines[key]
        else:
            lines[key] = f"{prefix}{key}: {value}"
    return with_rule("\n" + "\n".join(lines.values()) + "\n")


def problems(text: str, tmp_path: Path, kb: m.KnowledgeBase | None = None) -> list[str]:
    """Every message for this vagvisare.yaml, as "file:line: message" (reading, then references)."""
    path = tmp_path / "vagvisare.yaml"
    path.write_text(text, encoding="utf-8")
    found: list[str] = []

    def report(where: m.Where, message: str) -> None:
        found.append(f"{where.file}:{where.line}: {message}")

    nav = read_navigator(path, NAME, report)
    if nav is not None and not found:
        check_navigator(kb or fixture_kb(), nav, report)
    return found


def line_of(text: str, needle: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in the text")


def test_the_fixture_has_no_problem(tmp_path):
    assert problems(BASE, tmp_path) == []


READING = [
    # the file and the situation
    (
        "extra: 1\n" + BASE,
        None,
        "vagvisare.yaml ska bara innehålla situation:, facts: och rules:",
    ),
    (
        BASE.replace("  next_step:", "  annat: [x]\n  next_step:"),
        "triggers:",
        "situation: har triggers, client och next_step (listor med mönster)",
    ),
    # facts
    (with_fact("  - just en text"), "situation:", "varje faktum ska vara en mappning (id, title, kind …)"),
    (
        with_fact('  - {id: ny, title: "Ny", kind: one, question: "?", values: [{value: a, title: A}], farg: 1}'),
        "id: ny,",
        f"okänt fält 'farg' i facts (tillåtna: {FACT_KEYS})",
    ),
    (with_fact('  - {id: Ny Fakta, title: "Ny", kind: one}'), "id: Ny Fakta", "ogiltigt id 'Ny Fakta' för ett faktum"),
    (
        with_fact('  - {id: ny, title: "Ny", kind: many}'),
        "id: ny,",
        "ny: kind ska vara en av one, several, number, municipality",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: one, question: "?", values: []}'),
        "id: ny,",
        "ny: values ska vara en lista med minst ett svar",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values:\n      - {value: a, farg: 1}'
        ),
        "{value: a, farg: 1}",
        "ny: varje svar har value, title och patterns",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values:\n'
            '      - {value: Stort A, title: "A"}'
        ),
        "Stort A",
        "ny: ogiltigt value 'Stort A'",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values:\n'
            '      - {value: a, title: "A"}\n      - {value: a, title: "A igen"}'
        ),
        "A igen",
        "ny: value 'a' finns två gånger",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: number, question: "?", patterns: ["{tal} år"], values: []}'),
        "id: ny,",
        "ny: ett faktum av sorten number har inga values",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: number, question: "?"}'),
        "id: ny,",
        "ny: ett tal-faktum behöver patterns med {tal}",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: number, question: "?", patterns: ["år"]}'),
        "id: ny,",
        "ny: varje mönster för ett tal-faktum ska innehålla {tal}",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: number, question: "?", patterns: ["{tal} år"], range: [75, 15]}'),
        "id: ny,",
        "ny: range ska vara [minsta, största], t.ex. [15, 75]",
    ),
    (
        with_fact('  - {id: ny, title: "Ny", kind: municipality, question: "?", always_ask: ja}'),
        "id: ny,",
        "ny: always_ask ska vara true eller false",
    ),
    (
        with_fact('  - {id: ny, title: "", kind: municipality, question: "?"}'),
        "id: ny,",
        "title ska vara en text som inte är tom",
    ),
    (
        with_fact(
            '  - {id: ny, title: "Ny", kind: several, question: "?", values: [{value: a, title: A}], negated_by: 3}'
        ),
        "id: ny,",
        "negated_by ska vara en lista med texter",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values: [{value: a, title: A}]\n'
            "    duration: {anchors: [fsö]}"
        ),
        "id: ny",
        "ny: duration har anchors (mönster) och at_least (lista med months och value)",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values: [{value: a, title: A}]\n'
            "    duration:\n      anchors: [fsö]\n      at_least:\n        - {months: 3, value: b}"
        ),
        "{months: 3, value: b}",
        "ny: varje rad i at_least har months (heltal) och value (ett av svaren)",
    ),
    (
        with_fact(
            '  - id: ny\n    title: "Ny"\n    kind: one\n    question: "?"\n    values: [{value: a, title: A}]\n'
            "    percent: {anchors: [sjukskriven], full: 100, full_value: a, part_value: b}"
        ),
        "id: ny",
        "ny: percent har anchors (mönster), full (heltal), full_value och part_value (svar som finns)",
    ),
    (
        with_fact('  - {id: sgi, title: "SGI igen", kind: municipality, question: "?"}'),
        "SGI igen",
        f"faktumet 'sgi' finns redan ({NAME}:{line_of(BASE, 'id: sgi')})",
    ),
    # patterns, with what they belong to
    (
        with_fact(
            '  - {id: ny, title: "Ny", kind: one, question: "?", values: [{value: a, title: A, patterns: ["… sgi"]}]}'
        ),
        "id: ny,",
        "ny=a: mönstret '… sgi': … måste stå mellan två ord",
    ),
    (
        BASE.replace('["klient*", "hon", "han"]', '["klient*", "{namn} har"]'),
        "triggers:",
        "situation.client: mönstret '{namn} har': okänd platshållare '{namn}' (bara {tal} finns)",
    ),
    (
        BASE.replace('"ingen sgi",', '"ingen - sgi",'),
        "ingen - sgi",
        "sgi=nej: mönstret 'ingen - sgi': '-' innehåller inga bokstäver eller siffror",
    ),
    (
        BASE.replace('anchors: ["försörjningsstöd*", "fsö"]', 'anchors: ["försörjningsstöd …", "fsö"]'),
        "id: bistand",
        "bistand duration: mönstret 'försörjningsstöd …' är tomt eller slutar med …",
    ),
    # rules
    (
        with_rule("\n  - bara text\n"),
        "situation:",
        "varje regel ska vara en mappning (id, title, do, who, why, when, source …)",
    ),
    (rule(farg="blå"), "id: ny", f"okänt fält 'farg' i rules (tillåtna: {RULE_KEYS})"),
    (rule(id="Ny Regel"), "id: Ny Regel", "ogiltigt id 'Ny Regel' för en regel"),
    (
        rule(source=None),
        "id: ny",
        "regeln ny saknar source – varje rekommendation ska visa var den kommer ifrån (doc ur sources.yaml och section)",
    ),
    (
        rule(source='{section: "SIP"}'),
        "id: ny",
        "regeln ny: source ska ha doc (id ur sources.yaml) och section (rubrik i dokumentet)",
    ),
    (rule(source="{doc: 3}"), "id: ny", "regeln ny: source: doc och section ska vara texter"),
    (rule(source="[]"), "id: ny", "regeln ny: source saknas"),
    (rule(when=None), "id: ny", "regeln ny saknar when (villkoren)"),
    (rule(order="först"), "id: ny", "regeln ny: order ska vara ett heltal"),
    (rule(gap="kanske"), "id: ny", "regeln ny: gap ska vara true eller false"),
    (rule(who="[]"), "id: ny", "regeln ny: who (vilken part som gör det) saknas"),
    (rule(who="3"), "id: ny", "who ska vara en lista med texter"),
    (rule(when="[sgi]"), "id: ny", "regeln ny: ett villkor är all:, any:, not: eller {fact: …, is: …}"),
    (rule(when="{all: []}"), "when:", "regeln ny: all: ska vara en lista med villkor"),
    (
        rule(when="{fact: sgi, is: nej, in: [ja]}"),
        "when:",
        "regeln ny: ett villkor har fact: och exakt ett test "
        "(is, in, has, has_any, has_all, between, at_least, at_most, known)",
    ),
    (
        with_rule("\n" + RULE_HEAD.replace("id: ny", "id: sip-kalla") + RULE_BODY),
        "id: sip-kalla",
        f"regeln 'sip-kalla' finns redan ({NAME}:{line_of(BASE, 'id: sip-kalla')})",
    ),
]


@pytest.mark.parametrize("text, near, message", READING, ids=[case[2][:60] for case in READING])
def test_reading_reports_each_problem_with_its_line(tmp_path, text, near, message):
    found = problems(text, tmp_path)
    line = line_of(text, near, text.count(near)) if near else 1
    assert f"{NAME}:{line}: {message}" in found, found


REFERENCES = [
    (
        rule(source='{doc: okand-kalla, section: "SIP"}'),
        "id: ny",
        "regeln ny: källan 'okand-kalla' finns inte i sources.yaml",
    ),
    (rule(who="[polisen]"), "id: ny", "regeln ny: parten 'polisen' finns inte i parties.yaml"),
    (rule(contact_purpose="okant-syfte"), "id: ny", "regeln ny: syftet 'okant-syfte' finns inte i routing.yaml"),
    (rule(actions="[flyga]"), "id: ny", "regeln ny: okänd åtgärd 'flyga' (tillåtna: sip, arena, avvikelse, kontakter)"),
    (rule(actions="[kontakter]"), "id: ny", "regeln ny: åtgärden kontakter kräver contact_purpose"),
    (rule(related="[okand-fraga]"), "id: ny", "regeln ny: frågan 'okand-fraga' (related) finns inte i qa/"),
    (rule(municipalities="[atlantis]"), "id: ny", "regeln ny: kommunen 'atlantis' finns inte i geography.yaml"),
    (rule(when="{fact: okand, is: ja}"), "when:", "regeln ny: faktumet 'okand' finns inte bland facts"),
    (rule(when="{fact: sgi, has: nej}"), "when:", "regeln ny: testet 'has' passar inte sgi (för one: is, in, known)"),
    (rule(when="{fact: sgi, known: ja}"), "when:", "regeln ny: known ska vara true eller false"),
    (rule(when="{fact: alder, between: 18}"), "when:", "regeln ny: between för alder ska vara [från, till]"),
    (rule(when="{fact: alder, at_least: [18]}"), "when:", "regeln ny: at_least för alder ska vara ett heltal"),
    (rule(when="{fact: sgi, is: [nej, ja]}"), "when:", "regeln ny: is tar ett värde; använd in/has_any för en lista"),
    (rule(when="{fact: sgi, is: kanske}"), "when:", "regeln ny: sgi har inget svar 'kanske' (finns: ja, nej)"),
]


@pytest.mark.parametrize("text, near, message", REFERENCES, ids=[case[2][:60] for case in REFERENCES])
def test_every_reference_must_resolve(tmp_path, text, near, message):
    found = problems(text, tmp_path)
    assert f"{NAME}:{line_of(text, near, text.count(near))}: {message}" in found, found


def test_a_municipality_fact_needs_municipalities(tmp_path):
    kb = dataclasses.replace(fixture_kb(), municipalities={})
    found = problems(BASE, tmp_path, kb)
    assert f"{NAME}:{line_of(BASE, 'id: kommun')}: kommun: geography.yaml har inga kommuner" in found


def test_a_rule_built_without_a_source_is_reported(tmp_path):
    nav = read_navigator(_write(tmp_path, BASE), NAME, _fail)
    assert nav is not None
    nav = dataclasses.replace(nav, rules=(dataclasses.replace(nav.rules[0], sources=()),))
    found: list[str] = []
    check_navigator(fixture_kb(), nav, lambda where, message: found.append(message))
    assert found == ["regeln sip-kalla saknar source"]


def test_the_loader_reports_the_messages_with_file_and_line(tmp_path):
    """The same messages reach `scripts.kb check` and "ladda om kunskapsbasen" through the loader."""
    import shutil

    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, target)
    text = rule(who="[polisen]")
    (target / "vagvisare.yaml").write_text(text, encoding="utf-8")
    kb, errors = check_knowledge_base(target)
    assert kb is None
    line = line_of(text, "id: ny")
    assert f"knowledge/vagvisare.yaml:{line}: regeln ny: parten 'polisen' finns inte i parties.yaml" in [
        str(e) for e in errors
    ]


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("saknar … … sgi", "mönstret 'saknar … … sgi': … måste stå mellan två ord"),
        ("{ålder} år", "mönstret '{ålder} år': okänd platshållare '{ålder}' (bara {tal} finns)"),
        ("ingen ?", "mönstret 'ingen ?': '?' innehåller inga bokstäver eller siffror"),
        ("  ", "mönstret '  ' är tomt eller slutar med …"),
    ],
)
def test_a_malformed_pattern_says_what_is_wrong(pattern, message):
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert str(caught.value) == message


def test_a_fact_from_a_duration_shows_the_anchor_and_the_months():
    """The evidence "testa vägvisare" shows for a value decided by how long something has lasted."""
    kb = fixture_kb()
    found = Extractor(kb.navigator, kb).extract("Min klient har haft fsö i två år", today=date(2026, 11, 23))
    assert found.facts["bistand"] == "langvarigt"
    assert [(f.words, f.pattern) for f in found.evidence["bistand"]] == [("fsö i två år", "fsö + tid (24 mån)")]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vagvisare.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _fail(where: m.Where, message: str) -> None:
    raise AssertionError(f"{where.file}:{where.line}: {message}")
