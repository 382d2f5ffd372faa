"""The form files' references (knowledge/forms/*.yaml), checked by `scripts.kb check` and on every
load with file and line: every source a form, step, stop card, contact or line cites is in
sources.yaml; every `if:` names a condition the form declares (and its flow supplies); every
variant's `when:` names a single-choice precondition question and one of its answers."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from dialogs import arena, sip
from lotsen.kb.loader import check_knowledge_base, load_knowledge_base
from scripts import kb as kb_cli
from tests.conftest import FIXTURE_KB

REAL_KB = Path(__file__).resolve().parent.parent / "knowledge"


def edited(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the fixture knowledge base with `old` replaced by `new` (once) in forms/<name>;
    returns the folder and the line `new` starts on."""
    copy = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, copy)
    path = copy / "forms" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return copy, text[: text.index(new)].count("\n") + 1


def errors(directory: Path) -> list[str]:
    kb, found = check_knowledge_base(directory)
    assert kb is None
    return [str(p) for p in found]


def test_a_stop_card_citing_an_unknown_source_is_an_error_with_file_and_line(tmp_path):
    old = '    source: {doc: rsrf-modell, section: "Samverkansmodell för personer med försörjningsstöd i Jönköpings kommun – ARENA"}\n    lines:\n      - >-\n        Arena är en överenskommelse'
    kb_dir, line = edited(tmp_path, "arena.yaml", old, old.replace("doc: rsrf-modell", "doc: arena-rutin"))
    assert errors(kb_dir) == [
        f"knowledge/forms/arena.yaml:{line - 1}: arena: stoppet 'not-covered': källan 'arena-rutin' finns inte i sources.yaml"
    ]


def test_a_stop_card_line_and_contact_citing_unknown_sources_are_errors(tmp_path):
    kb_dir, line = edited(
        tmp_path,
        "arena.yaml",
        'source: {doc: hsf-arsredovisning-2024, section: "Uppdrag Samverkan"}',
        'source: {doc: samverk-rutin, section: "Uppdrag Samverkan"}',
    )
    text = (
        (kb_dir / "forms" / "arena.yaml")
        .read_text(encoding="utf-8")
        .replace('doc: se-hoglandet, section: "Remittentgrupp"', 'doc: se-rutin, section: "Remittentgrupp"')
    )
    (kb_dir / "forms" / "arena.yaml").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    contact = next(i for i, t in enumerate(lines, start=1) if "purpose: se-hoglandet" in t)
    item = next(i for i in range(line, 0, -1) if lines[i - 1].strip().startswith("- "))  # the line's `- if: …`
    assert lines[item - 1] == "      - if: kommunomrade"
    assert errors(kb_dir) == [
        f"knowledge/forms/arena.yaml:{contact}: arena: stoppet 'not-covered': källan 'se-rutin' finns inte i sources.yaml",
        f"knowledge/forms/arena.yaml:{item}: arena: källan 'samverk-rutin' finns inte i sources.yaml",
    ]


def test_a_precondition_line_citing_an_unknown_source_is_an_error(tmp_path):
    kb_dir, line = edited(
        tmp_path,
        "arena.yaml",
        "    - >-\n      Samrådet innebär",
        '    - text: Samrådet innebär informationsutbyte.\n      source: {doc: okand-kalla, section: "ARENA"}\n    - >-\n      Samrådet innebär',
    )
    assert errors(kb_dir) == [
        f"knowledge/forms/arena.yaml:{line}: arena: källan 'okand-kalla' finns inte i sources.yaml"
    ]


def test_an_if_naming_a_condition_the_form_does_not_declare_is_an_error(tmp_path):
    kb_dir, line = edited(tmp_path, "sip.yaml", "      - if: af_or_fk\n", "      - if: not af_eller_fk\n")
    assert errors(kb_dir) == [
        f"knowledge/forms/sip.yaml:{line}: sip: if: 'af_eller_fk' är inget av formulärets villkor (af_or_fk, arena)"
    ]


