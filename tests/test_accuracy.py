"""Question answering on the accuracy sets (tests/accuracy/*.yaml) against the shipped
knowledge base, through what a user's message goes through (typed commands, then
lotsen.features.qa.decide). `strict` = a direct answer card with the right content.

The tuning sets (digest_questions_a/b, blind_questions, tuning_situational, tuning2_questions,
tuning3_questions, tuning4_questions, tuning5_questions, tuning6_questions, tuning7_questions,
tuning8_questions, tuning9_questions, tuning10_questions, tuning11_questions, tuning12_questions, tuning13_questions,
tuning14_questions, tuning15_questions, tuning16_questions, tuning17_questions, tuning18_questions,
tuning19_questions, tuning20_questions, tuning21_questions … tuning279_questions, tuning288 …
tuning303, tuning312 … tuning375) may be used to tune the matcher; tuning280 … tuning287 (session
24) and tuning304 … tuning311 (session 25) are unread checks, like tuning212 … 215: their failures
give counts only (`counts_only`) and no script fits on them; the held-out sets
(heldout_questions, heldout2_questions) never are, and their floors are what has been reached, not
targets to tune for.

The floors of the sets written from the seeds (tuning4_questions … tuning375_questions), with each
floor's history, are one data table, tests/accuracy_floors.yaml (not in tests/accuracy/, whose every
YAML file is a question set); the other sets' floors and heldout2's sanity bounds are in this module."""

from pathlib import Path

import pytest
import yaml

from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from scripts.accuracy import evaluate, load_questions, rate

ROOT = Path(__file__).resolve().parent.parent
# Held-out set 2: sanity bounds that catch a broken matcher, deliberately below what it reaches
# (scripts.accuracy reports the exact figures). Floors at the reached values turned the held-out
# set into a gate that accepted or rejected tuning changes one question at a time: selection on
# the held-out set, which it must never be used for. Failures show no held-out question.
HELDOUT2_STRICT_IN_SCOPE = 0.70
HELDOUT2_STRICT_SITUATIONAL = 0.50
HELDOUT2_WRONG_MAX_SHARE = 0.08
HELDOUT2_REFUSED = 0.80


@pytest.fixture(scope="module")
def outcomes():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    return evaluate(matcher, load_questions())


def report(outcomes, label):
    failed = [
        f"{o.question!r} → {o.kind} {o.got or '-'} (väntat {'|'.join(o.expect)})" for o in outcomes if not o.passed
    ]
    print(f"\n{label}: {sum(o.passed for o in outcomes)}/{len(outcomes)} = {rate(outcomes):.1%}")
    return failed


def test_every_expected_entry_exists():
    """An expected id is an entry, or a glossary answer `ordlista-<concept id>` (lotsen.features.qa)."""
    kb = load_knowledge_base(ROOT / "knowledge")
    missing = [
        q["q"]
        for q in load_questions()
        for expected in (q.get("expect_any") or [q.get("expect", "none")])
        if expected not in kb.entries
        and expected.removeprefix("ordlista-") not in (kb.concepts if expected.startswith("ordlista-") else ())
        and expected not in ("none", "smalltalk")
    ]
    assert missing == []


def test_digest_questions_pass_rate(outcomes):
    digest = [o for o in outcomes if o.origin.startswith("digest")]
    assert len(digest) >= 40
    failed = report(digest, "DIGEST §9")
    assert rate(digest) >= 0.95, failed


def test_paraphrases_pass_rate(outcomes):
    other = [o for o in outcomes if o.origin == "paraphrase"]
    assert len(other) >= 60
    failed = report(other, "Egna omformuleringar")
    assert rate(other) >= 0.90, failed


def test_blind_paraphrases_pass_rate(outcomes):
    """Written from the entries' titles and answers only, without seeing the phrasings."""
    blind = [o for o in outcomes if o.origin == "blind"]
    assert len(blind) >= 100
    failed = report(blind, "Blinda omformuleringar")
    assert rate(blind) >= 0.93, failed  # 0.87 until session 5, 0.91 until session 6; 114/120 now


def test_situational_tuning_questions(outcomes):
    """Descriptions of a client's situation in 20+ words get a direct answer."""
    situational = [o for o in outcomes if o.file == "tuning_situational" and o.category == "situational"]
    assert len(situational) >= 40
    failed = report(situational, "Situationer (tuning)")
    assert rate(situational) >= 0.90, failed  # 0.85 until session 5; 37/40 now


def test_situational_questions_of_tuning_set_3(outcomes):
    """Written from the seeds the way staff type, never copied into the knowledge base: how the
    matcher generalises to descriptions of a client's situation."""
    situational = [o for o in outcomes if o.file == "tuning3_questions" and o.category == "situational"]
    assert len(situational) >= 50
    failed = report(situational, "Situationer (tuning 3)")
    assert rate(situational) >= 0.83, failed  # 0.75 until session 6; 52/60 now


