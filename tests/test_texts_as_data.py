"""Texts as data (issue 16): no user-facing Swedish sentence in Python outside the field-kind
validators and tests/swedish_literals_allowed.yaml, and every text the code asks lotsen.texts for
exists in lotsen/data/texts.yaml with exactly the placeholders the code fills in."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest
import yaml

from lotsen.texts import Texts, TextsError, texts
from tests.swedish_literals import ROOT, Literal, all_literals, literals_in_source, python_files

TEXTS_MODULE = ROOT / "lotsen" / "texts.py"
ALLOWED_FILE = Path(__file__).resolve().parent / "swedish_literals_allowed.yaml"


def allowed() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    data = yaml.safe_load(ALLOWED_FILE.read_text(encoding="utf-8"))
    files, literals = data.get("files") or [], data.get("literals") or []
    for entry in files + literals:
        assert entry.get("file") and entry.get("reason"), (
            f"{ALLOWED_FILE.name}: every entry needs file and reason: {entry}"
        )
    return files, literals


def _file_allows(entry: dict[str, str], lit: Literal) -> bool:
    return fnmatch.fnmatch(lit.file, entry["file"])


def _literal_allows(entry: dict[str, str], lit: Literal) -> bool:
    return lit.file == entry["file"] and lit.text.strip().startswith(str(entry["literal"]).strip())


def test_no_swedish_sentence_in_python_outside_the_allow_list():
    files, literals = allowed()
    offenders = [
        f"{lit.file}:{lit.line}: {lit.text[:100]!r}"
        for lit in all_literals()
        if not any(_file_allows(e, lit) for e in files) and not any(_literal_allows(e, lit) for e in literals)
    ]
    assert offenders == [], (
        "User texts belong in lotsen/data/texts.yaml (lotsen.texts.say), knowledge/ or cards/templates/; "
        f"a literal that is not a user text goes in {ALLOWED_FILE.name} with a reason:\n" + "\n".join(offenders)
    )


def test_every_allow_list_entry_is_still_needed():
    files, literals = allowed()
    found = all_literals()
    stale = [f"file {e['file']}" for e in files if not any(_file_allows(e, lit) for lit in found)]
    stale += [f"{e['file']}: {e['literal']!r}" for e in literals if not any(_literal_allows(e, lit) for lit in found)]
    assert stale == [], f"remove from {ALLOWED_FILE.name} (nothing left to allow): {stale}"


# --- the scanner itself --------------------------------------------------------------------------

SNIPPET = '''
"""Modul-docstring: det här är en förklaring och inte en text till användaren."""
import logging
import re
log = logging.getLogger(__name__)
PATTERN = re.compile(r"^(vem|vad) ska jag göra\\b")
LABELS = {"en nyckel med å": 1}

def handler(ctx, n):
    """Svarar på en fråga om det som är viktigt."""
    log.info("handled %d questions for the user", n)  # English log: fine
    ctx.reply("Välj en kommun i listan.")
    ctx.reply(f"Du har {n} ärenden kvar att göra.")
    ctx.reply("Please choose a municipality.")
    ctx.reply("lotsen.contacts.show")
    return "Det här kan bara samverkanskoordinatorer göra."
'''


def test_the_scanner_finds_a_new_swedish_literal_and_an_f_string():
    found = literals_in_source(SNIPPET)
    assert [(lit.line, lit.text) for lit in found] == [
        (12, "Välj en kommun i listan."),
        (13, "Du har {} ärenden kvar att göra."),
        (16, "Det här kan bara samverkanskoordinatorer göra."),
    ]


def test_a_new_literal_in_a_checked_file_fails_the_check(tmp_path):
    """A literal added to a file that is not allow-listed is an offender, an allowed one is not."""
    files, literals = allowed()
    new = Literal("lotsen/features/contacts.py", 1, "Välj en kommun i listan.")
    assert not any(_file_allows(e, new) for e in files) and not any(_literal_allows(e, new) for e in literals)
    old = Literal("lotsen/fields.py", 1, "Välj vilken sorts förfrågan du vill göra.")
    assert any(_file_allows(e, old) for e in files)


def test_the_scanner_reads_the_packages_the_issue_names():
    """The packages that hold behaviour, the entry point, and the command-line tools (scripts/)."""
    scanned = {p.relative_to(ROOT).as_posix().split("/")[0] for p in python_files()}
    assert scanned == {"lotsen", "dialogs", "bot", "cards", "app.py", "scripts"}
    assert ROOT / "scripts" / "kb.py" in set(python_files())


def test_a_new_swedish_literal_in_a_script_fails_the_check():
    """A coordinator's command-line tool is checked like the bot: a Swedish help text or message
    written in scripts/kb.py is an offender; a benchmark's Swedish test input is allowed."""
    files, literals = allowed()
    [new] = literals_in_source('parser.add_argument("--dir", help="mappen med kunskapsbasen")\n', "scripts/kb.py")
    assert new.text == "mappen med kunskapsbasen"
    assert not any(_file_allows(e, new) for e in files) and not any(_literal_allows(e, new) for e in literals)
    bench = Literal("scripts/bench_storage.py", 1, "rapportera avvikelse nu")
    assert any(_file_allows(e, bench) for e in files)


