"""The DIGEST §9 sample questions (and our own paraphrases) against the shipped knowledge base."""

from pathlib import Path

import pytest

from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from scripts.accuracy import evaluate, load_questions, rate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def outcomes():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    return evaluate(matcher, load_questions())


def report(outcomes, label):
    failed = [f"{o.question!r} → {o.level} {o.got or '-'} (väntat {o.expect})" for o in outcomes if not o.passed]
    print(f"\n{label}: {sum(o.passed for o in outcomes)}/{len(outcomes)} = {rate(outcomes):.1%}")
    return failed


def test_every_expected_entry_exists():
    kb = load_knowledge_base(ROOT / "knowledge")
    missing = [(q["q"], e) for q in load_questions() for e in q["accept"]
               if e not in kb.entries and e not in ("none", "smalltalk")]
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
    assert rate(blind) >= 0.80, failed


def test_confidently_wrong_answers_are_rare(outcomes):
    tuning = [o for o in outcomes if o.origin != "heldout2"]  # held-out set 2 is measured, not asserted (issue 9)
    wrong = [f"{o.question!r} → {o.got} (väntat {o.expect})" for o in tuning
             if o.level == "answer" and o.got != o.expect]
    assert len(wrong) <= len(tuning) // 100, wrong


def test_a_wrong_entry_is_never_given_as_a_confident_answer_for_digest_questions(outcomes):
    wrong = [o for o in outcomes if o.origin.startswith("digest") and o.level == "answer" and o.got != o.expect]
    assert wrong == []


OFF_TOPIC = [
    "vad tycker du om fotboll", "hur blir vädret i morgon", "hur bakar man surdegsbröd",
    "vad är klockan", "kan du boka min semester", "vad blir det för lunch idag",
    "skriv en dikt om hösten", "vem vann melodifestivalen",
]


def test_off_topic_questions_never_get_a_confident_answer():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    answered = [(q, matcher.match(q).best.entry_id) for q in OFF_TOPIC if matcher.match(q).level == "answer"]
    assert answered == []


def test_held_out_questions(outcomes):
    """Written from titles and answers only and never used to tune phrasings or the matcher."""
    held_out = [o for o in outcomes if o.origin == "heldout"]
    assert len(held_out) >= 80
    failed = report(held_out, "Hållna utanför")
    assert rate(held_out) >= 0.75, failed
    unanswerable = [o for o in held_out if o.expect == "none"]
    assert len(unanswerable) >= 10 and all(o.level != "answer" for o in unanswerable)
