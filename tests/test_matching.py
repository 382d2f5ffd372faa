"""Swedish-aware matching on the small fixture knowledge base."""

from pathlib import Path

import pytest

from lotsen.kb import load_knowledge_base
from lotsen.matching import ANSWER, NONE, SUGGEST, Matcher
from lotsen.text import fold, normalise, stem

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_knowledge_base(FIXTURE))


def best(matcher, text):
    result = matcher.match(text)
    assert result.level == ANSWER, (text, result.level, [(c.entry_id, c.score) for c in result.candidates])
    return result.best.entry_id


def test_folding_and_stemming():
    assert fold("Arbetsförmedlingen") == "arbetsformedlingen"
    assert stem("försäkringskassan") == stem("forsakringskassa") == stem("Försäkringskassans")
    assert stem("avvikelserna") == stem("avvikelse")
    assert stem("kallar") == stem("kallas") == stem("kalla")
    assert normalise("  Vem  KALLAR till SIP? ") == "vem kallar till sip"


@pytest.mark.parametrize(
    "question",
    [
        "Vem kallar till SIP?",
        "vem kallar till sip",  # case
        "VEM KALLAR TILL EN SIP",
        "sip vem kallar",  # word order
        "vem kalar till sip",  # typo
        "vem får kalla till samordnad individuell plan",  # expansion of the abbreviation
    ],
)
def test_variants_find_the_same_entry(matcher, question):
    assert best(matcher, question) == "sip-vem-kallar"


def test_diacritics_and_abbreviations(matcher):
    assert best(matcher, "vad gor forsakringskassan for personer utan sgi") == "fk-samordnar"
    assert best(matcher, "vad gör FK för dem utan SGI") == "fk-samordnar"
    assert best(matcher, "fkassan samordning rehab") == "fk-samordnar"


def test_alias_from_the_glossary(matcher):
    result = matcher.match("vad gör fk för personer med sig 0")
    assert ("sig 0", "SGI sjukpenninggrundande inkomst") in result.expansions
    assert result.best.entry_id == "fk-samordnar"


def test_typo_is_corrected_and_explained(matcher):
    result = matcher.match("vilka kommuner ingår i arenaa")
    assert result.corrections.get("arenaa") == "arena"
    assert result.best.entry_id == "arena-kommuner"


def test_unrelated_question_gets_nothing(matcher):
    assert matcher.match("hur bakar man surdegsbröd").level == NONE
    assert matcher.match("").level == NONE


def test_vague_question_is_not_presented_as_an_answer(matcher):
    result = matcher.match("sip")
    assert result.level in (SUGGEST, NONE)
    assert result.level != ANSWER


def test_explanation_lists_shared_words(matcher):
    result = matcher.match("måste arbetsförmedlingen delta på sip")
    top = result.best
    assert top.entry_id == "sip-af-fk-delta"
    assert {"delt", "sip"} <= set(top.shared) or {"delta", "sip"} <= set(top.shared) or "sip" in top.shared
    assert 0 < top.score <= 1