# The question sets written from the seeds (tuning4 … tuning375) have floors of their own, with
# each floor's history, in one table: tests/accuracy_floors.yaml (its header says what the fields
# mean and how the sets came about). FLOORS has a row per set, in the table's order: (file, at
# least this many questions, strict in scope, situational, confidently wrong at most).
FLOORS_FILE = ROOT / "tests" / "accuracy_floors.yaml"
FLOORS_TABLE = yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]
FLOORS = [
    (row.get("set"), row.get("minimum"), row.get("in_scope"), row.get("situational"), row.get("wrong_max"))
    for row in FLOORS_TABLE
]
OWN_FLOORS = tuple(name for name, *_ in FLOORS)
# Validation sets whose floor failures give counts, not questions (`counts_only: true` in the table).
COUNTS_ONLY = tuple(row.get("set") for row in FLOORS_TABLE if row.get("counts_only"))
# Sets written from the seeds whose floors have not been set yet. They stay out of the pooled
# confidently-wrong share below, whose failure message lists questions, until they get floors of
# their own in tests/accuracy_floors.yaml.
NO_FLOORS_YET: tuple[str, ...] = ()


def test_floors_table_is_well_formed():
    """tests/accuracy_floors.yaml: each row names a question set in tests/accuracy once, with the
    five fields of the right types and shares between 0 and 1; counts_only and notes are optional."""
    fields = {"set": str, "minimum": int, "in_scope": float, "situational": float, "wrong_max": int}
    optional = {"counts_only": bool, "notes": dict}
    problems = []
    for number, row in enumerate(FLOORS_TABLE, start=1):
        if not isinstance(row, dict):
            problems.append(f"row {number}: not a mapping")
            continue
        where = f"row {number} ({row.get('set')})"
        problems += [f"{where}: unknown field {key}" for key in row.keys() - fields.keys() - optional.keys()]
        for key, kind in {**fields, **optional}.items():
            if (key in fields or key in row) and type(row.get(key)) is not kind:
                problems.append(f"{where}: {key} is not {kind.__name__}")
        if not all(0 <= row.get(key, 0) <= 1 for key in ("in_scope", "situational") if type(row.get(key)) is float):
            problems.append(f"{where}: a share outside 0-1")
        if type(row.get("minimum")) is int and row["minimum"] < 1:
            problems.append(f"{where}: minimum below 1")
        if type(row.get("wrong_max")) is int and row["wrong_max"] < 0:
            problems.append(f"{where}: wrong_max below 0")
        notes = row.get("notes", {})
        if isinstance(notes, dict) and not all(
            key in ("in_scope", "situational", "wrong_max") and isinstance(text, str) for key, text in notes.items()
        ):
            problems.append(f"{where}: notes has other keys than in_scope, situational, wrong_max or a non-text note")
        if isinstance(row.get("set"), str) and not (ROOT / "tests" / "accuracy" / f"{row['set']}.yaml").is_file():
            problems.append(f"{where}: no tests/accuracy/{row['set']}.yaml")
    problems += [
        f"{name} appears more than once" for name in sorted({n for n in OWN_FLOORS if OWN_FLOORS.count(n) > 1})
    ]
    problems += [f"{name} is in NO_FLOORS_YET but has floors" for name in NO_FLOORS_YET if name in OWN_FLOORS]
    assert problems == []


@pytest.mark.parametrize("name, minimum, in_scope, situational, wrong_max", FLOORS)
def test_tuning_sets_written_from_the_seeds_keep_their_floors(
    outcomes, name, minimum, in_scope, situational, wrong_max
):
    questions = [o for o in outcomes if o.file == name]
    assert len(questions) >= minimum

    def why(group: list, title: str) -> str:
        if name in COUNTS_ONLY:
            return f"{name}, {title}: {sum(o.passed for o in group)}/{len(group)}"
        return report(group, f"{name}, {title}")

    scope = [o for o in questions if o.in_scope]
    assert rate(scope) >= in_scope, why(scope, "inom området")
    described = [o for o in questions if o.category == "situational"]
    assert rate(described) >= situational, why(described, "situationer")
    wrong = [f"{o.question!r} → {o.got}" for o in questions if o.wrong]
    assert len(wrong) <= wrong_max, len(wrong) if name in COUNTS_ONLY else wrong


def test_confidently_wrong_answers_are_rare(outcomes):
    tuning = [o for o in outcomes if not o.file.startswith("heldout") and o.file not in OWN_FLOORS + NO_FLOORS_YET]
    wrong = [f"{o.question!r} → {o.got} (väntat {'|'.join(o.expect)})" for o in tuning if o.wrong]
    assert len(wrong) <= len(tuning) * 0.015, wrong


def test_a_wrong_entry_is_never_given_as_a_confident_answer_for_digest_questions(outcomes):
    wrong = [o for o in outcomes if o.origin.startswith("digest") and o.wrong]
    assert wrong == []


