"""docs/flows.md is generated from the flow declarations and must be up to date."""

from __future__ import annotations

from scripts import flow_diagrams


def test_the_committed_flow_diagrams_are_up_to_date(capsys):
    assert flow_diagrams.main(["--check"]) == 0, capsys.readouterr().err


def test_a_changed_declaration_changes_the_diagram():
    from lotsen.kb import load_knowledge_base

    kb = load_knowledge_base(flow_diagrams.ROOT / "knowledge")
    text = flow_diagrams.render(kb)
    for flow in ("dev.begin", "arena.check (consent)", "sip.check (single-principal)", "review --> filed: sip.send"):
        assert flow in text
    assert "datum*, kommun*" in text and "aterkoppling" in text
