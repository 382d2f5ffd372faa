"""Knowledge-base quality warnings and the validation command (python -m scripts.kb).

Every warning kind is triggered by an edit of a copy of the fixture knowledge base, with
file and line; the shipped knowledge base has none that are not listed, with a
justification, in tests/kb_warnings_allowed.yaml.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from lotsen.kb.loader import check_knowledge_base
from lotsen.kb.readability import lix
from lotsen.kb.quality import DEFAULT_SEEDS_DIR, WARNING_KINDS, check_quality
from scripts import kb as cli
from tests.support.upkeep import append, copy_kb, line_of, replace

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "knowledge"
ALLOWED = Path(__file__).parent / "kb_warnings_allowed.yaml"
TODAY = date(2026, 11, 23)


@pytest.fixture
def kb_dir(tmp_path):
    return copy_kb(tmp_path)


@pytest.fixture
def seeds(tmp_path):
    """Seed documents with the headings the fixture cites (the fixture's two sources)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "002_430fdb8ee70e2ec3.txt").write_text(
        "Rätt stöd, rätt försörjning\nMålgrupp\n\nFörsäkringskassan\n\nArbetsförmedlingen\n\nSIP\n\nARENA\n",
        encoding="utf-8",
    )
    (folder / "003_9e0fac3eaf44f1c1.txt").write_text(
        "Förvaltningsberättelse\nSE-Höglandet\nBilaga 6\nSammanställning och analys för avvikelser i samverkan 2024\n"
        "Lösningar\nOrsaker\nKonsekvenser\nVidtagna åtgärder\n",
        encoding="utf-8",
    )
    return folder


def warnings_for(directory: Path, seeds_dir=None, **kw):
    kb, errors = check_knowledge_base(directory)
    assert errors == [], [str(e) for e in errors]
    return check_quality(kb, today=TODAY, seeds_dir=seeds_dir, **kw)


def of(warnings, code, subject=None):
    return [w for w in warnings if w.code == code and (subject is None or w.subject == subject)]


def entry(entry_id: str, *, phrasings=("a", "b", "c", "d"), answer="Ett kort svar.", extra="") -> str:
    lines = [f"  - id: {entry_id}", f'    question: "Fråga {entry_id}?"', "    phrasings:"]
    lines += [f'      - "{p}"' for p in phrasings]
    lines += [
        f'    answer: "{answer}"',
        '    source: {doc: rsrf-modell, section: "SIP"}',
        "    reviewed: 2026-11-01",
        '    owner: "Testgruppen"',
    ]
    return "\n" + "\n".join(lines) + "\n" + extra


QA = Path("qa") / "test.yaml"


def test_warning_kinds_are_documented():
    assert set(WARNING_KINDS) == {
        "few-phrasings",
        "phrasing-collision",
        "long-answer",
        "unused-contact-list",
        "shared-name",
        "source",
        "review",
        "hard-to-read",
        "unsupported-fact",
        "unrelated-source",
        "legal-note",
    }


def test_too_few_phrasings(kb_dir):
    assert of(warnings_for(kb_dir), "few-phrasings") == []
    append(kb_dir / QA, entry("tva-formuleringar", phrasings=("hur gör man det här", "det här hur")))
    found = of(warnings_for(kb_dir), "few-phrasings")
    assert [w.subject for w in found] == ["tva-formuleringar"]
    w = found[0]
    assert (w.file, w.line) == ("knowledge/qa/test.yaml", line_of(kb_dir / QA, "id: tva-formuleringar"))
    assert w.level == "warning" and "bara 2 formuleringar" in w.message and "minst 4" in w.message
    assert of(warnings_for(kb_dir, min_phrasings=2), "few-phrasings") == []


def test_a_phrasing_the_matcher_gives_to_another_entry(kb_dir):
    assert of(warnings_for(kb_dir), "phrasing-collision") == []
    # "man" is a stopword: to the matcher this is exactly sip-vem-kallar's "vem kallar till sip"
    append(
        kb_dir / QA,
        entry(
            "sip-kallelse-tid",
            phrasings=(
                "vem kallar man till sip",
                "när kommer kallelsen",
                "hur lång tid innan mötet",
                "kallelse i god tid",
            ),
        ),
    )
    found = {w.subject: w for w in of(warnings_for(kb_dir), "phrasing-collision")}
    assert "sip-kallelse-tid ~ sip-vem-kallar" in found, list(found)
    w = found["sip-kallelse-tid ~ sip-vem-kallar"]
    assert (w.file, w.line) == ("knowledge/qa/test.yaml", line_of(kb_dir / QA, "id: sip-kallelse-tid"))
    # which phrasing is under which entry, what the bot does instead, and where the other one is written
    assert "”vem kallar man till sip” står under sip-kallelse-tid, men" in w.message
    assert "närmast ”vem kallar till sip" in w.message.lower()
    assert "Menade du" in w.message or "svarar med sip-vem-kallar" in w.message
    assert f"knowledge/qa/test.yaml:{line_of(kb_dir / QA, 'id: sip-vem-kallar')}" in w.message


