"""The examples in the coordinators' guide (docs/koordinatorer.md, linked from the README) work: pasted into (a copy of)
the shipped knowledge base they load without errors, and the new entry and contact list draw
no warnings."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import yaml

from lotsen.kb.loader import check_knowledge_base
from lotsen.kb.quality import check_quality
from tests.support.upkeep import append

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "koordinatorer.md"


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_the_readme_links_the_guide():
    assert "(docs/koordinatorer.md)" in README.read_text(encoding="utf-8")


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", guide(), re.DOTALL)


def test_the_guide_covers_the_commands():
    text = guide()
    for needle in (
        "python -m scripts.kb check",
        "python -m scripts.kb test",
        "testa:",
        "ladda om kunskapsbasen",
        "obesvarade frågor",
        "feedback",
        "skicka sammanfattning",
        "koppla kanal sammanfattning",
        "DIGEST_SCHEDULE",
        "KB_REVIEW_DAYS",
        "--strict",
        "--review-days",
        "reviewed",
        "owner",
    ):
        assert needle in text, needle


def test_the_examples_load_into_the_shipped_knowledge_base(tmp_path):
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb_dir)
    entry, contact_list, route, purpose = yaml_blocks()
    kb, errors = check_knowledge_base(kb_dir)
    assert errors == []
    if "sip-tolk" in kb.entries:  # the writers may have added one meanwhile: keep the example apart
        entry = entry.replace("id: sip-tolk", "id: sip-tolk-exempel")
    append(kb_dir / "qa" / "processer.yaml", "\n" + entry)
    append(kb_dir / "contacts.yaml", "\n" + contact_list)
    append(kb_dir / "routing.yaml", "\n" + route)
    new = yaml.safe_load(purpose)
    routing = (kb_dir / "routing.yaml").read_text(encoding="utf-8")
    purpose_text = yaml.safe_dump(new["purposes"], allow_unicode=True, sort_keys=False)
    purpose_text = "".join("  " + line + "\n" for line in purpose_text.splitlines())
    routing = routing.replace("purposes:\n", "purposes:\n" + purpose_text, 1)
    (kb_dir / "routing.yaml").write_text(routing, encoding="utf-8")
    append(kb_dir / "routing.yaml", '  - {purpose: tolk, municipalities: "*", contact_list: finsam-lansgemensam}\n')
    kb, errors = check_knowledge_base(kb_dir)
    assert [str(e) for e in errors] == []
    entry_id = "sip-tolk-exempel" if "sip-tolk-exempel" in kb.entries else "sip-tolk"
    assert {entry_id} <= set(kb.entries) and "arena-sammankallande-habo" in kb.contact_lists and "tolk" in kb.purposes
    warned = {(w.code, w.subject) for w in check_quality(kb, today=date(2026, 11, 23))}
    assert not {w for w in warned if entry_id in w[1] or w[1] == "arena-sammankallande-habo"}, warned
