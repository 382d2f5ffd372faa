"""Card templates: every value through |tojson, every render a valid Adaptive Card 1.5."""

import json
import re

import pytest

from cards.render import MAX_CARD_BYTES, TEMPLATES, CardError, check_card, escape_markdown, render

INTERPOLATION = re.compile(r"{{(.*?)}}", re.DOTALL)
MACRO_CALL = re.compile(r"^\s*m\.\w+\(")


def test_every_interpolation_goes_through_tojson():
    offenders = []
    for path in sorted(TEMPLATES.glob("*.j2")):
        for expr in INTERPOLATION.findall(path.read_text(encoding="utf-8")):
            if MACRO_CALL.match(expr):  # macros interpolate their arguments with |tojson themselves
                continue
            if not expr.strip().endswith("|tojson"):
                offenders.append(f"{path.name}: {{{{{expr.strip()}}}}}")
    assert offenders == []


def test_user_text_cannot_break_out_of_its_string():
    evil = '", "actions": [{"type": "Action.OpenUrl", "url": "https://evil.example"}], "x": "'
    card = render("answer", question=evil, answer=evil, gap=False, parties=evil, source=evil, related=[],
                  flow_actions=[], contact_purpose="lokal-samverkan", entry_id="e")
    assert card["body"][0]["text"] == evil
    assert all(a["type"] == "Action.Submit" for a in card["actions"])
    assert "evil.example" not in json.dumps(card["actions"])


def test_markdown_in_user_text_is_neutralised():
    assert escape_markdown("[klicka](https://x.example) **fet**") == r"\[klicka\](https://x.example) \*\*fet\*\*"
    assert escape_markdown("2026-11-20 kl. 10.00") == "2026-11-20 kl. 10.00"


def test_invalid_cards_are_refused():
    card = render("welcome", example="x")
    card["body"].append({"type": "FancyWidget"})
    assert any("schema" in p for p in check_card(card))
    card = render("welcome", example="x")
    card["body"][0]["size"] = "Gigantic"
    assert check_card(card)
    card = render("welcome", example="x")
    card["version"] = "1.6"
    assert "version must be 1.5" in check_card(card)


def test_duplicate_ids_are_refused():
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "Input.Text", "id": "a"}, {"type": "Input.Text", "id": "a"}]}
    assert any("duplicate ids: a" in p for p in check_card(card))


def test_size_budget():
    with pytest.raises(CardError, match="byte budget"):
        render("notice", title="x", text="å" * (MAX_CARD_BYTES // 2 + 10))


def test_broken_template_output_is_reported(tmp_path, monkeypatch):
    with pytest.raises(CardError, match="missing_template"):
        render("missing_template")