# --- the texts file and its uses ------------------------------------------------------------------


def calls_to_texts() -> list[tuple[str, int, str, str | None, frozenset[str]]]:
    """Every say()/say_list() call in the code: (file, line, function, key or None, keyword names)."""
    calls = []
    for path in python_files():
        if path == TEXTS_MODULE:  # the loader's own say() passes its key on
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("say", "say_list"):
                continue
            first = node.args[0] if node.args else None
            key = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            calls.append(
                (
                    path.relative_to(ROOT).as_posix(),
                    node.lineno,
                    name,
                    key,
                    frozenset(k.arg for k in node.keywords if k.arg),
                )
            )
    return calls


def test_every_text_the_code_asks_for_exists_with_its_placeholders():
    t = texts()
    problems = []
    for file, line, function, key, given in calls_to_texts():
        where = f"{file}:{line}"
        if key is None:
            problems.append(f"{where}: {function}() needs a literal key, so this test can check it")
        elif key not in t.keys():
            problems.append(f"{where}: no text {key!r} in lotsen/data/texts.yaml")
        elif given != t.placeholders(key):
            problems.append(
                f"{where}: {key} has placeholders {sorted(t.placeholders(key))}, the code gives {sorted(given)}"
            )
        else:
            try:
                getattr(t, function)(key, **dict.fromkeys(given, "x"))
            except TextsError as exc:
                problems.append(f"{where}: {exc}")
    assert calls_to_texts(), "no say() calls found: the check would pass vacuously"
    assert problems == []


def test_every_text_is_used_and_renders():
    t = texts()
    used = {key for *_, key, _ in calls_to_texts() if key}
    assert sorted(t.keys() - used) == [], "texts nobody asks for: remove them from lotsen/data/texts.yaml"
    for key in t.keys():
        values = dict.fromkeys(t.placeholders(key), "X")
        try:
            rendered = t.say(key, **values)
        except TextsError:
            rendered = " ".join(t.say_list(key, **values))
        assert rendered.strip() and "{" not in rendered, key


def test_the_loader_refuses_a_missing_key_and_wrong_placeholders(tmp_path):
    file = tmp_path / "texts.yaml"
    file.write_text('a:\n  hello: "Hej {name}!"\n  list: ["ett", "två"]\n', encoding="utf-8")
    t = Texts.load(file)
    assert t.say("a.hello", name="Ada") == "Hej Ada!"
    assert t.say_list("a.list") == ("ett", "två")
    with pytest.raises(TextsError, match="no text 'a.missing'"):
        t.say("a.missing")
    with pytest.raises(TextsError, match="takes"):
        t.say("a.hello")
    with pytest.raises(TextsError, match="takes"):
        t.say("a.hello", name="Ada", extra="x")
    with pytest.raises(TextsError, match="use say_list"):
        t.say("a.list")


@pytest.mark.parametrize(
    "content, message",
    [
        ('a: "Hej {0}"\n', "plain"),
        ('a: "Hej {name.attr}"\n', "plain"),
        ('a: "Hej {name"\n', "a:"),
        ("a: 3\n", "a text"),
        ('"not a name": "x"\n', "a key is a name"),
        ("a: [\n", str(Path("texts.yaml"))),
    ],
)
def test_the_loader_refuses_a_malformed_file_with_where(tmp_path, content, message):
    file = tmp_path / "texts.yaml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(TextsError, match=message.replace(".", r"\.")) as caught:
        Texts.load(file)
    assert str(file) in str(caught.value)
