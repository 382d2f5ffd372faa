"""The knowledge-base loader: schema, ids, references, sources — errors with file and line."""

import shutil
from pathlib import Path

import pytest

from lotsen.kb import KnowledgeBaseError, load_knowledge_base
from lotsen.kb.loader import check_knowledge_base

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
REAL = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture
def kb_dir(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, target)
    return target


def problems(directory):
    kb, errors = check_knowledge_base(directory)
    assert kb is None
    return [str(p) for p in errors]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_fixture_and_the_shipped_knowledge_base_load():
    assert len(load_knowledge_base(FIXTURE).entries) == 6
    kb = load_knowledge_base(REAL)
    assert len(kb.entries) >= 100
    assert {"forsakringskassan", "arbetsformedlingen", "socialtjansten", "regionen"} <= set(kb.parties)
    assert len(kb.municipalities) == 13
    assert {m.id for m in kb.municipalities.values() if m.arena} == {"habo", "mullsjo", "jonkoping"}


def test_yaml_syntax_error_names_file_and_line(kb_dir):
    append(kb_dir / "qa" / "test.yaml", "  - id: broken\n    question: [oops\n")
    errors = problems(kb_dir)
    assert len(errors) == 1 and errors[0].startswith("knowledge/qa/test.yaml:") and "YAML-fel" in errors[0]


def test_unknown_field_missing_field_and_duplicate_id(kb_dir):
    append(
        kb_dir / "qa" / "test.yaml",
        """
  - id: sip-vem-kallar
    question: "Dubblett"
    phrasings: ["a"]
    answer: "b"
    source: {doc: rsrf-modell, section: "SIP"}
  - id: utan-svar
    question: "Saknar svar"
    phrasings: ["x"]
    source: {doc: rsrf-modell, section: "SIP"}
    svar: "felstavat fält"
""",
    )
    errors = problems(kb_dir)
    text = "\n".join(errors)
    assert "id 'sip-vem-kallar' finns redan (knowledge/qa/test.yaml:" in text
    assert "okänt fält 'svar'" in text
    assert "fältet 'answer' saknas" in text
    assert all(e.startswith("knowledge/qa/test.yaml:") for e in errors)
    lines = (kb_dir / "qa" / "test.yaml").read_text(encoding="utf-8").splitlines()
    expected_line = next(i for i, line in enumerate(lines, start=1) if "id: utan-svar" in line)
    assert next(e for e in errors if "okänt fält" in e).split(":")[1] == str(expected_line)


def test_every_reference_must_resolve(kb_dir):
    append(
        kb_dir / "qa" / "test.yaml",
        """
  - id: trasiga-referenser
    question: "Q"
    phrasings: ["q"]
    answer: "A"
    party: okand-part
    related: [finns-inte]
    contact_purpose: okant-syfte
    actions: [flyga]
    source: {doc: okand-kalla, section: "x"}
""",
    )
    append(
        kb_dir / "routing.yaml",
        """
  - purpose: arena
    municipalities: [atlantis]
    contact_list: ingen-lista
""",
    )
    text = "\n".join(problems(kb_dir))
    for expected in (
        "parten 'okand-part'",
        "relaterad fråga 'finns-inte'",
        "syftet 'okant-syfte'",
        "okänd åtgärd 'flyga'",
        "källan 'okand-kalla'",
        "kommunen 'atlantis'",
        "kontaktlistan 'ingen-lista'",
    ):
        assert expected in text


def test_every_entry_needs_a_source(kb_dir):
    append(
        kb_dir / "qa" / "test.yaml",
        """
  - id: utan-kalla
    question: "Q"
    phrasings: ["q"]
    answer: "A"
""",
    )
    assert any("fältet 'source' saknas" in e for e in problems(kb_dir))


def test_every_purpose_needs_a_default_route(kb_dir):
    text = (kb_dir / "routing.yaml").read_text(encoding="utf-8")
    (kb_dir / "routing.yaml").write_text(
        text.replace(
            """  - purpose: forbund
    municipalities: "*"
    contact_list: lan-default
""",
            "",
        ),
        encoding="utf-8",
    )
    assert any("'forbund' saknar en standardregel" in e for e in problems(kb_dir))


def test_pick_lists_are_checked(kb_dir):
    append(
        kb_dir / "forms.yaml",
        """
  trasig-lista:
    options:
      - {value: "Med Mellanslag", title: "x"}
""",
    )
    assert any("ogiltigt value 'Med Mellanslag'" in e for e in problems(kb_dir))


def test_load_raises_with_all_problems(kb_dir):
    (kb_dir / "sources.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_dir)
    assert "knowledge/sources.yaml:0: filen saknas" in str(info.value)


def test_the_bot_refuses_to_start_on_an_invalid_knowledge_base(kb_dir, tmp_path):
    import subprocess
    import sys

    append(kb_dir / "qa" / "test.yaml", "  - id: x\n")
    env = {"KNOWLEDGE_DIR": str(kb_dir), "DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "app.py"], cwd=REAL.parent, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 3
    assert "kunskapsbasen har fel" in proc.stderr
    assert "knowledge/qa/test.yaml:" in proc.stderr and "fältet 'question' saknas" in proc.stderr


def test_a_source_url_must_be_https(kb_dir):
    append(kb_dir / "sources.yaml", "  - id: annan\n    file: x.txt\n    title: Annan\n    url: http://exempel.se\n")
    errors = problems(kb_dir)
    assert len(errors) == 1 and "sources.yaml:" in errors[0] and "https://" in errors[0]


def test_a_file_read_before_is_not_parsed_again_and_gives_the_same_knowledge_base(kb_dir, monkeypatch):
    """The loader keeps each file's checked records by content (a reload after one file's
    edit re-reads only that file); a changed file is read again, errors and all."""
    from lotsen.kb import loader, yamlio

    cache: loader.ReadCache = {}  # the bot's is lotsen.knowledge.Knowledge.read_cache
    first, _ = loader.check_knowledge_base(kb_dir, cache)
    parsed: list[str] = []
    original = yamlio.load_yaml

    def counting(path, name=None):
        parsed.append(str(name))
        return original(path, name)

    monkeypatch.setattr(loader, "load_yaml", counting)
    again, errors = loader.check_knowledge_base(kb_dir, cache)
    assert again == first and errors == []
    assert not [n for n in parsed if "/qa/" in n or n.endswith(("concepts.yaml", "sources.yaml"))]
    qa = kb_dir / "qa" / "test.yaml"
    qa.write_text(qa.read_text(encoding="utf-8") + '  - id: trasig\n    question: "Utan svar"\n', encoding="utf-8")
    broken, errors = loader.check_knowledge_base(kb_dir, cache)
    assert broken is None and any("fältet 'answer' saknas" in str(p) for p in errors)
    assert "knowledge/qa/test.yaml" in parsed
    broken_again, errors_again = loader.check_knowledge_base(kb_dir, cache)  # the errors come from the cache too
    # without a cache, every file is parsed
    parsed.clear()
    loader.check_knowledge_base(kb_dir)
    assert "knowledge/concepts.yaml" in parsed
    assert broken_again is None and [str(p) for p in errors_again] == [str(p) for p in errors]
