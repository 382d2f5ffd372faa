"""The flows' and case handling's texts (dialogs/texts.yaml) and the words the coordinators'
commands recognise (dialogs/words.yaml): every key the code names exists with the placeholders it
fills in, and a malformed words file is refused with where."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from dialogs.texts import WORDS_FILE, load_texts, load_words
from dialogs.periods import parse_filters
from lotsen.kb import load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"


def _keys_named_in_code() -> list[tuple[str, str, frozenset[str]]]:
    """(where, key, keyword names) of every texts("key", …) / dialog_texts()("key", …) call."""
    found = []
    for path in sorted(DIALOGS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            named = (isinstance(func, ast.Name) and func.id == "texts") or (
                isinstance(func, ast.Attribute) and func.attr == "texts"
            )
            called = isinstance(func, ast.Call) and getattr(func.func, "id", "") == "dialog_texts"
            first = node.args[0]
            if (named or called) and isinstance(first, ast.Constant) and isinstance(first.value, str):
                keywords = frozenset(k.arg for k in node.keywords if k.arg)
                found.append((f"{path.name}:{node.lineno}", first.value, keywords))
    return found


def test_every_text_key_the_dialogs_name_exists_with_its_placeholders():
    table = load_texts().table
    named = _keys_named_in_code()
    assert len(named) > 100, "the scan found too few calls: it would pass vacuously"
    problems = []
    for where, key, given in named:
        if key not in table:
            problems.append(f"{where}: no text {key!r} in dialogs/texts.yaml")
            continue
        wanted = {name for _, name, _, _ in string.Formatter().parse(table[key]) if name}
        if given and given != wanted:
            problems.append(f"{where}: {key} has {sorted(wanted)}, the code gives {sorted(given)}")
    assert problems == []


def test_the_words_file_gives_the_filters_their_vocabulary():
    words = load_words()
    assert words.link_kinds["avvikelser"] == "avvikelse" and "hela lanet" in words.link_everywhere
    kb = load_knowledge_base(ROOT / "knowledge")
    f = parse_filters(kb, "vetlanda 2026 under utredning")
    assert (f.municipality, f.statuses, f.status_label) == ("vetlanda", ("under-utredning",), "Under utredning")
    f = parse_filters(kb, "bokade", words.request_statuses, words.request_filler)
    assert (f.statuses, f.status_label, f.problems) == (("bokad",), "Bokad", [])


def test_a_changed_status_word_is_understood(tmp_path):
    """The vocabulary is data: a word added to the file selects its statuses."""
    text = WORDS_FILE.read_text(encoding="utf-8").replace(
        "[under utredning, utreds]", "[under utredning, utreds, kollas]"
    )
    (tmp_path / "words.yaml").write_text(text, encoding="utf-8")
    words = load_words(tmp_path / "words.yaml")
    kb = load_knowledge_base(ROOT / "knowledge")
    f = parse_filters(kb, "kollas", words.deviation_statuses)
    assert (f.statuses, f.problems) == (("under-utredning",), [])


@pytest.mark.parametrize(
    "change, message",
    [
        (('    label: "Bokad"\n', ""), "request_statuses #3: needs exactly words, statuses and label"),
        (("[bokad, bokade, bokat]", "[]"), "request_statuses #3 words: a list of words"),
        (("  digest: sammanfattning\n", "  digest: [sammanfattning]\n"), "link_kinds: word: what it means"),
    ],
)
def test_a_malformed_words_file_is_refused_with_where(tmp_path, change, message):
    text = WORDS_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "words.yaml").write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_words(tmp_path / "words.yaml")
    assert "words.yaml" in str(caught.value)
