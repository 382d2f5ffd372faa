"""The navigator's pattern index (PatternSet) finds exactly what matching each pattern at
every word finds (find_all), on every situation and question we have plus typo'd and
numeric variants; the index is only a shortcut."""

from __future__ import annotations

from lotsen.text import fold
from lotsen.vagvisare.extract import extractor_for
from lotsen.vagvisare.model import Element, Pattern
from lotsen.vagvisare.patterns import PatternSet, compile_pattern, find_all, tokenize
from scripts.accuracy import load_questions
from tests.vagvisare.support import real_kb, situations


def _texts() -> list[str]:
    questions = [q["q"] for q in load_questions()]
    texts = [s["text"] for s in situations()] + questions[::8]
    # typos (a letter dropped or doubled inside long words), folded forms and numbers in words
    extra = []
    for text in texts[:40]:
        words = text.split()
        extra.append(" ".join(w[:3] + w[4:] if len(w) >= 7 else w for w in words))
        extra.append(" ".join(w[:4] + w[3:] if len(w) >= 6 else w for w in words))
        extra.append(fold(text))
    return texts + extra + ["fsö i tre år och sjukskriven 50 %", "22 år, försörjningsstöd sedan 2021"]


def test_the_index_finds_what_every_pattern_finds_on_its_own():
    extractor = extractor_for(real_kb())
    index = extractor.patterns
    assert len(index.patterns) > 500
    checked = found = 0
    for text in _texts():
        tokens = tokenize(text)
        scan = index.scan(tokens)
        for pattern in index.patterns.values():
            expected = find_all(pattern, tokens)
            assert scan.find_all(pattern) == expected, (text, pattern.text)
            checked += 1
            found += bool(expected)
    assert found > 500  # the texts exercise the vocabulary, not only non-matches
    assert checked > 100_000


def test_heads_the_index_does_not_cover_are_tried_everywhere():
    odd = Pattern("x", (Element("prefix", ""), Element("word", "sgi")))
    index = PatternSet([odd, compile_pattern("saknar … sgi"), compile_pattern("{tal} år")])
    tokens = tokenize("han saknar helt sgi sedan tre år")
    scan = index.scan(tokens)
    for pattern in index.patterns.values():
        assert scan.find_all(pattern) == find_all(pattern, tokens)
    assert [m.start for m in scan.find_all(odd)] == [2]
    outsider = compile_pattern("sedan")  # not in the index: matched the slow way
    assert [m.start for m in scan.find_all(outsider)] == [4]
