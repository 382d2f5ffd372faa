"""The matcher's index shortcuts give exactly what the plain computation gives (issue 17).

Speed work on lotsen/matching.py must not change an answer; scripts.match_equivalence compares
whole runs before and after a change. These tests keep the shortcuts honest against the plain
computation they replace, whatever the scoring formula is at the time.
"""

from __future__ import annotations

import heapq
import pickle
from collections import defaultdict

import pytest

from lotsen import matching
from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from lotsen.settings import ROOT
from scripts.benchmark import synthetic_kb


def plain_rivals(matcher: Matcher, index: int, limit: int = 4) -> list[str]:
    """Matcher.rivals as it was first written: add up the rare words' weights entry by entry."""
    entry_id, _, stems = matcher._docs[index]
    rare = sorted((s for s in stems if s in matcher._idf and s not in matcher._weak), key=lambda s: -matcher._idf[s])[
        : matching.RIVAL_WORDS
    ]
    acc: dict[str, float] = defaultdict(float)
    for s in rare:
        for other in matcher._postings.get(s, ())[: matching.RIVAL_SCAN]:
            if other != entry_id:
                acc[other] += matcher._idf[s]
    return heapq.nlargest(limit, acc, key=acc.__getitem__)


@pytest.fixture(scope="module")
def shipped():
    return load_knowledge_base(ROOT / "knowledge")


def test_rivals_are_those_of_the_plain_sum_on_the_shipped_knowledge_base(shipped):
    matcher = Matcher(shipped)
    for index in range(len(matcher.phrasings())):
        assert matcher.rivals(index) == plain_rivals(matcher, index), matcher.phrasings()[index]


def test_rivals_are_those_of_the_plain_sum_on_a_dense_synthetic_one(shipped):
    # 1,500 entries recombined from the shipped vocabulary: long postings, many ties
    matcher = Matcher(synthetic_kb(shipped, 1500)[0])
    for index in range(0, len(matcher.phrasings()), 3):
        for limit in (1, 4):
            assert matcher.rivals(index, limit) == plain_rivals(matcher, index, limit)


def test_a_matcher_survives_pickling_with_the_same_answers(shipped):
    """lotsen.kb.isolated sends the matcher from a child process."""
    matcher = Matcher(shipped)
    copy = pickle.loads(pickle.dumps(matcher))
    for question in (
        "vem kallar till sip",
        "hsf finansiering",
        "min klient har fsö och ingen sgi, vem gör vad?",
        "ge mig ett recept på kanelbullar",
    ):
        assert copy.match(question) == matcher.match(question)
    assert [copy.match_phrasing(i).candidates for i in range(0, 200, 7)] == [
        matcher.match_phrasing(i).candidates for i in range(0, 200, 7)
    ]
