"""Adaptive Cards checked by Microsoft's renderer library (cards/jsvalidate.js via Node)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also work when pytest is not started with `python -m`
    sys.path.insert(0, str(REPO))

from cards import jsvalidate  # noqa: E402
from cards.jsvalidate import JsValidatorUnavailable, validate_cards_js  # noqa: E402

VALID_15 = {
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {
            "type": "TextBlock",
            "text": "Rapportera avvikelse",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
            "style": "heading",
        },
        {
            "type": "Input.Text",
            "id": "beskrivning",
            "label": "Vad hände?",
            "isMultiline": True,
            "isRequired": True,
            "errorMessage": "Skriv vad som hände.",
            "maxLength": 2000,
        },
        {
            "type": "Input.ChoiceSet",
            "id": "kommun",
            "label": "Kommun",
            "style": "compact",
            "choices": [{"title": "Jönköping", "value": "jonkoping"}, {"title": "Habo", "value": "habo"}],
        },
        {"type": "Input.Date", "id": "datum", "label": "När hände det?"},
        {
            "type": "Input.Toggle",
            "id": "samtycke",
            "title": "Individen har gett sitt samtycke",
            "valueOn": "ja",
            "valueOff": "nej",
        },
        {
            "type": "Table",
            "columns": [{"width": 1}, {"width": 2}],
            "rows": [
                {
                    "type": "TableRow",
                    "cells": [
                        {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Status"}]},
                        {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Ny", "wrap": True}]},
                    ],
                }
            ],
        },
        {
            "type": "ActionSet",
            "actions": [{"type": "Action.ToggleVisibility", "title": "Visa mer", "targetElements": ["mer"]}],
        },
        {
            "type": "Container",
            "id": "mer",
            "isVisible": False,
            "items": [{"type": "TextBlock", "text": "Mer text", "wrap": True}],
        },
    ],
    "actions": [
        {
            "type": "Action.Execute",
            "title": "Skicka",
            "verb": "avvikelse.skicka",
            "data": {"verb": "avvikelse.skicka", "form_id": "f-1"},
            "style": "positive",
        },
        {"type": "Action.Submit", "title": "Avbryt", "data": {"verb": "avvikelse.avbryt"}},
        {"type": "Action.OpenUrl", "title": "Läs mer", "url": "https://www.exempel.se/"},
    ],
}

INVALID = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "FancyWidget", "text": "x"},
        {"type": "TextBlock", "text": "hej", "size": "gigantic"},
        {"type": "Input.Text", "label": "Input utan id"},
        {"type": "Input.Text", "id": "dup", "label": "A"},
        {"type": "Input.Number", "id": "dup", "label": "B"},
        {"type": "Input.ChoiceSet", "id": "val", "label": "Val", "choices": [{"title": "Utan värde"}]},
    ],
}


def card(version: str = "1.5", **extra) -> dict:
    return {"type": "AdaptiveCard", "version": version, "body": [{"type": "TextBlock", "text": "Hej"}], **extra}


def test_library_installed() -> None:
    assert jsvalidate.LIBRARY.is_file(), "run `npm install --no-audit --no-fund` in the repository root"


def test_valid_15_card_has_no_messages() -> None:
    assert validate_cards_js([VALID_15]) == [[]]


def test_invalid_card_messages() -> None:
    [messages] = validate_cards_js([INVALID])
    assert messages == [
        'UnknownElementType: Unknown element type "FancyWidget". Fallback will be used if present.',
        'InvalidPropertyValue: Invalid value "gigantic" for property "size". [TextBlock]',
        "PropertyCantBeNull: All inputs must have a unique Id. [Input.Text]",
        'DuplicateId: Duplicate Id "dup". [Input.Number "dup"]',
        "PropertyCantBeNull: All choices in an Input.ChoiceSet must have their title and value properties set."
        ' [Input.ChoiceSet "val"]',
    ]


def test_unknown_action_type() -> None:
    [messages] = validate_cards_js([card(actions=[{"type": "Action.Teleport", "title": "Iväg"}])])
    assert messages == ['UnknownActionType: Unknown action type "Action.Teleport". Fallback will be used if present.']


@pytest.mark.parametrize("version", ["9.9", "1.6"])
def test_versions_above_15_are_reported(version: str) -> None:
    [messages] = validate_cards_js([card(version)])
    assert messages == [
        f"UnsupportedCardVersion: The specified card version ({version}) is not supported or still in preview. "
        "The latest released card version is 1.5. Teams renders cards up to version 1.5."
    ]


def test_properties_newer_than_15_are_reported() -> None:
    body = [{"type": "Input.Text", "id": "namn", "label": "Namn", "labelPosition": "inline"}]
    [messages] = validate_cards_js([{**card(), "body": body}])
    assert messages == [
        'UnsupportedProperty: Property "labelPosition" is supported in version 1.6, '
        'but you are using version 1.5. [Input.Text "namn"]'
    ]


def test_missing_type_and_version() -> None:
    [messages] = validate_cards_js([{"body": []}])
    assert messages == [
        'MissingCardType: Invalid or missing card type. Make sure the card\'s type property is set to "AdaptiveCard".',
        'PropertyCantBeNull: Property "version" must be set.',
    ]


def test_batch_keeps_order_and_handles_non_objects() -> None:
    results = validate_cards_js([VALID_15, INVALID, "inte ett kort", card("1.4")])  # type: ignore[list-item]
    assert [len(r) for r in results] == [0, 5, 1, 0]
    assert results[2] == ["InvalidInput: a card must be a JSON object"]


def test_empty_batch_does_not_start_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsvalidate, "node_binary", lambda: pytest.fail("node should not run"))
    assert validate_cards_js([]) == []


def test_missing_node_modules_gives_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(
        jsvalidate, "LIBRARY", tmp_path / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"
    )
    with pytest.raises(JsValidatorUnavailable, match="npm install --no-audit --no-fund"):
        validate_cards_js([VALID_15])


def test_missing_node_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE", "")
    monkeypatch.setattr(jsvalidate.shutil, "which", lambda name: None)
    with pytest.raises(JsValidatorUnavailable, match="node was not found"):
        validate_cards_js([VALID_15])


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(VALID_15), encoding="utf-8")
    bad.write_text(json.dumps([VALID_15, INVALID]), encoding="utf-8")
    assert jsvalidate.main([str(good)]) == 0
    assert jsvalidate.main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {bad}[1]" in out and 'DuplicateId: Duplicate Id "dup".' in out
