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
    rare = sorted(
        (s for s in stems if s in matcher._idf and s not in matcher._weak), key=lambda s: (-matcher._idf[s], s)
    )[: matching.RIVAL_WORDS]
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


def index_state(matcher: Matcher) -> dict:
    """Everything a matcher answers from (its caches and the kb object itself aside)."""
    state = matcher.__getstate__()
    for key in ("_split_cache", "_rival_cache", "kb", "_analysed_docs"):
        state.pop(key)
    return state


def edited(kb, **changes):
    """kb with entries changed: id → dict of Entry fields (None removes the entry)."""
    from dataclasses import replace

    entries = dict(kb.entries)
    for entry_id, fields in changes.items():
        if fields is None:
            entries.pop(entry_id)
        else:
            entries[entry_id] = replace(entries[entry_id], **fields)
    return replace(kb, entries=entries)


def test_an_index_built_from_the_previous_one_is_the_same_as_a_new_one(shipped):
    """Matcher(kb, previous=…) reuses the analyses that cannot have changed (a reload after an
    edit): whatever the edit, the index equals one built from nothing, and so do its answers."""
    first = next(iter(shipped.entries.values()))
    second = list(shipped.entries.values())[1]
    big, _ = synthetic_kb(shipped, 300)
    edits = {
        "an answer with known words": edited(shipped, **{first.id: {"answer": first.answer + " Se även SIP."}}),
        "a phrasing with a new word": edited(
            shipped, **{first.id: {"phrasings": first.phrasings + ("hur gör man kanelbullebakningsuppdraget",)}}
        ),
        # a new compound part changes how known long words split
        "an answer with a new part": edited(shipped, **{second.id: {"answer": second.answer + " Samordningsgrupp."}}),
        "an entry removed": edited(shipped, **{second.id: None}),
        "many new words": big,
    }
    previous = Matcher(shipped)
    for name, kb in edits.items():
        again = Matcher(kb, previous=previous)
        fresh = Matcher(kb)
        assert index_state(again) == index_state(fresh), name
        for question in ("vem kallar till sip", "kanelbullebakning", "samordningsgrupp för unga"):
            ours, theirs = again.match(question), fresh.match(question)
            assert [(c.entry_id, c.score) for c in ours.candidates] == [
                (c.entry_id, c.score) for c in theirs.candidates
            ]
        for index in range(0, len(again._docs), 97):  # the quality check's path (analyses reused lazily)
            assert again.match_phrasing(index).candidates == fresh.match_phrasing(index).candidates, name
    # from an unpickled matcher (the bot's after a reload built in a child process)
    unpickled = pickle.loads(pickle.dumps(previous))
    kb = edits["a phrasing with a new word"]
    assert index_state(Matcher(kb, previous=unpickled)) == index_state(Matcher(kb))