def test_off_topic_questions_are_never_answered_and_mostly_refused(outcomes):
    off = [o for o in outcomes if o.category == "offtopic" and not o.file.startswith("heldout")]
    assert len(off) >= 15

    def shown(o) -> str:  # a validation set's question is not shown
        return o.file if o.file in COUNTS_ONLY else o.question

    assert [shown(o) for o in off if o.kind == "answer"] == []
    refused = [o for o in off if o.kind == "offtopic"]
    # 0.9 until session 5; 166 of 168 (98.8 %) with lotsen/domain.py
    assert len(refused) >= 0.95 * len(off), [shown(o) for o in off if o.kind != "offtopic"]


# tuning_offtopic2 (h9off): off-topic questions that share words with the domain, and in-domain
# questions that look off-topic. Floors at what has been reached.
TUNING_OFFTOPIC2_REFUSED = 0.95
TUNING_OFFTOPIC2_SHORT = 0.85  # 19/21 now (0.66 until session 7)


def test_off_topic_look_alikes_are_refused_and_in_domain_look_alikes_still_answered(outcomes):
    """tuning_offtopic2: "vad tjänar en arbetsförmedlare" is refused, "vad tjänar samhället på
    förbundets insatser" is answered (lotsen/domain.py, offtopic in lotsen/data/conversation.yaml)."""
    tuning = [o for o in outcomes if o.file == "tuning_offtopic2_questions"]
    off = [o for o in tuning if o.category == "offtopic"]
    assert len(off) >= 60
    assert [o.question for o in off if o.kind == "answer"] == []
    refused = [o for o in off if o.kind == "offtopic"]
    assert len(refused) >= TUNING_OFFTOPIC2_REFUSED * len(off), [o.question for o in off if o.kind != "offtopic"]
    short = [o for o in tuning if o.category == "short"]
    assert len(short) >= 20
    assert [o.question for o in short if o.kind == "offtopic"] == []  # never refused
    assert rate(short) >= TUNING_OFFTOPIC2_SHORT, report(short, "Inom området men ser ut att ligga utanför")


OFF_TOPIC = [
    "vad tycker du om fotboll",
    "hur blir vädret i morgon",
    "hur bakar man surdegsbröd",
    "vad är klockan",
    "kan du boka min semester",
    "vad blir det för lunch idag",
    "skriv en dikt om hösten",
    "vem vann melodifestivalen",
]


def test_off_topic_questions_never_get_a_confident_answer():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    answered = [(q, matcher.match(q).best.entry_id) for q in OFF_TOPIC if matcher.match(q).level == "answer"]
    assert answered == []


def test_small_talk_gets_a_polite_reply(outcomes):
    talk = [o for o in outcomes if o.category == "smalltalk" and not o.file.startswith("heldout")]
    assert talk and [o.question for o in talk if not o.passed] == []


def test_held_out_questions(outcomes):
    """Written from titles and answers only and never used to tune phrasings or the matcher."""
    held_out = [o for o in outcomes if o.origin == "heldout"]
    assert len(held_out) >= 80
    failed = report(held_out, "Hållna utanför")
    assert rate(held_out) >= 0.93, failed  # 0.89 until session 6; 77/80 now
    unanswerable = [o for o in held_out if o.expect == ("none",)]
    assert len(unanswerable) >= 10 and all(o.kind != "answer" for o in unanswerable)


def test_held_out_set_2_is_sane(outcomes):
    """The frozen held-out set 2 (issue 9), never used for tuning: only sanity bounds (see
    HELDOUT2_*), and a failure names no question, so that the test cannot guide tuning."""
    held = [o for o in outcomes if o.file == "heldout2_questions"]
    assert len(held) >= 150
    scope = [o for o in held if o.in_scope]
    situational = [o for o in held if o.category == "situational"]
    off = [o for o in held if o.category == "offtopic"]
    sane = {
        "strict in scope": rate(scope) >= HELDOUT2_STRICT_IN_SCOPE,
        "strict situational": rate(situational) >= HELDOUT2_STRICT_SITUATIONAL,
        "confidently wrong": sum(o.wrong for o in held) <= HELDOUT2_WRONG_MAX_SHARE * len(held),
        "off-topic never answered": not any(o.kind == "answer" for o in off),
        "off-topic refused": sum(o.kind == "offtopic" for o in off) >= HELDOUT2_REFUSED * len(off),
    }
    assert all(sane.values()), [name for name, ok in sane.items() if not ok]


# Cross-validation over the knowledge base's own phrasings (scripts.crossval): phrasings the
# matcher has not seen, some 2,700 short ones. Floors below what was reached in session 8
# (72.1 % strict, 7.2 % confidently wrong; 70.3 % and 10.3 % at its start).
CROSSVAL_SHORT_STRICT = 0.70
CROSSVAL_SHORT_WRONG_MAX_SHARE = 0.08


def test_phrasings_the_matcher_has_not_seen_are_answered_and_seldom_wrongly():
    from scripts.crossval import folds

    short = [o for o in folds(ROOT / "knowledge", 10) if o.category == "short"]
    assert len(short) >= 2500
    assert rate(short) >= CROSSVAL_SHORT_STRICT
    assert sum(o.wrong for o in short) <= CROSSVAL_SHORT_WRONG_MAX_SHARE * len(short)