def test_the_same_phrasing_in_two_entries(kb_dir):
    append(kb_dir / QA, entry("arena-dubblett", phrasings=("Arena vilka kommuner?", "x y z", "å ä ö", "q r s")))
    found = of(warnings_for(kb_dir), "phrasing-collision")
    same = [w for w in found if "står både under" in w.message]
    assert [(w.subject, w.line) for w in same] == [
        ("arena-dubblett ~ arena-kommuner", line_of(kb_dir / QA, "id: arena-dubblett"))
    ]
    assert "”Arena vilka kommuner?” står både under arena-dubblett och under arena-kommuner" in same[0].message


def test_long_answer(kb_dir):
    append(kb_dir / QA, entry("langt-svar", answer="Ett långt svar. " * 50))
    found = of(warnings_for(kb_dir), "long-answer")
    assert [w.subject for w in found] == ["langt-svar"]
    assert "svaret är 799 tecken" in found[0].message and found[0].line == line_of(kb_dir / QA, "id: langt-svar")
    assert of(warnings_for(kb_dir, max_answer_chars=900), "long-answer") == []


def test_contact_list_no_rule_uses(kb_dir):
    assert of(warnings_for(kb_dir), "unused-contact-list") == []
    append(kb_dir / "contacts.yaml", '  - id: glomd-lista\n    title: "Glömd"\n    contacts:\n      - role: Någon\n')
    found = of(warnings_for(kb_dir), "unused-contact-list")
    assert [w.subject for w in found] == ["glomd-lista"]
    assert (found[0].file, found[0].line) == (
        "knowledge/contacts.yaml",
        line_of(kb_dir / "contacts.yaml", "glomd-lista"),
    )


def test_a_name_two_concepts_claim(kb_dir):
    """ "vad är sgi 0" can answer with one concept only: the second one claiming the name is warned about."""
    assert of(warnings_for(kb_dir), "shared-name") == []
    append(
        kb_dir / "concepts.yaml",
        '  - id: sgi-noll\n    term: SGI 0\n    definition: "Ingen sjukpenninggrundande inkomst."\n'
        '    source: {doc: rsrf-modell, section: "Målgrupp"}\n',
    )
    found = of(warnings_for(kb_dir), "shared-name")
    assert [w.subject for w in found] == ["sgi-noll"]
    assert (found[0].file, found[0].line) == (
        "knowledge/concepts.yaml",
        line_of(kb_dir / "concepts.yaml", "id: sgi-noll"),
    )
    assert "”sgi 0”" in found[0].message and "hos sgi" in found[0].message


def test_source_without_section_unknown_document_and_missing_heading(kb_dir, seeds):
    base = {w.subject for w in of(warnings_for(kb_dir, seeds), "source")}
    assert not base & {"fk-samordnar", "sip-vem-kallar", "rsrf-modell", "hsf-arsredovisning-2024"}
    replace(kb_dir / QA, 'source: {doc: rsrf-modell, section: "Försäkringskassan"}', "source: {doc: rsrf-modell}")
    replace(
        kb_dir / QA,
        'source: {doc: rsrf-modell, section: "SIP"}\n    actions: [sip]',
        'source: {doc: rsrf-modell, section: "Kallelse till SIP"}\n    actions: [sip]',
    )
    (seeds / "003_9e0fac3eaf44f1c1.txt").unlink()
    found = of(warnings_for(kb_dir, seeds), "source")
    by_subject = {w.subject: w for w in found}
    assert "saknar section" in by_subject["fk-samordnar"].message
    assert by_subject["fk-samordnar"].line == line_of(kb_dir / QA, "id: fk-samordnar")
    assert "rubriken ”Kallelse till SIP” finns inte i rsrf-modell" in by_subject["sip-vem-kallar"].message
    assert "inget känt källdokument" in by_subject["hsf-arsredovisning-2024"].message
    assert by_subject["hsf-arsredovisning-2024"].file == "knowledge/sources.yaml"
    # without the seed documents only what the knowledge base itself shows is checked
    subjects = {w.subject for w in of(warnings_for(kb_dir, None), "source")}
    assert "fk-samordnar" in subjects and "sip-vem-kallar" not in subjects


