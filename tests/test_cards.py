"""Card templates: every value through |tojson, every render a valid Adaptive Card 1.5."""

import json
import re

import pytest

from cards.render import (
    MAX_CARD_BYTES,
    OVERSIZE_NOTE,
    TEMPLATES,
    CardError,
    card_size,
    check_card,
    escape_markdown,
    fit_to_budget,
    render,
)

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
    card = render(
        "answer",
        question=evil,
        answer=evil,
        gap=False,
        parties=evil,
        source=evil,
        related=[],
        flow_actions=[],
        contact_purpose="lokal-samverkan",
        entry_id="e",
    )
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
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Input.Text", "id": "a"}, {"type": "Input.Text", "id": "a"}],
    }
    assert any("duplicate ids: a" in p for p in check_card(card))


def test_size_budget_is_measured_in_utf16_like_teams():
    """Fault matrix row 55: Teams counts the payload as UTF-16, so 10,000 ASCII characters (10 KB
    in UTF-8) are 20 KB, and 15,000 are over the 28 KB budget."""

    def notice(text):
        return {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": text}]}

    assert card_size(notice("a" * 10_000)) > 20_000
    assert not check_card(notice("a" * 13_000))
    assert any("byte budget" in p for p in check_card(notice("a" * 15_000)))  # only 15 KB in UTF-8


def test_an_oversized_card_becomes_a_shortened_card_not_an_error():
    card = render("notice", title="x", text="å" * (MAX_CARD_BYTES // 2 + 10))
    assert card_size(card) <= MAX_CARD_BYTES and check_card(card) == []
    assert card["body"][0]["text"] == "x"  # the title is kept


def test_fitting_keeps_inputs_and_buttons_and_says_it_shortened():
    rows = [
        {"type": "TextBlock", "text": f"AVV-2026-{n:04d} · Vetlanda · Mottagen · " + "beskrivning " * 20}
        for n in range(300)
    ]
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Input.Text", "id": "q", "value": "x" * 500}, *rows],
        "actions": [{"type": "Action.Submit", "title": "Visa fler", "data": {"verb": "x"}}],
    }
    assert check_card(card)
    fitted = fit_to_budget(card)
    assert check_card(fitted) == []
    assert fitted["body"][0] == card["body"][0]  # the input and its value are untouched
    assert fitted["actions"] == card["actions"]
    assert fitted["body"][-1]["text"] == OVERSIZE_NOTE
    assert fitted["body"][1]["text"].startswith("AVV-2026-0000")  # the first rows are kept


def test_broken_template_output_is_reported(tmp_path, monkeypatch):
    with pytest.raises(CardError, match="missing_template"):
        render("missing_template")