def test_an_if_in_a_form_without_conditions_is_an_error(tmp_path):
    kb_dir, _ = edited(tmp_path, "sip.yaml", "conditions:\n  af_or_fk:", "villkor:\n  af_or_fk:")
    found = errors(kb_dir)
    assert any("okänd nyckel 'villkor'" in e for e in found)
    assert "sip: if: 'arena', men formuläret har inga villkor (conditions:)" in "\n".join(found)


@pytest.mark.parametrize(
    "when, message",
    [
        ("{arena_typ: individuell}", "arena: when: 'individuell' finns inte i listan 'arena-typ'"),
        ("{arende_typ: individ}", "arena: when: 'arende_typ' är ingen fråga under preconditions"),
        (
            "{samtycke: individ}",
            "arena: when: 'samtycke' är inget enkelval (kind: choice), så varianten skulle aldrig gälla",
        ),
        ("{kommun: atlantis}", "arena: when: 'atlantis' är ingen kommun i geography.yaml"),
    ],
)
def test_a_variant_naming_an_unknown_question_or_answer_is_an_error(tmp_path, when, message):
    old = "        variants:\n          - when: {arena_typ: individ}\n            help:"
    kb_dir, line = edited(tmp_path, "arena.yaml", old, old.replace("{arena_typ: individ}", when))
    assert errors(kb_dir) == [f"knowledge/forms/arena.yaml:{line + 1}: {message}"]


def test_kb_check_prints_a_form_error_with_file_and_line(tmp_path):
    kb_dir, line = edited(tmp_path, "sip.yaml", "      - if: arena\n", "      - if: arena_finns\n")
    out = io.StringIO()
    code = kb_cli.check(kb_dir, review_days=365, strict=False, seeds_dir=None, out=out)
    assert code == 1
    assert (
        f"knowledge/forms/sip.yaml:{line}: fel: sip: if: 'arena_finns' är inget av formulärets villkor (af_or_fk, arena)"
        in out.getvalue()
    )


@pytest.mark.parametrize("directory", [FIXTURE_KB, REAL_KB])
@pytest.mark.parametrize("module", [arena, sip])
def test_the_conditions_a_form_declares_are_those_its_flow_supplies(directory, module):
    form = load_knowledge_base(directory).forms[module.KIND]
    assert sorted(form.conditions) == sorted(module.CONDITIONS)
    assert all(text.endswith(".") for text in form.conditions.values())


@pytest.mark.parametrize("bad_id", ["[1, 2]", "{a: b}"])
def test_a_field_id_that_is_a_list_or_mapping_is_reported_not_a_crash(tmp_path, bad_id):
    kb_dir, line = edited(tmp_path, "arena.yaml", "      - id: provat\n", f"      - id: {bad_id}\n")
    shown = "[1, 2]" if bad_id.startswith("[") else "{'a': 'b'}"
    assert errors(kb_dir) == [
        f"knowledge/forms/arena.yaml:{line}: arena: ogiltigt fält-id {shown} (små bokstäver, siffror och _)"
    ]


def test_a_check_message_reworded_in_texts_yaml_is_what_the_check_says(tmp_path, monkeypatch):
    """The kb check's messages are data (lotsen/data/texts.yaml, group kb_check): a reworded text is
    what the check prints, with the same values filled in."""
    import lotsen.texts

    original = lotsen.texts.TEXTS_FILE.read_text(encoding="utf-8")
    old = 'unknown_condition: "{form}: if: {condition} är inget av formulärets villkor ({known})"'
    assert old in original
    reworded = tmp_path / "texts.yaml"
    reworded.write_text(
        original.replace(old, 'unknown_condition: "{form}: villkoret {condition} finns inte – välj bland {known}"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(lotsen.texts, "texts", lambda: lotsen.texts.Texts.load(reworded))
    kb_dir, line = edited(tmp_path, "sip.yaml", "      - if: arena\n", "      - if: arena_finns\n")
    assert errors(kb_dir) == [
        f"knowledge/forms/sip.yaml:{line}: sip: villkoret 'arena_finns' finns inte – välj bland af_or_fk, arena"
    ]