def test_a_fact_without_any_source(kb_dir):
    append(
        kb_dir / "contacts.yaml", '  - id: utan-kalla\n    title: "Utan källa"\n    contacts:\n      - role: Någon\n'
    )
    found = of(warnings_for(kb_dir), "source", "utan-kalla")
    assert found and "saknar source" in found[0].message


def test_entries_not_reviewed_for_a_configurable_time(kb_dir):
    append(kb_dir / QA, entry("gammal", extra="").replace("reviewed: 2026-11-01", "reviewed: 2024-05-01"))
    append(kb_dir / QA, entry("framtida").replace("reviewed: 2026-11-01", "reviewed: 2027-01-01"))
    found = {w.subject: w for w in of(warnings_for(kb_dir), "review")}
    assert "granskades senast 2024-05-01, för mer än 365 dagar sedan (ansvarig: Testgruppen)" in found["gammal"].message
    assert "ligger i framtiden" in found["framtida"].message
    assert "saknar granskningsdatum" in found["fk-samordnar"].message  # the fixture's entries carry no date
    assert "gammal" not in {w.subject for w in of(warnings_for(kb_dir, stale_after_days=1000), "review")}
    assert "nytt" not in found


# --- plain Swedish, drift and legal notes ----------------------------------------------------


def test_lix_is_words_per_sentence_plus_share_of_long_words():
    # 6 words, 2 sentences, 3 long words (> 6 letters): 6/2 + 100*3/6 = 53
    assert round(lix("Boten svarar kort. Samverkan underlättar arbetet."), 2) == 53.0
    # a list item counts as a sentence
    assert round(lix("Parterna:\n- kommunen\n- regionen"), 2) == round(3 / 3 + 100 * 3 / 3, 2)
    assert lix("") == 0.0


def test_hard_to_read_answer(kb_dir):
    hard = (
        "Samordningsförbundets finansieringsansvar innefattar strukturövergripande "
        "rehabiliteringsinsatser avseende arbetslivsinriktade samverkansformer för målgruppen."
    )
    append(kb_dir / QA, entry("svart-svar", answer=hard))
    append(kb_dir / QA, entry("enkelt-svar", answer="Ja. Du kan ringa FK. De hjälper dig."))
    found = {w.subject: w for w in of(warnings_for(kb_dir), "hard-to-read")}
    assert "svart-svar" in found and "enkelt-svar" not in found
    assert "LIX" in found["svart-svar"].message and found["svart-svar"].line == line_of(kb_dir / QA, "id: svart-svar")
    assert of(warnings_for(kb_dir, max_lix=200), "hard-to-read") == []


@pytest.fixture
def section_seeds(tmp_path):
    """A seed whose SIP section holds a number, a law and a few words; ARENA follows it."""
    folder = tmp_path / "seeds-sections"
    folder.mkdir()
    (folder / "002_430fdb8ee70e2ec3.txt").write_text(
        "Försäkringskassan\nFK kan samordna rehabiliteringsinsatser.\n"
        "SIP\nKallelse kan skickas av personal inom socialtjänsten, hälso- och sjukvården och skolan. "
        "Regleras i 2 kap § 7 SoL. Länet har 13 kommuner. Rapporten kom 1 oktober 2024.\n"
        "ARENA\nArena gäller Habo, Mullsjö och Jönköping med 4 parter.\n",
        encoding="utf-8",
    )
    (folder / "003_9e0fac3eaf44f1c1.txt").write_text("SE-Höglandet\nBilaga 6\n", encoding="utf-8")
    return folder


def test_a_number_law_or_date_not_in_the_cited_section(kb_dir, section_seeds):
    append(
        kb_dir / QA,
        entry(
            "ratt-siffra",
            answer="Personal inom skolan kan kalla. Länet har 13 kommuner, "
            "enligt 2 kap § 7 SoL. Rapporten kom 1 oktober 2024.",
        ),
    )
    append(
        kb_dir / QA,
        entry(
            "fel-siffra",
            answer="Personal inom skolan kan kalla. Länet har 14 kommuner, "
            "enligt 16 kap § 4 HSL. Rapporten kom 3 oktober 2024.",
        ),
    )
    # the 4 parties are in the ARENA section, not in the SIP section the entry cites
    append(kb_dir / QA, entry("annat-avsnitt", answer="Personal inom skolan kan kalla. Det finns 4 parter."))
    found = {w.subject: w for w in of(warnings_for(kb_dir, section_seeds), "unsupported-fact")}
    assert "ratt-siffra" not in found
    message = found["fel-siffra"].message
    for fact in ("”14”", "”16”", "”3 oktober”", "”hsl”"):
        assert fact in message, (fact, message)
    assert "”13”" not in message and "”2024”" not in message
    assert found["fel-siffra"].line == line_of(kb_dir / QA, "id: fel-siffra")
    assert "”4”" in found["annat-avsnitt"].message
    # without the seed documents nothing can be compared
    assert of(warnings_for(kb_dir, None), "unsupported-fact") == []


def test_an_answer_sharing_no_word_with_its_section(kb_dir, section_seeds):
    append(kb_dir / QA, entry("fel-avsnitt", answer="Budgeten beslutas av styrelsen varje november."))
    append(kb_dir / QA, entry("ratt-avsnitt", answer="Skolan och socialtjänsten kan skicka kallelse."))
    subjects = {w.subject for w in of(warnings_for(kb_dir, section_seeds), "unrelated-source")}
    assert "fel-avsnitt" in subjects and "ratt-avsnitt" not in subjects


def test_an_answer_citing_the_old_socialtjanstlag_needs_a_legal_note(kb_dir):
    append(kb_dir / QA, entry("sol-utan-not", answer="Det regleras i 2 kap § 7 SoL."))
    append(
        kb_dir / QA,
        entry(
            "sol-med-not",
            answer="Det regleras i 2 kap § 7 SoL.",
            extra='    legal_note: {id: ny-socialtjanstlag, cited: "2 kap § 7 SoL"}\n',
        ),
    )
    found = {w.subject: w for w in of(warnings_for(kb_dir), "legal-note")}
    assert set(found) == {"sol-utan-not"}
    assert "legal_note" in found["sol-utan-not"].message


def test_a_legal_note_that_does_not_exist_is_an_error(kb_dir):
    append(kb_dir / QA, entry("okand-not", extra="    legal_note: finns-inte\n"))
    kb, errors = check_knowledge_base(kb_dir)
    assert kb is None
    assert any("legal_note 'finns-inte' finns inte" in str(e) for e in errors)


def test_the_legal_note_is_shown_on_the_answer_and_names_the_source_s_reference():
    kb, errors = check_knowledge_base(REAL)
    assert errors == []
    texts = kb.legal_texts(kb.entries["sip-nar-lag"].legal)
    assert texts and "2 kap § 7 SoL" in texts[0] and "SFS 2025:400" in texts[0]
    assert "1 juli 2025" in texts[0] and "Kontrollera aktuell lagtext" in texts[0]
    for concept in ("sip", "hsl", "sol"):
        assert kb.legal_texts(kb.concepts[concept].legal), concept
    # the directive dates that have passed are said to have passed
    assert "Datumen har passerat" in kb.legal_texts(kb.entries["begrepp-bakgrund-utredningar"].legal)[0]


def test_the_glossary_card_for_a_law_carries_its_legal_note():
    from lotsen.features.qa import glossary_entry

    kb, _ = check_knowledge_base(REAL)
    for question in ("vad är SoL", "vad betyder SIP", "vad är HSL"):
        term = glossary_entry(kb, question)
        assert term is not None and term.legal, question
        assert "SFS 2025:400" in kb.legal_texts(term.legal)[0]


def test_the_coverage_checklist_names_only_existing_entries_and_concepts():
    import re

    kb, _ = check_knowledge_base(REAL)
    text = (ROOT / "docs" / "kb-coverage.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(c:[a-z0-9-]+|[a-z0-9]+(?:-[a-z0-9]+)+)`", text)) - {"entry-id", "c:concept-id"}
    missing = sorted(n for n in named if (n[2:] not in kb.concepts if n.startswith("c:") else n not in kb.entries))
    assert named and missing == [], f"docs/kb-coverage.md names entries that do not exist: {missing}"


def test_check_lists_each_answer_s_lix(kb_dir, capsys):
    assert cli.main(["check", "--dir", str(kb_dir), "--no-seeds", "--lix"]) == 0
    out = capsys.readouterr().out
    assert "LIX per svar" in out and "fk-samordnar" in out and "median" in out


# --- the shipped knowledge base ---------------------------------------------------------------


def allowed_warnings() -> list[dict]:
    data = yaml.safe_load(ALLOWED.read_text(encoding="utf-8")) or {}
    items = data.get("allowed") or []
    for item in items:
        assert set(item) == {"code", "id", "why"}, f"{ALLOWED.name}: each item has code, id and why: {item}"
        assert item["code"] in WARNING_KINDS, item
        assert str(item["why"]).strip(), f"{ALLOWED.name}: {item['code']} {item['id']} needs a justification"
    return items


def shipped_warnings():
    kb, errors = check_knowledge_base(REAL)
    assert errors == [], [str(e) for e in errors]
    return check_quality(kb, today=date.today())


def test_the_shipped_knowledge_base_has_no_unlisted_warnings():
    allowed = {(item["code"], str(item["id"])) for item in allowed_warnings()}
    unlisted = [f"{w} [{w.code}: {w.subject}]" for w in shipped_warnings() if (w.code, w.subject) not in allowed]
    assert unlisted == [], (
        "quality warnings in knowledge/ (fix them, or list them with a justification in "
        "tests/kb_warnings_allowed.yaml):\n" + "\n".join(unlisted)
    )


def test_the_allow_list_has_no_stale_entries():
    present = {(w.code, w.subject) for w in shipped_warnings()}
    seeds_checked = DEFAULT_SEEDS_DIR.is_dir()
    stale = [
        item
        for item in allowed_warnings()
        if (item["code"], str(item["id"])) not in present and (item["code"] != "source" or seeds_checked)
    ]
    assert stale == [], f"no longer warned about; remove from {ALLOWED.name}: {stale}"


# --- the command ------------------------------------------------------------------------------------


def test_check_prints_errors_then_warnings_with_file_and_line(kb_dir, capsys):
    append(kb_dir / QA, entry("tva", phrasings=("en", "två")))
    append(kb_dir / QA, '  - id: trasig\n    question: "Saknar svar"\n')
    code = cli.main(["check", "--dir", str(kb_dir), "--no-seeds"])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Fel (3):"  # trasig lacks phrasings, answer and source
    broken = line_of(kb_dir / QA, "id: trasig")
    assert f"knowledge/qa/test.yaml:{broken}: fel: fältet 'answer' saknas" in lines
    assert "Varningar" not in out  # warnings need a loadable knowledge base
    assert "Boten startar inte" in out


def test_check_warnings_exit_zero_unless_strict(kb_dir, capsys):
    append(kb_dir / QA, entry("tva", phrasings=("en", "två")))
    assert cli.main(["check", "--dir", str(kb_dir), "--no-seeds"]) == 0
    out = capsys.readouterr().out
    line = line_of(kb_dir / QA, "id: tva")
    assert f"knowledge/qa/test.yaml:{line}: varning: tva: bara 2 formuleringar" in out
    assert "[few-phrasings: tva]" in out
    assert "Kunskapsbasen i" in out and "är giltig: 7 frågor" in out
    assert cli.main(["check", "--dir", str(kb_dir), "--no-seeds", "--strict"]) == 1
    capsys.readouterr()


def test_check_review_days_flag(kb_dir, capsys):
    append(kb_dir / QA, entry("gammal").replace("reviewed: 2026-11-01", "reviewed: 2020-01-01"))
    cli.main(["check", "--dir", str(kb_dir), "--no-seeds"])
    assert "gammal: granskades senast 2020-01-01" in capsys.readouterr().out
    cli.main(["check", "--dir", str(kb_dir), "--no-seeds", "--review-days", "100000"])
    assert "gammal: granskades senast" not in capsys.readouterr().out


def test_test_command_explains_a_known_question(capsys):
    assert (
        cli.main(
            [
                "test",
                "vad",
                "gör",
                "fkassan",
                "för",
                "personer",
                "utan",
                "sgi",
                "--dir",
                str(ROOT / "tests" / "fixtures" / "kb"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Resultat: Boten svarar med ”Vad gör Försäkringskassan för personer utan SGI?” (fk-samordnar)" in out
    assert "Förkortningar och alias: fkassan → Försäkringskassan" in out
    assert "1. fk-samordnar – poäng" in out and "Gemensamma ord:" in out and "kb/qa/test.yaml:2" in out


def test_diff_command(kb_dir, tmp_path, capsys):
    old = copy_kb(tmp_path, "old")
    append(kb_dir / QA, entry("ny-fraga"))
    replace(kb_dir / QA, "Habo, Mullsjö och Jönköping.", "Habo, Mullsjö och Jönköping (2026).")
    assert cli.main(["diff", str(old), str(kb_dir)]) == 0
    assert "Frågor och svar: 1 ny (ny-fraga), 1 ändrad (arena-kommuner)" in capsys.readouterr().out


def test_the_command_runs_as_documented(kb_dir):
    append(kb_dir / QA, "  - id: trasig\n")
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.kb", "check", "--dir", str(kb_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert f"knowledge/qa/test.yaml:{line_of(kb_dir / QA, 'id: trasig')}: fel: fältet 'question' saknas" in proc.stdout
